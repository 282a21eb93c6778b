"""``app.xlsx_safe``: text written into a cell is stored, and read back, as that text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from app import xlsx_safe

# What a hostile or careless cell may start with; each must come back as this exact text.
HOSTILE = ["=cmd|' /C calc'!A0", "=1+1", "+1+2", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"点我\")",
           "\t=1+1", "\n=1+1", "#N/A", "#REF!", "=", "_x0041_", "计算机_x4E00_2201班"]


def read_calamine(path: Path) -> list[list[object]]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_row_and_put_store_every_string_as_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(xlsx_safe.row(ws, [*HOSTILE, 7, 1.5, dt.date(2003, 4, 1), None]))
    for col, text in enumerate(HOSTILE, start=1):
        xlsx_safe.put(ws, 2, col, text)
    out = tmp_path / "t.xlsx"
    wb.save(out)

    back = openpyxl.load_workbook(out).active
    for r in (1, 2):
        for col, text in enumerate(HOSTILE, start=1):
            cell = back.cell(r, col)
            assert cell.data_type == "s", (text, cell.data_type)
            if "_x" not in text:  # openpyxl leaves the _xHHHH_ escape as it is; Excel and calamine decode it
                assert cell.value == text
    n = len(HOSTILE)
    assert [back.cell(1, n + i).value for i in (1, 2, 3)] == [7, 1.5, dt.datetime(2003, 4, 1)]
    assert back.cell(1, n + 4).value is None

    # python-calamine is how the app reads a workbook back in (import, re-import of an export).
    rows = read_calamine(out)
    assert rows[0][:n] == HOSTILE
    assert rows[1][:n] == HOSTILE


def test_invisible_control_characters_are_left_out_not_the_workbook(tmp_path: Path) -> None:
    """openpyxl refuses a whole workbook for one ESC; what the user reads is kept."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(xlsx_safe.row(ws, ["张\x1b三", "a\x00b", "计算机\x012201班", "行一\n行二\t!", "\r=1\r\n2"]))
    xlsx_safe.put(ws, 2, 1, "=\x08cmd")
    out = tmp_path / "c.xlsx"
    wb.save(out)
    assert read_calamine(out)[:2] == [["张三", "ab", "计算机2201班", "行一\n行二\t!", "\n=1\n2"],
                                      ["=cmd", "", "", "", ""]]
    assert openpyxl.load_workbook(out).active["A2"].data_type == "s"


def test_without_the_helper_openpyxl_writes_a_formula(tmp_path: Path) -> None:
    """Why the helper exists: the plain assignment makes a live formula and an error cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["=cmd|' /C calc'!A0", "#N/A"])
    assert [c.data_type for c in ws[1]] == ["f", "e"]
    with pytest.raises(openpyxl.utils.exceptions.IllegalCharacterError):
        ws.append(["张\x1b三"])
