"""National ID numbers (GB 11643-1999): normalise, check, derive birth date and gender."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from operator import mul
from typing import NamedTuple

from app.domain.fields import is_scientific
from app.errors import ValidationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＡ", "0123456789XXA"
)
# Spaces, quotes, dashes and invisible or control characters people and systems leave around a number.
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b-\u200f\u2060\ufeff'’‘\"“”\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069-]+")

EXCEL_HINT = (
    "身份证号被 Excel 当成数字保存，末尾几位已丢失。"
    "请在原表中把该列设置为“文本”格式后重新填写身份证号，再导入。"
)
EXCEL_SHAPED_HINT = (
    "身份证号以数字保存，且与 Excel 只保留 15 位有效数字后的数值相同，无法确认末尾几位是否完整。"
    "请在原表中把该列设置为“文本”格式后重新填写身份证号，再导入。"
)


class IdInfo(NamedTuple):
    number: str
    birth_date: dt.date
    gender: str  # 男 | 女
    area_code: str


_ZERO_OFFSET = ord("0") * sum(WEIGHTS)  # ASCII digits are their value + 48


def check_char(first17: str) -> str:
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("check_char needs the first 17 digits")
    # The weighted sum over the ASCII codes, less 48 × the weights: one C-level pass (an import
    # checks 20,000 numbers).
    total = sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_OFFSET
    return CHECK_CHARS[total % 11]


_today_cache: list[object] = [None, None]  # [date, monotonic deadline]


def _today() -> dt.date:
    """Today's date, read at most once a second (a 20,000-row import asks for every row)."""
    now = time.monotonic()
    if _today_cache[1] is None or now >= _today_cache[1]:  # type: ignore[operator]
        _today_cache[0], _today_cache[1] = dt.date.today(), now + 1.0
    return _today_cache[0]  # type: ignore[return-value]


def normalise(value: object) -> str:
    """Turn a typed or imported value into the string form (no checks beyond the format).

    Spreadsheet numbers: a float of 16 or more digits is what Excel kept of the number (15
    significant digits) and is refused with the Excel hint; shorter ones (the old 15-digit
    numbers) are kept for ``parse`` to explain. An integer is a cell that stored all its digits
    (scripts and many systems write ID numbers so): it is the number, unless its value is exactly
    what Excel's rounding leaves, since then the digits may be Excel's and not the person's.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValidationError("身份证号不能是逻辑值。", "id_number")
    if isinstance(value, int):
        if value >= 10**15 and _excel_shaped(value):
            raise ValidationError(EXCEL_SHAPED_HINT, "id_number")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if not value.is_integer():
            raise ValidationError(EXCEL_HINT, "id_number")
        exact = int(value)
        # Excel keeps 15 significant digits: an 18-digit number cell has lost its last three
        # (410302199003071234 is stored as 410302199003071000), and the loss can even leave a
        # valid check digit. Such a cell is never trusted.
        if abs(exact) >= 10**15:
            raise ValidationError(EXCEL_HINT, "id_number")
        return str(exact)
    text = str(value)
    if len(text) == 18 and text[:17].isdigit() and text.isascii():
        return text.upper()
    text = _SPACES.sub("", text.translate(_FULLWIDTH)).upper()
    # "4.10302199003071E+17": a number already turned into text by the spreadsheet.
    if is_scientific(text):
        raise ValidationError(EXCEL_HINT, "id_number")
    # "410302199003071234.0": the same, written without the exponent.
    if re.fullmatch(r"\d{15,18}\.0+", text):
        text = text.split(".")[0]
    return text


def _excel_shaped(value: int) -> bool:
    """``value`` equals its own rounding to 15 significant digits (410302199003071000, as a
    displayed Excel number is copied), or the double nearest that rounding (410302199003070976,
    as a float read from Excel and written back as an integer becomes). A genuine number looks so
    about twice in a thousand; such a cell is refused rather than trusted."""
    scale = 10 ** (len(str(value)) - 15)
    rounded = (value + scale // 2) // scale * scale
    return value in (rounded, int(float(rounded)))


def parse(value: object) -> IdInfo:
    """Normalise and fully check a national ID number; raise ``ValidationError`` in Chinese."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    number = normalise(value)
    if numeric and len(number) >= 16:
        try:
            return _check(number)
        except ValidationError:
            # Digits were lost on the way through a double: say how to fix the sheet.
            raise ValidationError(EXCEL_HINT, "id_number") from None
    return _check(number)


def _check(number: str) -> IdInfo:
    if not number:
        raise ValidationError("身份证号为空。", "id_number")
    if len(number) != 18 or not (number[:17].isdigit() and number.isascii()):
        if not re.search(r"\d", number):  # “待补”, “身份证丢失”: words where the number should be
            raise ValidationError(f"身份证号一栏写的是“{number[:20]}”，不是号码。请填写 18 位身份证号。", "id_number")
        if len(number) == 15 and number.isdigit():
            raise ValidationError("这是 15 位的旧身份证号，请填写 18 位的身份证号。", "id_number")
        if len(number) != 18:
            raise ValidationError(f"身份证号应为 18 位，现为 {len(number)} 位。", "id_number")
        raise ValidationError("身份证号前 17 位只能是数字。", "id_number")
    if not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号最后一位只能是数字或 X。", "id_number")
    if number[:2] not in _PROVINCES:
        raise ValidationError(f"身份证号地区码 {number[:6]} 无效。", "id_number")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号中的出生日期 {number[6:14]} 不是有效日期。", "id_number") from None
    if birth.year < 1900 or birth > _today():
        raise ValidationError(f"身份证号中的出生日期 {birth.isoformat()} 不合理。", "id_number")
    if number[17] != check_char(number[:17]):
        raise ValidationError("身份证号校验位错误，请逐位核对。", "id_number")
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, gender=gender, area_code=number[:6])


def mask(number: str) -> str:
    """For public lists: first 6 and last 4 characters, e.g. ``410302********123X``."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[-4:]


def make(area: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (demo data and tests). ``sequence`` odd = male, even = female."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


# First two digits of the GB/T 2260 area codes (provinces, autonomous regions, municipalities).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
}
