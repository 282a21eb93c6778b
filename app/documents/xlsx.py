"""The .xlsx twin of each form: same rows, same page blocks, same digests as the PDF.

How the workbook corresponds to the PDF: the rows come in blocks, one block per PDF page, in the
same order; after each block a note row names the PDF page, the document ID and that page's
digest (the same text the PDF prints under its QR code), and a manual page break follows, so a
printed block starts on a new sheet of paper. Print set-up: the header row repeats, the sheet
fits the page width, the footer carries the signature labels and "第 &P 页 共 &N 页"; the
signature lines and stamp note are also written under the table.

Every cell is written through ``app.xlsx_safe`` (a name or class starting with “=” stays text),
and ``out`` is written as given: ``PrintingService.print_form`` hands in ``app.outfile``'s
temporary file, so the user's file is replaced only once the workbook is complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from app import xlsx_safe
from app.documents import digest
from app.documents.layout import PageFrame, PageRecord

_THIN = Side(style="thin", color="000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_HEAD_FILL = PatternFill("solid", fgColor="EEEEEE")
NOTE_PREFIX = "以上为 PDF 第"


def page_note(frame: PageFrame, record: PageRecord, total: int) -> str:
    return (f"{NOTE_PREFIX} {record.page} 页（共 {total} 页）  文档编号：{digest.short_id(frame.doc_uuid)}  "
            f"本页校验码：{record.digest}")


def write(out: Path, frame: PageFrame, header: Sequence[str], widths: Sequence[float],
          rows: dict[str, Sequence[str]], records: Sequence[PageRecord], *, numbered: bool = True,
          prefix: dict[str, str] | None = None) -> Path:
    """Write the form; ``widths`` in characters. ``prefix`` adds a leading cell per key (附件4's sections)."""
    out = Path(out)
    wb = Workbook()
    ws = wb.active
    ws.title = frame.form_label
    ncols = len(header)
    last = get_column_letter(ncols)
    ws.append(xlsx_safe.row(ws, [f"{frame.form_label}  {frame.title}"]))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(size=15, bold=True)
    ws["A1"].alignment = _CENTER
    ws.row_dimensions[1].height = 28
    ws.append(xlsx_safe.row(ws, [frame.heading]))
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[2].height = 18 if len(frame.heading) < 60 else 48
    ws.append(xlsx_safe.row(ws, header))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _GRID
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    # Row numbers are counted here: ``ws.max_row`` scans every cell, quadratic over 3,000 rows.
    number, r = 0, 3
    for record in records:
        for key in record.keys:
            number += 1
            lead = [number] if numbered else []
            if prefix is not None:
                lead = [prefix.get(key, "")]
            values = [*lead, *[str(c) for c in rows[key]]]
            r += 1
            for col in range(1, ncols + 1):
                cell = xlsx_safe.put(ws, r, col, values[col - 1] if col <= len(values) else None)
                cell.border = _GRID
                cell.alignment = _CENTER if numbered and col == 1 else _WRAP
        r += 1
        xlsx_safe.put(ws, r, 1, page_note(frame, record, len(records))).font = Font(size=8, color="555555")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        if record is not records[-1]:
            ws.row_breaks.append(Break(id=r))

    ws.append([])
    ws.append(xlsx_safe.row(ws, ["    ".join(f"{label}：____________" for label in frame.signatures)]))
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=ncols)
    ws.row_dimensions[ws.max_row].height = 30
    ws.append(xlsx_safe.row(ws, [f"{frame.stamp_label}：（此处盖章）"]))
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=ncols)
    ws.row_dimensions[ws.max_row].height = 60

    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape" if frame.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.bottom = 1.0
    ws.oddFooter.left.text = "  ".join(f"{label}：______" for label in frame.signatures)
    ws.oddFooter.left.size = 9
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.right.text = f"文档编号：{digest.short_id(frame.doc_uuid)}"
    ws.oddFooter.right.size = 9
    ws.freeze_panes = "A4"
    wb.save(out)
    return out
