"""Find, show, create and correct candidates; every change is audited with before and after.

``CandidateWriter`` is the one write path for changes to an existing candidate: the editor and
``candidate set`` (``CandidateService.update``), the roster import, the review's decisions,
waivers and comparison runs all write through it, and the capture asks it first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.audit.service import AuditEntry, AuditService, EventSpec
from app.auth import Actor, require
from app.domain import candidate as rules
from app.domain import idnumber, status
from app.domain.candidate import FIELD_NAMES, LABELS, STATUS_LABELS, CandidateData
from app.errors import ConflictError, NotFoundError, ValidationError
from app.roster.search import Filters, RosterIndex
from app.setup.college import desk_college, desk_college_or_none
from app.tasks import CancelToken, Progress, no_progress
from db.models import Candidate, College
from db.replication import bump_values
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


@dataclass(frozen=True)
class CandidateChange:
    """What one write did to one candidate: the changed columns before and after (``status``
    among them when it moved) and the revision it now has."""

    uuid: str
    name: str
    status_before: str
    before: dict[str, object]
    after: dict[str, object]
    revision: int

    @property
    def status_after(self) -> str:
        return str(self.after.get("status", self.status_before))


@dataclass(frozen=True)
class PreparedChange:
    """A checked change to one candidate, ready for ``CandidateWriter.write_prepared`` (batches)."""

    change: CandidateChange
    values: dict[str, object]  # the columns to write, with the new revision and ``b_uuid``
    event: EventSpec


# Called inside the writing transaction for every change, after the row is written and before its
# audit event; raising refuses the change (the transaction rolls back).
ChangeHook = Callable[[Session, CandidateChange], None]


class CandidateWriter:
    """The one way an existing candidate changes.

    Each write checks that the candidate's status allows it (``app.domain.status``: a locked
    record is refused with the reason), checks the move when the status changes, writes the
    columns, bumps the revision once, tells the ``hooks`` and records the call's one audit event.
    The hooks are the single place where what follows a change (the sign-off's invalidation)
    hangs: every caller (editor, ``candidate set``, roster import, review, waivers) comes here.
    """

    def __init__(self, audit: AuditService, hooks: Iterable[ChangeHook] = ()) -> None:
        self.audit = audit
        self.hooks: list[ChangeHook] = list(hooks)

    @staticmethod
    def guard(c: Candidate, operation: str = status.EDIT) -> None:
        """Refuse (``StatusError``) when ``c``'s status does not allow ``operation``."""
        status.ensure_editable(c.status, operation, c.name)

    def _notify(self, s: Session, changes: Sequence[CandidateChange]) -> None:
        for hook in self.hooks:
            for change in changes:
                hook(s, change)

    def apply(self, s: Session, actor: Actor, c: Candidate, *, data: CandidateData | None = None,
              new_status: str | None = None, operation: str = status.EDIT, action: str = "candidate.update",
              summary: str | None = None, before: dict | None = None, after: dict | None = None,
              audit_unchanged: bool = False) -> CandidateChange:
        """Give ``c`` the fields of ``data`` and/or the status ``new_status`` (checked), audited as
        ``action``. ``before``/``after`` add the caller's own context to the event (a decision);
        without a change nothing is written or audited unless ``audit_unchanged``."""
        self.guard(c, operation)
        old, new = diff(to_data(c), data) if data is not None else ({}, {})
        if new_status is not None and new_status != c.status:
            status.ensure_transition(c.status, new_status, c.name)
            old["status"], new["status"] = c.status, new_status
        status_before = c.status
        if new:
            for name, value in new.items():
                setattr(c, name, value)
            s.flush()  # the new revision (db.replication)
        change = CandidateChange(c.uuid, c.name, status_before, old, new, c.revision)
        if new:
            self._notify(s, [change])
        elif not audit_unchanged:
            return change
        self.audit.record(s, actor.username, action, entity_type="candidate", entity_uuid=c.uuid,
                          summary=summary if summary is not None else f"{c.name}：{describe_changes(old, new)}",
                          before={**old, **(before or {})} or None, after={**new, **(after or {})} or None)
        return change

    @staticmethod
    def prepare(uuid: str, name: str, revision: int, current: str, before: dict, after: dict, *,
                operation: str = status.EDIT, values: Mapping[str, object] | None = None,
                action: str = "candidate.update", summary: str | None = None,
                event_before: dict | None = None, event_after: dict | None = None) -> PreparedChange:
        """Check one change of a batch against the candidate as read (``current`` status,
        ``revision``) without touching the database. ``before``/``after``: the changed columns;
        ``values``: the columns to write (default ``after``; a batch writes the same columns for
        every row); ``event_before``/``event_after``: the event's, when it says more."""
        why = status.refusal(current, operation, name)
        if why is not None:
            raise status.StatusError(why, current, operation=operation)
        if "status" in after:
            status.ensure_transition(current, str(after["status"]), name)
        change = CandidateChange(uuid, name, current, dict(before), dict(after), revision + 1)
        # The new revision is the bulk update's (``bump_values``): the same ``revision + 1``.
        row = {**(after if values is None else values), "b_uuid": uuid}
        event = EventSpec(action, "candidate", uuid,
                          summary if summary is not None else f"{name}：{describe_changes(before, after)}",
                          before if event_before is None else event_before,
                          after if event_after is None else event_after)
        return PreparedChange(change, row, event)

    def write_prepared(self, s: Session, actor: Actor, prepared: Sequence[PreparedChange], *,
                       events: Sequence[EventSpec] | None = None, progress: Progress = no_progress,
                       cancel: CancelToken | None = None, message: str = "正在更新考生…", chunk: int = 1000) -> None:
        """Write a batch of prepared changes, tell the hooks, and record the audit events:
        ``events`` (in that order) when the caller's batch has others too, which must include
        every prepared change's own event. Progress counts the rows, then the events."""
        if events is None:
            events = [p.event for p in prepared]
        else:
            listed = {id(e) for e in events}
            if any(id(p.event) not in listed for p in prepared):
                raise ValueError("every prepared change must be audited")
        table = Candidate.__table__
        stmt = table.update().where(table.c.uuid == bindparam("b_uuid")).values(**bump_values(table))
        total = len(prepared) + len(events)
        for start in range(0, len(prepared), chunk):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(start, total, message)
            s.execute(stmt, [p.values for p in prepared[start:start + chunk]])
        self._notify(s, [p.change for p in prepared])
        self.audit.record_many(s, actor.username, events, cancel=cancel,
                               progress=lambda d, _t, m: progress(len(prepared) + d, total, m))
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
    def __init__(self, db: Database, audit: AuditService, writer: CandidateWriter | None = None) -> None:
        self.db = db
        self.audit = audit
        self.writer = writer or CandidateWriter(audit)

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
        require(actor, "candidate.edit")
        with self.db.transaction() as s:
            c = find_candidate(s, key)
            # A locked record says so first: not “someone else changed it”, not a field to fix.
            self.writer.guard(c)
            if expected_revision is not None and c.revision != expected_revision:
                raise ConflictError("该考生的信息已被其他人修改，请重新打开后再改。")
            result = rules.check(raw)
            if not result.ok:
                p = result.problems[0]
                raise ValidationError(p.message, p.field)
            assert result.data is not None
            self._check_unique(s, result.data, c.college_id, c.id)
            self.writer.apply(s, actor, c, data=result.data)
            return self._detail(s, c)

    def create(self, actor: Actor, raw: dict, college: str | None = None) -> CandidateDetail:
        """A new candidate in ``college`` (its code), by default this desk's college."""
        require(actor, "candidate.add")
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
