"""Rosters shaped like the ones colleges actually send: found by trying exports we had not seen.

Each test builds the awkward layout with openpyxl and checks what a careful secretary would
expect: the right column taken for each field, layout rows left out, wrong data refused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.auth import Actor
from app.errors import BadFileError
from app.importing import tabular
from app.roster.service import _classify
from db.models import Candidate
from tests.app.fixtures_roster import COLLEGE, id_for, name_for

ADMIN = Actor("admin", "管理员", "admin")


@pytest.fixture
def app(container):
    """The shared initialised desk (tests/conftest.py): college 信息工程学院, as in ``COLLEGE``."""
    assert container.setup.info().college_name == COLLEGE
    return container


def import_file(app, path):
    preview = app.roster.preview(path)
    return preview, app.roster.commit(ADMIN, preview)


def stored(app) -> dict[str, dict]:
    """Stored candidates by student number: {student_no: {field: value}}."""
    with app.db.read() as s:
        return {c.student_no: {"phone": c.phone, "id_number": c.id_number, "class_name": c.class_name,
                               "major": c.major, "name": c.name}
                for c in s.scalars(select(Candidate))}


def _book(path, rows, merges=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for m in merges:
        ws.merge_cells(m)
    for row in ws.iter_rows():
        for cell in row:
            cell.number_format = "@"
    wb.save(path)
    return path


def _student(i):
    return [f"2022{i:05d}", name_for(i), id_for(i, i % 3 != 0)]


@pytest.mark.parametrize("parent_first", [True, False])
def test_phone_group_over_parent_and_student_takes_the_students(app, tmp_path, parent_first):
    labels = ["家长", "本人"] if parent_first else ["本人", "家长"]
    rows = [["学号", "姓名", "身份证号", "联系电话", ""], ["", "", "", *labels]]
    for i in range(3):
        own, parent = f"1380371{i:04d}", f"1390000{i:04d}"
        rows.append([*_student(i), *((parent, own) if parent_first else (own, parent))])
    path = _book(tmp_path / "phones.xlsx", rows, merges=("A1:A2", "B1:B2", "C1:C2", "D1:E1"))
    preview = app.roster.preview(path)
    assert preview.counts["rejected"] == 0, [p.text() for r in preview.rejected for p in r.problems]
    assert preview.counts["new"] == 3  # the label row is part of the header, not a student
    phone_col = [c for c, k in preview.mapping.fields.items() if k == "phone"]
    assert [preview.mapping.headers[c] for c in phone_col] == ["联系电话（本人）"]
    import_file(app, path)
    assert stored(app)["202200001"]["phone"] == "13803710001"


def test_group_title_over_known_names_and_a_phone_group(app, tmp_path):
    rows = [["序号", "基本信息", "", "", "身份证号", "联系电话", ""],
            ["", "学号", "姓名", "性别", "", "本人", "家长"]]
    for i in range(2):
        rows.append([i + 1, f"2022{i:05d}", name_for(i), "男" if i % 3 else "女", id_for(i, i % 3 != 0),
                     f"1380371{i:04d}", f"1390000{i:04d}"])
    path = _book(tmp_path / "groups.xlsx", rows, merges=("A1:A2", "B1:D1", "E1:E2", "F1:G1"))
    preview = app.roster.preview(path)
    assert preview.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 0}
    fields = {preview.mapping.headers[c]: k for c, k in preview.mapping.fields.items()}
    assert fields["学号"] == "student_no" and fields["联系电话（本人）"] == "phone"
    assert "联系电话（家长）" not in fields


@pytest.mark.parametrize("header", ["电话（家长）", "父母电话", "家长联系电话", "紧急联系人电话", "辅导员电话", "QQ号"])
def test_someone_elses_number_is_never_the_students_phone(app, tmp_path, header):
    rows = [["学号", "姓名", "身份证号", header], [*_student(0), "13900000000"]]
    preview = app.roster.preview(_book(tmp_path / "p.xlsx", rows))
    assert "phone" not in preview.mapping.fields.values()
    assert header in preview.mapping.unknown_headers


def test_a_bracketed_note_after_a_secondary_name_still_counts(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "联系方式（本人）"], [*_student(0), "13800000000"]]
    preview = app.roster.preview(_book(tmp_path / "p.xlsx", rows))
    assert "phone" in preview.mapping.fields.values()


def test_first_data_row_is_not_taken_for_labels(tmp_path):
    # Short text without digits under the header, and a column without a name: still data.
    rows = [["姓名", "性别", "民族", ""], ["王伟", "男", "汉族", "备注"], ["李强", "男", "回族", "无"]]
    sheet = tabular.open_workbook(_book(tmp_path / "d.xlsx", rows)).sheet(0)
    found = tabular.find_header(sheet, _classify)
    assert found.index == 0 and found.first_data == 1
    assert found.headers[:3] == ["姓名", "性别", "民族"]


def test_a_title_over_the_header_is_not_a_group_name(tmp_path):
    rows = [["信息工程学院2026年专升本报名名单", "", "", ""], ["甲栏", "性别", "学号", "乙栏"],
            ["王伟", "男", "202200001", "x"]]
    sheet = tabular.open_workbook(_book(tmp_path / "t.xlsx", rows, merges=("A1:D1",))).sheet(0)
    found = tabular.find_header(sheet, _classify)
    assert found.index == 1 and found.headers == ["甲栏", "性别", "学号", "乙栏"]


@pytest.mark.parametrize(("theirs", "same"), [
    ("信息工程学院", True), ("（信息工程学院）", True), ("信息工程系", True), ("河南职业技术学院信息工程学院", True), ("信息工程分院", True),
    ("电子信息工程学院", False), ("信息学院", False), ("机电工程学院", False),
])
def test_which_college_names_are_this_college(theirs, same):
    from app.roster.service import _college_key, _same_college

    assert _same_college(_college_key(theirs), _college_key(COLLEGE)) is same


def test_another_colleges_student_in_a_mixed_file_is_left_out(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "二级学院"], [*_student(0), "信息工程学院"], [*_student(1), "电子信息工程学院"]]
    preview = app.roster.preview(_book(tmp_path / "c.xlsx", rows))
    assert preview.counts == {"new": 1, "changed": 0, "unchanged": 0, "rejected": 0}
    assert "另有 电子信息工程学院 1 人不属于本学院，未导入。" in preview.warnings


def _whole_school(tmp_path, extra=()):
    """A 学生处 list of the whole school: 30 of ours among 1,000 + 1,000 of two other colleges."""
    rows = [["学号", "姓名", "身份证号", "二级学院", "联系电话"]]
    for i in range(2030):
        college = COLLEGE if i < 30 else ("财经商贸学院" if i % 2 else "机电工程学院")
        rows.append([*_student(i), college, f"138{i:08d}"])
    rows += list(extra)
    return _book(tmp_path / "school.xlsx", rows)


def test_a_whole_school_list_imports_this_colleges_rows_only(app, tmp_path):
    bad = [f"20229{9:04d}", "钱多多", id_for(5000)[:17] + "0", COLLEGE, ""]  # a wrong check digit: ours
    foreign_bad = [f"20229{8:04d}", "孙小", "12345", "财经商贸学院", ""]  # someone else's problem
    path = _whole_school(tmp_path, [bad, foreign_bad])
    preview = app.roster.preview(path)
    assert preview.counts == {"new": 30, "changed": 0, "unchanged": 0, "rejected": 1}
    assert "另有 财经商贸学院 1,001 人、机电工程学院 1,000 人不属于本学院，未导入。" in preview.warnings
    assert not any("不是本学院" in p.message for r in preview.rejected for p in r.problems)
    # The rejected-rows workbook holds this college's real problems only.
    out = app.roster.save_rejected(preview, tmp_path / "rejected.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert [ws.cell(r, 3).value for r in range(2, ws.max_row + 1)] == ["钱多多"]
    result = app.roster.commit(app.actor, preview)
    assert result.created == 30 and app.candidates.count() == 30


def test_blank_unknown_or_misspelt_college_is_asked_about_not_guessed(app, tmp_path):
    extra = [["202290001", "钱一", id_for(6001), "", ""], ["202290002", "钱二", id_for(6002), "待定", ""],
             ["202290003", "钱三", id_for(6003), "信息工程学阮", ""]]
    preview = app.roster.preview(_whole_school(tmp_path, extra))
    asked = {r.row: r.problems[0] for r in preview.rejected}
    assert sorted(asked) == [2032, 2033, 2034]
    assert all(p.column == "D" and p.field == "college" for p in asked.values())
    assert "二级学院为空或无法识别" in asked[2032].message and "D 列（二级学院）" in asked[2032].message
    assert "二级学院为空或无法识别" in asked[2033].message
    assert "“信息工程学阮”，与本学院“信息工程学院”相近但不相同" in asked[2034].message
    assert preview.counts["new"] == 30


def test_our_student_listed_under_another_college_is_not_silently_dropped(app, tmp_path):
    app.candidates.create(app.actor, {"student_no": "202200040", "name": name_for(40), "id_number": id_for(40, True)})
    preview = app.roster.preview(_whole_school(tmp_path))
    [moved] = preview.rejected
    assert moved.row == 42 and "该生已在本学院名单中" in moved.problems[0].message
    assert "机电工程学院" in moved.problems[0].message


def test_a_file_without_any_of_our_students_says_so(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "二级学院"], [*_student(0), "财经商贸学院"], [*_student(1), "机电工程学院"]]
    with pytest.raises(BadFileError) as err:
        app.roster.preview(_book(tmp_path / "c.xlsx", rows))
    assert "文件中没有本学院（信息工程学院）的学生" in err.value.message
    assert app.candidates.count() == 0


def test_veterans_without_service_dates_are_imported_with_a_todo(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "考生类别"], [*_student(0), "退役大学生士兵"], [*_student(1), "获奖考生"],
            [*_student(2), "普通考生"]]
    preview = app.roster.preview(_book(tmp_path / "v.xlsx", rows))
    assert preview.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    assert [r.todos for r in preview.rows] == [("veteran_service_start", "veteran_service_end"),
                                               ("award_level", "award_name"), ()]
    assert any("1 名退役大学生士兵缺少入伍或退役时间、1 名获奖考生缺少获奖等级或获奖项目，已导入并列为“待补信息”" in w
               for w in preview.warnings)
    app.roster.commit(app.actor, preview)
    rows = {r.student_no: r for r in app.candidates.rows()}
    assert rows["202200000"].todos == ("入伍时间", "退役时间")
    assert rows["202200002"].todos == ()


def test_control_characters_are_removed_and_the_cells_named(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "班级"],
            ["202200000", "王\x1b伟", id_for(0), "计算机\u202e班1"],
            ["202200001", name_for(1), id_for(1, True) + "\x01", "会计\x012班"],
            ["202200002", name_for(2), id_for(2, False), "普通班"]]
    # Excel refuses to type them, but exports from other systems and CSV files carry them.
    path = tmp_path / "ctl.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    preview = app.roster.preview(path)
    assert preview.counts["new"] == 3, [p.text() for r in preview.rejected for p in r.problems]
    data = {r.row: r.data for r in preview.rows}
    assert (data[2].name, data[2].class_name) == ("王伟", "计算机班1")
    assert (data[3].id_number, data[3].class_name) == (id_for(1, True), "会计2班")
    [warning] = [w for w in preview.warnings if "控制字符" in w]
    assert "第 2 行 B 列（姓名）、第 2 行 D 列（班级）、第 3 行 C 列（身份证号）、第 3 行 D 列（班级）" in warning


def test_a_real_candidate_category_beats_the_school_roll_type(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "学生类别", "考生类型"], [*_student(0), "普通专科生", "退役士兵"]]
    preview = app.roster.preview(_book(tmp_path / "c.xlsx", rows))
    fields = {preview.mapping.headers[c]: k for c, k in preview.mapping.fields.items()}
    assert fields.get("考生类型") == "category" and "学生类别" not in fields


def test_year_month_birth_dates_in_their_many_forms(app, tmp_path):
    import datetime as dt

    from app.domain import idnumber

    born = dt.date(2003, 10, 15)
    forms = [dt.datetime(2003, 10, 1), 200310, "200310", "2003年10月", 2003.1, "2003.10", "2003-10"]
    rows = [["学号", "姓名", "身份证号", "出生年月"]]
    for i, form in enumerate(forms):
        rows.append([f"20220{i:04d}", name_for(i), idnumber.make("410302", born, 2 * i + 1), form])
    rows.append(["202209999", name_for(9), idnumber.make("410302", born, 99), dt.datetime(2003, 9, 1)])
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / "b.xlsx")
    preview = app.roster.preview(tmp_path / "b.xlsx")
    assert preview.counts["new"] == len(forms), [p.text() for r in preview.rejected for p in r.problems]
    [wrong] = preview.rejected
    assert "出生日期 2003-09-01 与身份证号不符" in wrong.problems[0].message


def test_a_service_month_excel_may_have_shortened_is_asked_about(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "考生类别", "入伍时间", "退役时间"],
            [*_student(0), "退役士兵", 2020.1, 2022.12], [*_student(1), "退役士兵", 2020.09, 202212]]
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / "v.xlsx")
    preview = app.roster.preview(tmp_path / "v.xlsx")
    [bad] = preview.rejected
    assert bad.row == 2 and "可能是 2020 年 1 月，也可能是 2020 年 10 月" in bad.problems[0].message
    assert bad.problems[0].column == "E"
    [good] = [r for r in preview.rows if r.kind == "new"]
    assert (good.data.veteran_service_start.isoformat(), good.data.veteran_service_end.isoformat()) == \
        ("2020-09-01", "2022-12-01")


def test_layout_rows_are_left_out_and_listed(app, tmp_path):
    rows = [["序号", "姓名", "性别", "身份证号", "学号", "联系电话"],
            ["", "1", "2", "3", "4", "5"],  # the column numbers of a printed form
            ["", "（必填）", "（选填）", "（必填，18位）", "（必填）", "（选填）"]]
    for i in range(3):
        rows.append([i + 1, name_for(i), "", id_for(i, i % 3 != 0), f"2022{i:05d}", ""])
    rows += [["", "计算机应用技术2022级2班"],
             ["合计", "3人"],
             ["", "说明：以上学生均符合报名条件。"],
             ["", "学院负责人（签字）：", "", "", "经办人：李四"],
             [4, "", "", "", "", ""], [5, "", "", "", "", ""]]  # pre-numbered empty rows
    preview = app.roster.preview(_book(tmp_path / "l.xlsx", rows))
    assert preview.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    note = next(w for w in preview.warnings if "看起来是标题、合计、签字或填表说明" in w)
    for n in (2, 3, 7, 8):
        assert f"第 {n} 行" in note
    assert "第 8 行（合计　3人）" in note and "等 6 行" in note  # rows 2, 3, 7–10
    # Rows 11 and 12 hold only a 序号: blank rows of a pre-numbered form, skipped without a word.


def test_a_student_without_an_id_is_still_reported_not_skipped(app, tmp_path):
    rows = [["姓名", "身份证号", "学号", "班级"], [name_for(0), "", "202200000", "计算机1班"],
            ["阿依古丽·买买提江", "", "", ""]]
    preview = app.roster.preview(_book(tmp_path / "s.xlsx", rows))
    assert [r.row for r in preview.rejected] == [2, 3]
    assert all("身份证号为空" in p.message for r in preview.rejected for p in r.problems if p.field == "id_number")


def test_a_pasted_block_with_another_column_order_is_not_imported_askew(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "专业", "班级"], [*_student(0), "软件技术", "软件2201班"],
            ["学号", "姓名", "身份证号", "班级", "专业"], [*_student(1), "软件2202班", "软件技术"],
            ["学号", "姓名", "身份证号", "专业", "班级"], [*_student(2), "软件技术", "软件2203班"]]
    preview = app.roster.preview(_book(tmp_path / "r.xlsx", rows))
    assert preview.counts["new"] == 2 and [r.row for r in preview.rejected] == [4]
    assert "第 3 行重复的表头" in preview.rejected[0].problems[0].message
    assert any("列顺序不同（D 列是班级，E 列是所学专业）" in w for w in preview.warnings)
    import_file(app, tmp_path / "r.xlsx")
    assert stored(app)["202200002"]["class_name"] == "软件2203班"


def test_the_roster_sheet_is_found_behind_instructions_and_a_summary(app, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填表说明"
    ws.append(["1. 身份证号请设置为文本格式。"])
    ws.append(["2. 姓名中不要有空格。"])
    summary = wb.create_sheet("汇总")
    summary.append(["二级学院", "专业", "班级", "人数"])
    summary.append([COLLEGE, "软件技术", "软件2201班", 2])
    roster = wb.create_sheet("名单")
    roster.append(["学号", "姓名", "身份证号"])
    for i in range(2):
        roster.append(_student(i))
    wb.save(tmp_path / "m.xlsx")
    preview = app.roster.preview(tmp_path / "m.xlsx")
    assert preview.mapping.sheet == "名单" and preview.counts["new"] == 2
    assert any("导入的是“名单”" in w for w in preview.warnings)


def test_a_row_pasted_twice_imports_once(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "班级"], [*_student(0), "软件1班"], [*_student(1), "软件1班"],
            [*_student(0), "软件1班"],  # the same row again
            [*_student(1), "软件2班"]]  # same student, different class: a real conflict
    preview = app.roster.preview(_book(tmp_path / "d.xlsx", rows))
    assert preview.counts == {"new": 1, "changed": 0, "unchanged": 0, "rejected": 2}
    assert sorted(r.row for r in preview.rejected) == [3, 5]
    assert [r.row for r in preview.rows if r.kind == "new"] == [2]
    assert any("第 4 行与第 2 行完全相同" in w for w in preview.warnings)


def test_hidden_or_filtered_rows_are_named_before_import(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "学籍状态"]] + [[*_student(i), "在籍"] for i in range(4)]
    rows[2][3] = rows[4][3] = "退学"
    path = _book(tmp_path / "h.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    for r in (3, 5):  # the 退学 rows, hidden the way a filter hides them
        wb.active.row_dimensions[r].hidden = True
    wb.save(path)
    assert tabular.open_workbook(path).sheet(0).hidden_rows == {3, 5}
    preview = app.roster.preview(path)
    assert preview.counts["new"] == 4
    assert any(w.startswith("第 3、5 行（共 2 行）在表格里是隐藏的") for w in preview.warnings)


def test_no_hidden_rows_no_warning(app, tmp_path):
    path = _book(tmp_path / "v.xlsx", [["学号", "姓名", "身份证号"], _student(0)])
    assert tabular.open_workbook(path).sheet(0).hidden_rows == frozenset()
    assert not any("隐藏" in w for w in app.roster.preview(path).warnings)


def test_students_with_missing_ids_are_reported_never_dropped(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "联系电话", "备注"],
            [*_student(0), "13800000000", ""],
            ["202200001", name_for(1), "身份证待补", "", ""],  # not a repeated header
            ["202200002", name_for(2), "身份证号：待核实", "", ""],
            ["202200003", name_for(3), "", "", "注：身份证号待补"],  # a note about the student, not a layout line
            ["202200004", "", "", "", ""]]  # a student number alone is still somebody
    preview = app.roster.preview(_book(tmp_path / "m.xlsx", rows))
    assert preview.counts["new"] == 1
    assert sorted(r.row for r in preview.rejected) == [3, 4, 5, 6]
    assert not any("看起来是标题" in w for w in preview.warnings)
    messages = {r.row: r.problems[0].message for r in preview.rejected}
    assert "“身份证待补”，不是号码" in messages[3]


def test_not_applicable_markers_and_header_marks_and_line_breaks(app, tmp_path):
    rows = [["学号", "姓名▲", "身份证号※", "联系电话", "考生类别", "入伍时间", "退役时间", "班级"],
            [*_student(0), "无", "/", "—", "无", "计算机\n2201班"],
            [*_student(1), "13800000001", "普通", "", "", "计算机2201班"]]
    preview = app.roster.preview(_book(tmp_path / "n.xlsx", rows))
    assert preview.counts["new"] == 2, [p.text() for r in preview.rejected for p in r.problems]
    first, second = (r.data for r in preview.rows)
    assert (first.phone, first.category, first.veteran_service_start) == ("", "普通考生", None)
    assert first.class_name == second.class_name == "计算机2201班"


def test_text_dates_with_a_time_of_day(app, tmp_path):
    import datetime as dt

    from app.domain import idnumber

    forms = ["2003/4/11 0:00:00", "2003/04/11 00:00", "2003-04-11 08:30:00", "2003 年 4 月 11 日"]
    rows = [["学号", "姓名", "身份证号", "出生日期"]]
    for i, form in enumerate(forms):
        rows.append([f"20220{i:04d}", name_for(i), idnumber.make("410302", dt.date(2003, 4, 11), 2 * i + 1), form])
    preview = app.roster.preview(_book(tmp_path / "t.xlsx", rows))
    assert preview.counts["new"] == len(forms), [p.text() for r in preview.rejected for p in r.problems]


def test_school_roll_type_named_like_a_category_is_left_out(app, tmp_path):
    rows = [["学号", "姓名", "身份证件类型", "身份证件号", "学生类别"],
            ["202200000", name_for(0), "居民身份证", id_for(0, False), "普通专科生"],
            ["202200001", name_for(1), "居民身份证", id_for(1), "普通专科生"]]
    preview = app.roster.preview(_book(tmp_path / "x.xlsx", rows))
    assert preview.counts["new"] == 2 and all(r.data.category == "普通考生" for r in preview.rows)
    assert any("E 列（学生类别）的内容（“普通专科生”）不是考生类别" in w for w in preview.warnings)
    assert not any("都是" in w for w in preview.warnings)  # 身份证件类型 is not a second ID column
    # The user can still say it is the category: then its values are checked as such.
    mapped = app.roster.preview(tmp_path / "x.xlsx", {"学生类别": "category"})
    assert mapped.counts["rejected"] == 2
    by_label = app.roster.preview(tmp_path / "x.xlsx", {"学生类别": "考生类别"})  # as the CLI takes it too
    assert by_label.counts["rejected"] == 2


def test_code_columns_lose_to_name_columns(app, tmp_path):
    rows = [["学号", "姓名", "身份证号", "报考专业代码", "报考专业名称"], [*_student(0), "080901", "计算机科学与技术"]]
    preview = app.roster.preview(_book(tmp_path / "c.xlsx", rows))
    assert preview.rows[0].data.intended_major == "计算机科学与技术"


def test_a_sample_sheet_loses_to_the_full_roster(app, tmp_path):
    wb = openpyxl.Workbook()
    sample = wb.active
    sample.title = "填写样例"
    sample.append(["学号", "姓名", "身份证号"])
    sample.append(_student(9))
    roster = wb.create_sheet("学生名单")
    roster.append(["学号", "姓名", "身份证号"])
    for i in range(3):
        roster.append(_student(i))
    wb.save(tmp_path / "s.xlsx")
    assert app.roster.preview(tmp_path / "s.xlsx").mapping.sheet == "学生名单"


def test_a_form_info_line_above_the_header_is_not_a_group(app, tmp_path):
    rows = [["学院：信息工程学院", "", "填表人：李老师", "", "日期：2024年11月20日"],
            ["学号", "姓名", "身份证号", "政治面貌", "宿舍号"], [*_student(0), "团员", "3-201"]]
    preview = app.roster.preview(_book(tmp_path / "i.xlsx", rows))
    assert preview.mapping.header_row == 2 and "政治面貌" in preview.mapping.unknown_headers


def test_system_exports_with_pinyin_codes_and_numbers_as_text(app, tmp_path):
    path = tmp_path / "zf.csv"
    path.write_text("XH,XM,XB,SFZH,BJMC,LXDH\n"
                    f"'2022002200,{name_for(0)},女,{id_for(0, False)},计算机2201班,'13803712200\n"
                    f"2022002201.0,{name_for(1)},男,{id_for(1)},计算机2201班,13803712201.0\n", encoding="utf-8")
    preview = app.roster.preview(path)
    assert preview.counts["new"] == 2, [p.text() for r in preview.rejected for p in r.problems]
    assert [(r.data.student_no, r.data.phone) for r in preview.rows] == [("2022002200", "13803712200"),
                                                                        ("2022002201", "13803712201")]


def test_a_student_number_excel_turned_scientific_is_explained_once(app, tmp_path):
    path = tmp_path / "sci.csv"
    path.write_text("学号,姓名,身份证号\n" + "".join(f"2.02201E+11,{name_for(i)},{id_for(i)}\n" for i in range(2)),
                    encoding="utf-8")
    preview = app.roster.preview(path)
    assert [[p.message.startswith("学号被 Excel 存成了科学计数法") for p in r.problems] for r in preview.rejected] == [[True]] * 2


def test_map_names_an_unrecognised_header_row(app, tmp_path):
    rows = [["XSBH", "XINGMING", "ZJHM"], [*_student(0)]]
    path = _book(tmp_path / "p.xlsx", rows)
    with pytest.raises(Exception, match="找不到名单的表头"):
        app.roster.preview(path)
    preview = app.roster.preview(path, {"XINGMING": "name", "ZJHM": "id_number", "XSBH": "student_no"})
    assert preview.counts["new"] == 1


def test_a_stray_cell_far_to_the_right_does_not_widen_the_sheet(app, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学号", "姓名", "身份证号"])
    for i in range(3):
        ws.append(_student(i))
    ws.cell(4, 16384).value = "x"  # column XFD: calamine would hold 16,384 cells per row
    wb.save(tmp_path / "xfd.xlsx")
    sheet = tabular.open_workbook(tmp_path / "xfd.xlsx").sheet(0)
    assert sheet.cut_off and sheet.width == 3  # the far cell is dropped, not padded up to
    preview = app.roster.preview(tmp_path / "xfd.xlsx")
    assert preview.counts["new"] == 3
    assert any("超过了 256 列" in w for w in preview.warnings)


def test_a_legacy_xls_roster_imports_as_an_xlsx_would(app):
    path = Path(__file__).resolve().parents[1] / "fixtures" / "roster.xls"
    preview = app.roster.preview(path)
    assert preview.counts == {"new": 4, "changed": 0, "unchanged": 0, "rejected": 0}
    assert {r.data.class_name for r in preview.rows} == {"计算机2024级1班"}
    assert any("隐藏" in w for w in preview.warnings)
    app.roster.commit(ADMIN, preview)
    assert app.candidates.count() == 4
