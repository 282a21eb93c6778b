"""PrintingService: paper ≡ electronic. A printed page matches the data until the data changes,
and then the check names the rows that changed; pages without a readable code are recognised."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import select

from app.documents import digest
from app.documents.printing import RowDifference
from app.errors import NotFoundError
from db.models import Candidate, Document, Waiver


@pytest.fixture
def printed(container, actor, make_candidate_raw, tmp_path: Path):
    """附件3 for 60 candidates (3 pages) with page 2 rendered to a PNG, as a scanner would give it."""
    for i in range(60):
        container.candidates.create(actor, make_candidate_raw(i))
    result = container.printing.print_form(actor, "附件3", tmp_path / "a3.pdf")
    assert result.pages >= 3
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", str(result.pdf), str(tmp_path / "scan")],
                   check=True)
    scan = next(tmp_path.glob("scan-*2.png"))
    with container.db.read() as s:
        pages = json.loads(s.scalar(select(Document).where(Document.uuid == result.doc_uuid)).pages)
    return result, scan, pages


def _set_phone(container, uuid: str, phone: str) -> None:
    with container.db.transaction() as s:
        s.scalar(select(Candidate).where(Candidate.uuid == uuid)).phone = phone


def test_unchanged_page_matches(container, printed) -> None:
    result, scan, _pages = printed
    check = container.printing.verify_page(scan)
    assert check.status == "match" and check.ok
    assert (check.doc_uuid, check.page, check.form) == (result.doc_uuid, 2, "summary")
    assert "一致" in check.message and not check.differences


def test_photo_like_scan_still_reads(container, printed, tmp_path: Path) -> None:
    """Turned sideways, slightly tilted and grey, as a phone photo of the sheet would be."""
    _, scan, _ = printed
    image = cv2.rotate(cv2.imread(str(scan)), cv2.ROTATE_90_CLOCKWISE)
    # A margin of table top around the sheet, so the tilt does not cut off the QR corner.
    image = cv2.copyMakeBorder(image, 200, 200, 200, 200, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    h, w = image.shape[:2]
    tilt = cv2.getRotationMatrix2D((w / 2, h / 2), 12, 1.0)
    image = cv2.warpAffine(image, tilt, (w, h), borderValue=(255, 255, 255))
    image = cv2.addWeighted(image, 0.8, np.full_like(image, 200), 0.2, 0)
    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    check = container.printing.verify_page(photo)
    assert check.status == "match" and check.page == 2


def test_changed_phone_on_the_page_differs_and_names_the_candidate(container, actor, printed) -> None:
    _, scan, pages = printed
    key, row = pages[1]["keys"][3], pages[1]["rows"][3]
    detail = container.candidates.get(key)
    raw = {**{f: getattr(detail.data, f) for f in detail.data.__dataclass_fields__}, "phone": "13912345678"}
    container.candidates.update(actor, key, raw)
    check = container.printing.verify_page(scan)
    assert check.status == "differs" and not check.ok
    assert [d.name for d in check.differences] == [row[0]]
    assert check.differences[0].changes == (f"联系电话：{row[8]} → 13912345678",)
    assert row[0] in check.message


def test_change_on_another_page_does_not_affect_this_page(container, printed) -> None:
    _, scan, pages = printed
    _set_phone(container, pages[0]["keys"][0], "13912345678")
    assert container.printing.verify_page(scan).status == "match"


def test_a_row_that_left_the_form_is_reported(container, printed) -> None:
    _, scan, pages = printed
    key, name = pages[1]["keys"][0], pages[1]["rows"][0][0]
    with container.db.transaction() as s:
        c = s.scalar(select(Candidate).where(Candidate.uuid == key))
        c.status = "waived"
        s.add(Waiver(candidate_id=c.id, reason="就业", waived_on=c.birth_date))
    check = container.printing.verify_page(scan)
    assert check.status == "differs"
    header, row = check.differences
    # The page's heading counted 60 applicants; one left, so the header is no longer true either.
    assert header.name == "表头" and header.changes == ("报名人数：60 人 → 59 人",)
    assert row.name == name and "已不在本表中" in row.changes[0]


def test_whole_pdf_is_checked_page_by_page(container, printed) -> None:
    result, _, pages = printed
    checks = container.printing.verify_file(result.pdf)
    assert [c.page for c in checks] == [p["page"] for p in pages]
    assert all(c.status == "match" for c in checks)
    _set_phone(container, pages[2]["keys"][0], "13912345678")
    assert [c.status for c in container.printing.verify_file(result.pdf)][-1] == "differs"


def test_page_without_code_or_forged_code(container, printed, tmp_path: Path) -> None:
    _, scan, _pages = printed
    image = cv2.imread(str(scan))
    h, w = image.shape[:2]
    image[int(h * 0.8):, : int(w * 0.25)] = 255  # the QR corner torn off
    torn = tmp_path / "torn.png"
    cv2.imwrite(str(torn), image)
    check = container.printing.verify_page(torn)
    assert check.status == "no_code" and "二维码" in check.message and "校验码" in check.message

    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 300, 3), 255, np.uint8))
    assert container.printing.verify_page(blank).status == "no_code"


def test_forged_page_with_a_real_document_id(container, printed, tmp_path: Path) -> None:
    from app.documents import layout

    result, _, _ = printed
    frame = layout.PageFrame("附件3", "t", "h", ("经办人",), "章", result.doc_uuid)
    pdf = tmp_path / "forged.pdf"
    layout.render(pdf, frame, [layout.text("无", layout.styles().cell)], {})
    check = container.printing.verify_file(pdf)[0]
    assert check.status == "differs" and "不是本系统打印的原件" in check.message


def test_code_of_an_unknown_document(container, printed, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    from app.documents import digest, layout

    frame = layout.PageFrame("附件3", "t", "h", ("经办人",), "章", "00000000-0000-4000-8000-000000000000")
    pdf = other / "x.pdf"
    layout.render(pdf, frame, [layout.text("无", layout.styles().cell)], {})
    check = container.printing.verify_file(pdf)[0]
    assert check.status == "unknown" and digest.short_id(frame.doc_uuid) in check.message


def test_not_a_file(container, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        container.printing.verify_page(tmp_path / "nope.png")


def test_progress_and_cancel(container, actor, make_candidate_raw, tmp_path: Path) -> None:
    from app.errors import Cancelled
    from app.tasks import CancelToken

    for i in range(40):
        container.candidates.create(actor, make_candidate_raw(i))
    seen: list[tuple[int, int]] = []
    container.printing.print_form(actor, "附件3", tmp_path / "ok.pdf", progress=lambda d, t, _m: seen.append((d, t)))
    assert seen[-1] == (40, 40) and len(seen) >= 2

    token = CancelToken()

    def cancel_soon(done: int, _total: int, _message: str) -> None:
        if done:
            token.cancel()

    with pytest.raises(Cancelled):
        container.printing.print_form(actor, "附件3", tmp_path / "no.pdf", tmp_path / "no.xlsx",
                                      progress=cancel_soon, cancel=token)
    assert not (tmp_path / "no.pdf").exists() and not (tmp_path / "no.xlsx").exists()
    with container.db.read() as s:
        assert len(s.scalars(select(Document)).all()) == 1


def test_a_pdf_is_read_with_pdfium_not_pdftoppm(container, printed, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    result, _scan, _pages = printed
    monkeypatch.setattr(shutil, "which", lambda *_a, **_k: None)  # as on a Windows desk without poppler
    seen = []
    checks = container.printing.verify_file(result.pdf, progress=lambda d, t, m: seen.append((d, t)))
    assert [c.status for c in checks] == ["match"] * result.pages
    assert seen[-1] == (result.pages, result.pages)


def test_verify_an_image_in_memory(container, printed) -> None:
    _, scan, _ = printed
    frame = cv2.imread(str(scan))
    check = container.printing.verify_image(frame, "摄像头")
    assert check.status == "match" and check.page == 2 and check.source == "摄像头"


def test_who_may_print(container, actor, make_candidate_raw, tmp_path: Path) -> None:
    from app.auth import Actor
    from app.errors import PermissionDenied

    raw = make_candidate_raw(1)
    container.candidates.create(actor, raw)
    counsellor = Actor("li", "李老师", "counsellor")
    result = container.printing.print_form(counsellor, "附件1", tmp_path / "a1.pdf", student=raw["student_no"])
    assert result.pages == 1
    with pytest.raises(PermissionDenied, match="只能为学生打印附件1"):
        container.printing.print_form(counsellor, "附件3", tmp_path / "a3.pdf")
    for role in ("supervisor", "central"):
        with pytest.raises(PermissionDenied, match="不能打印附件"):
            container.printing.print_form(Actor("x", "某人", role), "附件1", tmp_path / "x.pdf", student=raw["student_no"])
    assert not (tmp_path / "a3.pdf").exists() and not (tmp_path / "x.pdf").exists()
    reviewer = Actor("r", "审核人", "reviewer")
    assert container.printing.print_form(reviewer, "附件4", tmp_path / "a4.pdf").pages >= 1
    recent = container.printing.recent()
    assert [d.label for d in recent] == ["附件4", "附件1"]
    assert recent[1].created_by == "li" and recent[1].pages == 1 and recent[1].rows == 1


def test_report_counts_ineligible_by_finding_type(container, actor, make_candidate_raw, tmp_path: Path) -> None:
    from app.documents import review_report
    from db.models import Finding, ReviewDecision

    for i in range(4):
        container.candidates.create(actor, make_candidate_raw(i))
    with container.db.transaction() as s:
        people = list(s.scalars(select(Candidate).order_by(Candidate.student_no)))
        plan = {0: [("failed_courses", "academic"), ("discipline", "conduct")], 1: [("failed_courses", "academic")],
                2: []}
        for i, codes in plan.items():
            people[i].status = "ineligible"
            for code, office in codes:
                s.add(Finding(candidate_id=people[i].id, code=code, office=office, message=code))
            offices = {o for _c, o in codes} or {"college"}
            for office in offices:
                s.add(ReviewDecision(candidate_id=people[i].id, office=office, decision="fail", reviewer="admin",
                                     opinion="不符合条件"))
    result = container.printing.print_form(actor, "附件4", tmp_path / "a4.pdf")
    text = subprocess.run(["pdftotext", str(result.pdf), "-"], check=True, capture_output=True).stdout.decode()
    text = "".join(text.split())
    assert "按问题类型：有不及格课程2" in text
    assert "按问题类型：有未解除的处分1" in text
    assert "按问题类型：其他原因（见审核意见）1" in text
    assert "其中：教务处审核未通过2" in text and "其中：学生处审核未通过1" in text
    assert review_report.LABEL == "附件4"


def test_a_changed_header_field_is_reported_as_such(container, actor, make_candidate_raw, tmp_path: Path) -> None:
    """The digest covers the title and the 公示 dates: changing them after printing is found."""
    for i in range(3):
        raw = make_candidate_raw(i)
        container.candidates.create(actor, raw)
        for office in ("academic", "conduct", "college"):
            container.review.decide(actor, raw["student_no"], office, True)
    container.settings.set(actor, "publicity_start", "2027-03-10")
    container.settings.set(actor, "publicity_end", "2027-03-16")
    result = container.printing.print_form(actor, "公示", tmp_path / "pub.pdf")
    assert container.printing.verify_file(result.pdf)[0].status == "match"
    container.settings.set(actor, "publicity_end", "2027-03-20")
    [check] = container.printing.verify_file(result.pdf)
    assert check.status == "differs"
    assert check.differences == (RowDifference("header", "表头", (
        "公示时间：2027年03月10日 至 2027年03月16日 → 2027年03月10日 至 2027年03月20日",)),)
    assert "表头已改变（公示时间：" in check.message and "行已改变" not in check.message
    container.settings.set(actor, "publicity_end", "2027-03-16")
    container.settings.set(actor, "graduation_year", 2029)
    [check] = container.printing.verify_file(result.pdf)
    assert check.differences[0].changes[0].startswith("标题：信息工程学院 ") and "→ 信息工程学院 2029年" in \
        check.differences[0].changes[0]


def test_a_page_printed_before_header_digests_is_still_checked(container, printed, tmp_path: Path) -> None:
    """Pages recorded before version 2 have no header fields: their rows are checked, and the
    check says that the header cannot be."""
    result, _scan, pages = printed
    old = []
    for page in pages:  # as a version-1 record: rows only, digest over the rows only
        page = {k: v for k, v in page.items() if k not in ("v", "header", "printed_on")}
        page["digest"] = digest.page_digest(list(zip(page["keys"], page["rows"], strict=True)))
        old.append(page)
    with container.db.transaction() as s:
        s.scalar(select(Document).where(Document.uuid == result.doc_uuid)).pages = json.dumps(old, ensure_ascii=False)
    # The printed QR code carries the version-2 digest; an old page carried its own. Check one
    # whose code matches the record, as an old printout would.
    old_page = _page_image_with_code(tmp_path, result.doc_uuid, 2, old[1]["digest"])
    check = container.printing.verify_image(old_page, "旧打印件")
    assert check.status == "match" and "无法核对标题、公示日期等表头内容" in check.message
    _set_phone(container, old[1]["keys"][0], "13912345678")
    check = container.printing.verify_image(old_page, "旧打印件")
    assert check.status == "differs" and [d.name for d in check.differences] == [old[1]["rows"][0][0]]


def _page_image_with_code(folder: Path, doc_uuid: str, page: int, page_digest: str):
    """A white page with just the QR code an old printout would carry."""
    from reportlab.pdfgen import canvas as pdfcanvas

    from app.documents import layout, raster

    out = folder / "old.pdf"
    c = pdfcanvas.Canvas(str(out))
    layout.draw_qr(c, digest.Payload(doc_uuid, page, page_digest).encode(), 40, 40, 144)
    c.save()
    rgb = next(raster.render_pages(out, 150))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def test_printing_the_publicity_or_the_summary_warns_about_unsettled_candidates(container, actor,
                                                                                 make_candidate_raw,
                                                                                 tmp_path: Path) -> None:
    raws = [make_candidate_raw(i) for i in range(3)]
    for raw in raws:
        container.candidates.create(actor, raw)
    for office in ("academic", "conduct", "college"):
        container.review.decide(actor, raws[0]["student_no"], office, True)
    container.settings.set_many(actor, {"publicity_start": "2026-03-10", "publicity_end": "2026-03-16"})
    warnings = container.printing.check("公示")
    assert warnings[0] == "还没有运行过资格审查比对：考生尚未与教务处学籍名单、学生处处分名单核对。"
    assert warnings[1].startswith("2 名考生尚未审核完（待审核），不会出现在公示名单中：")
    assert raws[1]["name"] in warnings[1] and raws[0]["name"] not in warnings[1]
    assert warnings[-1] == "如果现在打印公示，打印件上的审查结果不是最终结果。"
    result = container.printing.print_form(actor, "summary", tmp_path / "a3.pdf")
    assert "在本表中备注为“待审核”" in result.warnings[1]
    assert container.printing.check("附件2") == []  # the waiver list says nothing about eligibility
    # Everyone settled: nothing to say.
    for raw in raws[1:]:
        for office in ("academic", "conduct", "college"):
            container.review.decide(actor, raw["student_no"], office, True)
    with container.db.transaction() as s:
        from app.settings.service import SettingsService

        SettingsService.write_internal(s, "review_last_run", "2099-01-01T00:00:00")
    assert container.printing.check("公示") == []


def test_an_empty_publicity_or_one_without_its_dates_is_warned_about(container, actor, make_candidate_raw,
                                                                     tmp_path: Path) -> None:
    container.candidates.create(actor, make_candidate_raw(1))
    warnings = container.printing.check("公示")
    assert warnings[0].startswith("公示时间（开始、结束日期）还没有设置")
    assert warnings[1].startswith("公示名单是空的")
    container.settings.set_many(actor, {"publicity_start": "2026-03-10", "publicity_end": "2026-03-16"})
    assert not any("公示时间" in w for w in container.printing.check("公示"))
    assert container.printing.check("附件3")[0].startswith("还没有运行过资格审查比对")  # 附件3 may list everyone


def test_summary_for_one_class_lists_that_class_and_checks_against_it(container, actor, make_candidate_raw,
                                                                       tmp_path: Path) -> None:
    raws = [make_candidate_raw(i) for i in range(10)]
    for raw in raws:
        container.candidates.create(actor, raw)
    klass = raws[0]["class_name"]
    mine = [r for r in raws if r["class_name"] == klass]
    assert klass in container.printing.classes()
    result = container.printing.print_form(actor, "附件3", tmp_path / "a3.pdf", class_name=klass)
    assert result.rows == len(mine) and f"（{klass}）" in result.title
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert f"班级：{klass}" in text and f"报名人数：{len(mine)} 人" in text
    assert all(r["name"] in text for r in mine)
    assert not any(r["name"] in text for r in raws if r["class_name"] != klass)
    # The page still matches: it is checked against that class, not the whole college.
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(result.pdf), str(tmp_path / "scan")], check=True)
    check = container.printing.verify_page(next(tmp_path.glob("scan-*1.png")))
    assert check.status == "match", check.message
    # A student of another class added later does not make this class's page differ.
    container.candidates.create(actor, make_candidate_raw(50, class_name="另一个班"))
    assert container.printing.verify_page(next(tmp_path.glob("scan-*1.png"))).status == "match"
    with pytest.raises(NotFoundError):
        container.printing.print_form(actor, "附件3", tmp_path / "x.pdf", class_name="没有这个班")


def test_waiver_forms_for_every_waived_student_in_one_pdf(container, actor, make_candidate_raw,
                                                           tmp_path: Path) -> None:
    from app.documents import raster

    raws = [make_candidate_raw(i) for i in range(4)]
    for raw in raws:
        container.candidates.create(actor, raw)
    with pytest.raises(NotFoundError, match="没有登记放弃报名的学生"):
        container.printing.print_waiver_forms(actor, tmp_path / "none.pdf")
    for raw in raws[:3]:
        container.waivers.add(actor, raw["student_no"], "已就业")
    batch = container.printing.print_waiver_forms(actor, tmp_path / "a1.pdf")
    assert (batch.documents, batch.pages) == (3, 3) and raster.page_count(batch.pdf) == 3
    pages = subprocess.run(["pdftotext", "-layout", str(batch.pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    named = [next(r["name"] for r in raws if r["name"] in page) for page in pages if page.strip()]
    assert sorted(named) == sorted(r["name"] for r in raws[:3])  # one page each, the three who waived
    assert all("放弃专升本报名考试资格申请书" in page for page in pages if page.strip())
    # Each page is a document of its own: its QR code names it and it checks against the data.
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(batch.pdf), str(tmp_path / "a1")], check=True)
    checks = [container.printing.verify_page(p) for p in sorted(tmp_path.glob("a1-*.png"))]
    assert [c.status for c in checks] == ["match"] * 3
    assert [c.doc_uuid for c in checks] == list(batch.doc_uuids)
    assert len(container.printing.recent()) == 3
