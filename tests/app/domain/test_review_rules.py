"""Eligibility rules: each finding, and what must not be a finding."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import idnumber
from app.domain import review as r

ID = idnumber.make("410102", dt.date(2003, 5, 17), 123)
OTHER_ID = idnumber.make("410102", dt.date(2003, 5, 18), 123)
CAND = {"student_no": "2023000001", "name": "张三", "id_number": ID, "major": "软件技术",
        "intended_major": "计算机科学与技术"}


def acad(**data: str) -> r.RefRow:
    base = {"major": "软件技术", "status": "在籍", "graduation": "2027-07", "failed_courses": ""}
    base.update(data)
    name = base.pop("name", "张三")
    idn = base.pop("id_number", ID)
    sno = base.pop("student_no", "2023000001")
    return r.RefRow(list_id=1, row=5, student_no=sno, name=name, id_number=idn, data=base,
                    source={"学号": sno, "姓名": name})


def conduct(action: str, lifted: str = "否", date: str = "2025-03-01") -> r.RefRow:
    return r.RefRow(2, 3, "2023000001", "张三", ID, {"action": action, "date": date, "lifted": lifted})


def codes(findings: list[r.FindingSpec]) -> list[str]:
    return [f.code for f in findings]


def test_a_clean_candidate_has_no_findings() -> None:
    majors = r.allowed_majors([("软件技术", "计算机科学与技术、软件工程")])
    assert r.compare(CAND, acad(), [conduct("警告", "是")], majors, 2027) == []


def test_not_in_academic_only_when_a_list_was_loaded() -> None:
    found = r.compare(CAND, None, [], None, 2027)
    assert codes(found) == ["not_in_academic"]
    assert found[0].office == "academic" and "未在教务处学籍名单中找到" in found[0].message
    assert r.compare(CAND, None, [], None, 2027, academic_loaded=False) == []


def test_name_mismatch_keeps_the_source_row() -> None:
    found = r.compare(CAND, acad(name="张 叁"), [], None, 2027)
    assert codes(found) == ["name_mismatch"]
    assert found[0].message == "姓名不一致：名单 张三 / 学籍 张 叁"
    assert (found[0].list_id, found[0].source_row, found[0].source["姓名"]) == (1, 5, "张 叁")
    # Spaces and full-width brackets are not differences.
    assert r.compare({**CAND, "name": "张 三"}, acad(name="张三"), [], None, 2027) == []


def test_id_mismatch_including_an_unreadable_reference_id() -> None:
    assert codes(r.compare(CAND, acad(id_number=OTHER_ID), [], None, 2027)) == ["id_mismatch"]
    bad = acad(id_number="", id_raw="41010220030517")
    found = r.compare(CAND, bad, [], None, 2027)
    assert codes(found) == ["id_mismatch"] and "41010220030517" in found[0].message


def test_student_number_differs_when_matched_by_id() -> None:
    assert codes(r.compare(CAND, acad(student_no="2023999999"), [], None, 2027)) == ["student_no_mismatch"]


@pytest.mark.parametrize("status", ["休学", "保留学籍", "退学", "不在籍", "开除学籍", "否"])
def test_status_not_enrolled(status: str) -> None:
    found = r.compare(CAND, acad(status=status), [], None, 2027)
    assert codes(found) == ["status_not_enrolled"] and status in found[0].message


@pytest.mark.parametrize("status", ["在籍", "在籍在校", "正常在籍", "是", ""])
def test_enrolled_statuses(status: str) -> None:
    assert r.compare(CAND, acad(status=status), [], None, 2027) == []


@pytest.mark.parametrize("grad", ["2027-07", "2027年6月", "2027.06", "202706", "2027", "2027-06-30", "2027届"])
def test_graduating_this_year(grad: str) -> None:
    assert r.compare(CAND, acad(graduation=grad), [], None, 2027) == []


@pytest.mark.parametrize("grad", ["2028-07", "2026年6月", "明年"])
def test_not_graduating(grad: str) -> None:
    found = r.compare(CAND, acad(graduation=grad), [], None, 2027)
    assert codes(found) == ["not_graduating"] and "2027 届" in found[0].message


def test_failed_courses_are_listed() -> None:
    found = r.compare(CAND, acad(failed_courses="高等数学、大学英语"), [], None, 2027)
    assert codes(found) == ["failed_courses"]
    assert found[0].message == "有不及格课程：高等数学、大学英语"
    assert codes(r.compare(CAND, acad(failed_courses="2"), [], None, 2027)) == ["failed_courses"]
    for none in ("无", "0", "-", " "):
        assert r.compare(CAND, acad(failed_courses=none), [], None, 2027) == []


@pytest.mark.parametrize("lifted", ["否", "未解除", ""])
def test_unlifted_discipline(lifted: str) -> None:
    found = r.compare(CAND, acad(), [conduct("记过", lifted)], None, 2027)
    assert codes(found) == ["discipline"]
    assert found[0].office == "conduct" and found[0].message == "有未解除的处分：记过（2025-03-01）"


@pytest.mark.parametrize("lifted", ["是", "已解除", "2025-09-01"])
def test_lifted_discipline_is_no_finding(lifted: str) -> None:
    assert r.compare(CAND, acad(), [conduct("严重警告", lifted)], None, 2027) == []


def test_expulsion_cannot_be_lifted() -> None:
    assert codes(r.compare(CAND, acad(), [conduct("开除学籍", "是")], None, 2027)) == ["discipline"]


def test_majors_checked_only_with_a_mapping() -> None:
    majors = r.allowed_majors([("软件技术", "软件工程"), ("软件技术", "网络工程；数据科学与大数据技术"),
                               ("电子商务", "电子商务类")])
    assert majors["软件技术"] == ["软件工程", "网络工程", "数据科学与大数据技术"]
    found = r.compare(CAND, acad(), [], majors, 2027)
    assert codes(found) == ["major_not_allowed"] and found[0].office == "college"
    assert "软件工程" in found[0].message
    assert r.compare(CAND, acad(), [], None, 2027) == []
    shop = {**CAND, "major": "电子商务", "intended_major": "电子商务及法律"}
    assert r.compare(shop, acad(major="电子商务"), [], majors, 2027) == []  # a category admits its majors
    unknown = {**CAND, "major": "烹饪工艺"}
    assert codes(r.compare(unknown, acad(major="烹饪工艺"), [], majors, 2027)) == ["major_not_allowed"]


def test_missing_intended_major_with_a_mapping() -> None:
    majors = r.allowed_majors([("软件技术", "计算机科学与技术")])
    found = r.compare({**CAND, "intended_major": ""}, acad(), [], majors, 2027)
    assert codes(found) == ["missing_intended_major"]


def test_several_findings_at_once() -> None:
    found = r.compare(CAND, acad(status="休学", graduation="2028-07", failed_courses="C语言"),
                      [conduct("警告")], None, 2027)
    assert codes(found) == ["status_not_enrolled", "not_graduating", "failed_courses", "discipline"]


def test_status_from_decisions() -> None:
    assert r.review_status(False, {}) == "roster"
    assert r.review_status(False, {"academic": "pass", "conduct": "pass"}) == "roster"
    assert r.review_status(False, {"academic": "pass", "conduct": "pass", "college": "pass"}) == "eligible"
    assert r.review_status(False, {"academic": "pass", "conduct": "fail"}) == "ineligible"
    assert r.review_status(True, {"academic": "fail"}) == "waived"
    reason = r.failing_reason({"college": ("fail", "专业不符"), "academic": ("fail", "休学"),
                               "conduct": ("pass", "")})
    assert reason == "教务处：休学；二级学院：专业不符"


def test_major_names_with_a_suffix_or_a_direction() -> None:
    majors = r.allowed_majors([("软件技术专业", "软件工程")])
    cand = {**CAND, "major": "软件技术（移动应用开发方向）", "intended_major": "软件工程专业"}
    assert r.compare(cand, acad(), [], majors, 2027) == []
    assert codes(r.compare({**cand, "major": "软件"}, acad(major="软件"), [], majors, 2027)) == ["major_not_allowed"]


# -- the roster's major against the 学籍 major ------------------------------------------------------
def test_roster_major_differing_from_the_academic_major_is_a_finding() -> None:
    found = r.compare(CAND, acad(major="计算机网络技术"), [], None, 2027)
    assert codes(found) == ["major_mismatch"]
    assert found[0].office == "academic" and found[0].source_row == 5
    assert found[0].message == "所学专业不一致：名单 软件技术 / 学籍 计算机网络技术"


@pytest.mark.parametrize(("roster", "academic"), [
    ("软件技术", "软件技术专业"),  # a trailing 专业
    ("软件 技术", "软件技术"),  # spaces
    ("软件技术（移动应用开发）", "软件技术(移动应用开发)"),  # full-width brackets
    ("软件技术(移动应用开发)", "软件技术"),  # a direction on one side only: the same major, written precisely
    ("软件技术", "软件技术（移动应用开发方向）"),
    ("软件技术（移动应用开发方向）", "软件技术(移动应用开发)"),  # “方向” or not
    ("", "软件技术"),  # nothing to compare
    ("软件技术", ""),
])
def test_the_same_major_written_differently_is_no_finding(roster: str, academic: str) -> None:
    assert r.compare({**CAND, "major": roster}, acad(major=academic), [], None, 2027) == []


def test_two_directions_of_one_major_differ() -> None:
    # The major mapping may admit each direction to different 本科 majors: the records disagree.
    found = r.compare({**CAND, "major": "软件技术(移动应用开发)"}, acad(major="软件技术（云计算）"), [], None, 2027)
    assert codes(found) == ["major_mismatch"]
    assert found[0].message == "所学专业不一致：名单 软件技术(移动应用开发) / 学籍 软件技术（云计算）"


# -- the graduation year a season belongs to ------------------------------------------------------------
@pytest.mark.parametrize(("today", "year"), [
    (dt.date(2026, 1, 1), 2026), (dt.date(2026, 6, 30), 2026),  # this June's graduates
    (dt.date(2026, 7, 1), 2027), (dt.date(2026, 12, 7), 2027),  # from July: next June's
    (dt.date(2026, 12, 31), 2027), (dt.date(2027, 1, 1), 2027),
])
def test_default_graduation_year_by_date(today: dt.date, year: int) -> None:
    assert r.default_graduation_year(today) == year


# -- conduct rows: the sanction, the offence beside it, 开除学籍 -----------------------------------------
def test_the_offence_is_shown_beside_the_sanction() -> None:
    row = r.RefRow(2, 3, "2023000001", "张三", ID, {"action": "记过", "offence": "多次旷课", "date": "2025-03-01",
                                                   "lifted": "否"})
    [found] = r.compare(CAND, acad(), [row], None, 2027)
    assert found.code == "discipline" and found.message == "有未解除的处分：记过（2025-03-01；违纪事由：多次旷课）"


@pytest.mark.parametrize("action", ["开除学籍", "开除学籍处分", "给予开除学籍处分", "开除"])
@pytest.mark.parametrize("lifted", ["是", "已解除", "2025-09-01"])
def test_expulsion_is_flagged_whatever_the_lifted_column_says(action: str, lifted: str) -> None:
    [found] = r.compare(CAND, acad(), [conduct(action, lifted)], None, 2027)
    assert found.code == "discipline"
    assert found.message.startswith(f"有处分：{action}（开除学籍不能解除，名单中“是否解除”为“{lifted}”）")


def test_an_offence_without_a_sanction_is_shown_for_checking() -> None:
    row = r.RefRow(2, 3, "2023000001", "张三", ID, {"action": "", "offence": "考试作弊", "lifted": ""})
    [found] = r.compare(CAND, acad(), [row], None, 2027)
    assert found.message == "有违纪记录，处分栏为空，请核实（违纪事由：考试作弊）"
    # 开除学籍 named only in the offence of such a row cannot be lifted either.
    row = r.RefRow(2, 3, "2023000001", "张三", ID, {"action": "", "offence": "考试作弊，开除学籍", "lifted": "是"})
    assert codes(r.compare(CAND, acad(), [row], None, 2027)) == ["discipline"]
    # A sanction written as “无” is none, whatever the offence; an empty row is nothing.
    none = r.RefRow(2, 3, "2023000001", "张三", ID, {"action": "无", "offence": "迟到"})
    empty = r.RefRow(2, 3, "2023000001", "张三", ID, {"action": "", "offence": ""})
    assert r.compare(CAND, acad(), [none, empty], None, 2027) == []


# -- whether a decision still stands -----------------------------------------------------------------
FAILED = ("failed_courses", "有不及格课程：高等数学")
FAILED_MORE = ("failed_courses", "有不及格课程：高等数学、大学英语")
NOT_ENROLLED = ("status_not_enrolled", "学籍状态为“休学”，不是在籍")


def test_a_pass_is_reopened_by_a_finding_it_was_not_based_on() -> None:
    assert r.standing("pass", (), ()) == r.VALID
    assert r.standing("pass", (), (FAILED,)) == r.REOPENED
    assert r.standing("pass", (FAILED,), (FAILED,)) == r.VALID  # passed knowing it
    assert r.standing("pass", (FAILED,), ()) == r.VALID  # what it overlooked went away
    assert r.standing("pass", (FAILED,), (FAILED_MORE,)) == r.REOPENED  # a new fact of the same kind
    assert r.standing_reason("pass", r.REOPENED, (FAILED,), (FAILED_MORE,)) == "新问题：" + FAILED_MORE[1]


def test_a_fail_is_stale_when_every_kind_of_problem_it_was_based_on_is_gone() -> None:
    assert r.standing("fail", (FAILED,), ()) == r.STALE
    assert r.standing("fail", (FAILED,), (FAILED_MORE,)) == r.VALID  # still failed courses
    assert r.standing("fail", (FAILED, NOT_ENROLLED), (NOT_ENROLLED,)) == r.VALID  # one reason remains
    assert r.standing("fail", (), ()) == r.VALID  # the office's own reason: never stale
    assert r.standing_reason("fail", r.STALE, (FAILED,), ()) == "已消除：" + FAILED[1]


def test_only_standing_decisions_decide_the_status() -> None:
    decisions = {"academic": ("pass", r.REOPENED), "conduct": ("pass", r.VALID), "college": ("pass", r.VALID)}
    assert r.review_status(False, r.effective(decisions)) == "roster"
    decisions["academic"] = ("fail", r.STALE)
    assert r.review_status(False, r.effective(decisions)) == "roster"
    decisions["academic"] = ("fail", r.VALID)
    assert r.review_status(False, r.effective(decisions)) == "ineligible"
    assert r.parse_basis(r.basis_json((FAILED, NOT_ENROLLED))) == (FAILED, NOT_ENROLLED)
    assert r.parse_basis("not json") == () and r.parse_basis(None) == ()
