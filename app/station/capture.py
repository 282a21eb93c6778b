"""What the confirmation table captures for a candidate, and how far each candidate is.

One call stores one capture: the file goes to the content-addressed media folder first (so a
crash after it loses nothing that was accepted), then the row and its audit event are written in
one transaction. A retake keeps the previous capture as history (``active`` False).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit.service import AuditService
from app.auth import Actor, require
from app.domain import status
from app.domain.candidate import TODO_FIELDS, TODO_RULES
from app.errors import ValidationError
from app.roster.candidates import CandidateWriter, find_candidate
from app.settings.service import FINGER_LABELS, SettingsService
from app.station.media import MediaStore
from db.models import Candidate, Capture, utcnow
from db.replication import bump_values
from db.session import Database

KINDS = {"photo": "照片", "id_front": "身份证正面", "id_back": "身份证背面", "id_chip": "身份证芯片信息",
         "document": "证明材料", "fingerprint": "指纹"}
DOCUMENT_KINDS = {"discharge": "退役证", "award": "获奖证书", "other": "其他材料"}
# Documents the category asks for at the table.
REQUIRED_DOCUMENTS = {"退役大学生士兵": "discharge", "获奖考生": "award"}
INFO = "info"  # a checklist step that is a field to fill in, not a capture (subkind: the field key)


@dataclass(frozen=True)
class CaptureInfo:
    uuid: str
    candidate_uuid: str
    kind: str
    subkind: str
    sha256: str
    ext: str
    size_bytes: int
    width: int
    height: int
    quality: dict
    extra: dict
    device: str
    operator: str
    desk_name: str
    override_reason: str
    active: bool
    captured_at: dt.datetime

    @property
    def label(self) -> str:
        if self.kind == "fingerprint":
            return f"{KINDS['fingerprint']}（{FINGER_LABELS.get(self.subkind, self.subkind)}）"
        if self.kind == "document":
            return DOCUMENT_KINDS.get(self.subkind, self.subkind)
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Step:
    kind: str
    subkind: str
    label: str
    done: bool
    capture: CaptureInfo | None = None


@dataclass
class Checklist:
    candidate_uuid: str
    name: str
    student_no: str
    status: str
    steps: list[Step] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)

    @property
    def next_step(self) -> Step | None:
        """The first step still to do, in the table's order (None when all are done)."""
        return next((s for s in self.steps if not s.done), None)

    def missing_labels(self) -> list[str]:
        """What is still missing, as said at the desk: each step once, the fingers as one “指纹”."""
        out: list[str] = []
        for step in self.steps:
            if step.done:
                continue
            label = KINDS["fingerprint"] if step.kind == "fingerprint" else step.label
            if label not in out:
                out.append(label)
        return out


NOT_COME, STARTED, DONE = "not_come", "started", "done"
ONSITE_LABELS = {NOT_COME: "未到", STARTED: "未完成", DONE: "已完成"}


@dataclass(frozen=True)
class OnsiteState:
    """现场确认 of one candidate: not come yet (nothing captured), started, or every step done."""

    state: str  # NOT_COME | STARTED | DONE
    missing: tuple[str, ...] = ()  # labels of the steps still to do

    @property
    def label(self) -> str:
        return ONSITE_LABELS[self.state]


@dataclass(frozen=True)
class Unfinished:
    """A student this desk started today and did not finish."""

    uuid: str
    student_no: str
    name: str
    class_name: str
    missing: tuple[str, ...]
    last_at: dt.datetime  # UTC


def required_steps(category: str, fingers: list[str], values: dict[str, object]) -> list[tuple[str, str, str]]:
    """(kind, subkind, label) of every step the table must complete for a candidate of ``category``:
    photo, both ID card sides, the configured fingers, the category's document, and the category's
    own data the roster may lack (kind ``INFO``, subkind the field)."""
    wanted: list[tuple[str, str, str]] = [("photo", "", KINDS["photo"]), ("id_front", "", KINDS["id_front"]),
                                          ("id_back", "", KINDS["id_back"])]
    wanted += [("fingerprint", finger, f"指纹：{FINGER_LABELS[finger]}") for finger in fingers]
    document = REQUIRED_DOCUMENTS.get(category)
    if document:
        wanted.append(("document", document, DOCUMENT_KINDS[document]))
    wanted += [(INFO, key, f"补填{label}") for cat, key, _message, label in TODO_RULES if cat == category]
    return wanted


_TODO_KEYS = tuple(sorted(TODO_FIELDS))


def _info(c: Capture, candidate_uuid: str) -> CaptureInfo:
    return CaptureInfo(c.uuid, candidate_uuid, c.kind, c.subkind, c.sha256, c.ext, c.size_bytes, c.width,
                       c.height, json.loads(c.quality) if c.quality else {},
                       json.loads(c.extra) if c.extra else {}, c.device, c.operator, c.desk_name,
                       c.override_reason, c.active, c.captured_at)


class CaptureService:
    def __init__(self, db: Database, audit: AuditService, media: MediaStore) -> None:
        self.db = db
        self.audit = audit
        self.media = media

    def record(self, actor: Actor, key: str, kind: str, data: bytes, ext: str, *, subkind: str = "",
               quality: dict | None = None, device: str = "", width: int = 0, height: int = 0,
               override_reason: str = "", extra: dict | None = None) -> CaptureInfo:
        """Store one accepted capture; the previous one of the same kind becomes history."""
        require(actor, "capture.take")
        if kind not in KINDS:
            raise ValidationError(f"未知的采集类型“{kind}”。", "kind")
        if kind == "document" and subkind not in DOCUMENT_KINDS:
            raise ValidationError(f"未知的材料类型“{subkind}”。", "subkind")
        if kind == "fingerprint" and subkind not in FINGER_LABELS:
            raise ValidationError(f"未知的手指“{subkind}”。", "subkind")
        override_reason = override_reason.strip()
        sha = self.media.put(data, ext) if data else ""
        with self.db.transaction() as s:
            cand = find_candidate(s, key)
            CandidateWriter.guard(cand, status.CAPTURE)
            replaced = s.scalar(select(Capture.uuid).where(
                Capture.candidate_id == cand.id, Capture.kind == kind, Capture.subkind == subkind,
                Capture.active.is_(True)))
            s.execute(update(Capture).where(
                Capture.candidate_id == cand.id, Capture.kind == kind, Capture.subkind == subkind,
                Capture.active.is_(True)).values(active=False, **bump_values(Capture.__table__)))
            row = Capture(candidate_id=cand.id, kind=kind, subkind=subkind, sha256=sha, ext=ext.lower().lstrip("."),
                          size_bytes=len(data), width=width, height=height,
                          quality=json.dumps(quality or {}, ensure_ascii=False, default=str),
                          extra=json.dumps(extra or {}, ensure_ascii=False, default=str), device=device,
                          operator=actor.username, desk_name=self.audit.desk_name,
                          override_reason=override_reason, active=True, captured_at=utcnow())
            s.add(row)
            s.flush()
            info = _info(row, cand.uuid)
            what = info.label + ("（重拍）" if replaced else "")
            summary = f"{cand.name}：采集{what}"
            if override_reason:
                summary += f"；未通过的检查由操作员放行，理由：{override_reason}"
            self.audit.record(s, actor.username, "capture.override" if override_reason else "capture.record",
                              entity_type="candidate", entity_uuid=cand.uuid, summary=summary,
                              before={"capture": replaced} if replaced else None,
                              after={"capture": row.uuid, "kind": kind, "subkind": subkind, "sha256": sha,
                                     "device": device, "override_reason": override_reason,
                                     "quality": quality or {}})
            return info

    def history(self, key: str, kind: str | None = None) -> list[CaptureInfo]:
        with self.db.read() as s:
            cand = find_candidate(s, key)
            stmt = select(Capture).where(Capture.candidate_id == cand.id).order_by(Capture.id.desc())
            if kind:
                stmt = stmt.where(Capture.kind == kind)
            return [_info(c, cand.uuid) for c in s.scalars(stmt)]

    @staticmethod
    def _current(s: Session, cand: Candidate) -> dict[tuple[str, str], CaptureInfo]:
        rows = s.scalars(select(Capture).where(Capture.candidate_id == cand.id, Capture.active.is_(True)))
        return {(c.kind, c.subkind): _info(c, cand.uuid) for c in rows}

    def current(self, key: str) -> dict[tuple[str, str], CaptureInfo]:
        with self.db.read() as s:
            return self._current(s, find_candidate(s, key))

    def media_bytes(self, info: CaptureInfo) -> bytes:
        return self.media.read(info.sha256, info.ext)

    def checklist(self, key: str) -> Checklist:
        """The table's steps for this candidate and which are done."""
        with self.db.read() as s:
            cand = find_candidate(s, key)
            have = self._current(s, cand)
            fingers = SettingsService.read(s, "fingerprint_fingers")
            values = {k: getattr(cand, k) for k in TODO_FIELDS}
            steps = []
            for kind, sub, label in required_steps(cand.category, fingers, values):  # type: ignore[arg-type]
                if kind == INFO:
                    steps.append(Step(kind, sub, label, bool(values.get(sub))))
                else:
                    steps.append(Step(kind, sub, label, (kind, sub) in have, have.get((kind, sub))))
            return Checklist(cand.uuid, cand.name, cand.student_no or "", cand.status, steps)

    def onsite(self) -> dict[str, OnsiteState]:
        """Every candidate's 现场确认 state, by UUID (the roster's column, the lists of who has not come)."""
        with self.db.read() as s:
            return self._onsite(s)

    def _onsite(self, s: Session, only: set[int] | None = None) -> dict[str, OnsiteState]:
        fingers = SettingsService.read(s, "fingerprint_fingers")
        have: dict[int, set[tuple[str, str]]] = {}
        for cid, kind, sub in s.execute(select(Capture.candidate_id, Capture.kind, Capture.subkind)
                                        .where(Capture.active.is_(True))):
            have.setdefault(cid, set()).add((kind, sub))
        cols = (Candidate.id, Candidate.uuid, Candidate.category, *(getattr(Candidate, k) for k in _TODO_KEYS))
        out: dict[str, OnsiteState] = {}
        for row in s.execute(select(*cols)):
            cid, uuid, category = row[0], row[1], row[2]
            if only is not None and cid not in only:
                continue
            got = have.get(cid, set())
            values = dict(zip(_TODO_KEYS, row[3:], strict=True))
            missing = [label for kind, sub, label in required_steps(category, fingers, values)  # type: ignore[arg-type]
                       if not (values.get(sub) if kind == INFO else (kind, sub) in got)]
            out[uuid] = OnsiteState(NOT_COME if not got else (DONE if not missing else STARTED), tuple(missing))
        return out

    def unfinished_today(self, desk_name: str | None = None, today: dt.date | None = None) -> list[Unfinished]:
        """Students this desk started today and has not finished (the desk's list, F8 at the table)."""
        start, end = self._local_day(today)
        desk_name = self.audit.desk_name if desk_name is None else desk_name
        with self.db.read() as s:
            last: dict[int, dt.datetime] = dict(s.execute(
                select(Capture.candidate_id, func.max(Capture.captured_at))
                .where(Capture.desk_name == desk_name, Capture.captured_at >= start, Capture.captured_at < end)
                .group_by(Capture.candidate_id)).all())
            if not last:
                return []
            states = self._onsite(s, set(last))
            people = s.execute(select(Candidate.id, Candidate.uuid, Candidate.student_no, Candidate.name,
                                      Candidate.class_name).where(Candidate.id.in_(list(last)))).all()
        out = [Unfinished(uuid, sno or "", name, cls, states[uuid].missing, last[cid])
               for cid, uuid, sno, name, cls in people if states[uuid].state != DONE]
        return sorted(out, key=lambda u: u.last_at, reverse=True)

    @staticmethod
    def _local_day(today: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
        """The local day's bounds in UTC, as capture times are stored."""
        today = today or dt.date.today()
        start_local = dt.datetime.combine(today, dt.time.min)
        offset = start_local.astimezone().utcoffset() or dt.timedelta(0)
        start = start_local - offset
        return start, start + dt.timedelta(days=1)

    def done_today(self, desk_name: str | None = None, today: dt.date | None = None) -> int:
        """Candidates with at least one capture at this desk today (local day)."""
        desk_name = self.audit.desk_name if desk_name is None else desk_name
        start, end = self._local_day(today)
        with self.db.read() as s:
            return s.scalar(select(func.count(func.distinct(Capture.candidate_id))).where(
                Capture.desk_name == desk_name, Capture.captured_at >= start, Capture.captured_at < end)) or 0
