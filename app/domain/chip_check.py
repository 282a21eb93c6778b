"""The ID card's chip against the roster: every field that differs, with both values, in Chinese.

At the confirmation table the counsellor reads the student's card and the desk shows what the
roster has wrong (or what card the student brought). Values are compared in normal form, so
writing alone is never a difference: full-width characters, spaces, the middle dot of minority
names, “汉” against “汉族”, “410102…x” against “410102…X”, a date typed as 2003/5/1.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain import fields as f
from app.domain import idnumber
from app.errors import ValidationError

LABELS = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "valid_to": "有效期限",
}
COMPARED = ("name", "gender", "ethnicity", "birth_date", "id_number")
EMPTY = "（空）"

_WS = re.compile(r"[\s\u3000\u00a0]+")
_DOTS = "·•・‧∙⋅●.．"


@dataclass(frozen=True)
class Difference:
    field: str  # a key of LABELS
    label: str
    chip_value: str  # as shown to the counsellor
    roster_value: str
    message: str


def field_value(record: object, key: str) -> Any:
    """``record[key]`` for a mapping, ``record.key`` for anything else (CandidateData, a detail)."""
    if isinstance(record, Mapping):
        return record.get(key)
    data = getattr(record, "data", None)  # CandidateDetail wraps the CandidateData
    if data is not None and not hasattr(record, key):
        record = data
    return getattr(record, key, None)


def _text(value: object) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", f.clean_text(value)))


def norm_name(value: object) -> str:
    text = _text(value)
    for dot in _DOTS:
        text = text.replace(dot, "·")
    return text


def norm_gender(value: object) -> str:
    try:
        return f.gender(value)
    except ValidationError:
        return _text(value)


def norm_ethnicity(value: object) -> str:
    """“汉族”, “汉” and “ 汉 族 ” are one; “蒙古族” is “蒙古”."""
    text = _text(value)
    return text[:-1] if len(text) > 1 and text.endswith("族") else text


def norm_id(value: object) -> str:
    try:
        return idnumber.normalise(value)
    except ValidationError:
        return _text(value).upper()


def norm_date(value: object) -> dt.date | str:
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = _text(value)
    try:
        return f.parse_date(text, "date", "日期") or ""
    except ValidationError:
        return text


_NORMALISERS = {"name": norm_name, "gender": norm_gender, "ethnicity": norm_ethnicity,
                "birth_date": norm_date, "id_number": norm_id}


def _shown(key: str, value: object) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.date):
        return value.isoformat()
    if key == "ethnicity":
        text = norm_ethnicity(value)
        return f"{text}族" if text and len(text) <= 3 else text
    return f.clean_text(value) or EMPTY


def compare(chip: object, roster: object, *, today: dt.date | None = None) -> list[Difference]:
    """Differences between the card's chip data and the roster record, in ``LABELS`` order.

    ``chip`` is a ``ChipData`` (or anything with its fields); ``roster`` a ``CandidateData``, a
    ``CandidateDetail`` or a mapping with the roster's keys. An expired card is listed too: it is
    not a valid identity document at registration. An empty list means the card matches.
    """
    found: list[Difference] = []
    for key in COMPARED:
        chip_raw, roster_raw = field_value(chip, key), field_value(roster, key)
        norm = _NORMALISERS[key]
        a, b = norm(chip_raw), norm(roster_raw)
        if a == b:
            continue
        label = LABELS[key]
        chip_shown, roster_shown = _shown(key, chip_raw), _shown(key, roster_raw)
        if b == "":
            message = f"{label}：花名册未填写，身份证为“{chip_shown}”。"
        elif a == "":
            message = f"{label}：身份证未读到，花名册为“{roster_shown}”。"
        else:
            message = f"{label}不一致：身份证为“{chip_shown}”，花名册为“{roster_shown}”。"
        found.append(Difference(key, label, chip_shown, roster_shown, message))

    today = today or dt.date.today()
    valid_from, valid_to = field_value(chip, "valid_from"), field_value(chip, "valid_to")
    shown = _validity(valid_from, valid_to)
    if isinstance(valid_to, dt.date) and valid_to < today:
        found.append(Difference("valid_to", LABELS["valid_to"], shown, "",
                                f"身份证已过期（有效期至 {valid_to.isoformat()}），请考生持有效身份证件办理。"))
    elif isinstance(valid_from, dt.date) and valid_from > today:
        found.append(Difference("valid_to", LABELS["valid_to"], shown, "",
                                f"身份证的有效期起始日 {valid_from.isoformat()} 晚于今天，请核对证件。"))
    return found


def _validity(valid_from: object, valid_to: object) -> str:
    start = valid_from.isoformat() if isinstance(valid_from, dt.date) else f.clean_text(valid_from)
    end = valid_to.isoformat() if isinstance(valid_to, dt.date) else (f.clean_text(valid_to) or "长期")
    return f"{start} 至 {end}"
