"""Helpers shared by the commands that read spreadsheets (``roster import``, ``reference import``)."""

from __future__ import annotations


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def problem_json(p) -> dict:
    return {"row": p.row, "column": p.column, "header": p.header, "field": p.field, "message": p.message,
            "text": p.text()}
