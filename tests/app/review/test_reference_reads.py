"""ReferenceService's reads for the review screen: the active list of each kind, a candidate's source rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from app.domain import idnumber
from app.review.reference import missing_required

ID1 = idnumber.make("410102", dt.date(2003, 5, 17), 123)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def imported(container, actor, kind: str, path: Path) -> None:
    container.reference.commit(actor, container.reference.preview(kind, path))


def test_active_names_the_list_in_use_of_each_kind(container, actor, tmp_path: Path) -> None:
    assert container.reference.active() == {"academic": None, "conduct": None, "majors": None}
    header = ["学号", "姓名", "身份证号", "学籍状态"]
    imported(container, actor, "academic", write_xlsx(tmp_path / "old.xlsx", [header, ["2023000001", "张三", ID1, "在籍"]]))
    imported(container, actor, "academic", write_xlsx(tmp_path / "new.xlsx", [header, ["2023000001", "张三", ID1, "在籍"],
                                                                              ["2023000002", "李四", "", "休学"]]))
    active = container.reference.active()
    assert active["conduct"] is None and active["majors"] is None
    assert (active["academic"].file_name, active["academic"].row_count, active["academic"].active) == ("new.xlsx", 2, True)
    assert active["academic"].imported_by == actor.username


def test_source_rows_by_student_number_or_id_number_and_major(container, actor, tmp_path: Path) -> None:
    imported(container, actor, "academic", write_xlsx(tmp_path / "a.xlsx", [
        ["学号", "姓名", "身份证号", "专业", "学籍状态"],
        ["2023000001", "张三", ID1, "软件技术", "在籍"],
        ["2023000009", "别人", "", "软件技术", "在籍"],
    ]))
    imported(container, actor, "conduct", write_xlsx(tmp_path / "c.xlsx", [
        ["学号", "身份证号", "处分", "是否解除"],
        ["", ID1, "警告", "否"],
        ["2023000001", "", "记过", "是"],
        ["2023000009", "", "警告", "否"],
    ]))
    imported(container, actor, "majors", write_xlsx(tmp_path / "m.xlsx", [
        ["专科专业", "可报考本科专业"], ["软件技术", "计算机类"], ["电子商务", "电子商务"],
    ]))
    rows = container.reference.source_rows("2023000001", ID1, "软件技术(移动应用开发)")
    assert [(r.row, r.name, r.fields["status"], r.list_file) for r in rows["academic"]] == [(2, "张三", "在籍", "a.xlsx")]
    assert [(r.row, r.fields["action"]) for r in rows["conduct"]] == [(2, "警告"), (3, "记过")]
    assert [(r.row, r.fields["allowed"]) for r in rows["majors"]] == [(2, "计算机类")]
    assert container.reference.source_rows("", "", "") == {"academic": [], "conduct": [], "majors": []}
    assert container.reference.source_rows("2099", "", "机械")["majors"] == []


def test_missing_required_per_kind() -> None:
    assert missing_required("academic", set()) == ["name", "student_no"]
    assert missing_required("academic", {"name", "id_number"}) == []
    assert missing_required("conduct", {"student_no"}) == ["action"]
    assert missing_required("majors", {"major"}) == ["allowed"]
