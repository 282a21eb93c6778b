"""Rows of a sheet's layout rather than data: totals, signature and note lines, column numbers,
“（必填）” hints, a class title in one cell."""

from __future__ import annotations

import re

from app.importing import tabular

LAYOUT_WORDS = re.compile(r"^\s*(合\s*计|总\s*计|共\s*计|小\s*计|制表|填表|审核|负责人|说明|注\s*[：:]|注\s*\d|签字|签名|"
                           r"盖章|经办人|联系人|日期|以下空白|此处空白)")
_HINT = re.compile(r"^[(（\[【].*[)）\]】]$|必填|选填|可不填|如实填写|请填写|格式[：:]")
_ID_LIKE = re.compile(r"\d{6}")
_STUDENT_NO_LIKE = re.compile(r"[0-9A-Za-z-]*\d{4,}[0-9A-Za-z-]*")
NAMEISH = re.compile(r"[\u4e00-\u9fff·•.．･﹒ ]{2,30}")  # a long minority name is still a name


def is_layout_row(cells: list[object], filled: list[int], telling: list[int], name_col: int | None,
                   id_col: int | None, sno_col: int | None) -> bool:
    """A row of the sheet's layout, not a student: it has no ID-like number, and either a total,
    signature or note line, the “1 2 3 …” column numbers, “（必填）” hints, or nothing that says
    anything about a student besides one cell (“计算机2202班” as a class title)."""
    if id_col is not None:
        v = cells[id_col]
        if type(v) is str and len(v) >= 15 and v[:6].isdigit():
            return False  # the common case, answered before any text is cleaned
    id_text = tabular.header_text(cells[id_col]) if id_col is not None else ""
    if _ID_LIKE.search(id_text.replace(" ", "")):
        return False
    texts = [tabular.header_text(cells[c]) for c in filled]
    texts = [t for t in texts if t]
    if not texts:
        return True
    name_text = tabular.header_text(cells[name_col]) if name_col is not None else ""
    # “合计” may sit in the 序号 column, which is not imported: every cell counts here; but a
    # name that reads as a person's makes it a student's row (“注：身份证号待补” in 备注 is a note
    # about them; “3人” or “学院负责人（签字）：” in the name column is not a name).
    person = bool(NAMEISH.fullmatch(name_text)) and not LAYOUT_WORDS.match(name_text)
    if not person and any(isinstance(v, str) and LAYOUT_WORDS.match(v) for v in cells):
        return True
    if all(_HINT.search(t) for t in texts):
        return True
    if sno_col is not None and not name_text and texts == [tabular.header_text(cells[sno_col])] \
            and _STUDENT_NO_LIKE.fullmatch(texts[0]):
        return False  # a student number alone: a student whose other cells are missing
    if len(texts) == 1 and (re.search(r"[：:，,。；;]", texts[0])
                            or (len(texts[0]) > 8 and not NAMEISH.fullmatch(texts[0]))):
        return True  # one long line: a title or a note (“计算机应用技术2022级2班（共40人）”)
    numbers = [t for t in texts if t.isdigit()]
    if len(numbers) == len(texts) >= 3 and [int(t) for t in numbers] == list(range(int(numbers[0]),
                                                                              int(numbers[0]) + len(numbers))):
        return True
    if not name_text and not id_text:
        said = [c for c in telling if c in filled and tabular.header_text(cells[c])]
        return len(said) <= 1
    return False
