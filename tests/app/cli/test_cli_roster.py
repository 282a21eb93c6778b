"""``regdesk-cli roster import|export|template``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.demo.service import PROGRAMME_YEARS
from app.domain import idnumber
from app.settings.service import DEFINITIONS
from tests.app.cli.cli_helpers import open_desk, run, run_json
from tests.raw_sql import connect_folder

# The first seat of the first demo class (the cohort graduating in this season's graduation year).
KEY = f"{DEFINITIONS['graduation_year'].default() - PROGRAMME_YEARS}010101"


# -- roster -----------------------------------------------------------------------------------
def _workbook(path: Path, headers: list[str], rows: list[list[object]], title: str | None = "2026年专升本报名名单"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _person(n: int, *, male: bool = True) -> list[object]:
    """姓名, 性别, 学号, 身份证号码, 班级, 联系电话 for a new (non-demo) student."""
    number = idnumber.make("410305", dt.date(2003, 5, 1 + n), 2 * n + (1 if male else 2))
    return [f"测试{'甲乙丙丁戊己'[n]}", "男" if male else "女", f"2099{n:04d}", number, "软件技术2023级9班",
            f"1370000{n:04d}"]


HEADERS = ["姓名", "性别", "学号", "身份证号码", "班级", "联系电话"]


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    """Title row, header on row 2, three good rows (3–5) and one with a wrong check digit (row 6, column D)."""
    bad = _person(3)
    bad[3] = bad[3][:-1] + ("0" if bad[3][-1] != "0" else "1")
    return _workbook(tmp_path / "名单.xlsx", HEADERS, [_person(0), _person(1, male=False), _person(2), bad])


def _audit_count(data: Path) -> int:
    con = connect_folder(data)
    try:
        return con.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    finally:
        con.close()


def test_roster_import_dry_run_previews_and_writes_nothing(capsys, data, roster_file):
    events = _audit_count(data)
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", roster_file, "--dry-run")
    assert code == 0, err
    assert obj["ok"] is True and obj["dry_run"] is True and obj["result"] is None
    assert obj["counts"] == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 1}
    assert obj["header_row"] == 2
    (rejected,) = obj["rejected"]
    assert rejected["row"] == 6
    problem = rejected["problems"][0]
    assert (problem["column"], problem["field"]) == ("D", "id_number")
    assert problem["text"].startswith("第 6 行 D 列（身份证号码）：") and "校验位" in problem["text"]
    assert _audit_count(data) == events
    c = open_desk(data)
    try:
        assert c.candidates.count() == 60
    finally:
        c.close()


def test_roster_import_commits_good_rows_and_reports_the_rest(capsys, data, roster_file, tmp_path):
    report = tmp_path / "有误.xlsx"
    code, out, err = run(capsys, "--data", data, "roster", "import", roster_file, "--report", report)
    assert code == 0, err
    assert "新增 3，变更 0，未变 0，有误 1" in out
    assert "第 6 行 D 列（身份证号码）：" in out
    assert "已导入：新增 3，更新 0" in out
    assert report.exists() and str(report) in out
    from openpyxl import load_workbook

    wb = load_workbook(report)
    cells = [str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None]
    wb.close()
    assert "错误原因" in cells and any("校验位" in v for v in cells)

    c = open_desk(data)
    try:
        assert c.candidates.count() == 63
        assert c.candidates.get("20990001").data.gender == "女"
    finally:
        c.close()
    # The same file again: nothing new, nothing duplicated.
    code, obj, _ = run_json(capsys, "--data", data, "roster", "import", roster_file)
    assert code == 0
    assert obj["counts"] == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 1}
    assert obj["result"]["created"] == 0


def test_roster_import_updates_changed_rows(capsys, data, roster_file, tmp_path):
    assert run(capsys, "--data", data, "roster", "import", roster_file)[0] == 0
    moved = _person(0)
    moved[4] = "软件技术2023级8班"
    changed = _workbook(tmp_path / "新名单.xlsx", HEADERS, [moved])
    code, out, _ = run(capsys, "--data", data, "roster", "import", changed, "--dry-run")
    assert code == 0 and "第 3 行 测试甲：班级：软件技术2023级9班 → 软件技术2023级8班" in out
    code, obj, _ = run_json(capsys, "--data", data, "roster", "import", changed)
    assert code == 0
    assert obj["counts"]["changed"] == 1 and obj["result"]["updated"] == 1
    assert obj["changed"][0]["changes"] == {"class_name": {"before": "软件技术2023级9班",
                                                           "after": "软件技术2023级8班"}}
    code, hist, _ = run_json(capsys, "--data", data, "audit", "list", "--candidate", "20990000")
    assert hist["events"][0]["action"] == "candidate.update"
    assert hist["events"][0]["after"]["class_name"] == "软件技术2023级8班"


def test_roster_import_asks_for_a_mapping_and_map_supplies_it(capsys, data, tmp_path):
    odd = ["甲栏", "性别", "学号", "乙栏", "班级"]
    rows = [[r[0], r[1], r[2], r[3], r[4]] for r in (_person(0), _person(1, male=False))]
    path = _workbook(tmp_path / "奇怪的表头.xlsx", odd, rows)
    code, out, err = run(capsys, "--data", data, "roster", "import", path)
    assert code == 1 and out == ""
    assert err.startswith("错误：")
    assert "甲栏" in err and "乙栏" in err and "--map" in err and "id_number" in err and "身份证号" in err
    code, out, err = run(capsys, "--data", data, "roster", "import", path, "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["kind"] == "mapping_needed"
    assert set(error["missing_required"]) == {"name", "id_number"}
    assert "甲栏" in error["headers"] and error["fields"]["id_number"]

    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path,
                              "--map", "甲栏=name", "--map", "乙栏=身份证号")
    assert code == 0, err
    assert obj["counts"]["new"] == 2 and obj["result"]["created"] == 2

    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--map", "甲栏=shoe_size")
    assert code == 1 and "shoe_size" in err
    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--map", "甲栏")
    assert code == 1 and "表头=字段" in err


def test_roster_import_map_can_leave_a_column_out(capsys, data, tmp_path):
    headers = ["姓名", "性别", "学号", "身份证号", "班级", "父母电话"]
    rows = [[*_person(0)[:5], "13900000000"]]
    path = _workbook(tmp_path / "家长电话.xlsx", headers, rows)
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path, "--dry-run", "--map", "父母电话=-")
    assert code == 0, err
    assert "父母电话" not in obj["columns"]
    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--map", "父母电话=忽略")
    assert code == 0, err
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "show", _person(0)[2])
    assert code == 0 and obj["candidate"]["data"]["phone"] == ""


def test_roster_import_bad_files(capsys, data, tmp_path):
    code, _, err = run(capsys, "--data", data, "roster", "import", tmp_path / "nowhere.xlsx")
    assert code == 1 and "找不到文件" in err
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    code, out, err = run(capsys, "--data", data, "roster", "import", legacy)
    assert code == 1 and out == "" and err.startswith("错误：") and ".xlsx" in err


def test_roster_export_and_template(capsys, data, tmp_path):
    from openpyxl import load_workbook

    out_file = tmp_path / "导出.xlsx"
    code, obj, err = run_json(capsys, "--data", data, "roster", "export", out_file)
    assert code == 0, err
    assert obj == {"ok": True, "file": str(out_file), "rows": 60}
    wb = load_workbook(out_file, read_only=True)
    values = {str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v is not None}
    wb.close()
    assert KEY in values
    code, out, _ = run(capsys, "--data", data, "roster", "export", tmp_path / "again.xlsx")
    assert code == 0 and "已导出 60 名考生" in out

    template = tmp_path / "模板.xlsx"
    code, out, _ = run(capsys, "--data", data, "roster", "template", template)
    assert code == 0 and str(template) in out
    wb = load_workbook(template)
    headers = {str(c.value) for row in wb.active.iter_rows(max_row=3) for c in row if c.value}
    wb.close()
    assert any("姓名" in h for h in headers) and any("身份证" in h for h in headers)


def test_roster_import_sheet_chooses_another_sheet(capsys, data, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    first.title = "一班"
    first.append(HEADERS)
    first.append(_person(0))
    second = wb.create_sheet("二班")
    second.append(HEADERS)
    second.append(_person(1, male=False))
    path = tmp_path / "两个班.xlsx"
    wb.save(path)
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path, "--dry-run", "--sheet", "二班")
    assert code == 0, err
    assert obj["sheet"] == "二班" and obj["counts"]["new"] == 1
    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--sheet", "三班")
    assert code == 1 and "没有名为“三班”的工作表" in err and "“一班”、“二班”" in err


def test_a_veteran_without_service_dates_is_imported_and_shown_with_a_todo(capsys, data, tmp_path):
    veteran = _person(5)
    path = _workbook(tmp_path / "v.xlsx", [*HEADERS, "考生类别"], [[*veteran, "退役大学生士兵"]])
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path)
    assert code == 0, err
    assert obj["counts"]["new"] == 1 and obj["counts"]["rejected"] == 0
    assert obj["todos"] == [{"row": 3, "student_no": veteran[2], "id_number": veteran[3],
                             "fields": ["veteran_service_start", "veteran_service_end"]}]
    code, shown, _ = run_json(capsys, "--data", data, "candidate", "show", veteran[2])
    assert [t["field"] for t in shown["candidate"]["todos"]] == ["veteran_service_start", "veteran_service_end"]
    code, out, _ = run(capsys, "--data", data, "candidate", "show", veteran[2])
    assert "待补：退役大学生士兵须补填入伍时间。" in out
