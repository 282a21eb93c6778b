"""The workbooks the services write (roster export, rejected-rows workbook, the forms' .xlsx):
text that starts like a formula or an error (“=cmd|…”, “#N/A”) is stored and read back as text,
in openpyxl, in the app's own import and in LibreOffice."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update

from db.models import Candidate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# Every free-text field of a candidate, each starting the way a formula or an error does.
HOSTILE = {
    "class_name": "=cmd|' /C calc'!A0",
    "counsellor": "+SUM(1,2)",
    "major": "-2+3",
    "intended_major": "@SUM(A1:A2)",
    "veteran_merits": "=HYPERLINK(\"http://example.com/x\",\"点这里\")",
    "award_name": "\t=1+1",
    "note": "#N/A",
    "ethnicity": "=2*3",
}
WAIVER_REASON = "=HYPERLINK(\"http://example.com\",\"准备就业\")"


def stored(container, key: str):
    return container.candidates.get(key).data


@pytest.fixture
def hostile(container, actor, make_candidate_raw):
    """Three candidates: one with every free-text field hostile, one with a literal ``_x0041_``,
    one whose note holds control characters (as rows imported before they were cleaned do)."""
    first = container.candidates.create(actor, make_candidate_raw(0, **HOSTILE))
    container.candidates.create(actor, make_candidate_raw(1, note="见_x0041_附件", class_name="#REF!"))
    third = container.candidates.create(actor, make_candidate_raw(2))
    with container.db.transaction() as s:
        s.execute(update(Candidate).where(Candidate.uuid == third.uuid).values(note="备注\x1b说明\x01"))
    data = first.data
    # Stored as typed (less surrounding white space): the export has real formula-like text to keep.
    assert all(re.match(r"[=+\-@#]", getattr(data, k)) for k in HOSTILE), data
    return container


def all_cells(path: Path):
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def assert_no_formula_or_error(path: Path) -> list[str]:
    cells = all_cells(path)
    bad = [(c.coordinate, c.value, c.data_type) for c in cells if c.data_type in ("f", "e")]
    assert bad == [], f"{path.name}: cells written as formulas or errors: {bad}"
    return [c.value for c in cells if isinstance(c.value, str)]


# -- text stays text ---------------------------------------------------------------------------------
def test_roster_export_stores_formula_like_text_as_text_and_reads_it_back(hostile, tmp_path: Path) -> None:
    c = hostile
    out = tmp_path / "导出.xlsx"
    c.roster.export(c.actor, out)
    texts = assert_no_formula_or_error(out)
    first = stored(c, "2023000000")
    for key in HOSTILE:
        assert getattr(first, key) in texts, key
    assert "见_x0041_附件" not in texts  # escaped in the file (Excel would show “见A附件” otherwise) …
    assert "备注说明" in texts  # control characters left out rather than refusing the export

    # … and the app's own reader gives back exactly what is stored, field by field.
    preview = c.roster.preview(out)
    assert preview.counts == {"new": 0, "changed": 1, "unchanged": 2, "rejected": 0}
    [changed] = [r for r in preview.rows if r.kind == "changed"]
    assert changed.changes == {"note": ("备注\x1b说明\x01", "备注说明")}  # only the invisible characters
    read = {r.data.student_no: r.data for r in preview.rows}
    for key in HOSTILE:
        assert getattr(read["2023000000"], key) == getattr(first, key), key
    assert read["2023000001"].note == "见_x0041_附件"
    assert read["2023000001"].class_name == "#REF!"


def test_rejected_rows_workbook_stores_formula_like_text_as_text(container, tmp_path: Path, make_candidate_raw) -> None:
    """The rows come from a hostile CSV: whatever the cells said is written back as the same text."""
    raw = make_candidate_raw(0)
    headers = ["学号", "姓名", "身份证号", "班级", "辅导员", "备注"]
    cells = [raw["student_no"], raw["name"], "=1+2", "=cmd|' /C calc'!A0", "@SUM(A1)", "\t-1+1"]
    source = tmp_path / "名单.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([headers, cells])
    preview = container.roster.preview(source)
    assert len(preview.rejected) == 1
    out = container.roster.save_rejected(preview, tmp_path / "错误行.xlsx")
    texts = assert_no_formula_or_error(out)
    for text in cells[2:5]:
        assert text in texts
    assert any(t.endswith("-1+1") for t in texts)
    assert any("身份证号" in t for t in texts)  # the reason column


def test_form_workbooks_store_formula_like_text_as_text(hostile, actor, tmp_path: Path) -> None:
    c = hostile
    c.waivers.add(actor, "2023000001", WAIVER_REASON)
    for form in ("summary", "waiver_list"):
        result = c.printing.print_form(actor, form, tmp_path / f"{form}.pdf", tmp_path / f"{form}.xlsx")
        texts = assert_no_formula_or_error(result.xlsx)
        if form == "summary":
            for key in ("class_name", "major", "intended_major"):
                assert HOSTILE[key] in texts, key
        else:
            assert WAIVER_REASON in texts


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) 未安装：apt-get install libreoffice-calc-nogui")
def test_libreoffice_shows_the_text_not_a_computed_value(hostile, actor, tmp_path: Path) -> None:
    c = hostile
    books = {"export": c.roster.export(c.actor, tmp_path / "export.xlsx") and tmp_path / "export.xlsx",
             "summary": c.printing.print_form(actor, "summary", tmp_path / "s.pdf", tmp_path / "summary.xlsx").xlsx}
    out = tmp_path / "csv"
    # 44,34,76: comma, double quote, UTF-8. Its own profile, so a desktop LibreOffice is not disturbed.
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--norestore", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                           str(out), *map(str, books.values())], capture_output=True, timeout=240)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    shown = {}
    for name, path in books.items():
        csv_path = out / (Path(path).stem + ".csv")
        assert csv_path.is_file(), proc.stdout.decode(errors="replace")
        with csv_path.open(encoding="utf-8", newline="") as fh:
            shown[name] = {cell for row in csv.reader(fh) for cell in row}
    first = stored(c, "2023000000")
    for key in HOSTILE:
        assert getattr(first, key) in shown["export"], (key, getattr(first, key))
    assert "见_x0041_附件" in shown["export"] and "#REF!" in shown["export"]
    for key in ("class_name", "major", "intended_major"):
        assert HOSTILE[key] in shown["summary"], key
    # What the formulas would have shown: =1+1, =2*3, the link's text, LibreOffice's errors.
    assert not shown["export"] & {"2", "6", "点这里"}
    assert not [t for t in shown["export"] | shown["summary"] if t.startswith(("Err:", "#NAME?", "#VALUE!"))]
