"""Roster import and export: preview a student-affairs roster, import its good rows, export the roster.

The flow the GUI and ``regdesk-cli roster import`` share: ``inspect`` finds the header row and
places the columns, ``preview`` checks every row with the candidate rules
(``app.domain.candidate.check``) and against the database without writing anything, ``commit``
writes the good rows in one transaction with the audit trail, and ``save_rejected`` hands the
rejected rows back as a workbook the user fixes and imports again.

Matching: a row is the candidate with the same student number, else the one with the same ID
number. For a matched candidate an empty cell (or a column the file does not have) keeps the
stored value: an import never erases what is known; the editor clears fields.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import HEAD_KEY, AuditService, EventSpec, uuid4_batch
from app.auth import Actor, require
from app.domain import candidate as rules
from app.domain import fields as f
from app.domain import idnumber, status
from app.domain.candidate import FIELD_NAMES, LABELS, REQUIRED, STATUS_LABELS, CandidateData
from app.errors import AppError, BadFileError, NotFoundError, ValidationError
from app.importing import tabular
from app.importing.layout import is_layout_row
from app.importing.mapping import (
    ColumnMapping,
    RowProblem,
    apply_overrides,
    as_text,
    column_samples,
    display_width,
    ensure_unchanged,
    file_sha256,
    header_keys,
    problem_reason,
)
from app.roster.candidates import CandidateWriter, PreparedChange, describe_changes
from app.setup.college import desk_college_or_none
from app.tasks import CancelToken, Progress, bulk_work, no_progress
from db.bulk import insert_tuples
from db.models import Candidate, Meta
from db.replication import local_desk, new_row_values
from db.session import Database

CHUNK = 500
IGNORED = "-"  # a known column that is not imported (序号, 原行号, 错误原因, 状态)
ORIGINAL_ROW = "原行号"
REASON = "错误原因"

# Field key -> Chinese label: what a user may map a header to.
FIELD_CHOICES: dict[str, str] = dict(LABELS)

# Headers that student-affairs and academic systems put on their exports, per field. The first
# group is exact names; they are compared in normalised form (no spaces, half-width brackets).
# The lower-case codes at the end are the pinyin initials 正方, 金智 and 青果 exports use (xm = 姓名).
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "学生姓名", "考生姓名", "姓名(中文)", "中文姓名", "名字", "name", "xm"),
    "gender": ("性别", "学生性别", "sex", "gender", "xb"),
    "student_no": ("学号", "学生学号", "考生学号", "学生编号", "studentid", "studentno", "xh"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证件号", "身份证件号码", "证件号",
                  "身份证", "居民身份证号", "居民身份证号码", "公民身份证号", "公民身份证号码", "身份证编号",
                  "idnumber", "idcard", "sfzh", "sfzjh"),
    "college": ("二级学院", "院系", "院(系)", "学院", "所在学院", "所在院系", "系部", "系别", "分院", "所属学院",
                "所属院系", "学院名称", "院系名称", "院部", "二级学院名称", "yxmc", "xymc"),
    "major": ("专业", "所学专业", "专科专业", "专业名称", "在读专业", "所在专业", "专科所学专业", "专科专业名称",
              "所学专业名称", "专业全称", "现专业", "现所学专业", "major", "zymc"),
    "class_name": ("班级", "班级名称", "行政班", "行政班级", "所在班级", "班级名", "班别", "class", "bjmc", "bj"),
    "counsellor": ("辅导员", "辅导员姓名", "辅导员老师"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "手机", "电话号码", "本人电话", "本人手机", "本人手机号", "本人联系方式", "本人联系电话",
              "学生电话", "学生手机", "学生手机号", "联系手机", "移动电话", "phone", "mobile", "lxdh", "sjhm"),
    "category": ("考生类别", "考生类型", "报考类别", "报名类别", "考生类", "考生类别名称", "报名类型",
                 "考生身份", "专升本类别"),
    "ethnicity": ("民族", "mz"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "csrq"),
    "intended_major": ("报考专业", "报考本科专业", "拟报考专业", "报考专业(类)", "报考专业类", "拟报考本科专业", "报考专业名称",
                       "拟报考专业(类)", "报考本科专业(类)", "拟报专业", "意向专业", "报考本科专业名称"),
    "art_sports": ("艺体类别", "艺术体育类", "艺体类", "是否艺体类", "艺术类/体育类", "艺术/体育", "艺体"),
    "veteran_service_start": ("入伍时间", "入伍日期", "服役开始时间", "入伍年月"),
    "veteran_service_end": ("退役时间", "退役日期", "退伍时间", "退伍日期", "服役结束时间", "退役年月"),
    "veteran_merits": ("立功情况", "服役期间立功", "服役期间立功情况", "服役立功情况", "立功受奖情况", "服役期间立功受奖情况"),
    "award_level": ("获奖等级", "获奖级别", "奖项等级", "获奖类别"),
    "award_name": ("获奖项目", "获奖名称", "获奖项目名称", "竞赛项目", "大赛项目", "获奖赛项"),
    "note": ("备注", "说明"),
    IGNORED: ("序号", "序", "行号", "编号", "no", "no.", ORIGINAL_ROW, REASON, "状态", "审核状态", "报名状态",
              "证件类型", "身份证件类型", "证件种类"),
}
# Names that usually mean the field but lose to an exact name in the same file.
_SECONDARY: dict[str, tuple[str, ...]] = {
    "counsellor": ("班主任", "班主任姓名"),
    "phone": ("联系方式",),
    # 学生类别 is a 考生类别 in some exports and the school-roll type (普通专科生) in others.
    "category": ("类别", "学生类别", "学生类型"),
}
_EXACT = {tabular.normalise_header(a): key for key, names in _ALIASES.items() for a in names}
_EXACT_SECONDARY = {tabular.normalise_header(a): key for key, names in _SECONDARY.items() for a in names}
_NOT_THE_STUDENT = ("家长", "父亲", "母亲", "父母", "爸爸", "妈妈", "监护人", "紧急", "家庭", "联系人", "亲属", "家属",
                    "配偶", "宿舍", "寝室", "辅导员", "班主任", "老师", "qq", "微信", "邮箱", "email")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$|\[[^\[\]]*\]$")


def _rank(norm: str) -> tuple[str, int] | None:
    """(field key, rank) for a normalised header; lower rank wins when two columns claim a field."""
    if not norm:
        return None
    if norm in _EXACT:
        return _EXACT[norm], 0
    if norm in _EXACT_SECONDARY:
        return _EXACT_SECONDARY[norm], 2
    # “辅导员”, “班主任姓名”; but “辅导员电话” is nobody's field here.
    if "辅导员" in norm or "班主任" in norm:
        return ("counsellor", 3) if norm.endswith(("辅导员", "班主任", "辅导员姓名", "班主任姓名")) else None
    # Someone else's number or name (“电话（家长）”, “父母电话”, “紧急联系人”) is never the student's.
    if any(w in norm for w in _NOT_THE_STUDENT):
        return None
    # “出生日期(yyyy-mm-dd)”, “联系电话（手机）”: a hint in brackets after a known name.
    stripped = _TRAILING_NOTE.sub("", norm)
    if stripped != norm and stripped in _EXACT:
        return _EXACT[stripped], 1
    if stripped != norm and stripped in _EXACT_SECONDARY:
        return _EXACT_SECONDARY[stripped], 2
    # Guessing from parts of a name suits short headers only, never a sentence of instructions,
    # and never a code column (“报考专业代码” next to “报考专业名称”).
    if len(norm) > 12 or any(w in norm for w in ("代码", "编码", "代号", "类型", "种类")):
        return None
    if "身份证" in norm or "证件号" in norm:
        return "id_number", 3
    if "学号" in norm:
        return "student_no", 3
    if "手机" in norm or "电话" in norm:
        return "phone", 3
    if norm.endswith("姓名"):
        return "name", 3
    if "报考" in norm and "专业" in norm:
        return "intended_major", 3
    return None


def _classify(norm: str) -> str | None:
    ranked = _rank(norm)
    return ranked[0] if ranked else None


def _header_ok(header: tabular.HeaderRow) -> bool:
    """Two known columns, or one required column among other (unknown) column names."""
    found = {k for k in header.keys if k and k != IGNORED}
    named = sum(1 for h in header.headers if h)
    return len(found) >= 2 or (bool(found & set(REQUIRED)) and named >= 2)


# -- results -------------------------------------------------------------------------------------
@dataclass
class ImportRow:
    row: int
    kind: str  # "new" | "changed" | "unchanged" | "rejected"
    cells: list[object]  # the row's cells as read, in column order
    keys: list[str]  # ``header_keys`` of the file, shared by its rows
    data: CandidateData | None  # checked data (None when rejected)
    problems: list[RowProblem]
    changes: dict[str, tuple[object, object]]  # field -> (old, new) for "changed"
    match_uuid: str | None  # the existing candidate matched (student number first, then ID number)
    todos: tuple[str, ...] = ()  # fields the category needs that the file did not carry (imported anyway)

    @property
    def raw(self) -> dict[str, object]:
        """Header key -> original cell value (for the rejected-rows workbook)."""
        return dict(zip(self.keys, self.cells, strict=False))


@dataclass
class _Source:
    """What ``preview`` read from the file, kept so ``commit`` can re-evaluate without re-reading."""

    rows: list[tuple[int, list[object]]]  # (sheet row number, cells) of the non-blank data rows
    raw_keys: list[str]  # ImportRow.raw keys per column
    warnings: list[str]
    row_problems: dict[int, str] = field(default_factory=dict)  # sheet row number -> whole-row problem


@dataclass
class ImportPreview:
    path: Path
    file_sha256: str
    mapping: ColumnMapping
    rows: list[ImportRow]  # blank rows are skipped (not listed)
    warnings: list[str]  # Chinese, e.g. the file's 二级学院 differs from this college
    _source: _Source | None = field(default=None, repr=False, compare=False)
    _db_state: dict[str, object] | None = field(default=None, repr=False, compare=False)

    @property
    def counts(self) -> dict[str, int]:
        out = {"new": 0, "changed": 0, "unchanged": 0, "rejected": 0}
        for r in self.rows:
            out[r.kind] += 1
        return out

    @property
    def rejected(self) -> list[ImportRow]:
        return [r for r in self.rows if r.kind == "rejected"]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: int


@dataclass
class _Plan:
    """What ``commit`` writes, prepared before it takes the write lock."""

    counts: dict[str, int]
    creates: list[tuple] = field(default_factory=list)  # ``_CREATE_COLUMNS`` values
    updates: list[PreparedChange] = field(default_factory=list)  # for ``CandidateWriter.write_prepared``
    events: list[EventSpec] = field(default_factory=list)


def _audit_head(s: Session) -> str:
    """The audit chain's head: it moves with every change, so an unchanged head means nothing was
    written since it was read."""
    head = s.get(Meta, HEAD_KEY)
    return head.value if head is not None else ""


class MappingNeeded(AppError):
    """Required fields could not be placed; carries .mapping (ColumnMapping) so the GUI can ask the user."""

    def __init__(self, mapping: ColumnMapping) -> None:
        missing = "、".join(FIELD_CHOICES.get(k, k) for k in mapping.missing_required)
        unknown = "、".join(f"“{h}”" for h in mapping.unknown_headers) or "（无）"
        super().__init__(
            f"在工作表“{mapping.sheet}”第 {mapping.header_row} 行的表头中找不到必填的列：{missing}。"
            f"请指定文件中哪一列是{missing}（在导入窗口的“对应列”一步中选择；命令行用 --map 列名=字段，例如 --map 证件号=id_number）。"
            f"未识别的列：{unknown}。")
        self.mapping = mapping


# -- database state --------------------------------------------------------------------------------
_STORED_COLS = (Candidate.uuid, Candidate.revision, Candidate.status,
                *(getattr(Candidate, n) for n in FIELD_NAMES))
# Derived from the ID number, so never carried over from the stored record.
_FILLABLE = tuple(n for n in FIELD_NAMES if n not in ("gender", "birth_date"))
_DATE_FIELDS = ("birth_date", "veteran_service_start", "veteran_service_end")


class _Stored:
    """One stored candidate as the import compares it (plain tuples: Row attribute access is slow)."""

    __slots__ = ("revision", "status", "uuid", "values")

    def __init__(self, uuid: str, revision: int, status: str, values: tuple) -> None:
        self.uuid, self.revision, self.status, self.values = uuid, revision, status, values

    @property
    def name(self) -> str:
        return self.values[_NAME_AT]

    @property
    def student_no(self) -> str | None:
        return self.values[_SNO_AT]

    def as_dict(self) -> dict[str, object]:
        return dict(zip(FIELD_NAMES, self.values, strict=True))


_NAME_AT, _SNO_AT, _ID_AT = (FIELD_NAMES.index(n) for n in ("name", "student_no", "id_number"))
_data_values = operator.attrgetter(*FIELD_NAMES)  # CandidateData -> tuple in FIELD_NAMES order
_REPLICATION_COLUMNS = ("origin_desk", "revision", "base_revision", "created_at", "updated_at")  # insert_values
_CREATE_COLUMNS = (*FIELD_NAMES, "uuid", *_REPLICATION_COLUMNS, "college_id", "status", "serial_number")


@dataclass
class _DbState:
    college_id: int | None
    college_uuid: str
    college_name: str
    by_sno: dict[str, _Stored]
    by_id: dict[str, _Stored]
    revisions: dict[str, int]
    statuses: dict[str, str] = field(default_factory=dict)
    origin_desk: str = ""  # the local desk, for new rows

    @classmethod
    def load(cls, s: Session) -> _DbState:
        """The desk's college and its candidates: the file is matched by number within the college
        only (another college's candidate with the same number is another record)."""
        college = desk_college_or_none(s)
        by_sno: dict[str, _Stored] = {}
        by_id: dict[str, _Stored] = {}
        revisions: dict[str, int] = {}
        statuses: dict[str, str] = {}
        if college is None:
            return cls(None, "", "", by_sno, by_id, revisions, statuses, local_desk(s))
        for row in s.execute(select(*_STORED_COLS).where(Candidate.college_id == college.id)):
            stored = _Stored(row[0], row[1], row[2], tuple(row[3:]))
            revisions[stored.uuid] = stored.revision
            statuses[stored.uuid] = stored.status
            by_id[stored.values[_ID_AT]] = stored
            if stored.values[_SNO_AT]:
                by_sno[stored.values[_SNO_AT]] = stored
        return cls(college.id, college.uuid, college.name, by_sno, by_id, revisions, statuses, local_desk(s))

    @property
    def fingerprint(self) -> dict[str, object]:
        return {**self.revisions, "\x00college": self.college_name}


def _sno_key(value: object) -> str:
    if type(value) is str and value.isascii() and value.isalnum():
        return value
    text = f.student_no(value)
    return "" if f.is_scientific(text) else text  # digits lost: matches nobody


def _id_key(value: object) -> str:
    if type(value) is str and len(value) == 18 and value[:17].isdigit() and value[17] not in "x\u3000 ":
        return value
    try:
        return idnumber.normalise(value)
    except ValidationError:
        return ""


_YEAR_MONTH = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?|(\d{4})(\d{2})")


def _year_month_readings(value: object) -> list[tuple[int, int]]:
    """What a year-and-month cell can mean: the number 2003.1 is “2003.10” to Excel (trailing zero
    dropped) or January; 200311 and “2003年11月” are plain. [] when the cell is not a year-month."""
    readings: list[tuple[int, int]] = []
    if type(value) is float and not value.is_integer() and 1900 < value < 2100:
        decimals = repr(value).split(".")[1]
        year = int(value)
        readings = [(year, 1), (year, 10)] if decimals == "1" else [(year, int(decimals))] if len(decimals) <= 2 else []
    elif (type(value) is int or (type(value) is float and value.is_integer())) and 190001 <= value <= 210012:
        readings = [(int(value) // 100, int(value) % 100)]
    elif type(value) is str and (m := _YEAR_MONTH.fullmatch(value.strip())):
        year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        readings = [(int(year), int(month))]
    return [(y, mo) for y, mo in readings if 1 <= mo <= 12]


def _birth_month(value: object, id_number: object) -> object:
    """A “出生年月” cell holds only year and month (“2003.05”, the number 2003.1 for October, a
    date cell shown as “2003年10月”): when they agree with the ID number the ID's full date stands,
    otherwise the rules report the mismatch with the month as written."""
    number = _id_key(id_number)
    born = number[6:12] if len(number) == 18 else ""
    if isinstance(value, dt.date):
        # A date cell formatted to show year and month holds the 1st of the month.
        if value.day == 1 and born == f"{value.year:04d}{value.month:02d}":
            return ""
        return value
    readings = _year_month_readings(value)
    if not readings:
        return value
    if any(born == f"{y:04d}{mo:02d}" for y, mo in readings):
        return ""
    return f"{readings[-1][0]}-{readings[-1][1]:02d}"


def _service_month(value: object, label: str) -> tuple[object, str]:
    """入伍/退役时间 as a number: (the value for the rules, a problem or "")."""
    if type(value) is not float and type(value) is not int:
        return value, ""
    readings = _year_month_readings(value)
    if len(readings) > 1:
        (y, _a), (_y, _b) = readings
        return value, (f"{label} {value} 可能是 {y} 年 1 月，也可能是 {y} 年 10 月（Excel 会把 {y}.10 存成 {y}.1）。"
                       f"请把该列设为文本格式，写成 {y}-01 或 {y}-10 后重新导入。")
    if readings:
        return f"{readings[0][0]}-{readings[0][1]:02d}", ""
    return value, ""


def _college_key(value: object) -> str:
    text = re.sub(r"[\s\u3000]+", "", f.clean_text(value)).translate(str.maketrans("（）", "()"))
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


_COLLEGE_SUFFIX = re.compile(r"(二级学院|学院|分院|系部|系|部)$")
_SCHOOL_NAME = re.compile(r"(学院|大学|学校)$")


def _same_college(a: str, b: str) -> bool:
    """“信息工程系” is “信息工程学院”, and “XX职业技术学院信息工程学院” is too; “电子信息工程学院” is not."""
    if a == b:
        return True
    short, long = sorted((_COLLEGE_SUFFIX.sub("", a), _COLLEGE_SUFFIX.sub("", b)), key=len)
    if not short:
        return False
    return short == long or (long.endswith(short) and bool(_SCHOOL_NAME.search(long[:-len(short)])))


# Import warnings for to-dos, by the first missing field of the row.
_TODO_GROUPS = {"veteran_service_start": "退役大学生士兵缺少入伍或退役时间",
                "veteran_service_end": "退役大学生士兵缺少入伍或退役时间",
                "award_level": "获奖考生缺少获奖等级或获奖项目", "award_name": "获奖考生缺少获奖等级或获奖项目"}
# What a college cell holds when nobody knew: asked about like a blank one.
_UNKNOWN_COLLEGE = frozenset(("无", "待定", "未知", "不详", "其他", "其它", "?", "？", "/", "-", "—", "--", "#N/A"))


@dataclass
class _CollegeScope:
    """Which rows of a file with several colleges belong to another college (left out) and which
    cannot be placed (asked about: a blank or unknown college, or a name only close to ours)."""

    skip: dict[int, str] = field(default_factory=dict)  # row position -> the other college as written
    ask: dict[int, str] = field(default_factory=dict)  # row position -> the question, as a row problem
    warnings: list[str] = field(default_factory=list)


def _close_to(name: str, ours: str) -> bool:
    """A slip in our college's name (one character wrong, missing or extra: “信息工程学阮”,
    “信息工程学”), not another college (“电子信息工程学院” is one)."""
    if abs(len(name) - len(ours)) > 1:
        return False
    if len(name) == len(ours):
        return sum(a != b for a, b in zip(name, ours, strict=True)) == 1
    short, long = sorted((name, ours), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _college_scope(rows: list[tuple[int, list[object]]], college_col: int | None, state: _DbState,
                   headers: list[str]) -> _CollegeScope:
    """A 学生处 whole-school list at a college desk: this college's rows are imported, the other
    colleges are named once (“另有 财经商贸学院 1,000 人…未导入”), and a student whose college cell
    is blank, unknown or only close to ours is asked about, never guessed. A file naming a single
    college is the college's own list (renamed or written differently): a warning at most."""
    scope = _CollegeScope()
    ours = _college_key(state.college_name)
    if college_col is None or not rows:
        return scope
    keys: list[str] = []
    written: dict[str, str] = {}
    seen: dict[object, str] = {}  # a roster repeats a handful of college names
    for _number, cells in rows:
        value = cells[college_col]
        key = seen.get(value) if isinstance(value, str) else None
        if key is None:
            key = _college_key(value)
            if key in _UNKNOWN_COLLEGE or key.isdigit():
                key = ""
            if isinstance(value, str):
                seen[value] = key
        keys.append(key)
        if key and key not in written:
            written[key] = f.clean_text(value)
    counts = Counter(k for k in keys if k)
    if not counts:
        return scope
    if not ours:
        scope.warnings.append("本机尚未设置学院，无法核对“二级学院”列；请先完成初始设置再导入。")
        return scope
    if len(counts) == 1:
        (only,) = counts
        if not _same_college(only, ours):
            scope.warnings.append(f"文件中的二级学院是“{written[only]}”，与本机设置的学院“{state.college_name}”不同。"
                                  "请确认选对了文件。")
        return scope
    mine = {k for k in counts if _same_college(k, ours)}
    ours_rows = sum(counts[k] for k in mine)
    # A rare name close to ours is a typing slip to ask about; a frequent one is a real college.
    close = {k for k in counts if k not in mine and _close_to(k, ours) and counts[k] <= max(5, ours_rows // 20)}
    column = f"{tabular.column_letter(college_col)} 列（{headers[college_col]}）"
    others: Counter[str] = Counter()
    for k, key in enumerate(keys):
        if key in mine:
            continue
        if not key:
            scope.ask[k] = (f"二级学院为空或无法识别，无法确定是否本学院（{state.college_name}）的学生。"
                            f"请在 {column} 填写学院后重新导入。")
        elif key in close:
            scope.ask[k] = (f"二级学院写的是“{written[key]}”，与本学院“{state.college_name}”相近但不相同。"
                            "如果是本学院的学生，请改正后重新导入。")
        else:
            scope.skip[k] = written[key]
            others[written[key]] += 1
    if others:
        listed = "、".join(f"{name} {n:,} 人" for name, n in others.most_common())
        scope.warnings.append(f"另有 {listed}不属于本学院，未导入。")
    if not mine and not close:
        raise BadFileError(f"文件中没有本学院（{state.college_name}）的学生：{column}是 "
                           + "、".join(f"{name} {n:,} 人" for name, n in others.most_common(5))
                           + "。请确认选对了文件；如果本机设置的学院名称不对，请在设置中改正。")
    return scope


def _chosen_fields(overrides: dict[str, str] | None) -> dict[str, str]:
    """The user's column choices (``--map``, the mapping page) as {normalised header: field key};
    a field may be named by key or label, and “leave out” choices are not fields."""
    labels = {tabular.normalise_header(v): k for k, v in FIELD_CHOICES.items()}
    chosen: dict[str, str] = {}
    for head, target in (overrides or {}).items():
        key = target.strip()
        key = key if key in FIELD_CHOICES else labels.get(tabular.normalise_header(key), "")
        if key:
            chosen[tabular.normalise_header(head)] = key
    return chosen


# -- the service -----------------------------------------------------------------------------------
class RosterService:
    def __init__(self, db: Database, audit: AuditService, writer: CandidateWriter | None = None) -> None:
        self.db = db
        self.audit = audit
        self.writer = writer or CandidateWriter(audit)

    # -- reading ----------------------------------------------------------------------------------
    def inspect(self, path: Path, overrides: dict[str, str] | None = None, *,
                sheet: str | None = None) -> ColumnMapping:
        """Find the header row and place the columns; ``overrides`` maps header text -> field key."""
        mapping, _source = self._read(Path(path), overrides, sheet)
        return mapping

    def _read(self, path: Path, overrides: dict[str, str] | None,
              sheet_name: str | None = None) -> tuple[ColumnMapping, _Source]:
        book = tabular.open_workbook(path)
        # Unless the user chose, the roster is the sheet whose header names a student best (name
        # and ID number first): an instructions sheet or a 汇总 of counts per class may come first.
        # Headers the user mapped (“--map XM=name”) count as known while the header row is sought.
        mapped = _chosen_fields(overrides)
        classify = (lambda norm: mapped.get(norm) or _classify(norm)) if mapped else _classify
        chosen = tabular.pick_sheet(
            book, classify, _header_ok,
            lambda sh, h: (sum(k in h.keys for k in REQUIRED), h.score, len(sh.rows) - h.first_data), sheet_name)
        if chosen is None:
            expected = "、".join(LABELS[k] for k in ("name", "id_number", "student_no", "gender", "class_name",
                                                      "phone", "major", "category"))
            where = f"工作表“{sheet_name}”" if sheet_name else f"文件“{path.name}”"
            raise BadFileError(
                f"在{where}的前 {tabular.HEADER_SCAN_ROWS} 行里找不到名单的表头。"
                f"表头应是一行列名，例如：{expected}（其中姓名、身份证号必须有）。"
                "请确认选对了文件和工作表，或在数据上方加一行列名后再导入。")
        sheet, header = chosen
        warnings: list[str] = []
        if sheet.cut_off:
            warnings.append(f"工作表“{sheet.name}”的范围超过了 {tabular.MAX_COLUMNS} 列（通常是远处误填或带格式的零星"
                            f"单元格），只读取了前 {tabular.MAX_COLUMNS} 列。")
        if len(book.names) > 1 and sheet_name is None:
            warnings.append(f"文件有 {len(book.names)} 个工作表，导入的是“{sheet.name}”"
                            "（有姓名和身份证号表头的工作表），其他工作表未导入；可以另选工作表。")
        mapping = self._map(sheet, header, warnings)
        mapping.sheets = list(book.names)
        if overrides:
            apply_overrides(mapping, overrides, FIELD_CHOICES, "可导入的字段")
        mapping.missing_required = [k for k in REQUIRED if k not in mapping.fields.values()]
        if mapping.unknown_headers:
            warnings.append("以下列无法识别，未导入：" + "、".join(f"“{h}”" for h in mapping.unknown_headers) + "。")
        rows, row_problems = self._data_rows(sheet, header, mapping, warnings)
        self._drop_foreign_category(mapping, rows, mapped, warnings)
        if not rows:
            raise BadFileError(f"工作表“{sheet.name}”在表头（第 {header.number} 行）下面没有数据行。"
                               "请确认选对了文件或工作表。")
        return mapping, _Source(rows, header_keys(mapping.headers), warnings, row_problems)

    @staticmethod
    def _drop_foreign_category(mapping: ColumnMapping, rows: list[tuple[int, list[object]]],
                               chosen: dict[str, str], warnings: list[str]) -> None:
        """A column only named like a category (“学生类别”, “类别”) whose values are not 考生类别
        (普通专科生, 城镇应届) is the school's own classification: leave it out rather than refuse
        every row. A column the user mapped is kept."""
        col = next((c for c, k in mapping.fields.items() if k == "category"), None)
        if col is None:
            return
        head = tabular.normalise_header(mapping.headers[col])
        if head not in _EXACT_SECONDARY or chosen.get(head) == "category":
            return
        values = {v for _n, cells in rows if not tabular.is_blank(v := cells[col])}
        unknown = []
        for v in list(values)[:200]:
            try:
                f.category(v)
            except ValidationError:
                unknown.append(str(v))
        if unknown and len(unknown) * 2 > min(len(values), 200):
            del mapping.fields[col]
            shown = "、".join(f"“{u}”" for u in sorted(unknown)[:3])
            warnings.append(f"{tabular.column_letter(col)} 列（{mapping.headers[col]}）的内容（{shown}）不是考生类别，未导入；"
                            "考生按“普通考生”处理。如果确实是考生类别，请用“调整列对应”指定。")

    @staticmethod
    def _map(sheet: tabular.Sheet, header: tabular.HeaderRow, warnings: list[str]) -> ColumnMapping:
        best: dict[str, tuple[int, int]] = {}  # field -> (rank, column)
        losers: list[tuple[int, str]] = []
        unknown: list[str] = []
        for col, text in enumerate(header.headers):
            if not text:
                continue
            ranked = _rank(tabular.normalise_header(text))
            if ranked is None:
                unknown.append(text)
                continue
            key, rank = ranked
            if key == IGNORED:
                continue
            held = best.get(key)
            if held is None or rank < held[0]:
                if held is not None:
                    losers.append((held[1], key))
                best[key] = (rank, col)
            else:
                losers.append((col, key))
        fields_ = {col: key for key, (_rank_, col) in sorted(best.items(), key=lambda kv: kv[1][1])}
        for col, key in losers:
            kept = best[key][1]
            warnings.append(
                f"{tabular.column_letter(col)} 列（{header.headers[col]}）和 {tabular.column_letter(kept)} 列"
                f"（{header.headers[kept]}）都是“{FIELD_CHOICES[key]}”，只导入了 {tabular.column_letter(kept)} 列。")
        return ColumnMapping(sheet=sheet.name, header_row=header.number, headers=list(header.headers),
                             fields=fields_, missing_required=[], unknown_headers=unknown,
                             samples=column_samples(sheet, header))


    @staticmethod
    def _data_rows(sheet: tabular.Sheet, header: tabular.HeaderRow, mapping: ColumnMapping,
                   warnings: list[str]) -> tuple[list[tuple[int, list[object]]], dict[int, str]]:
        """The student rows below the header, and problems that belong to whole rows.

        Left out (and listed in the warnings): blank rows, repeated headers (classes pasted one
        under another), title, total and signature lines, the “1 2 3 …” column-number row and
        the “（必填）” hint row of a form, and rows with neither name nor ID number that hold
        nothing else either (pre-numbered empty rows of a template).
        """
        cols = list(mapping.fields)
        ignored_cols = {c for c, k in enumerate(header.keys) if k == IGNORED}
        name_col = next((c for c, k in mapping.fields.items() if k == "name"), None)
        id_col = next((c for c, k in mapping.fields.items() if k == "id_number"), None)
        sno_col = next((c for c, k in mapping.fields.items() if k == "student_no"), None)
        # The columns that say something about a student (not 序号, not the college merged down).
        telling = [c for c, k in mapping.fields.items() if k not in ("college", IGNORED)]
        blank = tabular.is_blank
        out: list[tuple[int, list[object]]] = []
        row_problems: dict[int, str] = {}
        notes: list[str] = []
        layout: list[str] = []
        hidden: list[int] = []
        hidden_rows = sheet.hidden_rows
        block_header: int | None = None  # a repeated header with another column order, in force
        for i in range(header.first_data, len(sheet.rows)):
            cells = sheet.rows[i]
            number = sheet.numbers[i]
            # Cheap test first: almost every cell is either "" or a real value.
            filled = [c for c in cols if cells[c] != "" and cells[c] is not None]
            if filled and len(filled) <= 3:
                filled = [c for c in filled if not blank(cells[c])]
            elif filled and all(blank(cells[c]) for c in filled):
                filled = []
            if not filled:
                other = [v for c, v in enumerate(cells) if c not in ignored_cols and not blank(v)]
                if other:
                    notes.append(f"第 {number} 行")
                continue
            # The second line of a two-line header, or a header repeated further down (pages or
            # classes pasted one under another). Normalising every cell is too slow for 20,000
            # rows, so below the header only the name and ID cells are looked at, and only when
            # they could be header text.
            if (i <= header.first_data + 1 and all(_classify(tabular.normalise_header(cells[c])) for c in filled)) \
                    or _looks_like_header(cells, name_col, id_col):
                moved = _moved_columns(cells, mapping)
                block_header = number if moved else None
                if moved:
                    warnings.append(f"第 {number} 行重复的表头与第 {header.number} 行的列顺序不同（{moved}），"
                                    "其下面的行未导入。请把各段整理成相同的列顺序后再导入。")
                continue
            if block_header is not None:
                row_problems[number] = (f"本行在第 {block_header} 行重复的表头下面，而那段的列顺序与第 "
                                        f"{header.number} 行的表头不同，无法确定各列的内容。请调整成相同的列顺序后重新导入。")
                out.append((number, cells))
                continue
            if is_layout_row(cells, filled, telling, name_col, id_col, sno_col):
                text = "　".join(t for t in (tabular.header_text(v) for v in cells) if t)
                layout.append(f"第 {number} 行（{text[:20]}{'…' if len(text) > 20 else ''}）")
                continue
            if number in hidden_rows:
                hidden.append(number)
            out.append((number, cells))
        if hidden:
            shown = "、".join(str(n) for n in hidden[:10]) + ("等" if len(hidden) > 10 else "")
            count = f"（共 {len(hidden)} 行）" if len(hidden) > 1 else ""
            warnings.append(f"第 {shown} 行{count}在表格里是隐藏的（可能被筛选掉了），也一并检查和导入。"
                            "如果这些学生不应导入，请在文件中删除这些行后重新导入。")
        if layout:
            shown = "、".join(layout[:4]) + (f"等 {len(layout)} 行" if len(layout) > 4 else "")
            warnings.append(f"{shown}没有姓名和身份证号，看起来是标题、合计、签字或填表说明，已跳过。")
        if notes:
            shown = "、".join(notes[:10]) + ("等" if len(notes) > 10 else "")
            warnings.append(f"{shown}只在未导入的列里有内容，已跳过。")
        return out, row_problems

    # -- preview ------------------------------------------------------------------------------------
    @bulk_work()
    def preview(self, path: Path, overrides: dict[str, str] | None = None, *, sheet: str | None = None,
                progress: Progress | None = None, cancel: CancelToken | None = None) -> ImportPreview:
        """Read and check the whole file against the rules and the database; write nothing.

        ``sheet`` names the sheet to import; by default the one whose header fits best."""
        progress = progress or no_progress
        path = Path(path)
        progress(0, 0, "正在读取文件…")
        sha = file_sha256(path) if path.is_file() else ""
        mapping, source = self._read(path, overrides, sheet)
        if mapping.missing_required:
            raise MappingNeeded(mapping)
        if cancel is not None:
            cancel.raise_if_cancelled()
        with self.db.read() as s:
            state = _DbState.load(s)
        rows, warnings = self._evaluate(mapping, source, state, progress, cancel)
        return ImportPreview(path=path, file_sha256=sha, mapping=mapping, rows=rows, warnings=warnings,
                             _source=source, _db_state=state.fingerprint)

    def _evaluate(self, mapping: ColumnMapping, source: _Source, state: _DbState, progress: Progress,
                  cancel: CancelToken | None) -> tuple[list[ImportRow], list[str]]:
        warnings = list(source.warnings)
        where = {key: (tabular.column_letter(col), mapping.headers[col]) for col, key in mapping.fields.items()}
        data_items = [(col, key) for col, key in mapping.fields.items() if key != "college"]
        date_keys = [k for _c, k in data_items if k in _DATE_FIELDS]
        has_birth = "birth_date" in date_keys
        service_keys = [(k, LABELS[k]) for k in date_keys if k != "birth_date"]
        college_col = next((c for c, k in mapping.fields.items() if k == "college"), None)
        sno_col = next((c for c, k in mapping.fields.items() if k == "student_no"), None)
        id_col = next((c for c, k in mapping.fields.items() if k == "id_number"), None)
        todo_rows: dict[int, list[rules.FieldProblem]] = {}  # position in ``out`` -> what is still missing
        raw_keys = source.raw_keys
        row_problems = source.row_problems
        check = rules.Checker()
        # A matched candidate keeps stored values where the file has no column or a blank cell.
        mapped = {k for _c, k in data_items}
        fill_absent = [(k, FIELD_NAMES.index(k)) for k in _FILLABLE if k not in mapped]
        fill_blank = [(k, FIELD_NAMES.index(k)) for k in _FILLABLE if k in mapped]
        total = len(source.rows)
        out: list[ImportRow] = []
        pending: list[tuple[CandidateData | None, _Stored | None, list[tuple[str, str]]]] = []
        by_sno: dict[str, list[int]] = {}
        by_idn: dict[str, list[int]] = {}
        by_match: dict[str, list[int]] = {}
        scope = _college_scope(source.rows, college_col, state, mapping.headers)
        warnings.extend(scope.warnings)
        controls: list[str] = []  # “第 5 行 B 列（姓名）” where invisible control characters were removed

        for k, (number, cells) in enumerate(source.rows):
            if k % CHUNK == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(k, total, f"正在检查第 {k + 1}–{min(k + CHUNK, total)} 行（共 {total} 行）…")
            foreign = scope.skip.get(k)
            if foreign is not None:
                # Another college's student in a whole-school file is left out, unless they are
                # on this college's roster already (moved college?): that is ours to look at.
                stored = state.by_sno.get(_sno_key(cells[sno_col])) if sno_col is not None else None
                stored = stored or (state.by_id.get(_id_key(cells[id_col])) if id_col is not None else None)
                if stored is None:
                    continue
            raw = {key: cells[col] for col, key in data_items}
            for key, v in raw.items():
                if type(v) is str and not v.isprintable() and f.has_control(v):
                    letter, head = where[key]
                    controls.append(f"第 {number} 行 {letter} 列（{head}）")
            for key in date_keys:
                raw[key] = tabular.cell_date(raw[key])
            if has_birth:
                raw["birth_date"] = _birth_month(raw["birth_date"], raw.get("id_number"))
            sno = _sno_key(raw.get("student_no"))
            idn = _id_key(raw.get("id_number"))
            problems: list[tuple[str, str]] = []
            if row_problems and number in row_problems:
                problems.append(("", row_problems[number]))
            if foreign is not None:
                problems.append(("college", f"该生已在本学院名单中（{stored.name}），但文件中的二级学院是“{foreign}”。"  # type: ignore[union-attr]
                                            "如果已转到其他学院，请在名单中处理；否则请改正二级学院后重新导入。"))
            elif k in scope.ask:
                problems.append(("college", scope.ask[k]))
            for key, label in service_keys:
                raw[key], problem = _service_month(raw[key], label)
                if problem:
                    problems.append((key, problem))
            match = state.by_sno.get(sno) if sno else None
            owner = state.by_id.get(idn) if idn else None
            if owner is not None and owner is not match:
                if match is not None:
                    problems.append(("id_number", f"身份证号已属于另一名考生 {owner.name}（学号 {owner.student_no or '无'}），"
                                                  f"而学号 {sno} 是 {match.name} 的。请核对学号和身份证号。"))
                    match = None
                elif owner.student_no and sno and owner.student_no != sno:
                    problems.append(("id_number", f"身份证号已属于考生 {owner.name}（学号 {owner.student_no}），"
                                                  f"与本行学号 {sno} 不同。请核对学号和身份证号。"))
                else:
                    match = owner
            if match is not None:
                stored_values = match.values
                for key, at in fill_absent:
                    raw[key] = stored_values[at]
                for key, at in fill_blank:
                    v = raw[key]
                    if v is None or v == "" or (type(v) is str and v.isspace()):
                        raw[key] = stored_values[at]
            result = check(raw)
            if result.problems:
                problems.extend((p.field, p.message) for p in result.problems)
            data = result.data if not problems else None
            if data is not None and result.todos:
                todo_rows[len(out)] = result.todos
            index = len(out)
            if sno:
                by_sno.setdefault(sno, []).append(index)
            if idn:
                by_idn.setdefault(idn, []).append(index)
            if match is not None:
                by_match.setdefault(match.uuid, []).append(index)
            out.append(ImportRow(row=number, kind="", cells=cells, keys=raw_keys, data=data,
                                 problems=[], changes={}, match_uuid=match.uuid if match is not None else None))
            pending.append((data, match, problems))

        progress(total, total, "正在核对重复和学院…")
        copies = self._identical_copies(out, [c for c, _k in data_items], (by_sno, by_idn, by_match))
        self._duplicates(out, pending, by_sno, "学号", "student_no")
        self._duplicates(out, pending, by_idn, "身份证号", "id_number")
        for indexes in by_match.values():
            if len(indexes) > 1:
                for i in indexes:
                    if not any(key in ("student_no", "id_number") for key, _m in pending[i][2]):
                        others = "、".join(str(out[j].row) for j in indexes if j != i)
                        pending[i][2].append(("", f"与第 {others} 行是同一名考生，请只保留一行。"))

        for row, (data, match, problems) in zip(out, pending, strict=True):
            if problems:
                row.kind, row.data = "rejected", None
                row.problems = [RowProblem(row.row, *where.get(key, ("", "")), key, message)
                                for key, message in problems]
            elif match is None:
                row.kind = "new"
            else:
                assert data is not None
                new_values = _data_values(data)
                if new_values == match.values:
                    row.kind = "unchanged"
                elif (why := status.refusal(match.status, status.EDIT, match.name)) is not None:
                    row.kind, row.data = "rejected", None
                    row.problems = [RowProblem(row.row, "", "", "", f"{why}本行未导入。")]
                else:
                    row.kind = "changed"
                    row.changes = {n: (old, new) for n, old, new in zip(FIELD_NAMES, match.values, new_values,
                                                                       strict=True) if old != new}
        todo_counts: Counter[str] = Counter()
        for i, todos in todo_rows.items():
            row = out[i]
            if row.kind != "rejected" and i not in copies:
                row.todos = tuple(t.field for t in todos)
                todo_counts[_TODO_GROUPS[todos[0].field]] += 1
        if todo_counts:
            listed = "、".join(f"{n:,} 名{what}" for what, n in todo_counts.items())
            warnings.append(f"{listed}，已导入并列为“待补信息”（名单中可筛选），请在考生信息中或现场确认时补齐，"
                            "签字确认前必须补齐。")
        if controls:
            shown = "、".join(controls[:4]) + (f"等 {len(controls)} 处" if len(controls) > 4 else "")
            warnings.append(f"{shown}含有看不见的控制字符（可能来自网页或其他系统，会让文字显示得与实际不同），"
                            "已删除。请核对这些单元格的内容。")
        if copies:
            out = [r for i, r in enumerate(out) if i not in copies]
            shown = "、".join(f"第 {row} 行与第 {first} 行" for row, first in list(copies.values())[:5])
            warnings.append(f"{shown}{'等' if len(copies) > 5 else ''}完全相同（重复粘贴），重复的行已跳过。")
        return out, warnings

    @staticmethod
    def _identical_copies(out: list[ImportRow], cols: list[int],
                          groups: tuple[dict[str, list[int]], ...]) -> dict[int, tuple[int, int]]:
        """Rows that repeat an earlier row cell for cell (pasted twice): {index: (its row, the
        first row's number)}. They are taken out of the duplicate groups, so the first one imports."""
        copies: dict[int, tuple[int, int]] = {}
        for by_key in groups:
            for indexes in by_key.values():
                if len(indexes) < 2:
                    continue
                for j in indexes[1:]:
                    first = next((i for i in indexes if i < j and i not in copies), None)
                    if first is not None and j not in copies and \
                            all(out[j].cells[c] == out[first].cells[c] for c in cols):
                        copies[j] = (out[j].row, out[first].row)
        if copies:
            for by_key in groups:
                for key, indexes in by_key.items():
                    by_key[key] = [i for i in indexes if i not in copies]
        return copies

    @staticmethod
    def _duplicates(out: list[ImportRow], pending: list, groups: dict[str, list[int]], label: str,
                    key: str) -> None:
        for value, indexes in groups.items():
            if len(indexes) < 2:
                continue
            for i in indexes:
                others = "、".join(str(out[j].row) for j in indexes if j != i)
                pending[i][2].append((key, f"{label} {value} 与第 {others} 行重复。"))

    # -- commit -------------------------------------------------------------------------------------
    @bulk_work()
    def commit(self, actor: Actor, preview: ImportPreview, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> ImportResult:
        """Import the preview's good rows in one transaction, with one audit event per change.

        The file must be unchanged since the preview; when the database changed in between, every
        row is evaluated again against what is stored now. The rows and their audit events are
        prepared from a snapshot before the write lock is taken, so the other writers at the desk
        (an edit, a capture at the table) wait only for the inserts themselves.
        """
        require(actor, "roster.import")
        progress = progress or no_progress
        path = Path(preview.path)
        sha = ensure_unchanged(path, preview.file_sha256)
        with self.db.read() as s:
            state = _DbState.load(s)
            head = _audit_head(s)
        if state.college_id is None:
            raise NotFoundError("尚未设置学院，请先完成初始设置。")
        plan = self._plan(preview, path, state, cancel)
        progress(0, 0, "正在写入数据库…")
        with self.db.transaction() as s:
            if _audit_head(s) != head:  # written in between (every change is audited): prepare again
                state = _DbState.load(s)
                plan = self._plan(preview, path, state, cancel)
            counts = plan.counts
            writes = len(plan.creates) + len(plan.updates)
            total = 2 * writes  # the candidate rows, then their audit events
            self.audit.record(
                s, actor.username, "roster.import", entity_type="college", entity_uuid=state.college_uuid,
                summary=(f"导入名单“{path.name}”：新增 {counts['new']} 人，更新 {counts['changed']} 人，"
                         f"未变 {counts['unchanged']} 人，未导入 {counts['rejected']} 行"),
                after={"file": path.name, "sha256": sha, "sheet": preview.mapping.sheet, **counts})
            table = Candidate.__table__
            for start in range(0, len(plan.creates), CHUNK):
                self._step(progress, cancel, start, total, "正在写入新考生…")
                insert_tuples(s, table, _CREATE_COLUMNS, plan.creates[start:start + CHUNK])
            # The updates and every event (the new candidates' first) go through the one write path.
            self.writer.write_prepared(s, actor, plan.updates, events=plan.events, cancel=cancel, chunk=CHUNK,
                                       progress=lambda d, _t, m: progress(len(plan.creates) + d, total, m))
            progress(total, total, "导入完成。")
        return ImportResult(created=counts["new"], updated=counts["changed"], unchanged=counts["unchanged"],
                            rejected=counts["rejected"])

    def _plan(self, preview: ImportPreview, path: Path, state: _DbState, cancel: CancelToken | None) -> _Plan:
        """The rows to insert and update and their audit events, for the database as ``state`` shows it."""
        rows = preview.rows
        if state.fingerprint != preview._db_state:
            mapping, source = preview.mapping, preview._source
            if source is None:
                mapping, source = self._read(path, None, preview.mapping.sheet)
                mapping.fields = preview.mapping.fields
                mapping.missing_required = [k for k in REQUIRED if k not in mapping.fields.values()]
            rows, _warnings = self._evaluate(mapping, source, state, no_progress, cancel)
        creates = [r for r in rows if r.kind == "new"]
        updates = [r for r in rows if r.kind == "changed"]
        plan = _Plan(counts={"new": len(creates), "changed": len(updates),
                             "unchanged": sum(r.kind == "unchanged" for r in rows),
                             "rejected": sum(r.kind == "rejected" for r in rows)})
        uuids = uuid4_batch(len(creates))
        stamp = new_row_values(state.origin_desk)
        fixed = (*(stamp[c] for c in _REPLICATION_COLUMNS), state.college_id, "roster", None)
        for k, r in enumerate(creates):
            if k % CHUNK == 0 and cancel is not None:
                cancel.raise_if_cancelled()
            assert r.data is not None
            values = _data_values(r.data)
            uuid = next(uuids)
            plan.creates.append((*values, uuid, *fixed))
            plan.events.append(EventSpec("candidate.create", "candidate", uuid, f"导入新增考生 {r.data.name}",
                                         None, {k: v for k, v in zip(FIELD_NAMES, values, strict=True) if v}))
        for r in updates:
            assert r.data is not None and r.match_uuid is not None
            before = {n: old for n, (old, _new) in r.changes.items()}
            after = {n: new for n, (_old, new) in r.changes.items()}
            prepared = CandidateWriter.prepare(
                r.match_uuid, r.data.name, state.revisions[r.match_uuid], state.statuses[r.match_uuid], before, after,
                values=vars(r.data), summary=f"{r.data.name}（导入）：{describe_changes(before, after)}")
            plan.updates.append(prepared)
            plan.events.append(prepared.event)
        return plan

    @staticmethod
    def _step(progress: Progress, cancel: CancelToken | None, done: int, total: int, message: str) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(done, total, message)

    # -- writing workbooks ------------------------------------------------------------------------
    def save_rejected(self, preview: ImportPreview, out: Path) -> Path:
        """The rejected rows with their original columns, “原行号” and “错误原因”, to fix and import again."""
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        from app import outfile, xlsx_safe

        out = outfile.check_target(Path(out))
        mapping = preview.mapping
        raw_keys = header_keys(mapping.headers)
        columns = [(i, raw_keys[i]) for i, h in enumerate(mapping.headers) if h]
        text_fields = ("id_number", "student_no", "phone")
        # Positions in the new sheet (column 1 is 原行号) of the columns Excel must keep as text.
        text_at = {n for n, (i, _k) in enumerate(columns, start=2) if mapping.fields.get(i) in text_fields}
        reason_at = len(columns) + 2
        # The reasons name this workbook's columns (原行号 comes first), not the original file's.
        letters = {tabular.column_letter(i): tabular.column_letter(n - 1) for n, (i, _k) in enumerate(columns, start=2)}
        wb = Workbook()
        ws = wb.active
        ws.title = "未导入的行"
        ws.append(xlsx_safe.row(ws, [ORIGINAL_ROW, *(mapping.headers[i] for i, _k in columns), REASON]))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = {1: display_width(ORIGINAL_ROW)}
        widths.update({n: display_width(mapping.headers[i]) for n, (i, _k) in enumerate(columns, start=2)})
        wrap = Alignment(wrap_text=True, vertical="top")
        row_no = 1  # ws.max_row scans every cell: too slow once per row
        for r in preview.rejected:
            values: list[object] = [r.row]
            for n, (_i, key) in enumerate(columns, start=2):
                value = r.raw.get(key, "")
                if n in text_at:
                    value = as_text(value)
                values.append(value)
                widths[n] = max(widths[n], display_width(value))
            values.append("\n".join(problem_reason(p, letters) for p in r.problems))
            ws.append(xlsx_safe.row(ws, values))
            row_no += 1
            for n in text_at:
                ws.cell(row_no, n).number_format = "@"
            ws.cell(row_no, reason_at).alignment = wrap
        for n, w in widths.items():
            dim = ws.column_dimensions[tabular.column_letter(n - 1)]
            dim.width = min(max(w + 2, 8), 40)
            if n in text_at:
                dim.number_format = "@"
        ws.column_dimensions[tabular.column_letter(reason_at - 1)].width = 70
        ws.freeze_panes = "B2"
        with outfile.atomic_write(out) as tmp:
            wb.save(tmp)
        return out

    def export(self, actor: Actor, out: Path, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> int:
        """The whole roster, ID and phone numbers included, as a styled .xlsx that imports back as
        “unchanged”; returns rows written."""
        require(actor, "roster.export_full")
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        from app import outfile, xlsx_safe

        progress = progress or no_progress
        out = outfile.check_target(Path(out))  # before minutes of work, not after
        progress(0, 0, "正在读取名单…")
        cols = [getattr(Candidate, n) for n in FIELD_NAMES]
        with self.db.read() as s:
            college = desk_college_or_none(s)
            college_name = college.name if college else ""
            records = s.execute(select(*cols, Candidate.status)
                                .where(Candidate.college_id == (college.id if college else None))
                                .order_by(Candidate.class_name, Candidate.student_no, Candidate.id)).all()
        keys = list(LABELS)
        headers = [LABELS[k] for k in keys] + ["状态"]
        text_keys = {"student_no", "id_number", "phone"}
        date_keys = set(_DATE_FIELDS)
        index = {n: i for i, n in enumerate(FIELD_NAMES)}
        wb = Workbook()
        ws = wb.active
        ws.title = "考生名单"
        total = len(records)
        last = tabular.column_letter(len(headers) - 1)
        ws.append(xlsx_safe.row(ws, [f"{college_name}专升本报名考生名单（{dt.date.today():%Y-%m-%d} 导出，共 {total} 人）"]))
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
        ws.append(xlsx_safe.row(ws, headers))
        thin = Side(style="thin", color="999999")
        fill = PatternFill("solid", fgColor="DDEBF7")
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        widths = [display_width(h) for h in headers]
        text_cols = [i for i, k in enumerate(keys) if k in text_keys]
        date_cols = [i for i, k in enumerate(keys) if k in date_keys]
        for n, rec in enumerate(records):
            if n % CHUNK == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(n, total, f"正在导出第 {n + 1} 行（共 {total} 行）…")
            values: list[object] = []
            for k in keys:
                if k == "college":
                    values.append(college_name)
                else:
                    v = rec[index[k]]
                    values.append(None if v == "" else v)  # an empty cell is not written at all
            values.append(STATUS_LABELS.get(rec[-1], rec[-1]))
            ws.append(xlsx_safe.row(ws, values))
            row_no = n + 3
            for i in text_cols:
                if values[i] is not None:
                    ws.cell(row_no, i + 1).number_format = "@"
            for i in date_cols:
                if values[i] is not None:
                    ws.cell(row_no, i + 1).number_format = "yyyy-mm-dd"
            if n < 200:
                for i, v in enumerate(values):
                    widths[i] = max(widths[i], display_width(v))
        for i, w in enumerate(widths):
            letter = tabular.column_letter(i)
            ws.column_dimensions[letter].width = min(max(w + 2, 8), 40)
            if i in text_cols:
                ws.column_dimensions[letter].number_format = "@"
        ws.freeze_panes = "C3"
        ws.auto_filter.ref = f"A2:{last}{total + 2}"
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(total, total, "正在保存文件…")
        with outfile.atomic_write(out) as tmp:
            wb.save(tmp)
        return total

    def write_template(self, out: Path) -> Path:
        """A blank import template: the headers, drop-downs for the coded fields, ID columns as text."""
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.worksheet.datavalidation import DataValidation

        from app import outfile, xlsx_safe

        out = outfile.check_target(Path(out))
        keys = ["student_no", "name", "gender", "id_number", "ethnicity", "phone", "class_name", "counsellor",
                "major", "intended_major", "category", "art_sports", "veteran_service_start",
                "veteran_service_end", "veteran_merits", "award_level", "award_name", "note"]
        headers = [LABELS[k] + ("*" if k in REQUIRED else "") for k in keys]
        wb = Workbook()
        ws = wb.active
        ws.title = "考生名单"
        ws.append(xlsx_safe.row(ws, headers))
        fill = PatternFill("solid", fgColor="DDEBF7")
        for cell in ws[1]:
            cell.font = Font(bold=True, color="C00000" if cell.value.endswith("*") else "000000")
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
        last_row = 5001
        col = {k: tabular.column_letter(i) for i, k in enumerate(keys)}
        lists = {
            "gender": (f.GENDERS, "性别"),
            "category": (f.CATEGORIES, "考生类别"),
            "art_sports": (tuple(a for a in f.ART_SPORTS if a), "艺体类别"),
            "award_level": (tuple(a for a in f.AWARD_LEVELS if a), "获奖等级"),
        }
        for key, (choices, label) in lists.items():
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=f"{label}无效",
                                error=f"{label}只能是：{'、'.join(choices)}。")
            dv.add(f"{col[key]}2:{col[key]}{last_row}")
            ws.add_data_validation(dv)
        for i, (k, h) in enumerate(zip(keys, headers, strict=True)):
            dim = ws.column_dimensions[tabular.column_letter(i)]
            dim.width = 22 if k == "id_number" else min(max(display_width(h) + 4, 10), 30)
            if k in ("student_no", "id_number", "phone"):
                dim.number_format = "@"
            elif k in _DATE_FIELDS:
                dim.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        notes = wb.create_sheet("填写说明")
        lines = [
            "考生名单填写说明",
            "1. 在“考生名单”工作表第 2 行起每行填写一名考生，不要改动第 1 行的列名，不要合并单元格。",
            "2. 带 * 的列必须填写：姓名、身份证号。学号建议填写，重新导入时按学号（其次按身份证号）更新已有考生。",
            "3. 身份证号、学号、联系电话列已设为“文本”格式；从其他表格粘贴时请用“选择性粘贴→数值”，"
            "否则 Excel 会把身份证号变成科学计数法，末几位丢失。",
            "4. 性别、考生类别、艺体类别、获奖等级请从下拉列表中选择。性别可不填（按身份证号判断）。",
            f"5. 考生类别：{'、'.join(f.CATEGORIES)}；不填视为普通考生。",
            "6. 退役大学生士兵须填写入伍时间和退役时间（如 2021-09-01）；获奖考生须填写获奖等级和获奖项目。",
            "7. 重新导入时，空白单元格不会清除已有信息。",
        ]
        for line in lines:
            notes.append(xlsx_safe.row(notes, [line]))
        notes["A1"].font = Font(bold=True, size=13)
        notes.column_dimensions["A"].width = 110
        with outfile.atomic_write(out) as tmp:
            wb.save(tmp)
        return out


def _moved_columns(cells: list[object], mapping: ColumnMapping) -> str:
    """For a repeated header row: “C 列是姓名” for each column whose name differs from the first
    header's field there; "" when the order is the same."""
    moved = []
    for col, key in mapping.fields.items():
        text = cells[col]
        if not isinstance(text, str) or tabular.is_blank(text):
            continue
        here = _classify(tabular.normalise_header(text))
        if here and here != key:
            moved.append(f"{tabular.column_letter(col)} 列是{FIELD_CHOICES.get(here, text)}")
    return "，".join(moved)


def _looks_like_header(cells: list[object], name_col: int | None, id_col: int | None) -> bool:
    """A repeated header: the name or ID cell holds a column name itself (“姓名”, “身份证号码”),
    not merely text about one (“身份证待补” is a student whose number is missing)."""
    for col, key, hint in ((name_col, "name", "名"), (id_col, "id_number", "证")):
        if col is None:
            continue
        v = cells[col]
        if isinstance(v, str) and hint in v and not v[:1].isdigit():
            ranked = _rank(tabular.normalise_header(v))
            if ranked is not None and ranked[0] == key and ranked[1] <= 2:
                return True
    return False
