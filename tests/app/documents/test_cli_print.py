"""``regdesk-cli print`` and ``regdesk-cli verify-page``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import select

from app.cli import main
from db.models import Candidate


def _cli(capsys, desk, *args: str) -> tuple[int, str, str]:
    code = main(["--data", str(desk.container.data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_print_then_verify_then_edit(desk, capsys, tmp_path: Path) -> None:
    pdf, sheet = tmp_path / "附件3.pdf", tmp_path / "附件3.xlsx"
    code, out, _ = _cli(capsys, desk, "print", "附件3", "--out", str(pdf), "--xlsx", str(sheet), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ok"] and result["form"] == "summary" and result["pages"] >= 3 and pdf.is_file() and sheet.is_file()

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "s")], check=True)
    scan = next(tmp_path.glob("s-*1.png"))
    code, out, _ = _cli(capsys, desk, "verify-page", str(scan))
    assert code == 0 and out.startswith("一致：")

    with desk.container.db.transaction() as s:
        # The first row of page 1: 附件3 is in class, then student-number order.
        first = min((p for p in desk.all if p.status != "waived"), key=lambda p: (p.class_name, p.student_no))
        victim = s.scalar(select(Candidate).where(Candidate.uuid == first.uuid))
        name = victim.name
        victim.phone = "13700000000"
    code, _, err = _cli(capsys, desk, "verify-page", str(scan))
    assert code == 1 and err.startswith("不一致：") and f"{name}：联系电话：" in err

    code, out, _ = _cli(capsys, desk, "verify-page", str(pdf), "--json")
    checks = json.loads(out)
    assert code == 1 and not checks["ok"] and len(checks["pages"]) == result["pages"]
    assert checks["pages"][0]["status"] == "differs" and checks["pages"][0]["differences"][0]["name"] == name
    assert all(p["status"] == "match" for p in checks["pages"][1:])


def test_print_errors_are_in_chinese(desk, capsys, tmp_path: Path) -> None:
    # 附件1 without --student: every waived student, one page each, in one PDF.
    code, out, _ = _cli(capsys, desk, "print", "附件1", "--out", str(tmp_path / "a.pdf"), "--json")
    batch = json.loads(out)
    assert code == 0 and batch["students"] == len(batch["documents"]) >= 1 and (tmp_path / "a.pdf").is_file()
    code, _, err = _cli(capsys, desk, "print", "附件1", "--out", str(tmp_path / "b.pdf"), "--xlsx",
                        str(tmp_path / "b.xlsx"))
    assert code == 1 and "--xlsx" in err
    code, _, err = _cli(capsys, desk, "print", "公示", "--out", str(tmp_path / "c.pdf"), "--class", "某班")
    assert code == 1 and "只有附件3可以按班级打印" in err
    code, _, err = _cli(capsys, desk, "print", "附件3", "--out", str(tmp_path / "a.txt"))
    assert code == 1 and ".pdf" in err
    code, _, err = _cli(capsys, desk, "print", "表9", "--out", str(tmp_path / "a.pdf"))
    assert code == 1 and "未知的表格" in err
    code, out, _ = _cli(capsys, desk, "print", "公示", "--out", str(tmp_path / "p.pdf"))
    assert code == 0 and "已打印公示" in out
    blank = tmp_path / "blank.png"
    import cv2
    import numpy as np

    cv2.imwrite(str(blank), np.full((300, 300, 3), 255, np.uint8))
    code, _, err = _cli(capsys, desk, "verify-page", str(blank))
    assert code == 1 and err.startswith("无法核对：")


def test_form_names_of_the_command_line_contract(desk, capsys, tmp_path: Path) -> None:
    """DESIGN §7 names the forms waiver, waiver-list, summary, review-report and publicity."""
    waived = next(p for p in desk.all if p.status == "waived")
    for name, form in (("waiver-list", "waiver_list"), ("review-report", "review_report"),
                       ("summary", "summary"), ("publicity", "publicity")):
        code, out, err = _cli(capsys, desk, "print", name, "--out", str(tmp_path / f"{name}.pdf"), "--json")
        assert code == 0, err
        assert json.loads(out)["form"] == form
    code, out, err = _cli(capsys, desk, "print", "waiver", "--student", waived.student_no,
                          "--out", str(tmp_path / "w.pdf"), "--json")
    assert code == 0, err
    assert json.loads(out)["form"] == "waiver_form"
    code, _, err = _cli(capsys, desk, "print", "slips9", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "waiver-list（" not in err and "（waiver-list）" in err
