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

from app.domain.candidate import TODO_RULES
from app.errors import ValidationError
from app.services.audit import AuditService
from app.services.candidates import find_candidate
from app.services.context import Actor, require_role
from app.services.media import MediaStore
from app.services.settings import FINGER_LABELS, SettingsService
from db.models import Candidate, Capture, utcnow
from db.session import Database

KINDS = {"photo": "照片", "id_front": "身份证正面", "id_back": "身份证背面", "id_chip": "身份证芯片信息",
         "document": "证明材料", "fingerprint": "指纹"}
DOCUMENT_KINDS = {"discharge": "退役证", "award": "获奖证书", "other": "其他材料"}
# Documents the category asks for at the table.
REQUIRED_DOCUMENTS = {"退役大学生士兵": "discharge", "获奖考生": "award"}
CAPTURERS = ("admin", "secretary", "counsellor")
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
        require_role(actor, CAPTURERS, "采集照片、证件和指纹")
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
            if cand.status == "locked":
                raise ValidationError(f"{cand.name} 的报名信息已锁定，不能再采集。", "status")
            replaced = s.scalar(select(Capture.uuid).where(
                Capture.candidate_id == cand.id, Capture.kind == kind, Capture.subkind == subkind,
                Capture.active.is_(True)))
            s.execute(update(Capture).where(
                Capture.candidate_id == cand.id, Capture.kind == kind, Capture.subkind == subkind,
                Capture.active.is_(True)).values(active=False, updated_at=utcnow()))
            row = Capture(candidate_id=cand.id, kind=kind, subkind=subkind, sha256=sha, ext=ext.lower().lstrip("."),
                          size_bytes=len(data), width=width, height=height,
                          quality=json.dumps(quality or {}, ensure_ascii=False, default=str),
                          extra=json.dumps(extra or {}, ensure_ascii=False, default=str), device=device,
                          operator=actor.username, desk_name=self.audit.desk_name,
                          override_reason=override_reason, active=True, captured_at=utcnow(),
                          origin_desk=self.audit.desk_uuid)
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
            wanted: list[tuple[str, str, str]] = [("photo", "", KINDS["photo"]),
                                                  ("id_front", "", KINDS["id_front"]),
                                                  ("id_back", "", KINDS["id_back"])]
            wanted += [("fingerprint", finger, f"指纹：{FINGER_LABELS[finger]}") for finger in fingers]  # type: ignore[union-attr]
            document = REQUIRED_DOCUMENTS.get(cand.category)
            if document:
                wanted.append(("document", document, DOCUMENT_KINDS[document]))
            steps = [Step(kind, sub, label, (kind, sub) in have, have.get((kind, sub)))
                     for kind, sub, label in wanted]
            # The category's own data the roster did not carry (入伍/退役时间, 获奖等级): completed
            # in the editor at the table, and required like any capture before sign-off.
            steps += [Step(INFO, key, f"补填{label}", bool(getattr(cand, key)))
                      for category, key, _message, label in TODO_RULES if category == cand.category]
            return Checklist(cand.uuid, cand.name, cand.student_no or "", cand.status, steps)

    def done_today(self, desk_name: str | None = None, today: dt.date | None = None) -> int:
        """Candidates with at least one capture at this desk today (local day)."""
        desk_name = self.audit.desk_name if desk_name is None else desk_name
        today = today or dt.date.today()
        start_local = dt.datetime.combine(today, dt.time.min)
        # Rows are stored in UTC: turn the local day's bounds into UTC.
        offset = start_local.astimezone().utcoffset() or dt.timedelta(0)
        start = start_local - offset
        end = start + dt.timedelta(days=1)
        with self.db.read() as s:
            return s.scalar(select(func.count(func.distinct(Capture.candidate_id))).where(
                Capture.desk_name == desk_name, Capture.captured_at >= start, Capture.captured_at < end)) or 0
