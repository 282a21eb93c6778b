"""Eligibility rules: compare one candidate with the 教务处 学籍 row, the 学生处 conduct rows and the
college's major mapping, and say what does not agree (pure functions, no database).

The reference values arrive as the reference import stored them (``RefRow.data``): text as the
office wrote it, the expected graduation as “YYYY-MM” when it could be read. Each finding names
the office whose opinion it concerns and keeps the source row it came from, so the review screen
can show it side by side with the candidate.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

OFFICES: dict[str, str] = {"academic": "教务处", "conduct": "学生处", "college": "二级学院"}

FINDINGS: dict[str, tuple[str, str]] = {  # code -> (office, short label)
    "not_in_academic": ("academic", "未在学籍名单中"),
    "name_mismatch": ("academic", "姓名不一致"),
    "id_mismatch": ("academic", "身份证号不一致"),
    "student_no_mismatch": ("academic", "学号不一致"),
    "status_not_enrolled": ("academic", "学籍状态不是在籍"),
    "not_graduating": ("academic", "非本届毕业生"),
    "failed_courses": ("academic", "有不及格课程"),
    "discipline": ("conduct", "有未解除的处分"),
    "major_not_allowed": ("college", "报考专业不符合对照表"),
    "missing_intended_major": ("college", "未填报考专业"),
}

# Answers in a “不及格课程” or “是否解除” column that mean “none” / “no”.
_NONE = {"", "无", "没有", "0", "-", "—", "/", "否", "无不及格", "无挂科", "none", "n/a"}
_NOT_LIFTED = {"", "否", "未解除", "未", "no", "n", "0", "×", "未撤销", "否（未解除）"}
_UNLIFTABLE = ("开除学籍", "开除")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "·": "·", "•": "·", "・": "·", "．": "·"})
_SPLIT = re.compile(r"[、，,；;／/|\n]+")


@dataclass(frozen=True)
class RefRow:
    """One stored reference row: where it came from and its values (field key -> text)."""

    list_id: int
    row: int
    student_no: str
    name: str
    id_number: str
    data: dict[str, str] = field(default_factory=dict)
    source: dict[str, object] = field(default_factory=dict)  # header -> cell as written


@dataclass(frozen=True)
class FindingSpec:
    code: str
    office: str
    message: str
    list_id: int | None = None
    source_row: int | None = None
    source: dict[str, object] = field(default_factory=dict)


def key_text(value: object) -> str:
    """Names and majors compared without spaces, with half-width brackets and one middle dot."""
    if value is None:
        return ""
    return _SPACES.sub("", str(value)).translate(_BRACKETS).lower()


def graduation_month(value: object) -> str | None:
    """“2027-07”, “2027年6月”, “2027.6”, “202706”, “2027”, a date -> “YYYY-MM” (month 00 when only
    the year is given); None when it cannot be read."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if 1990 <= value <= 2100 and float(value).is_integer():
            return f"{int(value):04d}-00"
        if 1990 < value < 2100:  # 2027.06 typed as a number
            return f"{int(value):04d}-{round((value - int(value)) * 100):02d}"
        return None
    text = _SPACES.sub("", str(value or ""))
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?|(\d{2})(\d{2})?)?(?:届|年)?", text)
    if not m:
        m2 = re.match(r"(\d{4})[-/.年](\d{1,2})", text)
        if not m2:
            return None
        year, month = int(m2.group(1)), int(m2.group(2))
    else:
        year = int(m.group(1))
        month = int(m.group(2) or m.group(4) or 0)
    if not 1990 <= year <= 2100 or month > 12:
        return None
    return f"{year:04d}-{month:02d}"


def is_enrolled(status: str) -> bool:
    """“在籍”, “在籍在校”, “正常在籍” are enrolled; “不在籍”, “休学”, “保留学籍”, “退学” are not."""
    text = key_text(status)
    if "不在籍" in text or "非在籍" in text:
        return False
    # “是” answers a “是否在籍” column.
    return "在籍" in text or text in ("在校", "在读", "正常", "注册", "有学籍", "是")


def is_lifted(value: str) -> bool:
    """Whether a “是否解除 / 解除情况 / 解除日期” cell says the action was lifted."""
    text = key_text(value)
    # Anything else says it was: “是”, “已解除”, “解除”, or a date of lifting.
    return not (text in _NOT_LIFTED or text.startswith(("未", "否", "不")))


def failed_list(value: str) -> list[str]:
    """The failed courses named in a cell (“高等数学、大学英语”); a count (“2”) becomes one entry."""
    text = (value or "").strip()
    if key_text(text) in _NONE:
        return []
    return [p.strip() for p in _SPLIT.split(text) if p.strip() and key_text(p) not in _NONE]


def major_key(value: object) -> str:
    """A major's name compared: “软件技术专业” is “软件技术”."""
    text = key_text(value)
    return text[:-2] if text.endswith("专业") and len(text) > 2 else text


_DIRECTION = re.compile(r"\([^()]*\)$")


def majors_for(majors: dict[str, list[str]], major: str) -> list[str] | None:
    """The mapping's entries for a 专科 major; “软件技术(移动应用开发)” falls back to “软件技术”."""
    key = major_key(major)
    if key in majors:
        return majors[key]
    general = major_key(_DIRECTION.sub("", key))
    return majors.get(general) if general != key else None


def allowed_majors(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    """(专科 major, allowed 本科 majors or categories as written) rows -> key -> allowed entries."""
    out: dict[str, list[str]] = {}
    for major, allowed in rows:
        key = major_key(major)
        if not key:
            continue
        entries = out.setdefault(key, [])
        for part in _SPLIT.split(allowed or ""):
            part = part.strip()
            if part and part not in entries:
                entries.append(part)
    return out


def major_allowed(intended: str, entries: list[str]) -> bool:
    """An exact major, or a category (“计算机类”) whose stem begins the intended major's name."""
    want = major_key(intended)
    for entry in entries:
        e = major_key(entry)
        if e == want:
            return True
        if e.endswith("类") and len(e) > 2 and want.startswith(e[:-1]):
            return True
    return False


def _finding(code: str, message: str, row: RefRow | None = None) -> FindingSpec:
    office = FINDINGS[code][0]
    if row is None:
        return FindingSpec(code, office, message)
    return FindingSpec(code, office, message, row.list_id, row.row, dict(row.source))


def compare(candidate: dict[str, object], academic: RefRow | None, conduct: list[RefRow],
            majors: dict[str, list[str]] | None, graduation_year: int, *,
            academic_loaded: bool = True) -> list[FindingSpec]:
    """Findings for one candidate (``student_no``, ``name``, ``id_number``, ``major``, ``intended_major``).

    ``academic`` is the 学籍 row matched by student number, else by ID number (None: not found);
    ``conduct`` the 学生处 rows for the candidate; ``majors`` the mapping from ``allowed_majors``
    (None when no mapping was imported). ``academic_loaded`` False skips the 学籍 checks.
    """
    out: list[FindingSpec] = []
    sno = str(candidate.get("student_no") or "")
    name = str(candidate.get("name") or "")
    idn = str(candidate.get("id_number") or "")
    if academic_loaded and academic is None:
        out.append(_finding("not_in_academic",
                            f"未在教务处学籍名单中找到（学号 {sno or '无'}，身份证号 {idn}）"))
    elif academic is not None:
        out.extend(_academic(academic, sno, name, idn, graduation_year))
    for row in conduct:
        action = (row.data.get("action") or "").strip()
        if key_text(action) in _NONE:
            continue
        lifted = row.data.get("lifted") or ""
        if is_lifted(lifted) and not any(w in action for w in _UNLIFTABLE):
            continue
        when = (row.data.get("date") or "").strip()
        out.append(_finding("discipline", f"有未解除的处分：{action}" + (f"（{when}）" if when else ""), row))
    if majors is not None:
        major = str(candidate.get("major") or "") or (academic.data.get("major", "") if academic else "")
        intended = str(candidate.get("intended_major") or "").strip()
        if not intended:
            out.append(_finding("missing_intended_major", "未填写报考专业（类），无法核对专业对照表"))
        else:
            entries = majors_for(majors, major)
            if entries is None:
                out.append(_finding("major_not_allowed",
                                    f"专科专业“{major or '（空）'}”不在专业对照表中，无法确认可报考“{intended}”"))
            elif not major_allowed(intended, entries):
                out.append(_finding("major_not_allowed",
                                    f"专科专业“{major}”不能报考“{intended}”（可报考：{'、'.join(entries)}）"))
    return out


def _academic(row: RefRow, sno: str, name: str, idn: str, graduation_year: int) -> list[FindingSpec]:
    out: list[FindingSpec] = []
    if row.name and key_text(row.name) != key_text(name):
        out.append(_finding("name_mismatch", f"姓名不一致：名单 {name} / 学籍 {row.name}", row))
    ref_id = row.id_number or (row.data.get("id_raw") or "").strip()
    if ref_id and ref_id != idn:
        out.append(_finding("id_mismatch", f"身份证号不一致：名单 {idn} / 学籍 {ref_id}", row))
    if row.student_no and sno and row.student_no != sno:
        out.append(_finding("student_no_mismatch", f"学号不一致：名单 {sno} / 学籍 {row.student_no}", row))
    status = (row.data.get("status") or "").strip()
    if status and not is_enrolled(status):
        out.append(_finding("status_not_enrolled", f"学籍状态为“{status}”，不是在籍", row))
    graduation = (row.data.get("graduation") or "").strip()
    if graduation:
        month = graduation_month(graduation)
        if month is None or int(month[:4]) != graduation_year:
            out.append(_finding("not_graduating",
                                f"预计毕业时间为“{graduation}”，不是 {graduation_year} 届毕业生", row))
    failed = failed_list(row.data.get("failed_courses") or "")
    if failed:
        if len(failed) == 1 and failed[0].isdigit():
            text = f"有 {failed[0]} 门不及格课程"
        else:
            text = f"有不及格课程：{'、'.join(failed)}"
        out.append(_finding("failed_courses", text, row))
    return out


def failing_reason(decisions: dict[str, tuple[str, str]]) -> str:
    """The reason an ineligible candidate shows: the failing offices' opinions (office -> (decision, opinion))."""
    parts = [f"{OFFICES.get(office, office)}：{opinion}" for office, (decision, opinion) in
             sorted(decisions.items(), key=lambda kv: list(OFFICES).index(kv[0]) if kv[0] in OFFICES else 9)
             if decision == "fail"]
    return "；".join(parts)


def review_status(waived: bool, decisions: dict[str, str]) -> str:
    """The status the offices' decisions (office -> "pass" | "fail") and a waiver give a reviewed candidate."""
    if waived:
        return "waived"
    if any(d == "fail" for d in decisions.values()):
        return "ineligible"
    if all(decisions.get(o) == "pass" for o in OFFICES):
        return "eligible"
    return "roster"
