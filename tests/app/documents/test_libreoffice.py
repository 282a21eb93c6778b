"""LibreOffice opens every .xlsx the forms write: each converts to PDF headless, with the expected
names and the signature labels in it (one ``soffice`` call for all five, with its own profile)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.documents import publicity, review_report, summary, waiver_form, waiver_list

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) 未安装：apt-get install libreoffice-calc-nogui 后再运行此测试")


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    return re.sub(r"\s+", "", out)


def test_every_xlsx_converts_with_names_and_signatures(desk, tmp_path: Path) -> None:
    c = desk.container
    waived = desk.by_status["waived"][0]
    forms = {
        "waiver_form": (waiver_form, [waived]),
        "waiver_list": (waiver_list, desk.by_status["waived"]),
        "summary": (summary, [p for p in desk.all if p.status != "waived"]),
        "review_report": (review_report, desk.by_status["ineligible"]),
        "publicity": (publicity, desk.by_status["eligible"]),
    }
    sheets = []
    (tmp_path / "xlsx").mkdir()
    for form in forms:
        result = c.printing.print_form(desk.actor, form, tmp_path / f"{form}.pdf", tmp_path / "xlsx" / f"{form}.xlsx",
                                       student=waived.student_no if form == "waiver_form" else None)
        sheets.append(result.xlsx)
    out = tmp_path / "lo"
    profile = (tmp_path / "profile").as_uri()
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(out), *map(str, sheets)],
                          capture_output=True, timeout=240)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for form, (mod, people) in forms.items():
        pdf = out / f"{form}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {form}.xlsx: {proc.stdout.decode(errors='replace')}"
        text = _text(pdf)
        assert people
        for p in people:
            assert p.name in text, f"{form}: {p.name} missing"
        for label in mod.SIGNATURES:
            assert re.sub(r"\s+", "", label) in text, f"{form}: signature label {label} missing"
        if form == "publicity":
            assert not any(p.id_number in text for p in desk.all)
