"""Every form as PDF: names, signature labels and page numbers on every page; nothing clipped;
publicity never shows a full ID number; each page's QR code carries the recorded digest."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
from pathlib import Path

import cv2
import pytest
from forms_sample import LONG_MAJOR, LONG_REASON
from sqlalchemy import select

from app.documents import digest, layout, publicity, review_report, summary, waiver_form, waiver_list
from app.documents.printing import _decode_qr
from app.domain.idnumber import mask
from app.domain.review import default_graduation_year
from app.errors import NotFoundError, ValidationError
from db.models import AuditEvent, Document

YEAR = default_graduation_year(dt.date.today())  # no graduation year set: the season's graduates


def pages(pdf: Path) -> list[str]:
    """pdftotext per page, whitespace removed (it drops or adds spaces between CJK glyphs)."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    parts = out.split("\f")
    if parts and not parts[-1].strip():
        parts.pop()
    return [re.sub(r"\s+", "", p) for p in parts]


def column_text(pdf: Path, widths: tuple[float, ...], column: int) -> str:
    """The words printed inside one table column, top to bottom, on all pages.

    pdftotext reads a wrapped cell interleaved with its neighbours; words by position do not.
    """
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    x0 = layout.MARGIN_X + sum(widths[:column])
    x1 = x0 + widths[column]
    found = []
    for page, body in enumerate(out.split("<page ")[1:]):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', body):
            if float(m[1]) >= x0 - 0.5 and float(m[3]) <= x1 + 0.5:
                found.append((page, float(m[2]), float(m[1]), html.unescape(m[4])))
    return "".join(w for *_, w in sorted(found))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_every_page(texts: list[str], labels: tuple[str, ...], short_id: str) -> None:
    assert texts
    for number, text in enumerate(texts, start=1):
        for label in labels:
            assert squash(label) in text, f"page {number} lacks {label}"
        assert f"第{number}页共{len(texts)}页" in text
        assert f"文档编号：{short_id}" in text
        assert "本页校验码：" in text


def test_summary_lists_every_applicant_on_pages_with_signatures(desk, tmp_path: Path) -> None:
    c = desk.container
    result = c.printing.print_form(desk.actor, "附件3", tmp_path / "a3.pdf")
    texts = pages(result.pdf)
    assert result.pages == len(texts) >= 3
    check_every_page(texts, (*summary.SIGNATURES, summary.STAMP, *summary.HEADER), digest.short_id(result.doc_uuid))
    whole = "".join(texts)
    applicants = [p for p in desk.all if p.status != "waived"]
    assert result.rows == len(applicants)
    for p in applicants:
        assert p.name in whole and p.id_number in whole and p.phone in whole
    for p in desk.by_status["waived"]:
        assert p.name not in whole
    # Wrapped cells keep all their text (nothing clipped), in order.
    assert squash(LONG_MAJOR) in squash(column_text(result.pdf, summary.WIDTHS, 5))
    assert squash("审核未通过：教务处：" + LONG_REASON) in squash(column_text(result.pdf, summary.WIDTHS, 10))
    assert "待审核" in whole


def test_each_page_qr_and_text_carry_the_recorded_digest(desk, tmp_path: Path) -> None:
    c = desk.container
    result = c.printing.print_form(desk.actor, "summary", tmp_path / "a3.pdf")
    with c.db.read() as s:
        doc = s.scalar(select(Document).where(Document.uuid == result.doc_uuid))
        stored = json.loads(doc.pages)
        assert doc.form == "summary" and doc.row_count == result.rows
        assert s.scalar(select(AuditEvent).where(AuditEvent.entity_uuid == result.doc_uuid)).action == "document.print"
    texts = pages(result.pdf)
    assert [p["page"] for p in stored] == list(range(1, len(texts) + 1))
    seen: list[str] = []
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(result.pdf), str(tmp_path / "p")], check=True)
    for record, text in zip(stored, texts, strict=True):
        seen += record["keys"]
        # The digest is over exactly the rows on that page (their names are on the page) and the
        # page's header fields (printed on it too).
        header = [tuple(h) for h in record["header"]]
        assert record["v"] == 2 and dict(header)["标题"] == result.title
        assert record["digest"] == digest.page_digest(list(zip(record["keys"], record["rows"], strict=True)), header)
        for row in record["rows"]:
            assert row[0] in text
        for _label, value in header:
            assert squash(value) in text
        assert f"本页校验码：{record['digest']}" in text
        image = cv2.imread(str(sorted(tmp_path.glob(f"p-*{record['page']}.png"))[0]))
        payload = digest.parse_payload(_decode_qr(image)[0])
        assert payload == digest.Payload(result.doc_uuid, record["page"], record["digest"])
    applicants = [p.uuid for p in sorted(desk.all, key=lambda p: (p.class_name, p.student_no)) if p.status != "waived"]
    assert seen == applicants  # every row on exactly one page, in print order


def test_waiver_list(desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "附件2", tmp_path / "a2.pdf")
    texts = pages(result.pdf)
    check_every_page(texts, (*waiver_list.SIGNATURES, waiver_list.STAMP), digest.short_id(result.doc_uuid))
    whole = "".join(texts)
    for p in desk.by_status["waived"]:
        assert p.name in whole and p.student_no in whole
    for p in desk.by_status["eligible"]:
        assert p.name not in whole
    assert squash(LONG_REASON) in squash(column_text(result.pdf, waiver_list.WIDTHS, 6))
    assert "准备就业，已签订劳动合同" in whole


def test_publicity_masks_every_id_number(desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "公示", tmp_path / "pub.pdf")
    texts = pages(result.pdf)
    check_every_page(texts, publicity.SIGNATURES, digest.short_id(result.doc_uuid))
    whole = "".join(texts)
    assert "公示时间：2026年03月10日至2026年03月16日" in whole
    for p in desk.all:
        assert p.id_number not in whole
        assert p.id_number[6:14] not in whole  # not even the birth date
    for p in desk.by_status["eligible"]:
        assert p.name in whole and mask(p.id_number) in whole
    for status in ("ineligible", "waived", "roster"):
        for p in desk.by_status[status]:
            assert p.name not in whole
    with desk.container.db.read() as s:
        stored = s.scalar(select(Document).where(Document.uuid == result.doc_uuid)).pages
    assert not any(p.id_number in stored for p in desk.all)


def test_review_report(desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "附件4", tmp_path / "a4.pdf")
    texts = pages(result.pdf)
    check_every_page(texts, (*review_report.SIGNATURES, review_report.STAMP), digest.short_id(result.doc_uuid))
    whole = "".join(texts)
    n = {k: len(v) for k, v in desk.by_status.items()}
    assert f"应届毕业生（名单）人数{len(desk.all)}" in whole
    assert f"放弃报名考试资格人数{n['waived']}" in whole
    assert f"申请报名人数{len(desk.all) - n['waived']}" in whole
    assert f"审核通过人数{n['eligible']}" in whole
    assert f"审核未通过人数{n['ineligible']}" in whole
    assert f"其中：教务处审核未通过{n['ineligible']}" in whole
    assert "教务处学籍核对：未导入名单" in whole
    for p in desk.by_status["ineligible"]:
        assert p.name in whole
    assert squash("教务处：" + LONG_REASON) in squash(column_text(result.pdf, review_report.INELIGIBLE_WIDTHS, 4))
    for label in ("学生处审核意见", "教务处审核意见", "二级学院意见"):
        assert label in whole


def test_waiver_form_for_one_student(desk, tmp_path: Path) -> None:
    p = desk.by_status["waived"][0]
    result = desk.container.printing.print_form(desk.actor, "附件1", tmp_path / "a1.pdf", student=p.student_no)
    texts = pages(result.pdf)
    assert len(texts) == 1
    check_every_page(texts, (*waiver_form.SIGNATURES, waiver_form.STAMP), digest.short_id(result.doc_uuid))
    assert p.name in texts[0] and p.id_number in texts[0] and f"自愿放弃{YEAR}年专升本报名考试资格" in texts[0]
    assert "准备就业，已签订劳动合同" in texts[0] and "2026年03月02日" in texts[0]


def test_waiver_form_needs_a_known_student(desk, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="--student"):
        desk.container.printing.print_form(desk.actor, "附件1", tmp_path / "a1.pdf")
    with pytest.raises(NotFoundError):
        desk.container.printing.print_form(desk.actor, "附件1", tmp_path / "a1.pdf", student="nobody")
    with pytest.raises(ValidationError, match="未知的表格"):
        desk.container.printing.print_form(desk.actor, "附件9", tmp_path / "a9.pdf")
    assert not (tmp_path / "a1.pdf").exists()


def test_pdf_embeds_a_font_subset(desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "公示", tmp_path / "pub.pdf")
    fonts = subprocess.run(["pdffonts", str(result.pdf)], check=True, capture_output=True).stdout.decode()
    line = next(x for x in fonts.splitlines() if "RegDeskCJK" in x or "+" in x)
    assert re.search(r"[A-Z]{6}\+", line) and " yes yes " in re.sub(r"\s+", " ", line)


def test_every_form_is_for_the_graduation_year_setting(desk, tmp_path: Path) -> None:
    """Titles and 附件1's statement use the graduation year, not today's year nor the 公示 year."""
    c = desk.container
    c.settings.set(desk.actor, "graduation_year", 2031)
    waived = desk.by_status["waived"][0]
    for form, student in (("publicity", None), ("summary", None), ("waiver_list", None), ("review_report", None),
                          ("waiver_form", waived.student_no)):
        result = c.printing.print_form(desk.actor, form, tmp_path / f"{form}.pdf", student=student)
        first = pages(result.pdf)[0]
        if form == "waiver_form":
            assert "自愿放弃2031年专升本报名考试资格" in first
        else:
            assert "2031年" in result.title and squash(result.title) in first
        assert f"{dt.date.today().year}年专升本" not in first and "2026年放弃" not in first
