"""``regdesk-cli reference import``, ``review run|decide|list`` and ``waiver add|revoke``, in-process."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from app.domain.review import default_graduation_year
from tests.app.cli.cli_helpers import run, run_json

YEAR = default_graduation_year(dt.date.today())  # the season's graduates


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def academic_file(tmp_path: Path, people: list, **status_of: str) -> Path:
    rows: list[list[object]] = [["学号", "姓名", "身份证号", "学籍状态", "预计毕业时间"]]
    for p in people:
        rows.append([p.student_no, p.name, p.id_number, status_of.get(p.student_no, "在籍"), f"{YEAR}-06"])
    return write_xlsx(tmp_path / "xueji.xlsx", rows)


def test_reference_import_review_run_and_list(desk, capsys, tmp_path: Path) -> None:
    data, people = desk
    first, second = people[0], people[1]
    path = academic_file(tmp_path, people[1:], **{second.student_no: "休学"})
    code, out, err = run_json(capsys, "--data", data, "reference", "import", "academic", path)
    assert code == 0, err
    assert out["rows"] == len(people) - 1 and out["problems"] == [] and out["result"]["replaced"] is False
    code, out, _ = run_json(capsys, "--data", data, "review", "run")
    assert code == 0 and out["counts"] == {"not_in_academic": 1, "status_not_enrolled": 1}
    assert out["first_run"] is True and len(out["warnings"]) == 2
    code, out, _ = run_json(capsys, "--data", data, "review", "list", "--finding", "status_not_enrolled")
    assert code == 0 and [c["name"] for c in out["candidates"]] == [second.name]
    finding = out["candidates"][0]["findings"][0]
    assert finding["source"]["学籍状态"] == "休学" and finding["source_row"] == 2
    code, text, _ = run(capsys, "--data", data, "review", "list")
    heads = [line.split()[0] for line in text.splitlines() if not line.startswith(" ")]
    assert sorted(heads[:2]) == sorted([first.student_no, second.student_no])  # with findings first
    assert len(heads) == len(people)
    assert "未在教务处学籍名单中找到" in text
    # A second list: the change is reported.
    path = academic_file(tmp_path, people)
    run(capsys, "--data", data, "reference", "import", "academic", path)
    code, text, _ = run(capsys, "--data", data, "review", "run")
    assert code == 0 and "与上次比对相比，2 名考生有变化" in text and "已消除：学籍状态为“休学”，不是在籍" in text


def test_reference_import_problems_and_mapping(desk, capsys, tmp_path: Path) -> None:
    data, people = desk
    path = write_xlsx(tmp_path / "cf.xlsx", [["学号", "姓名", "记录"], [people[0].student_no, "x", "警告"]])
    code, out, err = run_json(capsys, "--data", data, "reference", "import", "conduct", path)
    assert code == 1 and out["error"]["kind"] == "mapping_needed" and "action" in out["error"]["fields"]
    assert "处分" in err
    code, out, _ = run_json(capsys, "--data", data, "reference", "import", "conduct", path,
                            "--map", "记录=action", "--dry-run")
    assert code == 0 and out["dry_run"] and out["result"] is None
    bad = write_xlsx(tmp_path / "bad.xlsx", [["学号", "姓名", "身份证号"], ["2023", "张三", "123"]])
    code, text, _ = run(capsys, "--data", data, "reference", "import", "academic", bad)
    assert code == 0 and "第 2 行 C 列（身份证号）：" in text
    code, _, err = run(capsys, "--data", data, "reference", "import", "academic", tmp_path / "none.xlsx")
    assert code == 1 and "找不到文件" in err
    code, _, _ = run(capsys, "--data", data, "reference", "import", "grades", bad)
    assert code == 2


def test_review_decide(desk, capsys) -> None:
    data, people = desk
    key = people[0].student_no
    code, _, err = run(capsys, "--data", data, "review", "decide", key, "--office", "academic", "--fail")
    assert code == 1 and "必须填写意见" in err
    code, _, _ = run(capsys, "--data", data, "review", "decide", key, "--office", "academic")
    assert code == 2  # --pass or --fail is required
    code, text, _ = run(capsys, "--data", data, "review", "decide", key, "--office", "academic", "--fail",
                        "--opinion", "休学中")
    assert code == 0 and "教务处审核不通过" in text and "审核未通过" in text and "休学中" in text
    for office in ("academic", "conduct", "college"):
        code, out, _ = run_json(capsys, "--data", data, "review", "decide", key, "--office", office, "--pass")
        assert code == 0
    assert out["candidate"]["status"] == "eligible"
    assert set(out["candidate"]["decisions"]) == {"academic", "conduct", "college"}
    code, out, _ = run_json(capsys, "--data", data, "review", "list", "--status", "eligible")
    assert [c["student_no"] for c in out["candidates"]] == [key]


def test_waiver_add_and_revoke(desk, capsys) -> None:
    data, people = desk
    key = people[2].student_no
    code, out, err = run_json(capsys, "--data", data, "waiver", "add", key, "--reason", "已就业",
                              "--date", "2026-12-01")
    assert code == 0, err
    assert out["status"] == "waived" and out["date"] == "2026-12-01"
    code, _, err = run(capsys, "--data", data, "waiver", "add", key, "--reason", "again")
    assert code == 1 and "已登记" in err
    code, text, _ = run(capsys, "--data", data, "waiver", "revoke", key, "--reason", "改变主意")
    assert code == 0 and "在册" in text
    code, _, err = run(capsys, "--data", data, "waiver", "add", key, "--reason", "x", "--date", "某天")
    assert code == 1 and "不是有效日期" in err
    code, _, err = run(capsys, "--data", data, "waiver", "revoke", "nobody", "--reason", "x")
    assert code == 1 and "找不到考生" in err


def test_review_run_without_list(desk, capsys) -> None:
    data, _people = desk
    code, out, _ = run_json(capsys, "--data", data, "review", "run")
    assert code == 1 and "教务处学籍名单" in out["error"]["message"]


def test_review_run_says_its_year_and_changes_are_shown_again(desk, capsys, tmp_path: Path) -> None:
    data, people = desk
    run(capsys, "--data", data, "reference", "import", "academic", academic_file(tmp_path, people))
    code, out, _ = run_json(capsys, "--data", data, "review", "run")
    assert code == 0 and out["graduation_year"] == YEAR and out["graduation_year_source"] == "default"
    code, text, _ = run(capsys, "--data", data, "review", "run")
    assert f"毕业年份：{YEAR} 届（未设置，按今天的日期推定；可在设置中修改）" in text
    run(capsys, "--data", data, "settings", "set", f"graduation_year={YEAR + 1}")
    code, out, _ = run_json(capsys, "--data", data, "review", "run")
    assert (out["graduation_year"], out["graduation_year_source"]) == (YEAR + 1, "setting")
    assert out["counts"] == {"not_graduating": len(people)} and len(out["changes"]) == len(people)
    code, again, _ = run_json(capsys, "--data", data, "review", "changes")
    assert code == 0 and again["changes"] == out["changes"] and again["graduation_year"] == YEAR + 1
    assert again["run_at"] and again["actor"]
    code, text, _ = run(capsys, "--data", data, "review", "changes")
    assert code == 0 and "上次比对：" in text and f"毕业年份：{YEAR + 1} 届（设置）" in text
    assert f"新增：预计毕业时间为“{YEAR}-06”，不是 {YEAR + 1} 届毕业生" in text


def test_review_changes_before_any_run(desk, capsys) -> None:
    data, _people = desk
    code, _, err = run(capsys, "--data", data, "review", "changes")
    assert code == 1 and "还没有运行过资格审查比对" in err


def test_reopened_and_stale_decisions_on_the_command_line(desk, capsys, tmp_path: Path) -> None:
    data, people = desk
    first, second = people[0], people[1]
    run(capsys, "--data", data, "reference", "import", "academic",
        academic_file(tmp_path, people, **{second.student_no: "休学"}))
    run(capsys, "--data", data, "review", "run")
    run(capsys, "--data", data, "review", "decide", second.student_no, "--office", "academic", "--fail",
        "--opinion", "休学中")
    code, out, _ = run_json(capsys, "--data", data, "review", "approve-clean")
    assert code == 0 and out["candidates"] == len(people) - 1 and out["skipped_with_findings"] == 1
    assert out["offices"]["academic"] == {"approved": len(people) - 1, "skipped_with_findings": 0,
                                          "skipped_decided": 1, "needs_review": 0}
    # Now the first student is 休学 and the second is back: one pass re-opened, one fail stale.
    run(capsys, "--data", data, "reference", "import", "academic",
        academic_file(tmp_path, people, **{first.student_no: "休学"}))
    code, out, _ = run_json(capsys, "--data", data, "review", "run")
    assert out["reopened"] == 2 and out["needs_review"] == 2
    change = next(c for c in out["changes"] if c["student_no"] == first.student_no)
    assert (change["status_before"], change["status_after"]) == ("eligible", "roster")
    assert change["decisions"][0]["office"] == "academic" and change["decisions"][0]["standing"] == "reopened"
    code, out, _ = run_json(capsys, "--data", data, "review", "list", "--needs-review")
    assert [c["student_no"] for c in out["candidates"]] == sorted([first.student_no, second.student_no])
    stale = next(c for c in out["candidates"] if c["student_no"] == second.student_no)
    assert stale["needs_review"] and stale["status"] == "roster"
    assert stale["decisions"]["academic"]["standing"] == "stale"
    assert stale["decisions"]["academic"]["standing_label"] == "依据已消除，需重新审核"
    assert stale["decisions"]["academic"]["basis"] == ["学籍状态为“休学”，不是在籍"]
    code, text, _ = run(capsys, "--data", data, "review", "list", "--needs-review")
    assert "【需重新审核】" in text and "【依据已消除，需重新审核：已消除：学籍状态为“休学”，不是在籍】" in text
    code, text, _ = run(capsys, "--data", data, "review", "approve-clean")
    # Both academic decisions wait for a person; the second student (clean now) gets the other two.
    assert "教务处：通过 0 名；已有本部门意见、保持不变 10 名；意见需重新审核、跳过 2 名。" in text
    assert "学生处：通过 1 名；已有本部门意见、保持不变 11 名。" in text
    assert "2 名考生的审核意见已不成立" in text
    # Printing the 公示 says who is not settled, on stderr; the file is still written.
    pdf = tmp_path / "pub.pdf"
    code, out, err = run_json(capsys, "--data", data, "print", "publicity", "--out", pdf)
    assert code == 0 and pdf.is_file() and out["warnings"]
    assert "注意：2 名考生的审核意见已不成立" in err and first.name in err and second.name in err
