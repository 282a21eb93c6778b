"""The .xlsx twins: same rows and page digests as the PDF, print set-up, no full ID in publicity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.documents import digest, publicity, review_report, summary, waiver_form, waiver_list, xlsx
from db.models import Document

FORMS = {"附件1": waiver_form, "附件2": waiver_list, "附件3": summary, "附件4": review_report, "公示": publicity}


def _print(desk, form: str, tmp_path: Path):
    student = desk.by_status["waived"][0].student_no if form == "附件1" else None
    result = desk.container.printing.print_form(desk.actor, form, tmp_path / "f.pdf", tmp_path / "f.xlsx",
                                                student=student)
    with desk.container.db.read() as s:
        pages = json.loads(s.scalar(select(Document).where(Document.uuid == result.doc_uuid)).pages)
    return result, pages, load_workbook(result.xlsx).active


def _values(ws) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("form", list(FORMS))
def test_xlsx_blocks_carry_the_pdf_page_digests(desk, tmp_path: Path, form: str) -> None:
    module = FORMS[form]
    result, pages, ws = _print(desk, form, tmp_path)
    rows = _values(ws)
    notes = [r[0] for r in rows if r[0].startswith(xlsx.NOTE_PREFIX)]
    short = digest.short_id(result.doc_uuid)
    assert notes == [f"{xlsx.NOTE_PREFIX} {p['page']} 页（共 {len(pages)} 页）  文档编号：{short}  本页校验码：{p['digest']}"
                     for p in pages]
    # Between two notes: exactly that page's rows, as printed.
    block: list[list[str]] = []
    blocks = []
    for r in rows[3:]:
        if r[0].startswith(xlsx.NOTE_PREFIX):
            blocks.append(block)
            block = []
        elif any(r):
            block.append(r)
    for page, got in zip(pages, blocks, strict=True):
        assert len(got) == len(page["rows"])
        for printed_row, sheet_row in zip(page["rows"], got, strict=True):
            assert printed_row == sheet_row[1:1 + len(printed_row)] or printed_row == sheet_row[:len(printed_row)]
    # Print set-up.
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.orientation == ("landscape" if form == "附件3" else "portrait")
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert len(ws.row_breaks.brk) == len(pages) - 1
    tail = " ".join(r[0] for r in rows[-3:])
    for label in module.SIGNATURES:
        assert label in tail and label in ws.oddFooter.left.text


def test_summary_xlsx_lists_every_applicant(desk, tmp_path: Path) -> None:
    _, _, ws = _print(desk, "附件3", tmp_path)
    cells = {c for row in _values(ws) for c in row}
    for p in desk.all:
        assert (p.id_number in cells) == (p.status != "waived")


def test_publicity_xlsx_never_holds_a_full_id(desk, tmp_path: Path) -> None:
    _, _, ws = _print(desk, "公示", tmp_path)
    text = "\n".join("\t".join(r) for r in _values(ws))
    text += ws.oddFooter.left.text + ws.oddFooter.center.text + ws.oddFooter.right.text
    for p in desk.all:
        assert p.id_number not in text
    assert sum(p.name in text for p in desk.by_status["eligible"]) == len(desk.by_status["eligible"])
