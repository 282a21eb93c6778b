"""A candidate's fields, their labels and the whole-record check shared by import and editor."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields

from app.domain import fields as f
from app.domain import idnumber
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

STATUS_LABELS = {
    "roster": "在册",
    "eligible": "审核通过",
    "ineligible": "审核未通过",
    "waived": "放弃报考",
    "published": "已公示",
    "confirmed": "已确认",
    "locked": "已锁定",
}


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

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems


_TEXT_LIMITS = (("ethnicity", 32), ("class_name", 100), ("counsellor", 64), ("major", 100),
                ("intended_major", 100), ("veteran_merits", 500), ("award_name", 500), ("note", 500))
_SIMPLE = (("phone", f.phone), ("category", f.category), ("art_sports", f.art_sports),
           ("award_level", f.award_level))
_DATES = (("veteran_service_start", "入伍时间"), ("veteran_service_end", "退役时间"))


def _student_no(value: object) -> str | None:
    text = f.clean_text(value).replace(" ", "")
    if not text:
        return None
    if len(text) > 32 or not text.isalnum():
        raise ValidationError(f"学号“{text}”只能由字母和数字组成，且不超过 32 位。", "student_no")
    return text


def check(raw: dict[str, object]) -> CheckResult:
    """Normalise and check one record; every problem is reported, not just the first.

    Runs for every imported row (20,000 in a big roster), so it is written as plain loops
    without per-field closures.
    """
    problems: list[FieldProblem] = []
    out: dict[str, object] = {}
    get = raw.get

    try:
        out["name"] = f.name(get("name"))
    except ValidationError as exc:
        problems.append(FieldProblem("name", exc.message))
    info = None
    try:
        info = idnumber.parse(get("id_number"))
    except ValidationError as exc:
        problems.append(FieldProblem("id_number", exc.message))
    given_gender = f.clean_text(get("gender"))
    if info is not None:
        out["id_number"] = info.number
        out["gender"] = info.gender
        if given_gender:
            try:
                gender = f.gender(given_gender)
            except ValidationError as exc:
                problems.append(FieldProblem("gender", exc.message))
            else:
                if gender != info.gender:
                    problems.append(FieldProblem(
                        "gender", f"性别“{gender}”与身份证号不符（身份证号显示为{info.gender}）。"))
        try:
            birth = f.parse_date(get("birth_date"), "birth_date", "出生日期")
        except ValidationError as exc:
            problems.append(FieldProblem("birth_date", exc.message))
        else:
            if birth and birth != info.birth_date:
                problems.append(FieldProblem(
                    "birth_date", f"出生日期 {birth} 与身份证号不符（身份证号显示为 {info.birth_date}）。"))
        out["birth_date"] = info.birth_date
    else:
        try:
            out["gender"] = f.gender(given_gender)
        except ValidationError as exc:
            problems.append(FieldProblem("gender", exc.message))

    try:
        out["student_no"] = _student_no(get("student_no"))
    except ValidationError as exc:
        problems.append(FieldProblem("student_no", exc.message))
    for key, fn in _SIMPLE:
        try:
            out[key] = fn(get(key))
        except ValidationError as exc:
            problems.append(FieldProblem(exc.field or key, exc.message))
    for key, label in _DATES:
        try:
            out[key] = f.parse_date(get(key), key, label)
        except ValidationError as exc:
            problems.append(FieldProblem(key, exc.message))
    for key, limit in _TEXT_LIMITS:
        value = f.clean_text(get(key))
        if len(value) > limit:
            problems.append(FieldProblem(key, f"{LABELS[key]}过长（超过 {limit} 个字）。"))
        out[key] = value
    ethnicity = out["ethnicity"]
    if ethnicity and not ethnicity.endswith("族") and len(ethnicity) <= 3:  # type: ignore[union-attr]
        out["ethnicity"] = f"{ethnicity}族"

    start, end = out.get("veteran_service_start"), out.get("veteran_service_end")
    if start and end and end < start:  # type: ignore[operator]
        problems.append(FieldProblem("veteran_service_end", "退役时间早于入伍时间。"))
    if out.get("category") == "退役大学生士兵" and not (start and end):
        problems.append(FieldProblem("veteran_service_start", "退役大学生士兵须填写入伍时间和退役时间。"))
    if out.get("category") == "获奖考生" and not out.get("award_level"):
        problems.append(FieldProblem("award_level", "获奖考生须填写获奖等级。"))

    if problems:
        return CheckResult(None, problems)
    return CheckResult(CandidateData(**{k: out[k] for k in FIELD_NAMES if k in out}))
