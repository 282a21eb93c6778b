"""Putting text into the cells of the workbooks the app writes, so that it stays the text.

openpyxl decides a cell's type from its value: a string starting with “=” becomes a formula that
Excel, WPS and LibreOffice compute when the file is opened (``=cmd|' /C calc'!A0`` typed into 班级
would run a program on the desk that opens the export), and “#N/A”, “#REF!” … become error
cells. Every string the app writes into a cell goes through ``row`` or ``put`` here, which store
it with the string type, as the user typed it: no apostrophe or space is added to the value.
(“+”, “-” and “@” only start a formula when typed into Excel or read from a CSV; in an .xlsx
string cell they are text already, and stay so.) The app writes no formulas of its own in cells.

Two more things keep the text what the user reads, and the file one that opens:
- A line break is LF, as Excel writes one in a cell; a CR would be read back as LF anyway.
- XML cannot hold most control characters (ESC, \\x01 …), and openpyxl refuses the whole workbook
  for one of them; they are invisible, so they are left out.
- Excel and python-calamine (the app's own reader) decode ``_x0041_`` in a cell to “A”; a literal
  ``_xHHHH_`` is written with its underscore escaped (``_x005F_``), so it reads back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def row(ws: Worksheet, values: Iterable[object]) -> list[object]:
    """``values`` ready for ``ws.append``: each string as a text cell, anything else as it is."""
    out: list[object] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(ws)
            _set_text(cell, value)
            out.append(cell)
        else:
            out.append(value)
    return out


def put(ws: Worksheet, row_no: int, column: int, value: object) -> Cell:
    """``ws.cell(row_no, column, value)``, with a string stored as text."""
    cell = ws.cell(row_no, column)
    if isinstance(value, str):
        _set_text(cell, value)
    elif value is not None:
        cell.value = value
    return cell


def _set_text(cell: Cell, text: str) -> None:
    if "\r" in text:
        # Said here rather than left to the XML reader, which turns a bare CR into LF anyway.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "_x" in text:
        text = _ESCAPE_LIKE.sub("_x005F_", text)
    try:
        cell.value = text
    except IllegalCharacterError:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    # openpyxl typed it from the value (formula, error); what the app writes is the text.
    if cell.data_type != "s":
        cell.data_type = "s"
