"""Reference list import: header detection, mapping, row problems, replacing the active list, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.audit.service import AuditService
from app.auth import Actor
from app.domain import idnumber
from app.errors import BadFileError, ConflictError, PermissionDenied
from app.review.reference import ReferenceMappingNeeded, load_active
from db.models import ReferenceList

ID1 = idnumber.make("410102", dt.date(2003, 5, 17), 123)
ID2 = idnumber.make("410102", dt.date(2003, 6, 1), 124)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ACADEMIC = [
    ["2026届毕业生学籍名单"],
    [],
    ["序号", "学号", "姓名", "身份证号码", "所学专业", "学籍状态名称", "预计毕业日期", "挂科课程"],
    [1, "2023000001", "张三", ID1, "软件技术", "在籍", "2027-07", "无"],
    [2, 2023000002, "李四", ID2, "软件技术", "休学", dt.datetime(2027, 6, 30), "高等数学"],
]


def test_academic_list_header_below_a_title(container, actor, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "xueji.xlsx", ACADEMIC)
    mapping = container.reference.inspect("academic", path)
    assert mapping.header_row == 3
    assert sorted(mapping.fields.values()) == sorted(
        ["student_no", "name", "id_number", "major", "status", "graduation", "failed_courses"])
    preview = container.reference.preview("academic", path)
    assert [r.row for r in preview.rows] == [4, 5]
    assert preview.problems == []
    second = preview.rows[1]
    assert (second.student_no, second.name, second.id_number) == ("2023000002", "李四", ID2)
    assert second.data["graduation"] == "2027-06-30" and second.data["failed_courses"] == "高等数学"
    result = container.reference.commit(actor, preview)
    assert (result.rows, result.rows_with_problems, result.replaced) == (2, 0, False)
    with container.db.read() as s:
        active = load_active(s)
        assert [r.name for r in active.academic] == ["张三", "李四"]
        assert active.academic[1].source["姓名"] == "李四" and active.academic[1].row == 5
        event = AuditService.entries(s, limit=1)[0]
    assert event.action == "reference.import" and event.after["rows"] == 2


def test_bad_rows_are_kept_with_row_and_column(container, actor, tmp_path: Path) -> None:
    rows = [
        ["学号", "姓名", "身份证号", "学籍状态", "预计毕业时间"],
        ["2023000001", "张三", "41010220030517123", "在籍", "2027-07"],  # one digit short
        ["2023000002", "李四", ID2, "", "明年夏天"],
        ["", "王五", "", "在籍", "2027-07"],
        ["2023000001", "张三", ID1, "在籍", "2027-07"],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    preview = container.reference.preview("academic", path)
    texts = [p.text() for p in preview.problems]
    assert any(t.startswith("第 2 行 C 列（身份证号）：") for t in texts), texts
    assert "第 3 行 D 列（学籍状态）：学籍状态为空。" in texts
    assert any(t.startswith("第 3 行 E 列（预计毕业时间）：预计毕业时间“明年夏天”无法识别") for t in texts)
    assert "第 4 行：没有学号和有效的身份证号，无法与考生名单比对。" in texts
    assert any(t.startswith("第 5 行 A 列（学号）：学号 2023000001 与第 2 行重复") for t in texts)
    assert len(preview.rows) == 4  # nothing dropped
    assert preview.rows[0].data["id_raw"] == "41010220030517123"
    result = container.reference.commit(actor, preview)
    assert result.rows_with_problems == 4


def test_conduct_and_majors_lists(container, actor, tmp_path: Path) -> None:
    conduct = write_xlsx(tmp_path / "chufen.xlsx", [
        ["学号", "姓名", "处分类型", "处分时间", "解除日期"],
        ["2023000001", "张三", "记过", dt.datetime(2025, 3, 1), ""],
        ["2023000001", "张三", "警告", "2024-10-01", dt.datetime(2025, 4, 1)],
    ])
    preview = container.reference.preview("conduct", conduct)
    assert [r.data for r in preview.rows] == [
        {"action": "记过", "date": "2025-03-01", "lifted": ""},
        {"action": "警告", "date": "2024-10-01", "lifted": "2025-04-01"}]
    container.reference.commit(actor, preview)
    majors = write_xlsx(tmp_path / "zhuanye.xlsx", [
        ["专科专业", "可报考本科专业（类）"], ["软件技术", "计算机科学与技术、软件工程"], ["电子商务", ""]])
    preview = container.reference.preview("majors", majors)
    assert [p.text() for p in preview.problems] == ["第 3 行 B 列（可报考本科专业（类））：可报考本科专业为空。"]
    container.reference.commit(actor, preview)
    with container.db.read() as s:
        active = load_active(s)
    assert len(active.conduct) == 2 and len(active.majors) == 2


def test_import_replaces_the_active_list(container, actor, tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "a1.xlsx", ACADEMIC)
    container.reference.commit(actor, container.reference.preview("academic", first))
    second = write_xlsx(tmp_path / "a2.xlsx", ACADEMIC[:4])
    result = container.reference.commit(actor, container.reference.preview("academic", second))
    assert result.replaced
    lists = container.reference.lists("academic")
    assert [(x.file_name, x.active) for x in lists] == [("a2.xlsx", True), ("a1.xlsx", False)]
    with container.db.read() as s:
        assert len(load_active(s).academic) == 1
        assert len(s.scalars(select(ReferenceList)).all()) == 2


def test_missing_columns_and_map_overrides(container, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [["学号", "姓名", "记录"], ["2023000001", "张三", "警告"]])
    with pytest.raises(ReferenceMappingNeeded) as info:
        container.reference.preview("conduct", path)
    assert info.value.mapping.missing_required == ["action"] and "处分" in info.value.message
    preview = container.reference.preview("conduct", path, {"记录": "action"})
    assert preview.rows[0].data["action"] == "警告"
    preview = container.reference.preview("conduct", path, {"C": "处分"})  # a column letter and a label
    assert preview.rows[0].data["action"] == "警告"


@pytest.mark.parametrize("kind", ["academic", "conduct", "majors"])
def test_no_header(container, tmp_path: Path, kind: str) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [["甲", "乙"], ["1", "2"]])
    with pytest.raises(BadFileError, match="找不到"):
        container.reference.preview(kind, path)


def test_legacy_xls_is_refused(container, tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + "Workbook".encode("utf-16-le") + b"\0" * 512)
    with pytest.raises(BadFileError, match=r"另存为 \.xlsx"):
        container.reference.preview("academic", path)


def test_changed_file_and_permissions(container, actor, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", ACADEMIC)
    preview = container.reference.preview("academic", path)
    with pytest.raises(PermissionDenied):
        container.reference.commit(Actor("c1", "辅导员", "counsellor"), preview)
    write_xlsx(path, ACADEMIC[:4])
    with pytest.raises(ConflictError):
        container.reference.commit(actor, preview)
    with container.db.read() as s:
        assert s.scalars(select(ReferenceList)).all() == []


def test_csv_list(container, actor, tmp_path: Path) -> None:
    path = tmp_path / "xueji.csv"
    path.write_text(f"学号,姓名,身份证号,学籍状态\n2023000001,张三,{ID1},在籍\n", encoding="gbk")
    preview = container.reference.preview("academic", path)
    assert preview.rows[0].id_number == ID1 and preview.rows[0].data == {"status": "在籍"}
    container.reference.commit(actor, preview)
    [stored] = container.reference.lists()
    assert (stored.kind, stored.row_count, stored.active, stored.imported_by) == ("academic", 1, True, "admin")


def test_conduct_lists_that_say_违纪_rather_than_处分(container, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "wj.xlsx", [["学号", "姓名", "违纪类型", "违纪时间", "是否解除处分"],
                                             ["2023000001", "张三", "记过", "2024-05-01", "否"]])
    preview = container.reference.preview("conduct", path)
    assert preview.rows[0].data["action"] == "记过"
    assert preview.rows[0].data["date"] is not None


def test_a_list_with_a_header_and_no_rows_says_which_sheet(container, tmp_path: Path) -> None:
    from app.errors import BadFileError

    path = write_xlsx(tmp_path / "empty.xlsx", ACADEMIC[:3])
    with pytest.raises(BadFileError, match="工作表“Sheet”在表头（第 3 行）下面没有数据行"):
        container.reference.preview("academic", path)


def test_a_chosen_sheet_is_read(container, tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请勿修改表头"])
    data = wb.create_sheet("学籍")
    for row in ACADEMIC:
        data.append(row)
    wb.save(tmp_path / "two.xlsx")
    preview = container.reference.preview("academic", tmp_path / "two.xlsx", sheet="学籍")
    assert preview.mapping.sheet == "学籍" and preview.mapping.sheets == ["说明", "学籍"]
    assert [r.row for r in preview.rows] == [4, 5]


# -- which column is which: an exact header name wins over a guess ------------------------------------
@pytest.mark.parametrize("order", ["offence_first", "sanction_first"])
def test_conduct_sanction_and_offence_side_by_side(container, tmp_path: Path, order: str) -> None:
    header = ["学号", "姓名", "违纪事由", "处分类别", "处分日期", "是否解除"]
    row = ["2023000001", "张三", "考试作弊", "开除学籍", "2025-06-01", "是"]
    if order == "sanction_first":
        header[2:4], row[2:4] = header[3:1:-1], row[3:1:-1]
    preview = container.reference.preview("conduct", write_xlsx(tmp_path / "c.xlsx", [header, row]))
    fields = {preview.mapping.headers[c]: k for c, k in preview.mapping.fields.items()}
    assert fields["处分类别"] == "action" and fields["违纪事由"] == "offence"
    assert preview.rows[0].data["action"] == "开除学籍" and preview.rows[0].data["offence"] == "考试作弊"
    assert not any("处分类别" in w for w in preview.warnings)  # nothing dropped


def test_an_exact_name_wins_over_a_guess_whatever_the_order(container, tmp_path: Path) -> None:
    # “毕业去向” only looks like the graduation date (a guess); “预计毕业时间” is its exact name.
    rows = [["学号", "姓名", "毕业去向", "预计毕业时间"], ["2023000001", "张三", "升学", "2027-06"]]
    preview = container.reference.preview("academic", write_xlsx(tmp_path / "a.xlsx", rows))
    assert preview.rows[0].data["graduation"] == "2027-06"
    assert any(w.startswith("C 列（毕业去向）和 D 列（预计毕业时间）都是“预计毕业时间”，只导入了 D 列")
               for w in preview.warnings)


def test_a_dropped_column_is_always_listed(container, tmp_path: Path) -> None:
    # Two exact names for the sanction: the first is kept and the second is named in the warnings.
    rows = [["学号", "姓名", "处分", "处分类别"], ["2023000001", "张三", "记过", "警告"]]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    preview = container.reference.preview("conduct", path)
    assert preview.rows[0].data["action"] == "记过"
    assert [w for w in preview.warnings if "D 列（处分类别）" in w] == [
        "D 列（处分类别）和 C 列（处分）都是“处分”，只导入了 C 列；如果应导入 D 列，请调整列对应"
        "（命令行用 --map 处分类别=action）。"]
    # The user's choice moves the field: now C is the dropped one, and said so.
    preview = container.reference.preview("conduct", path, {"处分类别": "action"})
    assert preview.rows[0].data["action"] == "警告"
    assert any(w.startswith("C 列（处分）和 D 列（处分类别）都是“处分”，只导入了 D 列") for w in preview.warnings)
    # A column the user left out on purpose is not a warning.
    preview = container.reference.preview("conduct", path, {"处分": "-", "处分类别": "action"})
    assert not any("C 列（处分）" in w for w in preview.warnings)
    # Either way the file's cells stay in the stored source row.
    assert preview.rows[0].source["处分"] == "记过"


def test_a_list_of_offences_without_a_sanction_column(container, tmp_path: Path) -> None:
    rows = [["学号", "姓名", "违纪事由", "是否解除"], ["2023000001", "张三", "夜不归宿", "否"]]
    preview = container.reference.preview("conduct", write_xlsx(tmp_path / "c.xlsx", rows))
    assert preview.rows[0].data["action"] == "夜不归宿"
    assert "没有找到处分类别列，以 C 列（违纪事由）作为处分内容。" in preview.warnings
