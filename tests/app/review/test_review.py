"""The review run against real imported lists, decisions, approve-all-clean, waivers and settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.service import AuditService
from app.auth import Actor
from app.domain import idnumber
from app.domain.review import default_graduation_year
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.review.service import OfficeApproval
from db.models import AuditEvent, ReviewDecision

ACADEMIC_HEADER = ["学号", "姓名", "身份证号", "专业", "学籍状态", "预计毕业时间", "不及格课程"]
YEAR = default_graduation_year(dt.date.today())  # the season's graduates


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def academic_row(raw: dict, **over: object) -> list[object]:
    row = {"学号": raw["student_no"], "姓名": raw["name"], "身份证号": raw["id_number"], "专业": raw["major"],
           "学籍状态": "在籍", "预计毕业时间": f"{YEAR}-07", "不及格课程": ""}
    row.update(over)
    return [row[h] for h in ACADEMIC_HEADER]


def import_list(container, actor, kind: str, path: Path) -> None:
    container.reference.commit(actor, container.reference.preview(kind, path))


@pytest.fixture
def people(container, actor, make_candidate_raw) -> list[dict]:
    """Ten candidates on the roster."""
    raws = [make_candidate_raw(n) for n in range(10)]
    for raw in raws:
        container.candidates.create(actor, raw)
    return raws


def seed_lists(container, actor, people: list[dict], tmp_path: Path) -> None:
    """学籍: p0, p1, p3 (found by ID number only), p7, p8 clean; p2 another name; p4 休学; p5 next
    year's graduate; p6 failed courses; p9 missing. 学生处: p7 an unlifted 记过, p1 a lifted 警告.
    Majors: every candidate's own major admits their intended major."""
    p = people
    rows = [ACADEMIC_HEADER,
            academic_row(p[0]), academic_row(p[1]),
            academic_row(p[2], 姓名="王小二"),
            academic_row(p[3], 学号=""),  # matched by ID number
            academic_row(p[4], 学籍状态="休学"),
            academic_row(p[5], 预计毕业时间=f"{YEAR + 1}-07"),
            academic_row(p[6], 不及格课程="高等数学、大学英语"),
            academic_row(p[7]),
            academic_row(p[8])]
    # p[9] is not in the 学籍 list at all.
    import_list(container, actor, "academic", write_xlsx(tmp_path / "academic.xlsx", rows))
    conduct = [["学号", "姓名", "处分", "处分日期", "是否解除"],
               [p[7]["student_no"], p[7]["name"], "记过", "2025-03-01", "否"],
               [p[1]["student_no"], p[1]["name"], "警告", "2024-03-01", "是"]]
    import_list(container, actor, "conduct", write_xlsx(tmp_path / "conduct.xlsx", conduct))
    majors = [["专科专业", "可报考本科专业"]]
    for raw in p:
        if raw is not p[8]:
            majors.append([raw["major"], raw["intended_major"]])
    # p[8]'s major admits something else only.
    majors.append([p[8]["major"] + "（外语方向）", "英语"])
    import_list(container, actor, "majors", write_xlsx(tmp_path / "majors.xlsx", majors))


def findings_by_name(container) -> dict[str, list[str]]:
    return {r.name: [f.code for f in r.findings] for r in container.review.list()}


def test_run_finds_each_kind(container, actor, people, tmp_path: Path) -> None:
    # p[8]'s major is shared with other people in the fixture, so give p[8] a major of its own.
    people[8]["major"] = "应用英语"
    container.candidates.update(actor, people[8]["student_no"], people[8])
    seed_lists(container, actor, people, tmp_path)
    result = container.review.run(actor)
    assert result.first_run and result.warnings == [] and result.candidates == 10
    found = findings_by_name(container)
    p = [raw["name"] for raw in people]
    assert found[p[0]] == [] and found[p[1]] == [] and found[p[3]] == []
    assert found[p[2]] == ["name_mismatch"]
    assert found[p[4]] == ["status_not_enrolled"]
    assert found[p[5]] == ["not_graduating"]
    assert found[p[6]] == ["failed_courses"]
    assert found[p[7]] == ["discipline"]
    assert found[p[8]] == ["major_not_allowed"]
    assert found[p[9]] == ["not_in_academic"]
    assert result.counts["not_in_academic"] == 1 and result.with_findings == 7
    row = next(r for r in container.review.list(finding="failed_courses"))
    f = row.findings[0]
    assert f.message == "有不及格课程：高等数学、大学英语" and f.source_row == 8
    assert f.source["不及格课程"] == "高等数学、大学英语" and f.source["姓名"] == people[6]["name"]
    with container.db.read() as s:
        event = AuditService.entries(s, limit=1)[0]
    assert event.action == "review.run" and event.after["with_findings"] == 7


def test_id_mismatch_and_list_order(container, actor, people, tmp_path: Path) -> None:
    other = idnumber.make("410102", dt.date(1999, 1, 2), 35)
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people[:9]]
    rows[1] = academic_row(people[0], 身份证号=other)
    import_list(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", rows))
    result = container.review.run(actor)
    assert set(result.counts) == {"id_mismatch", "not_in_academic"}
    assert len(result.warnings) == 2  # no conduct list, no major mapping
    listed = container.review.list()
    assert [bool(r.findings) for r in listed] == [True, True] + [False] * 8
    assert [r.name for r in container.review.list(finding="id_mismatch")] == [people[0]["name"]]
    assert len(container.review.list(with_findings_only=True)) == 2
    with pytest.raises(ValidationError):
        container.review.list(finding="nonsense")


def test_run_needs_the_academic_list(container, actor, people) -> None:
    with pytest.raises(ValidationError, match="教务处学籍名单"):
        container.review.run(actor)


def test_rerun_keeps_decisions_and_reports_changes(container, actor, people, tmp_path: Path) -> None:
    seed_lists(container, actor, people, tmp_path)
    container.review.run(actor)
    key4, key6 = people[4]["student_no"], people[6]["student_no"]
    container.review.decide(actor, key4, "academic", False, "休学中")
    # A corrected 学籍 list: p[4] back to 在籍, p[0] now has a failed course.
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people[:9]]
    rows[1] = academic_row(people[0], 不及格课程="C语言")
    rows[7] = academic_row(people[6], 不及格课程="高等数学、大学英语")
    import_list(container, actor, "academic", write_xlsx(tmp_path / "academic2.xlsx", rows))
    result = container.review.run(actor)
    assert not result.first_run
    changes = {c.name: c for c in result.changes}
    assert changes[people[0]["name"]].new == ["有不及格课程：C语言"]
    assert changes[people[4]["name"]].resolved == ["学籍状态为“休学”，不是在籍"]
    assert people[6]["name"] not in changes  # same finding as before
    assert people[2]["name"] in changes  # name mismatch resolved
    # The fail's basis (休学) is gone: it is kept, marked, and no longer counted.
    kept = container.review.get(key4)
    assert kept.decisions["academic"].decision == "fail" and kept.decisions["academic"].standing == "stale"
    assert kept.status == "roster" and kept.needs_review
    assert [d.text for d in changes[people[4]["name"]].decisions] == [
        "教务处的审核不通过依据已消除，需重新审核（已消除：学籍状态为“休学”，不是在籍）"]
    assert [f.code for f in container.review.get(key6).findings] == ["failed_courses"]


def test_decide_sets_the_status_and_is_audited(container, actor, people) -> None:
    key = people[0]["student_no"]
    with pytest.raises(ValidationError, match="必须填写意见"):
        container.review.decide(actor, key, "academic", False, "  ")
    with pytest.raises(ValidationError):
        container.review.decide(actor, key, "library", True)
    row = container.review.decide(actor, key, "academic", True)
    assert row.status == "roster"
    container.review.decide(actor, key, "conduct", True, "表现良好")
    row = container.review.decide(actor, key, "college", True)
    assert row.status == "eligible" and row.decisions["college"].reviewer == "admin"
    row = container.review.decide(actor, key, "college", False, "报考专业不符")
    assert row.status == "ineligible" and row.reason == "二级学院：报考专业不符"
    assert container.candidates.get(key).status == "ineligible"
    events = container.candidates.history(key)
    last = events[0]
    assert last.action == "review.decide"
    assert last.before == {"decision": "pass", "opinion": "", "reviewer": "admin", "status": "eligible"}
    assert last.after["decision"] == "fail" and last.after["status"] == "ineligible"
    with pytest.raises(PermissionDenied):
        container.review.decide(Actor("t", "辅导员", "counsellor"), key, "college", True)
    # The college-level opinion is the college office's; a reviewer records their own office's only.
    reviewer = Actor("r", "教务处审核人", "reviewer", "academic")
    with pytest.raises(PermissionDenied, match="只能填写教务处的审核意见"):
        container.review.decide(reviewer, key, "college", True)
    assert container.review.decide(Actor("j", "经办人", "secretary"), key, "college", True).status == "eligible"
    assert container.review.decide(reviewer, key, "academic", False, "学籍存疑").status == "ineligible"


def test_approve_clean(container, actor, people, tmp_path: Path) -> None:
    with pytest.raises(ConflictError, match="review run"):
        container.review.approve_clean(actor)
    seed_lists(container, actor, people, tmp_path)
    container.review.run(actor)
    clean = [people[n]["student_no"] for n in (0, 1, 3, 8)]
    container.review.decide(actor, clean[0], "college", False, "材料不全")
    with container.db.read() as s:
        events_before = s.scalar(select(func.count()).select_from(AuditEvent))
    result = container.review.approve_clean(actor, "academic")
    assert (result.approved, result.candidates, result.skipped_with_findings) == (4, 4, 6)
    result = container.review.approve_clean(actor)  # all offices: the remaining two per candidate
    assert result.approved == 7 and result.candidates == 4
    assert result.skipped_decided == 0
    again = container.review.approve_clean(actor)
    assert (again.approved, again.skipped_decided) == (0, 4)
    assert container.review.get(clean[0]).status == "ineligible"  # the earlier fail stands
    assert container.review.get(clean[0]).decisions["college"].opinion == "材料不全"
    assert [container.review.get(k).status for k in clean[1:]] == ["eligible"] * 3
    assert container.review.get(people[2]["student_no"]).decisions == {}
    with container.db.read() as s:
        events_after = s.scalar(select(func.count()).select_from(AuditEvent))
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 12
        assert AuditService.verify(s).ok
    assert events_after - events_before == 8  # one per candidate per call
    history = container.candidates.history(clean[1])
    assert history[0].action == "review.decide" and history[0].after["batch"] is True


def test_waivers(container, actor, people) -> None:
    key = people[0]["student_no"]
    container.review.decide(actor, key, "academic", False, "休学")
    with pytest.raises(ValidationError):
        container.waivers.add(actor, key, " ")
    w = container.waivers.add(actor, key, "已找到工作", dt.date(2026, 12, 1))
    assert w.active and w.waived_on == dt.date(2026, 12, 1) and not w.form_signed
    assert container.candidates.get(key).status == "waived"
    with pytest.raises(ConflictError, match="已登记"):
        container.waivers.add(actor, key, "again")
    # A decision does not undo a waiver.
    assert container.review.decide(actor, key, "academic", True).status == "waived"
    assert container.waivers.mark_signed(actor, key).form_signed
    container.review.decide(actor, key, "conduct", False, "处分")
    status = container.waivers.revoke(actor, key, "家长要求继续报考")
    assert status == "ineligible"
    row = container.review.get(key)
    assert row.waiver is not None and not row.waiver.active and row.waiver.revoke_reason == "家长要求继续报考"
    with pytest.raises(ConflictError, match="没有登记"):
        container.waivers.revoke(actor, key, "x")
    container.waivers.add(actor, key, "再次放弃")  # the same row, active again
    assert [r.name for r, _w in container.waivers.list()] == [people[0]["name"]]
    actions = [e.action for e in container.candidates.history(key)]
    assert actions.count("waiver.add") == 2 and "waiver.revoke" in actions and "waiver.signed" in actions


def test_waiver_deadline(container, actor, people) -> None:
    key = people[1]["student_no"]
    container.waivers.add(actor, key, "出国")
    container.settings.set(actor, "waiver_deadline", "2026-12-10")
    with pytest.raises(ConflictError, match="2026-12-10"):
        container.waivers.revoke(actor, key, "改主意", today=dt.date(2026, 12, 11))
    assert container.waivers.revoke(actor, key, "改主意", today=dt.date(2026, 12, 10)) == "roster"


def test_settings(container, actor) -> None:
    assert container.settings.get("graduation_year") == YEAR
    assert container.settings.get("waiver_deadline") is None
    assert container.settings.set(actor, "graduation_year", "2028届") == 2028
    assert container.settings.set(actor, "publicity_start", "2027/3/1") == dt.date(2027, 3, 1)
    assert container.settings.all()["publicity_start"] == dt.date(2027, 3, 1)
    with pytest.raises(ValidationError):
        container.settings.set(actor, "graduation_year", "明年")
    with pytest.raises(ValidationError):
        container.settings.set(actor, "colour", "red")
    with pytest.raises(PermissionDenied):
        container.settings.set(Actor("r", "审核人", "reviewer"), "graduation_year", 2027)
    assert container.settings.set(actor, "publicity_start", "") is None
    with container.db.read() as s:
        events = [e for e in AuditService.entries(s, limit=10) if e.action == "setting.set"]
    # A reset says so ("default"): no stored row, the key reads as its default.
    assert [e.after for e in events] == [{"publicity_start": None, "default": True},
                                         {"publicity_start": "2027-03-01"}, {"graduation_year": 2028}]


def test_graduation_year_setting_drives_the_run(container, actor, people, tmp_path: Path) -> None:
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    import_list(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", rows))
    assert container.review.run(actor).counts == {}
    container.settings.set(actor, "graduation_year", YEAR + 1)
    assert container.review.run(actor).counts == {"not_graduating": 10}


def test_one_row_per_failed_course_counts_every_course(container, actor, people, tmp_path: Path) -> None:
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    rows.append(academic_row(people[0], 不及格课程="高等数学"))
    rows.append(academic_row(people[0], 不及格课程="大学英语"))
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    preview = container.reference.preview("academic", path)
    assert [p.text() for p in preview.problems] == [
        f"第 {n} 行 A 列（学号）：学号 {people[0]['student_no']} 与第 2 行重复，比对时以第 2 行为准，"
        "本行的不及格课程合并计入。" for n in (12, 13)]
    container.reference.commit(actor, preview)
    assert container.review.run(actor).counts == {"failed_courses": 1}
    [finding] = container.review.get(people[0]["student_no"]).findings
    assert finding.message == "有不及格课程：高等数学、大学英语"


def test_conduct_rows_matched_by_id_number(container, actor, people, tmp_path: Path) -> None:
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    import_list(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", rows))
    conduct = [["姓名", "身份证号", "处分名称", "处分日期", "解除情况"],
               [people[3]["name"], people[3]["id_number"], "留校察看", "2025-05-20", "未解除"],
               [people[4]["name"], people[4]["id_number"], "严重警告", "2024-05-20", "已解除"]]
    import_list(container, actor, "conduct", write_xlsx(tmp_path / "c.xlsx", conduct))
    assert container.review.run(actor).counts == {"discipline": 1}
    [finding] = container.review.get(people[3]["student_no"]).findings
    assert finding.office == "conduct" and finding.message == "有未解除的处分：留校察看（2025-05-20）"
    assert finding.source["处分名称"] == "留校察看" and finding.source_row == 2


# -- the roster's major, the graduation year, the conduct list's columns -------------------------------
def test_roster_major_against_the_academic_major(container, actor, people, tmp_path: Path) -> None:
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    rows[1] = academic_row(people[0], 专业="计算机网络技术")
    rows[2] = academic_row(people[1], 专业=people[1]["major"] + "（移动应用开发方向）")  # the same, more precise
    import_list(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", rows))
    assert container.review.run(actor).counts == {"major_mismatch": 1}
    [finding] = container.review.get(people[0]["student_no"]).findings
    assert finding.office == "academic" and finding.label == "所学专业与学籍不一致"
    assert finding.message == f"所学专业不一致：名单 {people[0]['major']} / 学籍 计算机网络技术"
    assert finding.source["专业"] == "计算机网络技术" and finding.source_row == 2


def test_the_run_says_which_graduation_year_it_used(container, actor, people, tmp_path: Path) -> None:
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    import_list(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", rows))
    result = container.review.run(actor)
    assert (result.graduation_year, result.graduation_year_default) == (YEAR, True)
    assert result.year_text == f"{YEAR} 届（未设置，按今天的日期推定；可在设置中修改）"
    container.settings.set(actor, "graduation_year", YEAR + 1)
    result = container.review.run(actor)
    assert (result.graduation_year, result.graduation_year_default) == (YEAR + 1, False)
    assert result.counts == {"not_graduating": 10}
    with container.db.read() as s:
        event = AuditService.entries(s, limit=1)[0]
    assert event.action == "review.run" and event.after["graduation_year"] == YEAR + 1
    assert f"（{YEAR + 1} 届）" in event.summary


def test_an_expulsion_listed_beside_its_offence_is_found(container, actor, people, tmp_path: Path) -> None:
    """The 学生处 list gives 违纪事由 and 处分类别 side by side and marks the expulsion 已解除."""
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    import_list(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", rows))
    conduct = [["学号", "姓名", "违纪事由", "处分类别", "处分日期", "是否解除"],
               [people[2]["student_no"], people[2]["name"], "考试作弊", "开除学籍", "2025-06-01", "是"],
               [people[3]["student_no"], people[3]["name"], "夜不归宿", "警告", "2025-04-01", "是"],
               [people[4]["student_no"], people[4]["name"], "打架", "记过", "2025-05-01", "否"]]
    import_list(container, actor, "conduct", write_xlsx(tmp_path / "c.xlsx", conduct))
    assert container.review.run(actor).counts == {"discipline": 2}
    [expelled] = container.review.get(people[2]["student_no"]).findings
    assert expelled.message == ("有处分：开除学籍（开除学籍不能解除，名单中“是否解除”为“是”）"
                                "（2025-06-01；违纪事由：考试作弊）")
    [fought] = container.review.get(people[4]["student_no"]).findings
    assert fought.message == "有未解除的处分：记过（2025-05-01；违纪事由：打架）"
    assert fought.source["违纪事由"] == "打架" and fought.source["处分类别"] == "记过"


# -- decisions that outlive their cause ------------------------------------------------------------------
def _academic(container, actor, people, tmp_path: Path, name: str, **over: dict) -> None:
    """A 学籍 list of everyone, with ``over[n]`` changing person n's row."""
    rows = [ACADEMIC_HEADER] + [academic_row(p, **over.get(str(n), {})) for n, p in enumerate(people)]
    import_list(container, actor, "academic", write_xlsx(tmp_path / name, rows))


def _pass_all(container, actor, key: str) -> None:
    for office in ("academic", "conduct", "college"):
        container.review.decide(actor, key, office, True)


def test_a_new_finding_after_a_pass_reopens_the_candidate(container, actor, people, tmp_path: Path) -> None:
    _academic(container, actor, people, tmp_path, "a1.xlsx")
    container.review.run(actor)
    key = people[0]["student_no"]
    _pass_all(container, actor, key)
    assert container.review.get(key).status == "eligible"
    # The 教务处 sends a corrected list: p0 has a failed course after all.
    _academic(container, actor, people, tmp_path, "a2.xlsx", **{"0": {"不及格课程": "高等数学"}})
    result = container.review.run(actor)
    row = container.review.get(key)
    assert row.status == "roster" and row.needs_review
    assert row.decisions["academic"].standing == "reopened" and row.decisions["conduct"].stands
    assert row.decisions["academic"].standing_reason == "新问题：有不及格课程：高等数学"
    assert row.standing_notes == ["教务处：出现新问题，需重新审核（新问题：有不及格课程：高等数学）"]
    assert result.reopened == 1 and result.needs_review == 1
    [change] = result.changes
    assert (change.status_before, change.status_after) == ("eligible", "roster")
    assert [d.text for d in change.decisions] == [
        "教务处的审核通过不再计入，需重新审核（新问题：有不及格课程：高等数学）"]
    history = container.candidates.history(key)
    assert history[0].action == "review.reopen" and history[0].before == {"status": "eligible"}
    assert history[0].after["status"] == "roster"
    assert history[0].after["decisions"]["academic"]["standing"] == "reopened"
    assert [r.name for r in container.review.list(needs_review=True)] == [people[0]["name"]]
    # Not on the 公示, and printing it says why.
    printed = container.printing.print_form(actor, "publicity", tmp_path / "pub.pdf")
    assert printed.rows == 0
    assert any(people[0]["name"] in w and "需重新审核" in w for w in printed.warnings)
    # Deciding again, on the findings as they are now, settles it.
    container.review.decide(actor, key, "academic", True, "已补考通过")
    row = container.review.get(key)
    assert row.status == "eligible" and not row.needs_review
    assert row.decisions["academic"].basis == (("failed_courses", "有不及格课程：高等数学"),)
    # The same list again: the pass was made knowing it, nothing re-opens.
    assert container.review.run(actor).reopened == 0 and container.review.get(key).status == "eligible"


def test_a_fail_whose_finding_disappeared_is_marked(container, actor, people, tmp_path: Path) -> None:
    _academic(container, actor, people, tmp_path, "a1.xlsx", **{"4": {"学籍状态": "休学"}})
    container.review.run(actor)
    key = people[4]["student_no"]
    container.review.decide(actor, key, "academic", False, "休学中")
    container.review.decide(actor, key, "college", False, "材料不全")  # the college's own reason
    assert container.review.get(key).status == "ineligible"
    _academic(container, actor, people, tmp_path, "a2.xlsx")  # back to 在籍
    result = container.review.run(actor)
    row = container.review.get(key)
    academic = row.decisions["academic"]
    assert academic.decision == "fail" and academic.standing == "stale"
    assert academic.standing_label == "依据已消除，需重新审核"
    assert academic.standing_reason == "已消除：学籍状态为“休学”，不是在籍"
    # The college's fail still stands, so the candidate stays ineligible, for that reason only.
    assert row.decisions["college"].stands and row.status == "ineligible" and row.reason == "二级学院：材料不全"
    assert row.needs_review and result.needs_review == 1
    # Without the college's fail the candidate is not settled: back to 在册.
    container.review.decide(actor, key, "college", True)
    row = container.review.get(key)
    assert row.status == "roster" and row.needs_review
    # approve-clean leaves it alone and says so.
    done = container.review.approve_clean(actor, "academic")
    assert done.offices["academic"].needs_review == 1 and done.needs_review == 1
    assert container.review.get(key).decisions["academic"].decision == "fail"
    # The old list comes back: the fail's basis is found again and the fail counts again.
    _academic(container, actor, people, tmp_path, "a3.xlsx", **{"4": {"学籍状态": "休学"}})
    result = container.review.run(actor)
    assert container.review.get(key).status == "ineligible"
    [change] = [c for c in result.changes if c.student_no == key]
    assert change.decisions[0].text == "教务处的审核不通过重新有效（比对结果与审核时一致）"


def test_the_last_run_can_be_shown_again(container, actor, people, tmp_path: Path) -> None:
    assert container.review.last_run() is None
    seed_lists(container, actor, people, tmp_path)
    container.review.run(actor)
    container.review.decide(actor, people[0]["student_no"], "academic", True)
    _academic(container, actor, people, tmp_path, "a2.xlsx", **{"0": {"姓名": "别人"}})
    result = container.review.run(actor)
    again = container.review.last_run()
    assert again == result  # the counts, the year and every change, as they were reported
    assert again.actor == "admin" and again.run_at is not None and again.graduation_year == YEAR
    assert {c.name for c in again.changes} >= {people[0]["name"]}
    [mine] = [c for c in again.changes if c.name == people[0]["name"]]
    assert mine.new == [f"姓名不一致：名单 {people[0]['name']} / 学籍 别人"]
    assert mine.decisions[0].standing == "reopened"


def test_approve_clean_says_what_it_did_and_did_not_do(container, actor, people, tmp_path: Path) -> None:
    seed_lists(container, actor, people, tmp_path)  # p2, p4, p5, p6, p7, p9 have findings
    container.review.run(actor)
    container.review.decide(actor, people[0]["student_no"], "conduct", True)
    container.waivers.add(actor, people[3]["student_no"], "就业")
    result = container.review.approve_clean(actor)
    # p1 and p8 get three passes, p0 two; p3 waived; six with findings.
    assert (result.approved, result.candidates, result.skipped_with_findings) == (8, 3, 6)
    assert (result.skipped_waived, result.needs_review, result.skipped_later) == (1, 0, 0)
    assert result.offices["academic"] == OfficeApproval("academic", 3, 6, 0, 0)
    assert result.offices["conduct"] == OfficeApproval("conduct", 2, 6, 1, 0)
    again = container.review.approve_clean(actor, "college")
    assert again.offices == {"college": OfficeApproval("college", 0, 6, 3, 0)}
    assert (again.approved, again.skipped_decided) == (0, 3)


def test_pinning_a_setting_to_its_default_value_is_audited(container, actor):
    from app.domain.review import default_graduation_year

    year = default_graduation_year(dt.date.today())
    before = container.audit_log.count()
    container.settings.set(actor, "graduation_year", str(year))  # the same as the default: stored anyway
    assert container.audit_log.count() == before + 1
    container.settings.set(actor, "graduation_year", str(year))  # nothing changes: nothing recorded
    assert container.audit_log.count() == before + 1
    assert container.audit_log.verify(deep=True).ok


def test_a_decision_names_its_reviewer_as_people_know_them(container, actor, people) -> None:
    """The login is for the machine; the review screen shows the person's name (users.display_name)."""
    container.setup.create_user(actor, "jwc01", "欧阳娜迪拉", "reviewer", "Passw0rd9", "academic")
    reviewer = container.setup.login("jwc01", "Passw0rd9")
    key = people[0]["student_no"]
    container.review.decide(reviewer, key, "academic", True)
    container.review.decide(actor, key, "conduct", True)
    container.review.decide(Actor("gone", "已删除的人", "secretary"), key, "college", True)  # no such user row
    decisions = container.review.get(key).decisions
    assert (decisions["academic"].reviewer, decisions["academic"].reviewer_label) == ("jwc01", "欧阳娜迪拉")
    assert decisions["conduct"].reviewer_label == container.setup.login("admin", "Passw0rd1").display_name
    assert (decisions["college"].reviewer_name, decisions["college"].reviewer_label) == ("", "gone")
    [listed] = [r for r in container.review.list() if r.student_no == key]
    assert listed.decisions["academic"].reviewer_label == "欧阳娜迪拉"


def test_last_run_at_says_when_the_comparison_last_ran(container, actor, people, tmp_path: Path) -> None:
    assert container.review.last_run_at() is None
    seed_lists(container, actor, people, tmp_path)
    container.review.run(actor)
    first = container.review.last_run_at()
    assert first is not None and container.reference.active()["academic"].imported_at <= first
    _academic(container, actor, people, tmp_path, "a2.xlsx")  # a newer list: the run is older than it
    assert container.reference.active()["academic"].imported_at > first
    container.review.run(actor)
    assert container.review.last_run_at() > first


def test_running_the_review_again_keeps_the_findings_and_their_versions(container, actor, people, tmp_path):
    """A finding's UUID comes from its candidate, code and source row: a second run with the same
    lists keeps every finding as it was; a finding no longer found leaves a tombstone."""
    from db.models import Finding, Tombstone

    seed_lists(container, actor, people, tmp_path)
    container.review.run(actor)
    with container.db.read() as s:
        first = {f.uuid: (f.code, f.revision, f.id) for f in s.scalars(select(Finding))}
    assert {code for code, _r, _i in first.values()} >= {"not_in_academic", "failed_courses", "discipline"}
    container.review.run(actor)
    with container.db.read() as s:
        assert {f.uuid: (f.code, f.revision, f.id) for f in s.scalars(select(Finding))} == first
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 0
    # p9 turns up in a corrected 学籍 list: that one finding goes, the others stay as they were.
    rows = [ACADEMIC_HEADER] + [academic_row(p) for p in people]
    rows[3] = academic_row(people[2], 姓名="王小二")
    rows[5] = academic_row(people[4], 学籍状态="休学")
    rows[6] = academic_row(people[5], 预计毕业时间=f"{YEAR + 1}-07")
    rows[7] = academic_row(people[6], 不及格课程="高等数学、大学英语")
    import_list(container, actor, "academic", write_xlsx(tmp_path / "academic2.xlsx", rows))
    container.review.run(actor)
    with container.db.read() as s:
        now = {f.uuid: (f.code, f.revision) for f in s.scalars(select(Finding))}
        gone = [(t.entity_type, t.uuid, t.revision, t.deleted_by) for t in s.scalars(select(Tombstone))]
    [lost] = [u for u, (code, _r, _i) in first.items() if code == "not_in_academic"]
    assert lost not in now and gone == [("findings", lost, 2, actor.username)]
    # The others kept their UUIDs; those whose list changed (a new list id) are a new version.
    assert set(now) == set(first) - {lost}
    assert {now[u][1] for u in now if first[u][0] == "discipline"} == {1}  # the 学生处 list is the same
    assert {now[u][1] for u in now if first[u][0] == "failed_courses"} == {2}
