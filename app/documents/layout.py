"""The shared page frame of every form, and the machinery that knows which rows landed on which page.

Every page gets: the form label and title, a heading line, the table header (repeated by the
table itself), the signature lines and a stamp box, "第 x 页 共 y 页", the document's ID, the page
digest as text and as a QR code.

How rows are tracked: each keyed row's first cell is a ``Keyed`` paragraph carrying the row's
key. After the frame draws a table (or the part of a split table that fits), ``afterFlowable``
records the keys it holds for the current page. The canvas defers every page until the build is
over (so "共 y 页" is known) and only then draws the frames, with the digest of exactly the rows
recorded for that page. One layout pass, so the page breaks the digests describe are the ones
printed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, LongTable, PageTemplate, Paragraph, TableStyle
from reportlab.platypus import Frame as RLFrame

from app.documents import digest
from app.documents.fonts import cjk_font
from app.tasks import CancelToken, Progress, no_progress

MARGIN_X = 28.0
TOP_AREA = 70.0
BOTTOM_AREA = 134.0
QR_SIZE = 72.0
STAMP_W, STAMP_H = 108.0, 72.0
SIGN_LINE = 70.0  # the blank after each signature label, in points


@dataclass(frozen=True)
class PageFrame:
    form_label: str  # 附件3
    title: str
    heading: str  # 学院、日期… under the title, parts separated by four spaces
    signatures: tuple[str, ...]  # "学生处（签章）" …
    stamp_label: str
    doc_uuid: str
    landscape: bool = False
    # Text the form prints outside its tables that the digest must cover (附件1's statement).
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else A4

    def header_fields(self) -> tuple[tuple[str, str], ...]:
        """What every page prints besides its rows, as (label, value): the page digest covers it.

        The heading's parts (“公示时间：…”, “合格人数：12 人”) are fields of their own, so a check
        can say which one changed.
        """
        out = [("表格", self.form_label), ("标题", self.title)]
        for part in _PARTS.split(self.heading.strip()):
            label, sep, value = part.partition("：")
            if part:
                out.append((label, value) if sep and label else ("表头", part))
        return (*out, *self.extra)


_PARTS = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class PageRecord:
    page: int
    keys: tuple[str, ...]
    digest: str
    header: tuple[tuple[str, str], ...] = ()  # the header fields the digest covers


Rows = dict[str, Sequence[str]]  # key -> printed cells, in print order


class Keyed(Paragraph):
    """A table cell paragraph that names the row it starts."""

    def __init__(self, text: str, style: ParagraphStyle, row_key: str) -> None:
        super().__init__(text, style)
        self.row_key = row_key


@dataclass(frozen=True)
class Styles:
    cell: ParagraphStyle
    head: ParagraphStyle
    body: ParagraphStyle
    title: ParagraphStyle
    section: ParagraphStyle


def styles(size: float = 8.5) -> Styles:
    font = cjk_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size * 1.3, wordWrap="CJK")
    return Styles(
        cell=cell,
        head=ParagraphStyle("head", parent=cell, alignment=TA_CENTER),
        body=ParagraphStyle("body", fontName=font, fontSize=11, leading=20, wordWrap="CJK"),
        title=ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER),
        section=ParagraphStyle("section", fontName=font, fontSize=12, leading=20, spaceBefore=8, spaceAfter=4),
    )


def text(value: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), style)


def grid_style(header_rows: int = 1) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])


def keyed_table(header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], widths: Sequence[float],
                st: Styles, *, numbered: bool = True) -> LongTable:
    """A gridded table, header repeated on every page; the first cell of each row carries its key.

    With ``numbered`` the first column is 序号 (not part of the digest: it is position, not data).
    """
    data: list[list[Flowable]] = [[text(h, st.head) for h in header]]
    for index, (key, cells) in enumerate(rows, start=1):
        if numbered:
            data.append([Keyed(str(index), st.head, key), *[text(c, st.cell) for c in cells]])
        else:
            data.append([Keyed(escape(str(cells[0])), st.cell, key), *[text(c, st.cell) for c in cells[1:]]])
    table = LongTable(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(grid_style())
    return table


class _Doc(BaseDocTemplate):
    def __init__(self, filename: str, frame: PageFrame, **kw) -> None:
        width, height = frame.pagesize
        super().__init__(filename, pagesize=frame.pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=TOP_AREA, bottomMargin=BOTTOM_AREA, title=frame.title,
                         author="RegDesk", creator="RegDesk", **kw)
        body = RLFrame(MARGIN_X, BOTTOM_AREA, width - 2 * MARGIN_X, height - TOP_AREA - BOTTOM_AREA,
                       leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[body])])
        self.page_keys: dict[int, list[str]] = {}
        self.rows_total = 0
        self.rows_done = 0
        self.progress: Progress = no_progress
        self.cancel: CancelToken | None = None

    def afterFlowable(self, flowable: Flowable) -> None:
        cells = getattr(flowable, "_cellvalues", None)
        if not cells:
            return
        keys = self.page_keys.setdefault(self.page, [])
        for row in cells:
            first = row[0] if row else None
            # reportlab wraps flowable cells in a tuple once the table has been laid out.
            if isinstance(first, (tuple, list)):
                first = first[0] if first else None
            key = getattr(first, "row_key", None)
            if key is not None:
                keys.append(key)
                self.rows_done += 1
        self.progress(self.rows_done, self.rows_total, "正在排版 PDF")
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()


def _canvas_class(draw_page: Callable[[pdfcanvas.Canvas, int, int], None]) -> type[pdfcanvas.Canvas]:
    class DeferredCanvas(pdfcanvas.Canvas):
        """Holds every page until the end, when the page count is known."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                draw_page(self, number, total)
                super().showPage()
            super().save()

    return DeferredCanvas


def render(out: Path, frame: PageFrame, story: list[Flowable], rows: Rows, *, progress: Progress | None = None,
           cancel: CancelToken | None = None) -> list[PageRecord]:
    """Build the PDF and return, per page, the keys printed on it and their digest.

    The file is opened only at the very end. ``out`` is written as given:
    ``PrintingService.print_form`` hands in ``app.outfile``'s temporary file, which is removed
    when the build fails or is cancelled, so the user's file is never half-written.
    """
    out = Path(out)
    doc = _Doc(str(out), frame)
    doc.rows_total, doc.progress, doc.cancel = len(rows), progress or no_progress, cancel
    records: dict[int, PageRecord] = {}

    def record(page: int) -> PageRecord:
        if page not in records:
            keys = tuple(doc.page_keys.get(page, ()))
            header = frame.header_fields()
            records[page] = PageRecord(page, keys, digest.page_digest([(k, rows[k]) for k in keys], header), header)
        return records[page]

    def draw_page(c: pdfcanvas.Canvas, page: int, total: int) -> None:
        draw_frame(c, frame, page, total, record(page).digest)

    doc.build(story, canvasmaker=_canvas_class(draw_page))
    return [records[p] for p in sorted(records)]


def _signature_rows(c: pdfcanvas.Canvas, labels: Sequence[str], width: float, font: str, size: float
                    ) -> list[list[str]]:
    """Labels on as few lines as fit, spread evenly (2 + 2 rather than 3 + 1), each with a blank to sign on."""
    need = sum(c.stringWidth(label + "：", font, size) + SIGN_LINE + 18 for label in labels)
    lines = max(1, math.ceil(need / width))
    per_line = math.ceil(len(labels) / lines) if labels else 1
    return [list(labels[i:i + per_line]) for i in range(0, len(labels), per_line)] or [[]]


def draw_qr(c: pdfcanvas.Canvas, payload: str, x: float, y: float, size: float, border: int = 4) -> None:
    """The QR code as one filled path of horizontal runs.

    reportlab's QrCodeWidget builds a shape per run and encodes twice per draw (bounds, then
    drawing); this is a third of the time of a 3,000-row 附件3.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    count = qr.getModuleCount()
    box = size / (count + 2 * border)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, run in itertools.groupby(bool(m) for m in row):
            n = sum(1 for _ in run)
            if dark:
                path.rect(x + (col + border) * box, y + size - (r + border + 1) * box, n * box, box)
            col += n
    c.saveState()
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def draw_frame(c: pdfcanvas.Canvas, frame: PageFrame, page: int, total: int, page_digest: str) -> None:
    font = cjk_font()
    width, height = frame.pagesize
    left, right = MARGIN_X, width - MARGIN_X
    c.saveState()
    c.setFillColor(colors.black)
    c.setFont(font, 10)
    c.drawString(left, height - 26, frame.form_label)
    c.setFont(font, 15)
    c.drawCentredString(width / 2, height - 36, frame.title)
    c.setFont(font, 9)
    c.drawString(left, height - TOP_AREA + 8, frame.heading)
    c.drawRightString(right, height - TOP_AREA + 8, f"第 {page} 页 共 {total} 页")

    # Signature lines, evenly spread; a second line when they do not fit on one.
    size = 9.5
    c.setFont(font, size)
    y = BOTTOM_AREA - 22
    for line in _signature_rows(c, frame.signatures, right - left, font, size):
        slot = (right - left) / max(len(line), 1)
        for i, label in enumerate(line):
            x = left + i * slot
            c.drawString(x, y, label + "：")
            start = x + c.stringWidth(label + "：", font, size) + 2
            c.line(start, y - 2, min(start + max(SIGN_LINE, slot - (start - x) - 14), x + slot - 8), y - 2)
        y -= 20

    # Stamp box, bottom right.
    c.setDash(3, 2)
    c.rect(right - STAMP_W, 12, STAMP_W, STAMP_H)
    c.setDash()
    c.setFont(font, 9)
    c.drawCentredString(right - STAMP_W / 2, 12 + STAMP_H / 2 - 3, frame.stamp_label)

    # Page number, document ID and digest, QR code bottom left.
    draw_qr(c, digest.Payload(frame.doc_uuid, page, page_digest).encode(), left, 8, QR_SIZE)
    c.setFont(font, 8.5)
    c.drawString(left + QR_SIZE + 6, 50, f"文档编号：{digest.short_id(frame.doc_uuid)}")
    c.drawString(left + QR_SIZE + 6, 38, f"本页校验码：{page_digest}")
    c.drawString(left + QR_SIZE + 6, 26, "扫码核对纸质件与电子数据")
    c.setFont(font, 10)
    c.drawRightString(right - STAMP_W - 14, 20, f"第 {page} 页 共 {total} 页")
    c.restoreState()
