"""The audit trail: append hash-chained events, list them, and verify the chain.

Besides the chain's head (``meta.audit_head``), the install's genesis (its first event's hash and
time) and the running count and newest hash are kept in three places: the ``meta`` table, the
local desk's row and the anchor file beside the database (``db.audit_anchor``). ``check_trail``
walks the chain from event 1 and names every copy that disagrees with it, so an emptied or cut
trail is reported; ``app.services.audit_replay`` compares the rows with the trail (``--deep``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.tasks import CancelToken, Progress, no_progress
from db.audit_anchor import AnchorUnreadable, anchor_content, anchor_path, read_anchor, write_anchor
from db.bulk import insert_tuples
from db.models import AuditEvent, Desk, Meta, new_uuid, utcnow

log = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD_KEY = "audit_head"  # "seq:hash" of the newest event: what the next event chains to
GENESIS_KEY = "audit_genesis"  # {"hash", "at"} of the install's first event, written once
# Set by migration 0006 on an install that was set up before the trail existed (rev 0001).
STARTED_AFTER_SETUP_KEY = "audit_started_after_setup"
# The first event whose payload has every value ``verify --deep`` replays (set by migration 0006 on
# a trail that existed before; absent: every event has).
PAYLOADS_FROM_KEY = "audit_payloads_from"
LOCAL_DESK_KEY = "local_desk_uuid"  # the install's own desk (written by SetupService)
SETUP_ACTIONS = ("college.setup",)  # what an install's first event is


def _json_default(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _encoder(sort_keys: bool, separators: tuple[str, str]) -> Callable[[object], str]:
    """``json.dumps(value, ensure_ascii=False, …)`` as one prepared C encoder.

    ``json.dumps`` with options builds a new encoder on every call, which is most of the cost
    of an audit event (a 20,000-row import writes 20,000); the output is the same text.
    """
    item_sep, key_sep = separators
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, separators=separators,
                                   default=_json_default)
        return encoder.encode
    iterencode = make(None, _json_default, json.encoder.encode_basestring, None, key_sep, item_sep,
                      sort_keys, False, True)
    return lambda value: "".join(iterencode(value, 0))


_canonical_json = _encoder(True, (",", ":"))
_hash_json = _encoder(False, (", ", ": "))  # json.dumps' default separators: the chain's format


def canonical(value: object) -> str:
    """Stable JSON for hashing and for the before/after columns."""
    if value is None or value == "":
        return ""
    return _canonical_json(value)


def chain_hash(prev_hash: str, uuid: str, origin_desk: str, at: dt.datetime, actor: str, desk_name: str,
               action: str, entity_type: str, entity_uuid: str, summary: str, before: str, after: str) -> str:
    """An event's hash from its fields, in the chain's order (``HASHED`` names them)."""
    payload = [prev_hash, uuid, origin_desk, at.isoformat(timespec="microseconds"), actor, desk_name, action,
               entity_type, entity_uuid, summary, before, after]
    return hashlib.sha256(_hash_json(payload).encode("utf-8")).hexdigest()


HASHED = ("prev_hash", "uuid", "origin_desk", "at", "actor", "desk_name", "action", "entity_type", "entity_uuid",
          "summary", "before", "after")


def event_hash(ev: AuditEvent) -> str:
    return chain_hash(*(getattr(ev, name) for name in HASHED))


def password_digest(password_hash: str) -> str:
    """What the trail keeps of a password: SHA-256 of its stored Argon2 hash.

    Enough for ``verify --deep`` to see a hash swapped in with SQL; useless for guessing the
    password (the Argon2 salt and parameters are not in the trail).
    """
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


class RowsDigest:
    """SHA-256 over rows as stored (one canonical JSON line each), in insertion order: an event
    that stores many rows carries it, so ``verify --deep`` finds a row changed or removed later."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, *values: object) -> None:
        self._hash.update(_canonical_json(list(values)).encode("utf-8"))
        self._hash.update(b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@dataclass(frozen=True)
class EventSpec:
    """One event for ``record_many``."""

    action: str
    entity_type: str = ""
    entity_uuid: str = ""
    summary: str = ""
    before: dict | None = None
    after: dict | None = None


def uuid4_batch(n: int) -> Iterator[str]:
    """``n`` random version-4 UUID strings from one ``os.urandom`` call; ``uuid.uuid4()`` one by
    one costs a noticeable share of a 20,000-row import."""
    pool = bytearray(os.urandom(16 * n))
    for k in range(0, 16 * n, 16):
        pool[k + 6] = pool[k + 6] & 0x0F | 0x40
        pool[k + 8] = pool[k + 8] & 0x3F | 0x80
        h = pool[k:k + 16].hex()
        yield f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_COLUMNS = ("seq", "uuid", "origin_desk", "at", "actor", "desk_name", "action", "entity_type", "entity_uuid",
            "summary", "before", "after", "prev_hash", "hash")


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


@dataclass(frozen=True)
class Difference:
    """A row that is not what the trail says it is (``audit verify --deep``)."""

    table: str  # the database table, e.g. "candidates"
    key: str  # the row's uuid (or setting key, or "candidate uuid/office")
    record: str  # the row as a person names it, e.g. "考生 张三（学号 2023001）"
    field: str  # the column, "" when the whole row is in question
    field_label: str
    trail: object  # the value the trail leads to (None: the trail has no such row)
    database: object  # the value in the database (None: no such row)
    seq: int | None  # the event that last set the value
    message: str  # one Chinese sentence naming all of the above

    def as_json(self) -> dict:
        return {"table": self.table, "key": self.key, "record": self.record, "field": self.field,
                "field_label": self.field_label, "trail": self.trail, "database": self.database,
                "seq": self.seq, "message": self.message}


@dataclass
class AuditCheck:
    """``ok`` is False when there is a problem (the chain) or a difference (``--deep``).

    ``notes`` say what could not be checked (rows older than the trail, events written before a
    field was recorded) so that a clean result is never read as more than it is.
    """

    ok: bool
    count: int
    problems: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deep: bool = False
    head: str = ""  # the newest event's hash: with ``count``, what a supervisor writes down

    def as_json(self) -> dict:
        out: dict = {"ok": self.ok, "count": self.count, "head": self.head, "problems": list(self.problems)}
        if self.deep:
            out["differences"] = [d.as_json() for d in self.differences]
        out["notes"] = list(self.notes)
        return out


ACTION_LABELS = {
    "college.setup": "设置学院",
    "college.mark_demo": "标记为演示数据",
    "user.create": "新建用户",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.password": "修改密码",
    "candidate.create": "新增考生",
    "candidate.update": "修改考生信息",
    "roster.import": "导入名单",
    "demo.create": "生成演示数据",
    "reference.import": "导入核对名单",
    "review.run": "资格审查比对",
    "review.decide": "审核意见",
    "waiver.add": "登记放弃报名",
    "waiver.revoke": "撤回放弃报名",
    "waiver.signed": "放弃申请书签字",
    "setting.set": "修改设置",
    "document.print": "打印表格",
    "capture.record": "现场采集",
    "capture.override": "采集放行（未通过检查）",
}


_PENDING = "audit_checkpoint"
_HOOKED = "audit_checkpoint_hooked"


@dataclass
class _Checkpoint:
    """What this transaction's events do to the copies of the genesis and the running count."""

    genesis_hash: str
    genesis_at: str
    desk: str
    desk_ok: bool  # the desk row agreed with the chain before: keep it moving with the chain
    file: Path | None  # the anchor file to write after the commit (None: leave it as it is)
    establish: bool = False  # this transaction holds the install's first event
    count: int = 0
    head: str = ""


def _parse_head(head: Meta | None) -> tuple[int, str]:
    if head is None or not head.value:
        return 0, GENESIS
    seq, _sep, digest = head.value.partition(":")
    try:
        return int(seq), digest
    except ValueError:
        return -1, digest


def _parse_genesis(row: Meta | None) -> tuple[str, str] | None:
    if row is None or not row.value:
        return None
    try:
        value = json.loads(row.value)
        return str(value["hash"]), str(value["at"])
    except (ValueError, KeyError, TypeError):
        return None


def _anchor_file(session: Session) -> Path | None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    return anchor_path(bind.url.database)


def _after_commit(session: Session) -> None:
    cp: _Checkpoint | None = session.info.pop(_PENDING, None)
    if cp is None or cp.file is None:
        return
    try:
        try:
            current = read_anchor(cp.file)
        except AnchorUnreadable:
            return  # damaged since this transaction looked at it: leave it for verify to report
        if current is None and not cp.establish:
            return  # removed meanwhile: a missing copy stays missing
        if current is not None and current["genesis"]["hash"] == cp.genesis_hash and current["count"] >= cp.count:
            return  # another process committed later events and wrote them already
        write_anchor(cp.file, anchor_content(cp.desk, cp.genesis_hash, cp.genesis_at, cp.count, cp.head))
    except OSError:
        # The events are committed; a file that lags behind is accepted by verify as long as
        # what it holds is still in the chain, so this is worth a log line, not a failed action.
        log.warning("could not update the audit anchor file %s", cp.file, exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


class AuditService:
    def __init__(self, desk_uuid: str = "", desk_name: str = "") -> None:
        self.desk_uuid = desk_uuid
        self.desk_name = desk_name

    def record(self, session: Session, actor: str, action: str, *, entity_type: str = "",
               entity_uuid: str = "", summary: str = "", before: dict | None = None,
               after: dict | None = None) -> AuditEvent:
        """Append one event inside the caller's transaction."""
        head = session.get(Meta, HEAD_KEY, with_for_update=True)
        prev_seq, prev = _parse_head(head)
        # Numbered here, as record_many numbers its events, not by the database: PostgreSQL's
        # sequence would not know the numbers record_many wrote (the write lock makes max + 1 safe).
        seq = (session.scalar(select(func.max(AuditEvent.seq))) or 0) + 1
        ev = AuditEvent(seq=seq, uuid=new_uuid(), origin_desk=self.desk_uuid, at=utcnow(), actor=actor,
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
        self._checkpoint(session, prev_seq, prev, ev.seq, ev.hash, ev.at, ev.seq, ev.hash)
        return ev

    def record_many(self, session: Session, actor: str, events: Sequence[EventSpec], *,
                    progress: Progress = no_progress, cancel: CancelToken | None = None,
                    chunk: int = 500) -> None:
        """Append many events inside the caller's transaction, chained exactly as ``record`` does.

        ``record`` reads the chain head and flushes per event (about 1 ms each); a 20,000-row
        import would spend half a minute there, so here the chain is computed in memory and
        the rows are inserted in batches.
        """
        if not events:
            return
        head = session.get(Meta, HEAD_KEY, with_for_update=True)
        prev_seq, prev = _parse_head(head)
        start_seq, start_hash = prev_seq, prev
        seq = session.scalar(select(func.max(AuditEvent.seq))) or 0
        first_seq = seq + 1
        at = utcnow()
        desk, desk_name = self.desk_uuid, self.desk_name
        # ``event_hash``'s input for this batch: the fields that are the same for every event are
        # encoded once; the test suite checks the result against ``event_hash``.
        fixed = _hash_json([desk, at.isoformat(timespec="microseconds"), actor, desk_name])[1:-1]
        encode = json.encoder.encode_basestring
        sha256 = hashlib.sha256
        rows: list[tuple] = []
        total = len(events)
        uuids = uuid4_batch(total)
        first_hash = ""
        for k, spec in enumerate(events):
            if k % chunk == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                insert_tuples(session, AuditEvent.__table__, _COLUMNS, rows)
                rows = []
                progress(k, total, "正在写入审计记录…")
            seq += 1
            uuid = next(uuids)
            before = canonical(spec.before)
            after = canonical(spec.after)
            text = (f'["{prev}", "{uuid}", {fixed}, {encode(spec.action)}, {encode(spec.entity_type)}, '
                    f'{encode(spec.entity_uuid)}, {encode(spec.summary)}, {encode(before)}, {encode(after)}]')
            digest = sha256(text.encode("utf-8")).hexdigest()
            rows.append((seq, uuid, desk, at, actor, desk_name, spec.action, spec.entity_type, spec.entity_uuid,
                         spec.summary, before, after, prev, digest))
            prev = digest
            if k == 0:
                first_hash = digest
        if cancel is not None:
            cancel.raise_if_cancelled()
        insert_tuples(session, AuditEvent.__table__, _COLUMNS, rows)
        if head is None:
            session.add(Meta(key=HEAD_KEY, value=f"{seq}:{prev}"))
        else:
            head.value = f"{seq}:{prev}"
        self._checkpoint(session, start_seq, start_hash, first_seq, first_hash, at, seq, prev)
        progress(total, total, "审计记录已写入。")

    # -- the copies of the genesis and the running count ------------------------------------------
    def _checkpoint(self, session: Session, prev_seq: int, prev_hash: str, first_seq: int, first_hash: str,
                    first_at: dt.datetime, count: int, head: str) -> None:
        """Move the desk row's count and head along with the chain (and, after the commit, the
        anchor file's), but only where they agreed with the chain before these events: a copy
        that already disagrees is the evidence ``verify`` reports, and is left as it is."""
        cp: _Checkpoint | None = session.info.get(_PENDING)
        if cp is None:
            cp = self._start_checkpoint(session, prev_seq, prev_hash, first_seq, first_hash, first_at)
            session.info[_PENDING] = cp
            if not session.info.get(_HOOKED):
                event.listen(session, "after_commit", _after_commit)
                event.listen(session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
                session.info[_HOOKED] = True
        cp.count, cp.head = count, head
        if cp.desk_ok:
            desks = Desk.__table__
            session.execute(desks.update().where(desks.c.uuid == cp.desk).values(audit_count=count, audit_head=head))

    def _start_checkpoint(self, session: Session, prev_seq: int, prev_hash: str, first_seq: int,
                          first_hash: str, first_at: dt.datetime) -> _Checkpoint:
        desks = Desk.__table__
        genesis = _parse_genesis(session.get(Meta, GENESIS_KEY))
        desk = None
        if self.desk_uuid:
            desk = session.execute(select(desks.c.audit_genesis_hash, desks.c.audit_count, desks.c.audit_head)
                                   .where(desks.c.uuid == self.desk_uuid)).first()
        path = _anchor_file(session)
        damaged = False
        content = None
        if path is not None:
            try:
                content = read_anchor(path)
            except AnchorUnreadable:
                damaged = True
        if (first_seq == 1 and genesis is None and not (desk and desk.audit_genesis_hash)
                and content is None and not damaged):
            # The install's first event: its hash and time become the genesis in every copy.
            at = first_at.isoformat(timespec="microseconds")
            session.add(Meta(key=GENESIS_KEY, value=json.dumps({"hash": first_hash, "at": at})))
            if desk is not None:
                session.execute(desks.update().where(desks.c.uuid == self.desk_uuid)
                                .values(audit_genesis_hash=first_hash, audit_genesis_at=first_at))
            return _Checkpoint(first_hash, at, self.desk_uuid, desk is not None, path, establish=True)
        if genesis is None:
            return _Checkpoint("", "", self.desk_uuid, False, None)
        desk_ok = (desk is not None and desk.audit_genesis_hash == genesis[0]
                   and (desk.audit_count, desk.audit_head) == (prev_seq, prev_hash))
        file_ok = content is not None and content["genesis"]["hash"] == genesis[0] and (
            (content["count"], content["head"]) == (prev_seq, prev_hash)
            or (0 < content["count"] < prev_seq and content["head"] == session.scalar(
                select(AuditEvent.hash).where(AuditEvent.seq == content["count"]))))
        return _Checkpoint(genesis[0], genesis[1], self.desk_uuid, desk_ok, path if file_ok else None)

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
    def verify(session: Session, *, progress: Progress = no_progress,
               cancel: CancelToken | None = None) -> AuditCheck:
        """The chain, its numbering from 1, and the copies of its genesis and running count."""
        return check_trail(session, progress=progress, cancel=cancel)


# -- verify -------------------------------------------------------------------------------------
def local_time(at: dt.datetime | str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored naive-UTC time as the reader's clock shows it."""
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            return at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone().strftime(fmt)


def span(first: int, last: int) -> str:
    """“第 5 条” or “第 5–9 条”."""
    return f"第 {first} 条" if first == last else f"第 {first}–{last} 条"


@dataclass
class _Copy:
    """One place that remembers the chain's genesis and running count."""

    name: str
    genesis: tuple[str, str] | None  # (hash, at)
    count: int | None
    head: str | None
    # Written in the events' own transaction (meta, desk row): must match the chain exactly. The
    # file is written after the commit and may lag behind, as long as what it holds is in the chain.
    exact: bool
    missing: str = ""  # why the copy is not there at all


def _iso(at: dt.datetime | None) -> str:
    return at.isoformat(timespec="microseconds") if at is not None else ""


def _read_copies(session: Session) -> tuple[list[_Copy], str, dict | None, list[str]]:
    """The copies, the local desk's uuid ("" before set-up), the started-after-set-up marker, notes."""
    notes: list[str] = []
    meta = {m.key: m for m in session.scalars(select(Meta).where(
        Meta.key.in_((HEAD_KEY, GENESIS_KEY, LOCAL_DESK_KEY, STARTED_AFTER_SETUP_KEY))))}
    head = meta.get(HEAD_KEY)
    count: int | None = None
    digest: str | None = None
    if head is not None and head.value:
        count, digest = _parse_head(head)
    copies = [_Copy("数据库 meta 表", _parse_genesis(meta.get(GENESIS_KEY)), count, digest, exact=True)]
    desk_uuid = meta[LOCAL_DESK_KEY].value if LOCAL_DESK_KEY in meta else ""
    if desk_uuid:
        desks = Desk.__table__
        row = session.execute(select(desks.c.audit_genesis_hash, desks.c.audit_genesis_at, desks.c.audit_count,
                                     desks.c.audit_head).where(desks.c.uuid == desk_uuid)).first()
        name = "本报名点的记录（desks 表）"
        if row is None:
            copies.append(_Copy(name, None, None, None, exact=True, missing="不存在"))
        else:
            copies.append(_Copy(name, (row.audit_genesis_hash, _iso(row.audit_genesis_at))
                                if row.audit_genesis_hash else None,
                                row.audit_count if row.audit_genesis_hash else None,
                                row.audit_head if row.audit_genesis_hash else None, exact=True))
    path = _anchor_file(session)
    if path is None:
        notes.append("数据库不是本机的一个文件，没有数据文件夹中的审计副本可以核对。")
    else:
        name = f"数据文件夹中的“{path.name}”"
        try:
            content = read_anchor(path)
        except AnchorUnreadable:
            copies.append(_Copy(name, None, None, None, exact=False, missing="已损坏或被改成了别的格式"))
        else:
            if content is None:
                copies.append(_Copy(name, None, None, None, exact=False,
                                    missing="不存在（数据库若是从别处复制来的，须连同这个文件一起复制）"))
            else:
                copies.append(_Copy(name, (content["genesis"]["hash"], content["genesis"]["at"]),
                                    content["count"], content["head"], exact=False))
    started = None
    if STARTED_AFTER_SETUP_KEY in meta:
        try:
            started = json.loads(meta[STARTED_AFTER_SETUP_KEY].value) or {}
        except ValueError:
            started = {}
    return copies, desk_uuid, started, notes


def _names(copies: list[_Copy]) -> str:
    return "、".join(c.name for c in copies)


def check_trail(session: Session, *, progress: Progress = no_progress,
                cancel: CancelToken | None = None) -> AuditCheck:
    """Walk the chain from its first event and compare it with the copies of its genesis and count.

    Reported: an altered event (its hash), a broken link, a gap in the numbering (“第 N 条之后缺少
    第 N+1–M 条”), a missing start, a head or count that the trail no longer reaches (truncated or
    emptied), a genesis that is not the trail's first event, a copy that is missing — each naming
    the copy that disagrees.
    """
    copies, desk_uuid, started_after_setup, notes = _read_copies(session)
    wanted = {c.count for c in copies if c.count}
    problems: list[str] = []
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    progress(0, total, "正在校验审计链…")
    prev = GENESIS
    count = 0
    last_seq = 0
    first: tuple[int, str, dt.datetime, str] | None = None
    hashes: dict[int, str] = {}
    t = AuditEvent.__table__
    stmt = select(*(t.c[name] for name in HASHED), t.c.seq, t.c.hash).order_by(t.c.seq)
    hashed = len(HASHED)
    for ev in session.execute(stmt.execution_options(yield_per=2000)):
        if count % 2000 == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(count, total, "正在校验审计链…")
        count += 1
        gap = False
        if first is None:
            first = (ev.seq, ev.hash, ev.at, ev.action)
            if ev.seq != 1:
                problems.append(f"审计记录的开头被删除：缺少{span(1, ev.seq - 1)}。")
                gap = True
        elif ev.seq != last_seq + 1:
            problems.append(f"第 {last_seq} 条之后缺少{span(last_seq + 1, ev.seq - 1)}。")
            gap = True
        if ev.prev_hash != prev and not gap:
            problems.append(f"第 {ev.seq} 条记录之前的记录被删除或改动（链接断开）。")
        if chain_hash(*ev[:hashed]) != ev.hash:
            problems.append(f"第 {ev.seq} 条记录的内容被改动（{local_time(ev.at)}，{ev.actor}）。")
        if ev.seq in wanted:
            hashes[ev.seq] = ev.hash
        prev = ev.hash
        last_seq = ev.seq
    progress(total, total, "正在核对审计起点和条数…")

    if first is None:
        claims = [c for c in copies if c.genesis is not None or (c.count or 0) > 0]
        if claims:
            n = max(c.count or 0 for c in claims)
            since = min((c.genesis[1] for c in claims if c.genesis), default="")
            when = f"自 {local_time(since, '%Y-%m-%d')} 起" if since else ""
            problems.append(f"审计记录被清空：本机{when}已记录 {n} 条，现在只有 0 条（{_names(claims)}记着）。")
        elif desk_uuid and started_after_setup is None:
            problems.append("本机已设置学院和报名点，却没有任何审计记录，审计起点的副本也都不见了："
                            "审计记录连同它的副本被删除了。")
        elif started_after_setup is not None:
            notes.append("本机在有审计记录之前就已设置（由旧版本升级而来），目前还没有审计记录。")
        return AuditCheck(ok=not problems, count=0, problems=problems, notes=notes)

    first_seq, first_hash, first_at, first_action = first
    genesis = (first_hash, _iso(first_at))
    unlike_genesis: dict[tuple[str, str], list[_Copy]] = {}
    beyond: dict[tuple[int, str], list[_Copy]] = {}
    differs: dict[tuple[int, str], list[_Copy]] = {}
    behind: dict[int, list[_Copy]] = {}
    for c in copies:
        if c.missing:
            problems.append(f"审计起点的副本缺失：{c.name}{c.missing}。")
            continue
        if c.genesis is None:
            problems.append(f"审计起点的副本缺失：{c.name}中没有记下审计起点。")
        elif c.genesis != genesis and first_seq == 1:
            unlike_genesis.setdefault(c.genesis, []).append(c)
        if c.count is None or c.head is None:
            problems.append(f"{c.name}中没有记下审计记录的条数和最后一条的哈希。")
        elif c.count > last_seq:
            beyond.setdefault((c.count, c.head), []).append(c)
        elif hashes.get(c.count) != c.head:
            differs.setdefault((c.count, c.head), []).append(c)
        elif c.exact and c.count < last_seq:
            behind.setdefault(c.count, []).append(c)
    for (g_hash, g_at), cs in unlike_genesis.items():
        problems.append(f"审计记录的第 1 条与{_names(cs)}记下的起点不符：记下的是 {local_time(g_at)} 的 "
                        f"{g_hash[:12]}…，现在的第 1 条是 {local_time(first_at)} 的 {first_hash[:12]}…"
                        "（开头的记录被删除后重新起头，或整个审计记录被重写过）。")
    for (n, _h), cs in beyond.items():
        problems.append(f"第 {last_seq} 条之后缺少{span(last_seq + 1, n)}（{_names(cs)}记着共 {n} 条："
                        "末尾的记录被删除，或中间的记录被删除后重新编号）。")
    for (n, h), cs in differs.items():
        problems.append(f"{_names(cs)}记着第 {n} 条的哈希为 {h[:12]}…，审计记录中的第 {n} 条"
                        + ("却不存在。" if n not in hashes else "却不同：记录被改动、删除或重新计算过。"))
    for n, cs in behind.items():
        problems.append(f"{_names(cs)}只记到第 {n} 条，审计记录却有 {last_seq} 条："
                        f"{span(n + 1, last_seq)}不是由本程序写入的。")
    if desk_uuid and first_seq == 1 and first_action not in SETUP_ACTIONS and started_after_setup is None:
        problems.append(f"审计记录的第 1 条不是本机的设置记录（而是“{ACTION_LABELS.get(first_action, first_action)}”，"
                        f"{local_time(first_at)}）：之前的记录可能被删除后重新起头。")
    if started_after_setup is not None:
        notes.append(f"本机在有审计记录之前就已设置（由旧版本升级而来）；审计记录从 {local_time(first_at)} 开始，"
                     "此前的数据没有记录可以核对。")
    return AuditCheck(ok=not problems, count=count, problems=problems, notes=notes, head=prev)
