"""Roster import (preview, commit, rejected rows), export and the import template, without Qt."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import func, select

# The messy-roster helpers live one folder up (tests/app); test folders are not packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.audit.service import AuditService
from app.auth import Actor
from app.container import Container
from app.domain import idnumber
from app.errors import BadFileError, Cancelled, ConflictError, PermissionDenied, ValidationError
from app.importing.mapping import RowProblem
from app.roster.service import FIELD_CHOICES, ImportPreview, MappingNeeded
from app.tasks import CancelToken
from db.models import AuditEvent, Candidate
from tests.app.fixtures_roster import (
    COLLEGE,
    HEADERS,
    corrupt_xlsx,
    empty_xlsx,
    encrypted_xlsx,
    headerless_xlsx,
    id_for,
    legacy_xls,
    person,
    roster,
    write_csv,
    write_xlsx,
)

ADMIN = Actor("admin", "管理员", "admin")
FIRST_DATA_ROW = 6  # write_xlsx: title 1, date 2, blank 3, header 4, blank 5


@pytest.fixture
def app(tmp_path):
    c = Container.open(tmp_path / "data")
    c.setup.initialise("C01", COLLEGE, "一号报名点")
    yield c
    c.close()


def candidates(app) -> dict[str, SimpleNamespace]:
    """Stored candidates by student number (else ID number), detached from the session."""
    names = [c.key for c in Candidate.__table__.columns]
    with app.db.read() as s:
        rows = [SimpleNamespace(**{n: getattr(c, n) for n in names}) for c in s.scalars(select(Candidate))]
    return {r.student_no or r.id_number: r for r in rows}


def audit_actions(app) -> list[str]:
    with app.db.read() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def import_file(app, path, **kw):
    preview = app.roster.preview(path, **kw)
    return preview, app.roster.commit(ADMIN, preview)


def by_row(preview: ImportPreview) -> dict:
    return {r.row: r for r in preview.rows}


# -- reading a messy roster -------------------------------------------------------------------------
def test_messy_workbook_is_mapped_below_the_title(app, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", roster(3))
    mapping = app.roster.inspect(path)
    assert mapping.sheet == "学生名单"
    assert mapping.header_row == 4
    assert mapping.headers == HEADERS
    assert mapping.fields == {1: "name", 2: "gender", 3: "id_number", 4: "student_no", 5: "college",
                              6: "class_name", 7: "phone", 8: "category"}
    assert mapping.missing_required == []
    assert mapping.unknown_headers == []


def test_blank_rows_are_skipped_and_row_numbers_stay_true(app, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(0), None, None, person(1), None, person(2)])
    preview = app.roster.preview(path)
    assert [r.row for r in preview.rows] == [6, 9, 11]
    assert preview.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}


def test_names_are_cleaned_and_minority_dots_kept(app, tmp_path):
    rows = [person(0, **{"姓 名": "张　三"}), person(1, **{"姓 名": "阿依古丽.买买提"}),
            person(2, **{"姓 名": " 欧阳 娜娜 "}), person(4, **{"姓 名": "李4"})]
    preview = app.roster.preview(write_xlsx(tmp_path / "r.xlsx", rows))
    rows_ = by_row(preview)
    assert rows_[6].data.name == "张三"
    assert rows_[7].data.name == "阿依古丽·买买提"
    assert rows_[8].data.name == "欧阳娜娜"
    assert rows_[9].kind == "rejected"
    assert rows_[9].problems[0].column == "B"
    assert "数字" in rows_[9].problems[0].message


def test_numbers_from_excel(app, tmp_path):
    exact = person(0, 学号=2023001, 联系电话=13800138000)
    rounded = person(1, 身份证号码=float(id_for(1)))
    path = write_xlsx(tmp_path / "r.xlsx", [exact, rounded], text_ids=False)
    rows = by_row(app.roster.preview(path))
    assert rows[6].data.student_no == "2023001"
    assert rows[6].data.phone == "13800138000"
    assert rows[7].kind == "rejected"
    [problem] = rows[7].problems
    assert (problem.column, problem.header, problem.field) == ("D", "身份证号码", "id_number")
    assert problem.message == idnumber.EXCEL_HINT


def test_bad_check_digit_says_row_column_and_header(app, tmp_path):
    good = id_for(0)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    path = write_xlsx(tmp_path / "r.xlsx", [person(0, 身份证号码=bad)])
    [row] = app.roster.preview(path).rows
    assert row.kind == "rejected"
    assert row.data is None
    assert [p.text() for p in row.problems] == ["第 6 行 D 列（身份证号码）：身份证号校验位错误，请逐位核对。"]


def test_gender_mismatch_is_rejected(app, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(1, 性别="女")])
    [row] = app.roster.preview(path).rows
    assert row.kind == "rejected"
    [problem] = row.problems
    assert (problem.column, problem.field) == ("C", "gender")
    assert "与身份证号不符" in problem.message


def test_row_problem_text_without_column():
    assert RowProblem(7, "", "", "", "与第 9 行是同一名考生。").text() == "第 7 行：与第 9 行是同一名考生。"
    assert RowProblem(7, "D", "", "id_number", "x").text() == "第 7 行 D 列：x"


def test_title_and_footer_lines_are_skipped_with_a_warning(app, tmp_path):
    rows = [person(0), {"序号": "合计：2 人"}, person(1), {"姓 名": "制表人：张老师  审核人：李老师"}]
    preview = app.roster.preview(write_xlsx(tmp_path / "r.xlsx", rows))
    assert [r.row for r in preview.rows] == [6, 8]
    assert any("第 9 行" in w and "已跳过" in w for w in preview.warnings)


def test_repeated_header_rows_are_skipped(app, tmp_path):
    header = dict(zip(HEADERS, HEADERS, strict=True))
    preview = app.roster.preview(write_xlsx(tmp_path / "r.xlsx", [person(0), None, header, person(1)]))
    assert [r.row for r in preview.rows] == [6, 9]
    assert preview.counts["new"] == 2


def test_two_line_header_without_merged_cells(app, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "考生类别", "服役情况", None])
    ws.append([None, None, None, "入伍时间", "退役时间"])
    ws.append(["张三", id_for(3), "退役大学生士兵", "2019-09-01", "2021.9"])
    wb.save(tmp_path / "v.xlsx")
    preview = app.roster.preview(tmp_path / "v.xlsx")
    assert preview.mapping.header_row == 1
    [row] = preview.rows
    assert row.row == 3
    assert row.kind == "new"
    assert row.data.veteran_service_start == dt.date(2019, 9, 1)
    assert row.data.veteran_service_end == dt.date(2021, 9, 1)


def test_birth_month_columns_and_hinted_headers(app, tmp_path):
    headers = ["姓名", "身份证号（18位）", "出生年月", "联系电话（手机）"]
    def born(day: dt.date, seq: int) -> str:
        return idnumber.make("410302", day, seq)

    may, october = dt.date(2003, 5, 17), dt.date(2003, 10, 2)
    rows = [{"姓名": "张三", "身份证号（18位）": born(may, 11), "出生年月": "2003.05", "联系电话（手机）": "138 0013 8000"},
            {"姓名": "李四", "身份证号（18位）": born(october, 13), "出生年月": 2003.1},  # October, as Excel keeps it
            {"姓名": "王五", "身份证号（18位）": born(may, 15), "出生年月": "2003-05-17 00:00:00"},
            {"姓名": "赵六", "身份证号（18位）": born(october, 17), "出生年月": "2003年9月"}]
    preview = app.roster.preview(write_xlsx(tmp_path / "r.xlsx", rows, headers=headers))
    assert preview.mapping.fields == {0: "name", 1: "id_number", 2: "birth_date", 3: "phone"}
    got = by_row(preview)
    assert got[6].data.birth_date == dt.date(2003, 5, 17)
    assert got[6].data.phone == "13800138000"
    assert got[7].data.birth_date == dt.date(2003, 10, 2)
    assert got[8].data.birth_date == dt.date(2003, 5, 17)
    assert got[9].kind == "rejected"
    assert "2003-09-01" in got[9].problems[0].message
    assert got[9].problems[0].column == "C"


def test_an_instructions_sheet_before_the_roster_is_passed_over(app, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", roster(2))
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("填表说明", 0).append(["填表说明：姓名须与身份证一致，身份证号请设置为文本格式"])
    wb.save(path)
    preview = app.roster.preview(path)
    assert preview.mapping.sheet == "学生名单"
    assert preview.counts["new"] == 2


def test_header_aliases_from_other_systems(app, tmp_path):
    headers = ["学生姓名", "公民身份号码", "考生类型", "所学专业", "班级名称", "辅导员姓名", "手机号码",
               "报考专业（类）", "艺术体育类", "入伍时间", "退役时间", "服役期间立功", "获奖等级", "获奖名称",
               "民族", "出生日期", "备注", "所在学院", "家长电话"]
    mapping = app.roster.inspect(write_xlsx(tmp_path / "r.xlsx", [{"学生姓名": "张三"}], headers=headers))
    assert list(mapping.fields.values()) == [
        "name", "id_number", "category", "major", "class_name", "counsellor", "phone", "intended_major",
        "art_sports", "veteran_service_start", "veteran_service_end", "veteran_merits", "award_level",
        "award_name", "ethnicity", "birth_date", "note", "college"]
    assert mapping.unknown_headers == ["家长电话"]


def test_two_columns_for_one_field_keep_the_exact_name(app, tmp_path):
    headers = ["姓名", "身份证号", "联系方式", "联系电话"]
    row = {"姓名": "张三", "身份证号": id_for(1), "联系方式": "微信 zs", "联系电话": "13800138000"}
    preview = app.roster.preview(write_xlsx(tmp_path / "r.xlsx", [row], headers=headers))
    assert preview.mapping.fields == {0: "name", 1: "id_number", 3: "phone"}
    assert preview.rows[0].data.phone == "13800138000"
    assert any("C 列（联系方式）" in w and "只导入了 D 列" in w for w in preview.warnings)


def test_gbk_and_bom_csv(app, tmp_path):
    rows = [person(0, **{"姓 名": "张　三"}), person(1, **{"院（系）": "信息工程学院"})]
    for encoding in ("gbk", "utf-8-sig"):
        preview = app.roster.preview(write_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding))
        assert [r.row for r in preview.rows] == [2, 3]
        assert [r.data.name for r in preview.rows] == ["张三", person(1)["姓 名"]]
        assert preview.counts["new"] == 2


def test_csv_with_id_numbers_exported_as_scientific_text(app, tmp_path):
    path = write_csv(tmp_path / "r.csv", [person(0, 身份证号码="4.10302E+17")])
    [row] = app.roster.preview(path).rows
    assert row.kind == "rejected"
    assert row.problems[0].message == idnumber.EXCEL_HINT
    assert row.problems[0].text().startswith("第 2 行 D 列（身份证号码）：")


def test_several_sheets_uses_the_first_with_a_header(app, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", roster(2))
    wb = openpyxl.load_workbook(path)
    notes = wb.create_sheet("说明", 0)
    notes.append(["本表由学工系统导出"])
    wb.save(path)
    preview = app.roster.preview(path)
    assert preview.mapping.sheet == "学生名单"
    assert any("2 个工作表" in w and "学生名单" in w for w in preview.warnings)


# -- duplicates and matching -----------------------------------------------------------------------
def test_duplicates_inside_the_file_reject_both_rows(app, tmp_path):
    rows = [person(0), person(1, 学号=person(0)["学号"]), person(2),
            person(3, 身份证号码=person(2)["身份证号码"], 性别=person(2)["性别"])]
    preview = app.roster.preview(write_xlsx(tmp_path / "r.xlsx", rows))
    rows_ = by_row(preview)
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": 0, "rejected": 4}
    assert rows_[6].problems[0].message == f"学号 {person(0)['学号']} 与第 7 行重复。"
    assert rows_[7].problems[0].message == f"学号 {person(0)['学号']} 与第 6 行重复。"
    assert rows_[7].problems[0].column == "E"
    assert any("与第 9 行重复" in p.message and p.field == "id_number" for p in rows_[8].problems)
    assert any("与第 8 行重复" in p.message for p in rows_[9].problems)


def test_id_number_of_another_candidate_in_the_database_is_rejected(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", [person(0)]))
    intruder = person(1, 身份证号码=person(0)["身份证号码"], 性别=person(0)["性别"])
    [row] = app.roster.preview(write_xlsx(tmp_path / "b.xlsx", [intruder])).rows
    assert row.kind == "rejected"
    [problem] = row.problems
    assert problem.field == "id_number"
    assert person(0)["姓 名"] in problem.message
    assert person(0)["学号"] in problem.message


def test_student_number_and_id_number_of_two_different_candidates(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", roster(2)))
    mixed = person(0, 身份证号码=person(1)["身份证号码"], 性别=person(1)["性别"])
    [row] = app.roster.preview(write_xlsx(tmp_path / "b.xlsx", [mixed])).rows
    assert row.kind == "rejected"
    assert "另一名考生" in row.problems[0].message


def test_matching_by_id_number_when_the_file_has_no_student_number(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", [person(0)]))
    headers = ["姓名", "身份证号", "联系电话"]
    row = {"姓名": person(0)["姓 名"], "身份证号": person(0)["身份证号码"], "联系电话": "13900000000"}
    preview = app.roster.preview(write_xlsx(tmp_path / "b.xlsx", [row], headers=headers))
    [r] = preview.rows
    assert r.kind == "changed"
    assert r.changes == {"phone": (person(0)["联系电话"], "13900000000")}
    app.roster.commit(ADMIN, preview)
    stored = candidates(app)[person(0)["学号"]]
    # Columns the file lacks keep their stored values.
    assert (stored.student_no, stored.class_name, stored.phone) == (person(0)["学号"], person(0)["班级"],
                                                                    "13900000000")


def test_empty_cells_keep_stored_values(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", [person(0, 考生类别="原建档立卡考生")]))
    [row] = app.roster.preview(write_xlsx(tmp_path / "b.xlsx", [person(0, 班级="", 考生类别="")])).rows
    assert row.kind == "unchanged"


def test_reimport_updates_changed_rows_without_duplicates(app, tmp_path):
    _first, result = import_file(app, write_xlsx(tmp_path / "a.xlsx", roster(5)))
    assert result.created == 5
    before = candidates(app)
    rows = roster(5)
    rows[1] = person(1, 联系电话="13999999999")
    rows[3] = person(3, 班级="计算机2023级9班")
    rows.append(person(5))
    preview = app.roster.preview(write_xlsx(tmp_path / "b.xlsx", rows))
    assert preview.counts == {"new": 1, "changed": 2, "unchanged": 3, "rejected": 0}
    assert by_row(preview)[7].changes == {"phone": (person(1)["联系电话"], "13999999999")}
    assert by_row(preview)[7].match_uuid == before[person(1)["学号"]].uuid
    result = app.roster.commit(ADMIN, preview)
    assert result == type(result)(created=1, updated=2, unchanged=3, rejected=0)
    after = candidates(app)
    assert len(after) == 6
    changed = after[person(1)["学号"]]
    assert changed.phone == "13999999999"
    assert changed.revision == before[person(1)["学号"]].revision + 1
    assert changed.updated_at > before[person(1)["学号"]].updated_at
    assert after[person(0)["学号"]].revision == 1
    assert after[person(5)["学号"]].origin_desk == app.audit.desk_uuid
    history = app.candidates.history(person(1)["学号"])
    assert [e.action for e in history] == ["candidate.update", "candidate.create"]
    assert history[0].before == {"phone": person(1)["联系电话"]}
    assert history[0].after == {"phone": "13999999999"}
    assert history[0].actor == "admin"
    assert "13999999999" in history[0].summary
    with app.db.read() as s:
        check = AuditService.verify(s)
    assert check.ok, check.problems


def test_commit_writes_one_summary_and_one_event_per_row(app, tmp_path):
    _preview, result = import_file(app, write_xlsx(tmp_path / "a.xlsx", [*roster(3), person(9, 性别="?")]))
    assert (result.created, result.rejected) == (3, 1)
    assert audit_actions(app) == ["college.setup", "roster.import", *["candidate.create"] * 3]
    with app.db.read() as s:
        summary = s.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
        assert "新增 3 人" in summary.summary and "未导入 1 行" in summary.summary
        assert AuditService.verify(s).ok
    # The chain goes on correctly from the bulk-written events.
    app.candidates.update(ADMIN, person(0)["学号"], {**_raw(person(0)), "phone": "13700000000"})
    with app.db.read() as s:
        assert AuditService.verify(s).ok


def _raw(p: dict) -> dict:
    return {"name": p["姓 名"], "id_number": p["身份证号码"], "student_no": p["学号"], "class_name": p["班级"]}


def test_reimporting_the_same_file_changes_nothing(app, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", roster(4))
    import_file(app, path)
    preview, result = import_file(app, path)
    assert preview.counts["unchanged"] == 4
    assert (result.created, result.updated) == (0, 0)
    assert len(candidates(app)) == 4


def test_locked_candidates_are_not_changed_by_import(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", [person(0)]))
    with app.db.transaction() as s:
        s.scalar(select(Candidate)).status = "locked"
    [row] = app.roster.preview(write_xlsx(tmp_path / "b.xlsx", [person(0, 班级="新班")])).rows
    assert row.kind == "rejected"
    assert "锁定" in row.problems[0].message


def test_a_locked_row_is_reported_refused_and_the_others_are_imported(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", roster(3)))
    with app.db.transaction() as s:
        s.scalar(select(Candidate).where(Candidate.student_no == person(1)["学号"])).status = "locked"
    stored = candidates(app)
    events = len(audit_actions(app))
    rows = [person(0, 班级="新班"), person(1, 班级="新班"), person(2), person(3)]
    preview, result = import_file(app, write_xlsx(tmp_path / "b.xlsx", rows))
    refused = by_row(preview)[FIRST_DATA_ROW + 1]
    assert refused.kind == "rejected"
    assert [p.message for p in refused.problems] == [
        f"{person(1)['姓 名']}已签字确认，报名信息已锁定，不能再修改报名信息。本行未导入。"]
    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 1, 1, 1)
    after = candidates(app)
    locked = after[person(1)["学号"]]
    assert (locked.class_name, locked.revision) == (stored[person(1)["学号"]].class_name,
                                                    stored[person(1)["学号"]].revision)
    assert after[person(0)["学号"]].class_name == "新班"
    assert person(3)["学号"] in after
    # The batch, one update and one creation: nothing for the refused row.
    assert audit_actions(app)[events:] == ["roster.import", "candidate.create", "candidate.update"]
    out = app.roster.save_rejected(preview, tmp_path / "rejected.xlsx")
    sheet = openpyxl.load_workbook(out).active
    assert "已锁定" in str(sheet.cell(2, sheet.max_column).value)


# -- the 二级学院 column -------------------------------------------------------------------------------
def test_one_other_college_in_the_file_is_a_warning(app, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [person(0, **{"院（系）": "机电工程学院"}), person(1, **{"院（系）": "机电工程学院"})])
    preview = app.roster.preview(path)
    assert preview.counts["new"] == 2
    assert any("机电工程学院" in w and COLLEGE in w for w in preview.warnings)


def test_other_colleges_rows_are_left_out_and_named_once(app, tmp_path):
    rows = [person(0), person(1, **{"院（系）": "机电工程学院"}), person(2, **{"院（系）": " 信息工程学院 "})]
    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", rows))
    assert preview.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 0}
    assert sorted(r.row for r in preview.rows) == [FIRST_DATA_ROW, FIRST_DATA_ROW + 2]
    assert "另有 机电工程学院 1 人不属于本学院，未导入。" in preview.warnings


# -- rejected rows round trip ------------------------------------------------------------------------
def test_rejected_rows_workbook_can_be_fixed_and_imported(app, tmp_path):
    good = id_for(1)
    rows = [person(0), person(1, 身份证号码=float(good)), person(2, 性别="女")]
    preview, result = import_file(app, write_xlsx(tmp_path / "a.xlsx", rows, text_ids=False))
    assert (result.created, result.rejected) == (1, 2)
    (tmp_path / "out").mkdir()
    out = app.roster.save_rejected(preview, tmp_path / "out" / "未导入.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == ["原行号", *HEADERS, "错误原因"]
    assert all(c.font.b for c in ws[1])
    id_col = header.index("身份证号码") + 1
    assert [ws.cell(r, 1).value for r in (2, 3)] == [7, 8]
    assert ws.cell(2, id_col).number_format == "@"
    assert ws.cell(2, id_col).value == f"{float(good):.5E}"
    assert ws.cell(2, header.index("学号") + 1).value == person(1)["学号"]
    # The reason names the column as it is in this workbook (原行号 first), where the user fixes it.
    assert f"{openpyxl.utils.get_column_letter(id_col)} 列（身份证号码）" in ws.cell(2, len(header)).value
    assert id_col == 5
    assert "Excel" in ws.cell(2, len(header)).value
    assert "性别" in ws.cell(3, len(header)).value
    assert ws.column_dimensions["A"].width >= 8
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(len(header))].width >= 40

    ws.cell(2, id_col).value = good
    ws.cell(3, header.index("性别") + 1).value = "男"
    wb.save(out)
    again = app.roster.preview(out)
    assert again.mapping.unknown_headers == []
    assert again.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 0}
    app.roster.commit(ADMIN, again)
    assert len(candidates(app)) == 3


# -- bad files ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "name", "pattern"), [
    (legacy_xls, "old.xls", "另存为 .xlsx 后再导入"),
    (encrypted_xlsx, "locked.xlsx", "加密"),
    (corrupt_xlsx, "broken.xlsx", "已损坏"),
    (empty_xlsx, "empty.xlsx", "没有任何数据"),
    (headerless_xlsx, "noheader.xlsx", "找不到名单的表头.*姓名、身份证号"),
])
def test_bad_files_change_nothing(app, tmp_path, make, name, pattern):
    path = make(tmp_path / name)
    with pytest.raises(BadFileError, match=pattern):
        app.roster.inspect(path)
    with pytest.raises(BadFileError, match=pattern):
        app.roster.preview(path)
    assert candidates(app) == {}
    assert audit_actions(app) == ["college.setup"]


def test_header_without_data_rows(app, tmp_path):
    with pytest.raises(BadFileError, match="没有数据行"):
        app.roster.preview(write_xlsx(tmp_path / "a.xlsx", []))


def test_unsupported_extension(app, tmp_path):
    (tmp_path / "名单.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(BadFileError, match=r"不支持 \.docx"):
        app.roster.preview(tmp_path / "名单.docx")


# -- mapping needed ---------------------------------------------------------------------------------
def test_unrecognised_required_column_needs_mapping(app, tmp_path):
    headers = ["姓名", "号码A", "学号"]
    rows = [{"姓名": person(0)["姓 名"], "号码A": person(0)["身份证号码"], "学号": "1"}]
    path = write_xlsx(tmp_path / "a.xlsx", rows, headers=headers)
    mapping = app.roster.inspect(path)
    assert mapping.missing_required == ["id_number"]
    assert mapping.unknown_headers == ["号码A"]
    with pytest.raises(MappingNeeded) as caught:
        app.roster.preview(path)
    assert caught.value.mapping.missing_required == ["id_number"]
    assert "身份证号" in caught.value.message and "号码A" in caught.value.message

    preview = app.roster.preview(path, {"号码A": "id_number"})
    assert preview.mapping.fields == {0: "name", 1: "id_number", 2: "student_no"}
    assert preview.mapping.unknown_headers == []
    assert preview.counts["new"] == 1
    # The label and the column letter work as well.
    assert app.roster.inspect(path, {"号码 A": "身份证号"}).missing_required == []
    assert app.roster.inspect(path, {"B": "id_number"}).fields[1] == "id_number"


def test_overrides_can_ignore_and_move_columns(app, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", roster(1))
    mapping = app.roster.inspect(path, {"联系电话": "忽略", "班级": "note"})
    assert 7 not in mapping.fields
    assert mapping.fields[6] == "note"
    with pytest.raises(ValidationError, match="没有“电话号”这一列"):
        app.roster.inspect(path, {"电话号": "phone"})
    with pytest.raises(ValidationError, match="不是可导入的字段"):
        app.roster.inspect(path, {"班级": "shoe_size"})


def test_field_choices_cover_every_candidate_field():
    assert {"name", "id_number", "student_no", "college", "veteran_merits"} <= set(FIELD_CHOICES)
    assert FIELD_CHOICES["id_number"] == "身份证号"


# -- commit safety ----------------------------------------------------------------------------------
def test_cancel_mid_commit_writes_nothing(app, tmp_path):
    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", roster(1200)))
    assert preview.counts["new"] == 1200
    token = CancelToken()
    seen: list[int] = []

    def progress(done: int, total: int, message: str) -> None:
        seen.append(done)
        if done >= 500:
            token.cancel()

    with pytest.raises(Cancelled):
        app.roster.commit(ADMIN, preview, progress=progress, cancel=token)
    assert seen and max(seen) >= 500
    assert candidates(app) == {}
    assert audit_actions(app) == ["college.setup"]


def test_cancel_while_writing_audit_events_writes_nothing(app, tmp_path):
    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", roster(1200)))
    token = CancelToken()

    def progress(done: int, total: int, message: str) -> None:
        if "审计" in message and done > total // 2:
            token.cancel()

    with pytest.raises(Cancelled):
        app.roster.commit(ADMIN, preview, progress=progress, cancel=token)
    assert candidates(app) == {}
    assert audit_actions(app) == ["college.setup"]
    with app.db.read() as s:
        assert AuditService.verify(s).ok


def test_cancel_preview(app, tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        app.roster.preview(write_xlsx(tmp_path / "a.xlsx", roster(3)), cancel=token)


def test_preview_reports_progress(app, tmp_path):
    calls: list[tuple[int, int]] = []
    app.roster.preview(write_xlsx(tmp_path / "a.xlsx", roster(1100)), progress=lambda d, t, m: calls.append((d, t)))
    assert (0, 1100) in calls and (500, 1100) in calls and (1000, 1100) in calls and (1100, 1100) in calls


def test_commit_refuses_a_file_changed_since_preview(app, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", roster(2))
    preview = app.roster.preview(path)
    write_xlsx(path, roster(3))
    with pytest.raises(ConflictError, match="预览之后被修改"):
        app.roster.commit(ADMIN, preview)
    assert candidates(app) == {}


def test_commit_re_evaluates_when_the_database_changed(app, tmp_path):
    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", roster(2)))
    assert preview.counts["new"] == 2
    p = person(0)
    app.candidates.create(ADMIN, {"name": p["姓 名"], "id_number": p["身份证号码"], "student_no": p["学号"],
                                  "class_name": "别的班"})
    result = app.roster.commit(ADMIN, preview)
    assert (result.created, result.updated) == (1, 1)
    stored = candidates(app)
    assert len(stored) == 2
    assert stored[p["学号"]].class_name == p["班级"]


def test_readers_may_not_import(app, tmp_path):
    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", roster(1)))
    with pytest.raises(PermissionDenied):
        app.roster.commit(Actor("jjjc", "纪检", "supervisor"), preview)
    assert candidates(app) == {}


# -- export and template ----------------------------------------------------------------------------
def test_export_is_styled_and_imports_back_unchanged(app, tmp_path):
    rows = [person(0), person(1, 学号=""), person(2, 考生类别="退役大学生士兵"), person(3, 考生类别="获奖考生")]
    headers = [*HEADERS, "入伍时间", "退役时间", "获奖等级", "获奖项目", "艺体类别", "民族"]
    rows[1]["艺体类别"] = "艺术"
    rows[1]["民族"] = "回"
    rows[2].update({"入伍时间": dt.date(2019, 9, 1), "退役时间": "2021-09-01"})
    rows[3].update({"获奖等级": "省一", "获奖项目": "2025年全省职业院校技能大赛"})
    _preview, result = import_file(app, write_xlsx(tmp_path / "a.xlsx", rows, headers=headers))
    assert result.created == 4

    out = tmp_path / "导出.xlsx"
    assert app.roster.export(app.actor, out) == 4
    ws = openpyxl.load_workbook(out).active
    assert "A1" in str(ws.merged_cells)
    assert COLLEGE in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:4] == ["学号", "姓名", "性别", "身份证号"]
    assert header[-1] == "状态"
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DDEBF7") for c in ws[2])
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(header))}6"
    id_col = header.index("身份证号") + 1
    ids = [ws.cell(r, id_col) for r in range(3, 7)]
    assert all(isinstance(c.value, str) and c.number_format == "@" for c in ids)
    assert ws.cell(3, 1).number_format == "@"
    assert ws.column_dimensions["D"].width >= 18
    assert {ws.cell(r, len(header)).value for r in range(3, 7)} == {"在册"}

    again = app.roster.preview(out)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 4, "rejected": 0}
    assert not [w for w in again.warnings if "学院" in w]


def test_export_of_an_empty_roster(app, tmp_path):
    assert app.roster.export(app.actor, tmp_path / "e.xlsx") == 0
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").active["A2"].value == "学号"


def test_template_has_drop_downs_text_ids_and_instructions(app, tmp_path):
    out = app.roster.write_template(tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["考生名单", "填写说明"]
    ws = wb["考生名单"]
    header = [c.value for c in ws[1]]
    assert ws.max_row == 1  # nothing below the header that an import would read
    formulas = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    col = {h.rstrip("*"): openpyxl.utils.get_column_letter(i) for i, h in enumerate(header, start=1)}
    assert formulas['"男,女"'].startswith(f"{col['性别']}2:")
    assert formulas['"普通考生,原建档立卡考生,退役大学生士兵,获奖考生"'].startswith(f"{col['考生类别']}2:")
    assert formulas['"艺术,体育"'].startswith(f"{col['艺体类别']}2:")
    assert ws.column_dimensions[col["身份证号"]].number_format == "@"
    assert "身份证号" in "".join(str(c.value) for c in wb["填写说明"]["A"])

    ws.append([person(0)["学号"], person(0)["姓 名"], "", person(0)["身份证号码"], "汉族", "", "计1班"])
    wb.save(out)
    preview = app.roster.preview(out)
    assert preview.mapping.missing_required == []
    assert len(preview.mapping.fields) == len(header)
    assert preview.counts["new"] == 1


def test_audit_count_matches_rows(app, tmp_path):
    import_file(app, write_xlsx(tmp_path / "a.xlsx", roster(30)))
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1 + 1 + 30


def test_headers_other_systems_use(app, tmp_path):
    """A 教务系统-style export: 身份证件号码, 所在院系, 专业名称, 行政班级, 辅导员姓名, 手机, 学生类别."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年专升本拟报名学生信息汇总表"])
    ws.append(["序号", "学号", "姓名", "性别", "身份证件号码", "民族", "所在院系", "专业名称", "行政班级", "辅导员姓名",
               "手机", "学生类别"])
    ws.append([1, "2025020101", "刘 洋", "男", idnumber.make("410105", dt.date(2003, 4, 1), 13), "汉", COLLEGE,
               "软件技术", "软件2301", "王老师", "13900001111", "建档立卡"])
    path = tmp_path / "other.xlsx"
    wb.save(path)
    mapping = app.roster.inspect(path)
    assert mapping.unknown_headers == []
    assert set(mapping.fields.values()) == {"student_no", "name", "gender", "id_number", "ethnicity", "college",
                                            "major", "class_name", "counsellor", "phone", "category"}
    _preview, result = import_file(app, path)
    assert result.created == 1
    assert candidates(app)["2025020101"].category == "原建档立卡考生"


def test_commit_waits_for_another_writer_and_reports_the_wait(app, tmp_path):
    import threading
    import time

    from sqlalchemy import text

    from app.tasks import lock_waits_reported
    from db.session import Database

    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", [person(i) for i in range(3)]))
    locked = threading.Event()
    other = Database(app.db.url)  # another window or the command line: its own engine

    def another_writer() -> None:
        with other.transaction() as s:
            s.execute(text("SELECT 1"))  # the write lock is taken by the first statement
            locked.set()
            time.sleep(2.2)
        other.dispose()

    holder = threading.Thread(target=another_writer)
    holder.start()
    assert locked.wait(5)
    messages: list[str] = []
    progress = lambda _d, _t, m: messages.append(m)  # noqa: E731
    with lock_waits_reported(progress):
        result = app.roster.commit(ADMIN, preview, progress=progress)
    holder.join()
    assert result.created == 3
    assert any(m.startswith("数据库正被另一项操作") and "已等待" in m for m in messages)


def test_a_change_between_preparing_and_writing_is_taken_into_account(app, tmp_path, monkeypatch):
    # The import prepares its rows without the write lock; a candidate stored meanwhile (by the
    # editor at the desk) must not be created twice.
    from app.roster import service as roster_module

    preview = app.roster.preview(write_xlsx(tmp_path / "a.xlsx", [person(0), person(1)]))
    real_plan = roster_module.RosterService._plan
    calls = []

    def plan_then_edit(self, *args, **kwargs):
        plan = real_plan(self, *args, **kwargs)
        if not calls:
            raw = person(1)
            app.candidates.create(ADMIN, {"name": raw["姓 名"], "id_number": raw["身份证号码"],
                                          "student_no": raw["学号"]})
        calls.append(plan)
        return plan

    monkeypatch.setattr(roster_module.RosterService, "_plan", plan_then_edit)
    result = app.roster.commit(ADMIN, preview)
    assert len(calls) == 2  # prepared again under the lock
    assert result.created == 1 and app.candidates.count() == 2
