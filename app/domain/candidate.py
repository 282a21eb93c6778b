"""A candidate's fields, their labels and the whole-record check shared by import and editor."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields

from app.domain import fields as f
from app.domain import idnumber, status
from app.errors import ValidationError

# Field key -> Chinese label, in display order. Keys match ``db.models.Candidate`` columns.
LABELS: dict[str, str] = {
    "student_no": "学号",
    "name": "姓名",
    "gender": "性别",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "phone": "联系电话",
    "college": "二级学院",
    "class_name": "班级",
    "counsellor": "辅导员",
    "major": "所学专业",
    "intended_major": "报考专业（类）",
    "category": "考生类别",
    "art_sports": "艺体类别",
    "veteran_service_start": "入伍时间",
    "veteran_service_end": "退役时间",
    "veteran_merits": "服役立功情况",
    "award_level": "获奖等级",
    "award_name": "获奖项目",
    "note": "备注",
}
REQUIRED = ("name", "id_number")

STATUS_LABELS = status.LABELS  # the states and their rules live in app.domain.status


@dataclass
class CandidateData:
    """A checked, normalised candidate as the services store it."""

    name: str
    gender: str
    id_number: str
    birth_date: dt.date
    student_no: str | None = None
    ethnicity: str = ""
    phone: str = ""
    class_name: str = ""
    counsellor: str = ""
    major: str = ""
    intended_major: str = ""
    category: str = "普通考生"
    art_sports: str = ""
    veteran_service_start: dt.date | None = None
    veteran_service_end: dt.date | None = None
    veteran_merits: str = ""
    award_level: str = ""
    award_name: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


FIELD_NAMES = tuple(x.name for x in fields(CandidateData))


@dataclass
class FieldProblem:
    field: str
    message: str


@dataclass
class CheckResult:
    data: CandidateData | None
    problems: list[FieldProblem] = field(default_factory=list)
    todos: list[FieldProblem] = field(default_factory=list)  # what to complete later (not blocking)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems


# To-dos: a field the registration needs for the candidate's category that a roster rarely
# carries. (category, field, message, short label for lists); checked in this order.
TODO_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("退役大学生士兵", "veteran_service_start", "退役大学生士兵须补填入伍时间。", "入伍时间"),
    ("退役大学生士兵", "veteran_service_end", "退役大学生士兵须补填退役时间。", "退役时间"),
    ("获奖考生", "award_level", "获奖考生须补填获奖等级。", "获奖等级"),
    ("获奖考生", "award_name", "获奖考生须补填获奖项目。", "获奖项目"),
)
TODO_FIELDS = frozenset(rule[1] for rule in TODO_RULES)


def todos(values: Mapping[str, object]) -> list[FieldProblem]:
    """What this candidate's category still needs filled in (empty when complete).

    A to-do never refuses an import or a save; it is shown and filterable, completed in the
    editor or at the confirmation table, and the table's checklist requires it before sign-off."""
    category = values.get("category")
    return [FieldProblem(key, message) for cat, key, message, _label in TODO_RULES
            if category == cat and not values.get(key)]


def todo_labels(values: Mapping[str, object]) -> tuple[str, ...]:
    """The short names of the missing fields (“入伍时间”, “退役时间”) for tables and lists."""
    category = values.get("category")
    return tuple(label for cat, key, _message, label in TODO_RULES if category == cat and not values.get(key))


_TEXT_LIMITS = (("ethnicity", 32), ("class_name", 100), ("counsellor", 64), ("major", 100),
                ("intended_major", 100), ("veteran_merits", 500), ("award_name", 500), ("note", 500))
_DATES = (("veteran_service_start", "入伍时间"), ("veteran_service_end", "退役时间"))


def _student_no(value: object) -> str | None:
    text = f.student_no(value)
    if not text:
        return None
    if f.is_scientific(text):
        raise ValidationError(f"学号被 Excel 存成了科学计数法（{text}），末尾几位已丢失。"
                              "请在原表中把学号列设置为“文本”格式后重新填写，再导入。", "student_no")
    if len(text) > 32 or not _STUDENT_NO.fullmatch(text):
        raise ValidationError(f"学号“{text}”只能由字母、数字和“-”组成，且不超过 32 位。", "student_no")
    return text


_STUDENT_NO = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-]*")


def _text(key: str, limit: int) -> Callable[[object], str]:
    message = f"{LABELS[key]}过长（超过 {limit} 个字）。"

    def clean(value: object) -> str:
        text = f.clean_text(value)
        if len(text) > limit:
            raise ValidationError(message, key)
        return text
    return clean


def _with_suffix(clean: Callable[[object], str]) -> Callable[[object], str]:
    """民族: “汉” is stored as “汉族”."""
    def ethnicity(value: object) -> str:
        return f.ethnicity(clean(value))
    return ethnicity


def _date(key: str, label: str) -> Callable[[object], dt.date | None]:
    return lambda value: f.parse_date(value, key, label)


# What forms write in a cell that does not apply: “无”, “/”, “—”. For the optional fields below
# it means blank (a blank category is 普通考生, a blank gender comes from the ID number).
_NOT_APPLICABLE = frozenset(("无", "/", "／", "\\", "-", "－", "—", "——", "–", "暂无", "没有", "n/a", "na", "null", "none"))


def _optional(rule: Callable[[object], object]) -> Callable[[object], object]:
    def apply(value: object) -> object:
        # Every marker is short: a phone number or a date is not looked at twice.
        if type(value) is str and len(value) <= 8 and value.strip().lower() in _NOT_APPLICABLE:
            value = ""
        return rule(value)
    return apply


# The fields checked on their own, in the order their problems are reported: (key, rule, the
# values repeat down a roster so the result is worth remembering per value).
_FIELD_RULES: tuple[tuple[str, Callable[[object], object], bool], ...] = (
    ("student_no", _student_no, False),
    ("phone", _optional(f.phone), False),
    ("category", _optional(f.category), True),
    ("art_sports", _optional(f.art_sports), True),
    ("award_level", _optional(f.award_level), True),
    *((key, _optional(_date(key, label)), True) for key, label in _DATES),
    *((key, _with_suffix(_text(key, limit)) if key == "ethnicity" else _text(key, limit), True)
      for key, limit in _TEXT_LIMITS),
)
_BIRTH_DATE = _optional(_date("birth_date", "出生日期"))
_GENDER = _optional(f.gender_or_blank)
_MEMO_LIMIT = 50_000  # distinct values remembered per field


class Checker:
    """``check`` for many records: the import's 20,000 rows go through one ``Checker``.

    A roster repeats its genders, classes, majors, counsellors and categories thousands of
    times, so the result of a field's rule (value or problem) is remembered per distinct cell
    text; every record still gets exactly the result ``check`` would give it alone.
    """

    def __init__(self) -> None:
        self._memo: dict[str, dict[object, tuple[object, ValidationError | None]]] = {
            key: {} for key in ("gender", "birth_date", *(k for k, _r, memo in _FIELD_RULES if memo))}
        self._rules = [(key, rule, self._memo[key] if memo else None) for key, rule, memo in _FIELD_RULES]

    @staticmethod
    def _remembered(rule: Callable[[object], object], value: object,
                    memo: dict[object, tuple[object, ValidationError | None]]) -> tuple[object, ValidationError | None]:
        """(value, None) or (None, problem) for ``rule(value)``, from ``memo`` when seen before."""
        # Only text and empty cells are remembered: 1, 1.0 and True are equal dictionary keys.
        cacheable = value is None or type(value) is str
        hit = memo.get(value) if cacheable else None
        if hit is None:
            try:
                hit = (rule(value), None)
            except ValidationError as exc:
                hit = (None, exc)
            if cacheable and len(memo) < _MEMO_LIMIT:
                memo[value] = hit
        return hit

    def __call__(self, raw: dict[str, object]) -> CheckResult:
        """Normalise and check one record; every problem is reported, not just the first."""
        problems: list[FieldProblem] = []
        out: dict[str, object] = {}
        get = raw.get
        remembered, memo = self._remembered, self._memo

        try:
            out["name"] = f.name(get("name"))
        except ValidationError as exc:
            problems.append(FieldProblem("name", exc.message))
        info = None
        try:
            info = idnumber.parse(get("id_number"))
        except ValidationError as exc:
            problems.append(FieldProblem("id_number", exc.message))
        given_gender = get("gender")
        if info is not None:
            out["id_number"] = info.number
            out["gender"] = info.gender
            if given_gender is not None and given_gender != "":
                gender, error = remembered(_GENDER, given_gender, memo["gender"])
                if error is not None:
                    problems.append(FieldProblem("gender", error.message))
                elif gender and gender != info.gender:
                    problems.append(FieldProblem(
                        "gender", f"性别“{gender}”与身份证号不符（身份证号显示为{info.gender}）。"))
            birth, error = remembered(_BIRTH_DATE, get("birth_date"), memo["birth_date"])
            if error is not None:
                problems.append(FieldProblem("birth_date", error.message))
            elif birth and birth != info.birth_date:
                problems.append(FieldProblem(
                    "birth_date", f"出生日期 {birth} 与身份证号不符（身份证号显示为 {info.birth_date}）。"))
            out["birth_date"] = info.birth_date
        else:  # a blank gender is not blamed: the ID number's problem is the one to fix first
            try:
                out["gender"] = _GENDER(given_gender)
            except ValidationError as exc:
                problems.append(FieldProblem("gender", exc.message))

        for key, rule, seen in self._rules:
            if seen is None:  # a value of its own on every row (学号, phone): nothing to remember
                try:
                    out[key] = rule(get(key))
                except ValidationError as exc:
                    problems.append(FieldProblem(exc.field or key, exc.message))
                continue
            value, error = remembered(rule, get(key), seen)
            if error is None:
                out[key] = value
            else:
                problems.append(FieldProblem(error.field or key, error.message))

        start, end = out.get("veteran_service_start"), out.get("veteran_service_end")
        if start and end and end < start:  # type: ignore[operator]
            problems.append(FieldProblem("veteran_service_end", "退役时间早于入伍时间。"))
        # What the category needs but the roster did not carry (入伍/退役时间, 获奖等级) is a to-do
        # on the candidate, not a reason to refuse them: only identity problems refuse a row.
        if problems:
            return CheckResult(None, problems)
        return CheckResult(CandidateData(**out), todos=todos(out))  # type: ignore[arg-type]


def check(raw: dict[str, object]) -> CheckResult:
    """Normalise and check one record (the editor's check; an import uses one ``Checker``)."""
    return Checker()(raw)
