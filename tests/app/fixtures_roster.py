"""Messy rosters for the import tests, written into ``tmp_path`` the way real exports look.

Student-affairs exports carry a merged title row, a date line, blank rows, spaced or bracketed
headers (“姓 名”, “院（系）”), names padded with full-width spaces and ID numbers that Excel
turned into numbers; these helpers write such files with openpyxl and the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from app.domain import idnumber

HEADERS = ["序号", "姓 名", "性别", "身份证号码", "学号", "院（系）", "班级", "联系电话", "考生类别"]
COLLEGE = "信息工程学院"

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
          "秀兰", "霞", "平", "刚", "桂英", "子涵", "浩然", "雨桐", "梓萱", "一诺", "宇轩", "欣怡"]


def id_for(i: int, male: bool = True) -> str:
    """A valid ID number, different for each ``i`` (odd sequence = male, even = female)."""
    birth = dt.date(2002, 1, 1) + dt.timedelta(days=i % 1400)
    seq = (i // 1400) % 400 * 2 + (1 if male else 2)
    return idnumber.make("410302", birth, seq)


def name_for(i: int) -> str:
    return _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i // len(_SURNAMES)) % len(_GIVEN)]


def person(i: int, **changes: object) -> dict[str, object]:
    """One student as a row dict keyed by ``HEADERS``."""
    male = i % 3 != 0
    row: dict[str, object] = {
        "序号": i + 1, "姓 名": name_for(i), "性别": "男" if male else "女", "身份证号码": id_for(i, male),
        "学号": f"2023{i:05d}", "院（系）": COLLEGE, "班级": f"计算机2023级{i % 4 + 1}班",
        "联系电话": f"138{i:08d}", "考生类别": "普通考生",
    }
    row.update(changes)
    return row


def write_xlsx(path: Path, rows: Sequence[dict[str, object] | None], *, headers: Sequence[str] = HEADERS,
               title: str | None = f"{COLLEGE}2026年专升本报名学生名单", date_line: bool = True,
               blank_after_header: bool = True, sheet: str = "学生名单", text_ids: bool = True) -> Path:
    """A roster sheet; ``None`` in ``rows`` writes a blank row. Returns ``path``.

    Layout with the defaults: row 1 the merged title, row 2 the date line, row 3 blank, row 4 the
    header, row 5 blank, data from row 6.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        if date_line:
            ws.append(["制表日期：2026年3月1日"])
        ws.append([])
    ws.append(list(headers))
    if blank_after_header:
        ws.append([])
    for row in rows:
        ws.append([] if row is None else [row.get(h, "") for h in headers])
        if text_ids and row is not None:
            for col, h in enumerate(headers, start=1):
                if "身份证" in h and isinstance(row.get(h), str):
                    ws.cell(ws.max_row, col).number_format = "@"
    wb.save(path)
    return path


def write_csv(path: Path, rows: Sequence[dict[str, object] | None], *, encoding: str = "utf-8",
              headers: Sequence[str] = HEADERS, delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(headers)
        for row in rows:
            w.writerow([] if row is None else ["" if row.get(h) is None else row.get(h) for h in headers])
    return path


def roster(n: int, start: int = 0) -> list[dict[str, object] | None]:
    return [person(i) for i in range(start, start + n)]


def legacy_xls(path: Path) -> Path:
    """An OLE2 compound file with a ``Workbook`` stream name, as Excel 97-2003 writes."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
    directory = "Workbook".encode("utf-16-le").ljust(64, b"\0") + b"\0" * 448
    path.write_bytes(header + directory)
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 file, not a zip."""
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"junk, no zip directory here" * 20)
    return path


def corrupt_xlsx(path: Path) -> Path:
    """A .xlsx cut short by a failed download: a zip local header and nothing behind it."""
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 50)
    return path


def empty_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    return path


def headerless_xlsx(path: Path) -> Path:
    """Data without a header row (someone deleted it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(5):
        p = person(i)
        ws.append([p[h] for h in HEADERS])
    wb.save(path)
    return path
