"""The audit trail: append hash-chained events, list them, and verify the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Meta, new_uuid, utcnow

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def canonical(value: object) -> str:
    """Stable JSON for hashing and for the before/after columns."""
    if value is None or value == "":
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def event_hash(ev: AuditEvent) -> str:
    payload = [ev.prev_hash, ev.uuid, ev.origin_desk, ev.at.isoformat(timespec="microseconds"), ev.actor,
               ev.desk_name, ev.action, ev.entity_type, ev.entity_uuid, ev.summary, ev.before, ev.after]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: dt.datetime  # UTC
    actor: str
    desk_name: str
    action: str
    entity_type: str
    entity_uuid: str
    summary: str
    before: dict
    after: dict


@dataclass
class AuditCheck:
    ok: bool
    count: int
    problems: list[str] = field(default_factory=list)


ACTION_LABELS = {
    "college.setup": "设置学院",
    "user.create": "新建用户",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.password": "修改密码",
    "candidate.create": "新增考生",
    "candidate.update": "修改考生信息",
    "roster.import": "导入名单",
    "demo.create": "生成演示数据",
}


class AuditService:
    def __init__(self, desk_uuid: str = "", desk_name: str = "") -> None:
        self.desk_uuid = desk_uuid
        self.desk_name = desk_name

    def record(self, session: Session, actor: str, action: str, *, entity_type: str = "",
               entity_uuid: str = "", summary: str = "", before: dict | None = None,
               after: dict | None = None) -> AuditEvent:
        """Append one event inside the caller's transaction."""
        head = session.get(Meta, HEAD_KEY, with_for_update=True)
        prev = head.value.split(":", 1)[1] if head and head.value else GENESIS
        ev = AuditEvent(uuid=new_uuid(), origin_desk=self.desk_uuid, at=utcnow(), actor=actor,
                        desk_name=self.desk_name, action=action, entity_type=entity_type,
                        entity_uuid=entity_uuid, summary=summary, before=canonical(before),
                        after=canonical(after), prev_hash=prev, hash="")
        ev.hash = event_hash(ev)
        session.add(ev)
        session.flush()
        if head is None:
            session.add(Meta(key=HEAD_KEY, value=f"{ev.seq}:{ev.hash}"))
        else:
            head.value = f"{ev.seq}:{ev.hash}"
        return ev

    @staticmethod
    def entries(session: Session, entity_uuid: str | None = None, limit: int = 500,
                offset: int = 0) -> list[AuditEntry]:
        stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit).offset(offset)
        if entity_uuid:
            stmt = stmt.where(AuditEvent.entity_uuid == entity_uuid)
        return [
            AuditEntry(seq=e.seq, at=e.at, actor=e.actor, desk_name=e.desk_name, action=e.action,
                       entity_type=e.entity_type, entity_uuid=e.entity_uuid, summary=e.summary,
                       before=json.loads(e.before) if e.before else {},
                       after=json.loads(e.after) if e.after else {})
            for e in session.scalars(stmt)
        ]

    @staticmethod
    def verify(session: Session) -> AuditCheck:
        problems: list[str] = []
        prev = GENESIS
        count = 0
        last_seq = 0
        for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(2000):
            count += 1
            if ev.prev_hash != prev:
                problems.append(f"第 {ev.seq} 条记录之前的记录被删除或改动（链接断开）。")
            if event_hash(ev) != ev.hash:
                problems.append(f"第 {ev.seq} 条记录的内容被改动（{ev.at:%Y-%m-%d %H:%M}，{ev.actor}）。")
            prev = ev.hash
            last_seq = ev.seq
        head = session.get(Meta, HEAD_KEY)
        if head and head.value:
            seq_s, hash_s = head.value.split(":", 1)
            if int(seq_s) != last_seq or hash_s != prev:
                problems.append(f"最后的记录（第 {seq_s} 条）之后的记录被删除或改动。")
        elif count:
            problems.append("审计链的链头缺失。")
        return AuditCheck(ok=not problems, count=count, problems=problems)
