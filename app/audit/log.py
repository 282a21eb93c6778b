"""Reading the audit trail for people (the GUI's audit view): pages, search and the chain check.

``AuditService`` appends inside the caller's transaction; this service is its read side and
opens its own read session per call, so the GUI never holds a session.
"""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from app.audit.replay import replay
from app.audit.service import ACTION_LABELS, AuditCheck, AuditEntry, check_trail
from app.tasks import CancelToken, Progress, no_progress
from db.models import AuditEvent
from db.session import Database


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class AuditLogService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _filtered(stmt: Select, text: str | None, entity_uuid: str | None) -> Select:
        if entity_uuid:
            stmt = stmt.where(AuditEvent.entity_uuid == entity_uuid)
        text = (text or "").strip()
        if text:
            pattern = _like_pattern(text)
            # ILIKE: PostgreSQL's LIKE is case-sensitive, SQLite's ignores ASCII case (as ILIKE does).
            conds = [AuditEvent.summary.ilike(pattern, escape="\\"), AuditEvent.actor.ilike(pattern, escape="\\")]
            # People search by what they see: the Chinese action label ("登录失败"), not the key.
            actions = [key for key, label in ACTION_LABELS.items() if text in label]
            if actions:
                conds.append(AuditEvent.action.in_(actions))
            stmt = stmt.where(or_(*conds))
        return stmt

    def entries(self, limit: int = 200, offset: int = 0, text: str | None = None,
                entity_uuid: str | None = None) -> list[AuditEntry]:
        """Newest first; ``text`` matches the summary, the actor or the action's label."""
        stmt = self._filtered(select(AuditEvent), text, entity_uuid)
        stmt = stmt.order_by(AuditEvent.seq.desc()).limit(limit).offset(offset)
        with self.db.read() as s:
            return [AuditEntry.of(e) for e in s.scalars(stmt)]

    def count(self, text: str | None = None, entity_uuid: str | None = None) -> int:
        stmt = self._filtered(select(func.count()).select_from(AuditEvent), text, entity_uuid)
        with self.db.read() as s:
            return s.scalar(stmt) or 0

    def verify(self, *, deep: bool = False, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> AuditCheck:
        """Walk the whole chain (and with ``deep``, compare every audited row with the trail).

        Takes ``progress``/``cancel`` so the GUI can run it in the background; everything is read
        from one snapshot, so a desk writing meanwhile is not mistaken for tampering.
        """
        progress = progress or no_progress
        if cancel is not None:
            cancel.raise_if_cancelled()
        # ``Database.read`` begins a real transaction: everything below sees one snapshot.
        with self.db.read() as s:
            check = check_trail(s, progress=progress, cancel=cancel)
            if not deep:
                return check
            report = replay(s, progress=progress, cancel=cancel)
        check.deep = True
        check.differences = report.differences
        check.notes = check.notes + report.notes()
        check.ok = not check.problems and not check.differences
        return check
