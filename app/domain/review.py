"""Eligibility rules: compare one candidate with the 教务处 学籍 row, the 学生处 conduct rows and the
college's major mapping, and say what does not agree (pure functions, no database).

The reference values arrive as the reference import stored them (``RefRow.data``): text as the
office wrote it, the expected graduation as “YYYY-MM” when it could be read. Each finding names
the office whose opinion it concerns and keeps the source row it came from, so the review screen
can show it side by side with the candidate.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

OFFICES: dict[str, str] = {"academic": "教务处", "conduct": "学生处", "college": "二级学院"}

FINDINGS: dict[str, tuple[str, str]] = {  # code -> (office, short label)
    "not_in_academic": ("academic", "未在学籍名单中"),
    "name_mismatch": ("academic", "姓名不一致"),
    "id_mismatch": ("academic", "身份证号不一致"),
    "student_no_mismatch": ("academic", "学号不一致"),
    "major_mismatch": ("academic", "所学专业与学籍不一致"),
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


def default_graduation_year(today: dt.date) -> int:
    """The graduating class a registration season belongs to on ``today``.

    专升本 registration runs in the final year, before the June graduation: until the end of June
    the season is this year's graduates'; from July on it is next June's (a fresh install in
    December registers next year's graduates).
    """
    return today.year + 1 if today.month >= 7 else today.year


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


_DIRECTION_WORD = re.compile(r"方向$")


def _general_and_direction(value: object) -> tuple[str, str]:
    """(major key without a bracketed direction, the direction or "")."""
    key = major_key(value)
    m = _DIRECTION.search(key)
    if not m:
        return key, ""
    direction = _DIRECTION_WORD.sub("", m.group(0)[1:-1])
    return major_key(key[:m.start()]), direction


def same_major(a: object, b: object) -> bool:
    """Whether two records name the same 专科 major (compared as ``major_key`` does).

    A direction in brackets on one side only is the same major written more precisely
    (“软件技术(移动应用开发)” is “软件技术”); two different directions of one major are not the
    same, because the major mapping may admit each direction to different 本科 majors.
    """
    general_a, dir_a = _general_and_direction(a)
    general_b, dir_b = _general_and_direction(b)
    if general_a != general_b:
        return False
    return not dir_a or not dir_b or dir_a == dir_b


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
        out.extend(_academic(academic, sno, name, idn, str(candidate.get("major") or ""), graduation_year))
    for row in conduct:
        message = discipline_message(row.data)
        if message is not None:
            out.append(_finding("discipline", message, row))
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


def is_unliftable(action: str) -> bool:
    """开除学籍 ends the student's enrolment: no “是否解除” column can undo it."""
    return any(w in action for w in _UNLIFTABLE)


def discipline_message(data: dict[str, str]) -> str | None:
    """The finding for one 学生处 row (``action`` the sanction, ``offence`` the 违纪事由, ``date``,
    ``lifted``), or None when the row stands in nobody's way.

    A lifted sanction is no finding, except 开除学籍 whatever the 是否解除 column says. A row whose
    sanction cell is empty but names an offence is shown for the office to check; a sanction
    written as “无” is none.
    """
    action = (data.get("action") or "").strip()
    offence = (data.get("offence") or "").strip()
    if key_text(action) in _NONE and (action or key_text(offence) in _NONE):
        return None
    lifted = (data.get("lifted") or "").strip()
    unliftable = is_unliftable(action or offence)
    if is_lifted(lifted) and not unliftable:
        return None
    if not action:
        head = "有违纪记录，处分栏为空，请核实"
    elif unliftable and is_lifted(lifted):
        head = f"有处分：{action}（开除学籍不能解除，名单中“是否解除”为“{lifted}”）"
    else:
        head = f"有未解除的处分：{action}"
    details = [d for d in ((data.get("date") or "").strip(),
                           f"违纪事由：{offence}" if key_text(offence) not in _NONE else "") if d]
    return head + (f"（{'；'.join(details)}）" if details else "")


def _academic(row: RefRow, sno: str, name: str, idn: str, major: str, graduation_year: int) -> list[FindingSpec]:
    out: list[FindingSpec] = []
    if row.name and key_text(row.name) != key_text(name):
        out.append(_finding("name_mismatch", f"姓名不一致：名单 {name} / 学籍 {row.name}", row))
    ref_id = row.id_number or (row.data.get("id_raw") or "").strip()
    if ref_id and ref_id != idn:
        out.append(_finding("id_mismatch", f"身份证号不一致：名单 {idn} / 学籍 {ref_id}", row))
    if row.student_no and sno and row.student_no != sno:
        out.append(_finding("student_no_mismatch", f"学号不一致：名单 {sno} / 学籍 {row.student_no}", row))
    ref_major = (row.data.get("major") or "").strip()
    if ref_major and major.strip() and not same_major(major, ref_major):
        out.append(_finding("major_mismatch", f"所学专业不一致：名单 {major.strip()} / 学籍 {ref_major}", row))
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


# -- decisions and what they were based on ---------------------------------------------------------
# A decision keeps its basis: the (code, message) findings of its office when it was made. Whether
# it still stands is computed from that basis and the office's findings now, never stored.
VALID, REOPENED, STALE = "valid", "reopened", "stale"
STANDING_LABELS = {VALID: "", REOPENED: "出现新问题，需重新审核", STALE: "依据已消除，需重新审核"}

Basis = tuple[tuple[str, str], ...]  # ((code, message), …)


def parse_basis(text: str | None) -> Basis:
    """A stored basis (JSON ``[[code, message], …]``); unreadable text is no basis."""
    try:
        return tuple((str(code), str(message)) for code, message in json.loads(text or "[]"))
    except (ValueError, TypeError):
        return ()


def basis_json(basis: Basis) -> str:
    return json.dumps([list(b) for b in basis], ensure_ascii=False)


def office_findings(findings: list[tuple[str, str, str]], office: str) -> Basis:
    """The (code, message) pairs of ``office`` among (office, code, message) findings, in order."""
    return tuple((code, message) for o, code, message in findings if o == office)


def standing(decision: str, basis: Basis, current: Basis) -> str:
    """Whether an office's decision still stands, given the office's findings when it was made
    (``basis``) and now (``current``).

    A pass made while facts now found were not there is no longer counted (REOPENED): a finding
    counts as new when its message is new, so a pass given over “有不及格课程：高等数学” is reopened
    by “有不及格课程：高等数学、大学英语”. A fail stands while one of the kinds of problem it was
    based on is still found; when none is (its basis is gone), it is STALE. A fail based on no
    finding (the office's own reason) is never stale.
    """
    if decision == "pass":
        return REOPENED if set(current) - set(basis) else VALID
    codes = {code for code, _m in basis}
    if codes and not codes & {code for code, _m in current}:
        return STALE
    return VALID


def standing_reason(decision: str, state: str, basis: Basis, current: Basis) -> str:
    """Why a decision no longer stands (Chinese, for the screen, the CLI and the audit trail)."""
    if state == REOPENED:
        new = [m for c, m in current if (c, m) not in set(basis)]
        return "新问题：" + "；".join(new)
    if state == STALE:
        return "已消除：" + "；".join(m for _c, m in basis)
    return ""


def effective(decisions: dict[str, tuple[str, str]]) -> dict[str, str]:
    """office -> decision for the decisions that still stand (office -> (decision, standing))."""
    return {office: d for office, (d, state) in decisions.items() if state == VALID}
