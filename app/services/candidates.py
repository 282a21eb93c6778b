"""Find, show, create and correct candidates; every change is audited with before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import candidate as rules
from app.domain import idnumber
from app.domain.candidate import FIELD_NAMES, LABELS, STATUS_LABELS, CandidateData
from app.errors import ConflictError, NotFoundError, ValidationError
from app.services.audit import AuditEntry, AuditService
from app.services.college import desk_college, desk_college_or_none
from app.services.context import ROSTER_EDITORS, Actor, require_role
from app.services.search import Filters, RosterIndex
from db.models import Candidate, College
from db.session import Database


@dataclass(frozen=True)
class CandidateRow:
    """What the roster table shows: one light row per candidate."""

    uuid: str
    student_no: str
    name: str
    gender: str
    id_number: str
    class_name: str
    counsellor: str
    major: str
    intended_major: str
    category: str
    status: str
    phone: str
    todos: tuple[str, ...] = ()  # short names of what the category still needs (“入伍时间”)
    onsite: str = ""  # 现场确认: 未到 | 未完成 | 已完成 (see ``CaptureService.onsite``)
    person_conflict: bool = False  # the ID number is also on another college's roster

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def todo_text(self) -> str:
        """For a table column: “入伍/退役时间” when both are missing, else the names."""
        return _TODO_SHORT.get(self.todos) or "、".join(self.todos)


@dataclass(frozen=True)
class PersonConflict:
    """The same national ID number on another college's roster: one person, two records to reconcile."""

    id_number: str
    college_code: str
    college_name: str
    uuid: str  # the other record's
    student_no: str
    name: str


@dataclass(frozen=True)
class CandidateDetail:
    uuid: str
    revision: int
    college_name: str
    status: str
    serial_number: str
    data: CandidateData
    updated_at: dt.datetime
    person_conflicts: tuple[PersonConflict, ...] = ()

    @property
    def todos(self) -> list[rules.FieldProblem]:
        """What the candidate's category still needs filled in (see ``rules.todos``)."""
        return rules.todos(self.data.as_dict())


_TODO_KEYS = tuple(sorted(rules.TODO_FIELDS))
_TODO_SHORT = {("入伍时间", "退役时间"): "入伍/退役时间", ("获奖等级", "获奖项目"): "获奖等级/项目"}
_TODO_CATEGORIES = frozenset(rule[0] for rule in rules.TODO_RULES)


def to_data(c: Candidate) -> CandidateData:
    return CandidateData(**{name: getattr(c, name) for name in FIELD_NAMES})


def diff(before: CandidateData, after: CandidateData) -> tuple[dict, dict]:
    """Only the fields that changed, for the audit trail."""
    b, a = {}, {}
    for f in fields(CandidateData):
        old, new = getattr(before, f.name), getattr(after, f.name)
        if old != new:
            b[f.name], a[f.name] = old, new
    return b, a


def describe_changes(before: dict, after: dict) -> str:
    parts = [f"{LABELS.get(k, k)}：{before.get(k) or '（空）'} → {after.get(k) or '（空）'}" for k in after]
    return "；".join(parts)


def find_candidate(s: Session, key: str, college: College | None = None) -> Candidate:
    """The candidate whose UUID, student number or (any written form of) ID number is ``key``.

    A student or ID number is looked up in ``college``, by default this desk's college (another
    college may have the same numbers); a UUID names one record anywhere."""
    key = key.strip()
    c = s.scalar(select(Candidate).where(Candidate.uuid == key))
    if c is None:
        college = college or desk_college_or_none(s)
        scope = () if college is None else (Candidate.college_id == college.id,)
        c = s.scalar(select(Candidate).where(Candidate.student_no == key, *scope))
        if c is None:
            try:
                number = idnumber.normalise(key)
            except ValidationError:
                number = key
            c = s.scalar(select(Candidate).where(Candidate.id_number == number, *scope))
    if c is None:
        raise NotFoundError(f"找不到考生“{key}”（可用学号或身份证号查找）。")
    return c


def person_conflicts(s: Session, candidates: list[Candidate] | None = None) -> dict[str, list[PersonConflict]]:
    """Candidate UUID -> the records of the same person (same ID number) in other colleges.

    For ``candidates``, or for every candidate whose number is on more than one college's roster."""
    if candidates is not None:
        numbers = list({c.id_number for c in candidates})
    else:
        numbers = list(s.scalars(select(Candidate.id_number).group_by(Candidate.id_number)
                                 .having(func.count(func.distinct(Candidate.college_id)) > 1)))
    found: dict[str, list[tuple]] = {}
    for start in range(0, len(numbers), 500):
        rows = s.execute(select(Candidate.uuid, Candidate.id_number, Candidate.college_id, Candidate.student_no,
                                Candidate.name, College.code, College.name)
                         .join(College, College.id == Candidate.college_id)
                         .where(Candidate.id_number.in_(numbers[start:start + 500]))
                         .order_by(College.code, Candidate.uuid))
        for row in rows:
            found.setdefault(row[1], []).append(tuple(row))
    wanted = None if candidates is None else {c.uuid for c in candidates}
    out: dict[str, list[PersonConflict]] = {}
    for people in found.values():
        for uuid, _idn, college_id, *_rest in people:
            if wanted is not None and uuid not in wanted:
                continue
            others = [PersonConflict(idn, code, name_c, u, sno or "", name)
                      for u, idn, cid, sno, name, code, name_c in people if cid != college_id]
            if others:
                out[uuid] = others
    return out


class CandidateService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit

    def rows(self, onsite: Mapping[str, object] | None = None) -> list[CandidateRow]:
        """Every candidate, lightly: the roster view filters these in memory (fast at 20,000).

        ``onsite``: UUID -> 现场确认 state (``CaptureService.onsite``), shown by its label.
        ``person_conflict`` marks a candidate whose ID number is also on another college's roster."""
        cols = (Candidate.uuid, Candidate.student_no, Candidate.name, Candidate.gender, Candidate.id_number,
                Candidate.class_name, Candidate.counsellor, Candidate.major, Candidate.intended_major,
                Candidate.category, Candidate.status, Candidate.phone,
                *(getattr(Candidate, key) for key in _TODO_KEYS))
        with self.db.read() as s:
            result = s.execute(select(*cols).order_by(Candidate.class_name, Candidate.student_no))
            shared = set(s.scalars(select(Candidate.id_number).group_by(Candidate.id_number)
                                   .having(func.count(func.distinct(Candidate.college_id)) > 1)))
            out = []
            for r in result:
                # Only veterans and award winners can have to-dos: the others skip the rule.
                todos = rules.todo_labels({"category": r[9], **dict(zip(_TODO_KEYS, r[12:], strict=True))}) \
                    if r[9] in _TODO_CATEGORIES else ()
                state = onsite.get(r[0]) if onsite else None
                out.append(CandidateRow(r[0], r[1] or "", *r[2:12], todos, getattr(state, "label", ""),
                                        r[4] in shared))
            return out

    def find(self, text: str) -> list[CandidateRow]:
        """The candidates the roster search finds for ``text``, in roster order: name or its pinyin
        (initials, full or mixed), student number, ID number or any part of it, class."""
        if not text.strip():
            raise ValidationError("请输入要查找的姓名、拼音、学号、身份证号或班级。", "text")
        index = RosterIndex(self.rows())
        return [index.rows[i] for i in index.filter(Filters(text=text))]

    def count(self) -> int:
        with self.db.read() as s:
            return s.scalar(select(func.count()).select_from(Candidate)) or 0


    def get(self, key: str) -> CandidateDetail:
        with self.db.read() as s:
            return self._detail(s, find_candidate(s, key))

    def person_conflicts(self) -> dict[str, list[PersonConflict]]:
        """Every candidate whose ID number is also on another college's roster -> those records."""
        with self.db.read() as s:
            return person_conflicts(s)

    @staticmethod
    def _detail(s: Session, c: Candidate) -> CandidateDetail:
        return CandidateDetail(c.uuid, c.revision, c.college.name if c.college else "", c.status,
                               c.serial_number or "", to_data(c), c.updated_at,
                               tuple(person_conflicts(s, [c]).get(c.uuid, ())))

    @staticmethod
    def _check_unique(s: Session, data: CandidateData, college_id: int, exclude_id: int | None) -> None:
        """Numbers are unique within a college; the same ID number elsewhere is a person conflict."""
        if data.student_no:
            other = s.scalar(select(Candidate).where(Candidate.student_no == data.student_no,
                                                     Candidate.college_id == college_id))
            if other is not None and other.id != exclude_id:
                raise ValidationError(f"学号 {data.student_no} 已属于考生 {other.name}。", "student_no")
        other = s.scalar(select(Candidate).where(Candidate.id_number == data.id_number,
                                                 Candidate.college_id == college_id))
        if other is not None and other.id != exclude_id:
            raise ValidationError(f"身份证号已属于考生 {other.name}（学号 {other.student_no or '无'}）。",
                                  "id_number")

    def check(self, raw: dict) -> rules.CheckResult:
        """The editor's as-you-type validation: same rules as import and save."""
        return rules.check(raw)

    def update(self, actor: Actor, key: str, raw: dict, expected_revision: int | None = None) -> CandidateDetail:
        """Replace the editable fields with ``raw`` (display values are fine: they are normalised)."""
        require_role(actor, ROSTER_EDITORS, "修改考生信息")
        result = rules.check(raw)
        if not result.ok:
            p = result.problems[0]
            raise ValidationError(p.message, p.field)
        assert result.data is not None
        with self.db.transaction() as s:
            c = find_candidate(s, key)
            if expected_revision is not None and c.revision != expected_revision:
                raise ConflictError("该考生的信息已被其他人修改，请重新打开后再改。")
            self._check_unique(s, result.data, c.college_id, c.id)
            before, after = diff(to_data(c), result.data)
            if not after:
                return self._detail(s, c)
            for name, value in after.items():
                setattr(c, name, value)
            s.flush()  # the new revision (db.replication)
            self.audit.record(s, actor.username, "candidate.update", entity_type="candidate",
                              entity_uuid=c.uuid, summary=f"{c.name}：{describe_changes(before, after)}",
                              before=before, after=after)
            return self._detail(s, c)

    def create(self, actor: Actor, raw: dict, college: str | None = None) -> CandidateDetail:
        """A new candidate in ``college`` (its code), by default this desk's college."""
        require_role(actor, ROSTER_EDITORS, "新增考生")
        result = rules.check(raw)
        if not result.ok:
            p = result.problems[0]
            raise ValidationError(p.message, p.field)
        assert result.data is not None
        with self.db.transaction() as s:
            home = desk_college(s, college)
            self._check_unique(s, result.data, home.id, None)
            c = Candidate(college_id=home.id, **result.data.as_dict())
            s.add(c)
            s.flush()
            self.audit.record(s, actor.username, "candidate.create", entity_type="candidate",
                              entity_uuid=c.uuid, summary=f"新增考生 {c.name}",
                              after=result.data.as_dict())
            return self._detail(s, c)

    def history(self, key: str) -> list[AuditEntry]:
        with self.db.read() as s:
            c = find_candidate(s, key)
            return AuditService.entries(s, entity_uuid=c.uuid)

    def choices(self) -> dict[str, list[str]]:
        """Distinct values for the filters (class, counsellor, category, status)."""
        with self.db.read() as s:
            def distinct(col) -> list[str]:
                return sorted(v for v in s.scalars(select(col).distinct()) if v)
            return {"class_name": distinct(Candidate.class_name), "counsellor": distinct(Candidate.counsellor),
                    "category": distinct(Candidate.category), "status": distinct(Candidate.status)}
