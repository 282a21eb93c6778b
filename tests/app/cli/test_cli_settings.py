"""``regdesk-cli review approve-clean``, ``waiver signed`` and ``settings show|set``, in-process."""

from __future__ import annotations

import datetime as dt
import json

from openpyxl import Workbook

from app.domain.review import default_graduation_year
from tests.app.cli.cli_helpers import run

YEAR = default_graduation_year(dt.date.today())  # the season's graduates


def test_approve_clean_needs_a_run_then_passes_only_clean_candidates(desk, capsys, tmp_path):
    data, people = desk
    code, _out, err = run(capsys, "--data", data, "review", "approve-clean")
    assert code == 1 and "还没有运行过" in err
    wb = Workbook()
    ws = wb.active
    ws.append(["学号", "姓名", "身份证号", "学籍状态", "预计毕业时间"])
    for p in people[1:]:  # the first candidate is missing from the 学籍 list: a finding
        ws.append([p.student_no, p.name, p.id_number, "在籍", f"{YEAR}-06"])
    wb.save(tmp_path / "xueji.xlsx")
    assert run(capsys, "--data", data, "reference", "import", "academic", tmp_path / "xueji.xlsx")[0] == 0
    assert run(capsys, "--data", data, "review", "run")[0] == 0
    code, out, err = run(capsys, "--data", data, "review", "approve-clean", "--office", "academic", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["candidates"] == len(people) - 1 and result["skipped_with_findings"] == 1
    code, text, _ = run(capsys, "--data", data, "review", "approve-clean", "--office", "academic")
    assert code == 0 and "已为 0 名" in text
    assert f"因有比对问题跳过 1 名；已有本部门意见、保持不变 {len(people) - 1} 名" in text
    assert "没有记录任何意见（不是“不通过”）" in text


def test_waiver_signed_toggles_the_form_state(desk, capsys):
    data, people = desk
    key = people[0].student_no
    assert run(capsys, "--data", data, "waiver", "add", key, "--reason", "参加工作")[0] == 0
    code, out, _ = run(capsys, "--data", data, "waiver", "signed", key, "--json")
    assert code == 0 and json.loads(out)["form_signed"] is True
    code, text, _ = run(capsys, "--data", data, "waiver", "signed", key, "--unsigned")
    assert code == 0 and "未签字" in text
    code, _out, err = run(capsys, "--data", data, "waiver", "signed", people[1].student_no)
    assert code == 1 and err.startswith("错误：")


def test_settings_show_and_set(desk, capsys):
    data, _people = desk
    code, out, _ = run(capsys, "--data", data, "settings", "show", "--json")
    assert code == 0 and json.loads(out)["settings"]["graduation_year"] == YEAR
    code, text, _ = run(capsys, "--data", data, "settings", "set", "publicity_start=2026/3/10")
    assert code == 0 and "2026-03-10" in text
    code, out, _ = run(capsys, "--data", data, "settings", "show", "--json")
    assert json.loads(out)["settings"]["publicity_start"] == "2026-03-10"
    code, _out, err = run(capsys, "--data", data, "settings", "set", "publicity_start")
    assert code == 1 and "KEY=VALUE" in err
    code, _out, err = run(capsys, "--data", data, "settings", "set", "colour=red")
    assert code == 1 and "未知的设置" in err
    code, _out, err = run(capsys, "--data", data, "settings", "set", "graduation_year=明年")
    assert code == 1 and "四位年份" in err


def test_settings_set_takes_several_and_checks_all_before_storing_any(desk, capsys):
    data, _people = desk
    code, out, _ = run(capsys, "--data", data, "settings", "set", "publicity_start=2026-03-10",
                       "publicity_end=2026.3.16", "--json")
    assert code == 0 and json.loads(out)["settings"] == {"publicity_start": "2026-03-10", "publicity_end": "2026-03-16"}
    code, _out, err = run(capsys, "--data", data, "settings", "set", "publicity_start=2026-04-01",
                          "graduation_year=明年")
    assert code == 1 and "四位年份" in err
    code, out, _ = run(capsys, "--data", data, "settings", "show", "--json")
    assert json.loads(out)["settings"]["publicity_start"] == "2026-03-10"  # nothing stored


def test_usage_errors_are_in_chinese(desk, capsys):
    data, _people = desk
    code, _out, err = run(capsys, "--data", data, "settings", "bogus")
    assert code == 2 and "无效的选择：'bogus'" in err and "invalid choice" not in err
    code, _out, err = run(capsys, "--data", data, "review", "decide")
    assert code == 2 and "缺少必需的参数" in err and "required" not in err
    code, _out, err = run(capsys, "--data", data, "candidate", "show", "1", "2")
    assert code == 2 and "无法识别的参数：2" in err
