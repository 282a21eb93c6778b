"""The audit trail: append hash-chained events, list them, and verify the chains.

Each origin desk has its own chain (``chain`` = the desk's UUID, ``chain_seq`` = 1, 2, 3 … in that
chain). This install appends to its own desk's chain; events of other desks arrive through
``receive_chain_events`` (the bundles bring them) with their own hashes, which are checked before
they are stored and keep verifying beside the local chain.

Besides the local chain's head (``meta.audit_head``), the install's genesis (its first event's hash
and time) and the running count and newest hash are kept in three places: the ``meta`` table, the
local desk's row and the anchor file beside the database (``db.audit_anchor``). For a received
chain, ``audit_chains`` records how much of it arrived. ``check_trail`` walks every chain from
event 1 and names every copy that disagrees with it, so an emptied or cut chain is reported;
``app.audit.replay`` compares the rows with the trail (``--deep``).
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

from app.errors import AppError
from app.tasks import CancelToken, Progress, no_progress
from db.audit_anchor import AnchorUnreadable, anchor_content, anchor_path, read_anchor, write_anchor
from db.bulk import insert_tuples
from db.models import AuditChain, AuditEvent, College, Desk, Meta, new_uuid, utcnow
from db.replication import LOCAL_DESK_KEY  # the install's own desk (written by SetupService)

log = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD_KEY = "audit_head"  # "seq:hash" of the newest event: what the next event chains to
GENESIS_KEY = "audit_genesis"  # {"hash", "at"} of the install's first event, written once
# Set by migration 0006 on an install that was set up before the trail existed (rev 0001).
STARTED_AFTER_SETUP_KEY = "audit_started_after_setup"
# The first event whose payload has every value ``verify --deep`` replays (set by migration 0006 on
# a trail that existed before; absent: every event has).
PAYLOADS_FROM_KEY = "audit_payloads_from"
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


HASH_VERSION = 2  # what new events are hashed with; ``hash_version`` on each event says which it was


def chain_hash(prev_hash: str, uuid: str, origin_desk: str, at: dt.datetime, actor: str, desk_name: str,
               action: str, entity_type: str, entity_uuid: str, summary: str, before: str, after: str) -> str:
    """Version 1 (events written before chains per desk): the hash of the fields ``HASHED`` names."""
    payload = [prev_hash, uuid, origin_desk, at.isoformat(timespec="microseconds"), actor, desk_name, action,
               entity_type, entity_uuid, summary, before, after]
    return hashlib.sha256(_hash_json(payload).encode("utf-8")).hexdigest()


def chain_hash_v2(prev_hash: str, chain: str, chain_seq: int, uuid: str, origin_desk: str, at: dt.datetime,
                  actor: str, desk_name: str, action: str, entity_type: str, entity_uuid: str, summary: str,
                  before: str, after: str) -> str:
    """Version 2: also the chain (origin desk) and the event's number in it (``HASHED_V2``), so an
    event cannot be moved to another chain or place without its hash changing."""
    payload = [2, prev_hash, chain, chain_seq, uuid, origin_desk, at.isoformat(timespec="microseconds"), actor,
               desk_name, action, entity_type, entity_uuid, summary, before, after]
    return hashlib.sha256(_hash_json(payload).encode("utf-8")).hexdigest()


HASHED = ("prev_hash", "uuid", "origin_desk", "at", "actor", "desk_name", "action", "entity_type", "entity_uuid",
          "summary", "before", "after")
HASHED_V2 = ("prev_hash", "chain", "chain_seq", *HASHED[1:])
_HASHERS = {1: (chain_hash, HASHED), 2: (chain_hash_v2, HASHED_V2)}


def hash_for(version: int, fields: dict | object) -> str | None:
    """The hash of an event (a row, an ORM object or a dict of its fields) by ``version``'s formula;
    None for a version this RegDesk does not know."""
    hasher = _HASHERS.get(version)
    if hasher is None:
        return None
    fn, names = hasher
    get = fields.get if isinstance(fields, dict) else lambda name: getattr(fields, name)
    return fn(*(get(name) for name in names))


def event_hash(ev: AuditEvent) -> str | None:
    return hash_for(ev.hash_version, ev)


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
            "summary", "before", "after", "prev_hash", "hash", "chain", "chain_seq", "hash_version")


@dataclass(frozen=True)
class AuditEntry:
    seq: int  # this database's order
    at: dt.datetime  # UTC
    actor: str
    desk_name: str
    action: str
    entity_type: str
    entity_uuid: str
    summary: str
    before: dict
    after: dict
    chain: str = ""  # the origin desk's chain
    chain_seq: int = 0  # the event's number in it: what ``audit verify`` names

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEntry:
        return cls(seq=e.seq, at=e.at, actor=e.actor, desk_name=e.desk_name, action=e.action,
                   entity_type=e.entity_type, entity_uuid=e.entity_uuid, summary=e.summary,
                   before=json.loads(e.before) if e.before else {}, after=json.loads(e.after) if e.after else {},
                   chain=e.chain, chain_seq=e.chain_seq)


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
class ChainCheck:
    """One origin desk's chain as ``audit verify`` found it."""

    uuid: str  # the chain: the origin desk's UUID ("" for events written before the desk was set up)
    desk: str  # the desk's name ("" when this database does not know the desk)
    college: str  # its college's name, when known
    label: str  # how messages name the chain, e.g. 报名点“二号桌”（信息工程学院）
    local: bool  # this install's own chain
    count: int
    head: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {"desk": self.desk, "college": self.college, "uuid": self.uuid, "local": self.local,
                "count": self.count, "head": self.head, "ok": self.ok, "problems": list(self.problems)}


@dataclass
class AuditCheck:
    """``ok`` is False when there is a problem (a chain) or a difference (``--deep``).

    ``count`` and ``head`` are the local chain's; ``chains`` has every chain (the local one first),
    and ``problems`` all their problems, those of another desk's chain prefixed with its name.
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
    chains: list[ChainCheck] = field(default_factory=list)

    def as_json(self) -> dict:
        out: dict = {"ok": self.ok, "count": self.count, "head": self.head, "problems": list(self.problems)}
        if self.deep:
            out["differences"] = [d.as_json() for d in self.differences]
        out["notes"] = list(self.notes)
        out["chains"] = [c.as_json() for c in self.chains]
        return out


ACTION_LABELS = {
    "college.setup": "设置学院",
    "college.mark_demo": "标记为演示数据",
    "user.create": "新建用户",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.password": "修改密码",
    "user.office": "修改所属部门",
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


def _last_in_chain(session: Session, chain: str) -> int:
    """The highest number in ``chain`` (0: none yet); the next event of the chain gets the next one."""
    return session.scalar(select(func.max(AuditEvent.chain_seq)).where(AuditEvent.chain == chain)) or 0


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
        chain = self.desk_uuid
        # ``seq`` is set here, not by the database: ``record_many`` and ``receive_chain_events`` set
        # it too, and PostgreSQL's sequence would not know about theirs. The head row's lock above
        # makes writers take turns.
        ev = AuditEvent(seq=(session.scalar(select(func.max(AuditEvent.seq))) or 0) + 1,
                        uuid=new_uuid(), origin_desk=chain, at=utcnow(), actor=actor,
                        desk_name=self.desk_name, action=action, entity_type=entity_type,
                        entity_uuid=entity_uuid, summary=summary, before=canonical(before),
                        after=canonical(after), prev_hash=prev, hash="", chain=chain,
                        chain_seq=_last_in_chain(session, chain) + 1, hash_version=HASH_VERSION)
        ev.hash = event_hash(ev)
        session.add(ev)
        session.flush()
        if head is None:
            session.add(Meta(key=HEAD_KEY, value=f"{ev.chain_seq}:{ev.hash}"))
        else:
            head.value = f"{ev.chain_seq}:{ev.hash}"
        self._checkpoint(session, prev_seq, prev, ev.chain_seq, ev.hash, ev.at, ev.chain_seq, ev.hash)
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
        desk, desk_name = self.desk_uuid, self.desk_name
        chain_seq = _last_in_chain(session, desk)
        first_seq = chain_seq + 1
        at = utcnow()
        # ``event_hash``'s input for this batch (version 2): the fields that are the same for every
        # event are encoded once; the test suite checks the result against ``event_hash``.
        chain = json.encoder.encode_basestring(desk)
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
            chain_seq += 1
            uuid = next(uuids)
            before = canonical(spec.before)
            after = canonical(spec.after)
            text = (f'[2, "{prev}", {chain}, {chain_seq}, "{uuid}", {fixed}, {encode(spec.action)}, '
                    f'{encode(spec.entity_type)}, {encode(spec.entity_uuid)}, {encode(spec.summary)}, '
                    f'{encode(before)}, {encode(after)}]')
            digest = sha256(text.encode("utf-8")).hexdigest()
            rows.append((seq, uuid, desk, at, actor, desk_name, spec.action, spec.entity_type, spec.entity_uuid,
                         spec.summary, before, after, prev, digest, desk, chain_seq, HASH_VERSION))
            prev = digest
            if k == 0:
                first_hash = digest
        if cancel is not None:
            cancel.raise_if_cancelled()
        insert_tuples(session, AuditEvent.__table__, _COLUMNS, rows)
        if head is None:
            session.add(Meta(key=HEAD_KEY, value=f"{chain_seq}:{prev}"))
        else:
            head.value = f"{chain_seq}:{prev}"
        self._checkpoint(session, start_seq, start_hash, first_seq, first_hash, at, chain_seq, prev)
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
                select(AuditEvent.hash).where(AuditEvent.chain == self.desk_uuid,
                                              AuditEvent.chain_seq == content["count"]))))
        return _Checkpoint(genesis[0], genesis[1], self.desk_uuid, desk_ok, path if file_ok else None)

    @staticmethod
    def entries(session: Session, entity_uuid: str | None = None, limit: int = 500,
                offset: int = 0) -> list[AuditEntry]:
        stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit).offset(offset)
        if entity_uuid:
            stmt = stmt.where(AuditEvent.entity_uuid == entity_uuid)
        return [AuditEntry.of(e) for e in session.scalars(stmt)]

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


@dataclass
class _Walk:
    """One chain as the walk found it: numbering, links and hashes checked event by event."""

    chain: str
    count: int = 0
    last_seq: int = 0
    prev: str = GENESIS
    first: tuple[int, str, dt.datetime, str] | None = None  # (chain_seq, hash, at, action)
    newer_format: bool = False  # a version-2 event was seen: a version-1 event after it is forged
    problems: list[str] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)  # the hashes a copy asks about


_WALKED = (*HASHED_V2, "hash_version", "hash")  # a walked row: HASHED_V2's fields first
_V2_FIELDS = len(HASHED_V2)


def _row_hash(ev) -> str | None:
    """``hash_for`` on a walked row, by position (the walk hashes every event of the database)."""
    if ev.hash_version == 2:
        return chain_hash_v2(*ev[:_V2_FIELDS])
    if ev.hash_version == 1:
        return chain_hash(ev[0], *ev[3:_V2_FIELDS])  # without chain and chain_seq
    return None


def _walk(ev, w: _Walk, wanted: set[int]) -> None:
    n = ev.chain_seq
    w.count += 1
    gap = False
    if w.first is None:
        w.first = (n, ev.hash, ev.at, ev.action)
        if n != 1:
            w.problems.append(f"审计记录的开头被删除：缺少{span(1, n - 1)}。")
            gap = True
    elif n <= w.last_seq:  # only where the unique index was dropped
        w.problems.append(f"第 {n} 条记录出现了不止一次。")
        gap = True
    elif n != w.last_seq + 1:
        w.problems.append(f"第 {w.last_seq} 条之后缺少{span(w.last_seq + 1, n - 1)}。")
        gap = True
    if ev.prev_hash != w.prev and not gap:
        w.problems.append(f"第 {n} 条记录之前的记录被删除或改动（链接断开）。")
    version = ev.hash_version
    if version == 1 and w.newer_format:
        w.problems.append(f"第 {n} 条记录标为旧的哈希格式，却排在按新格式写入的记录之后（记录被改动过）。")
    w.newer_format = w.newer_format or version >= 2
    digest = _row_hash(ev)
    if digest is None:
        w.problems.append(f"第 {n} 条记录的哈希格式（第 {version} 版）本版本的 RegDesk 不认识，无法校验。")
    elif digest != ev.hash:
        w.problems.append(f"第 {n} 条记录的内容被改动（{local_time(ev.at)}，{ev.actor}）。")
    if n in wanted:
        w.hashes[n] = ev.hash
    w.prev = ev.hash
    w.last_seq = n


def _chain_labels(session: Session) -> dict[str, tuple[str, str]]:
    """desk UUID -> (desk name, college name) for the desks this database knows."""
    d, c = Desk.__table__, College.__table__
    rows = session.execute(select(d.c.uuid, d.c.name, c.c.name.label("college"))
                           .join(c, c.c.id == d.c.college_id, isouter=True))
    return {r.uuid: (r.name, r.college or "") for r in rows}


def chain_label(chain: str, known: dict[str, tuple[str, str]]) -> str:
    """How a message names a chain: the desk and college when known, else its UUID."""
    if chain in known:
        desk, college = known[chain]
        return f"报名点“{desk}”（{college}）" if college else f"报名点“{desk}”"
    if not chain:
        return "未标明报名点的记录"
    return f"报名点 {chain}"


def check_trail(session: Session, *, progress: Progress = no_progress,
                cancel: CancelToken | None = None) -> AuditCheck:
    """Walk every chain from its first event; compare the local one with the copies of its genesis
    and count, and each received one with what ``audit_chains`` says arrived.

    Reported: an altered event (its hash), a broken link, a gap in the numbering (“第 N 条之后缺少
    第 N+1–M 条”), a missing start, a head or count that the chain no longer reaches (truncated or
    emptied), a genesis that is not the chain's first event, a copy that is missing — each naming
    the copy that disagrees, and for another desk's chain, that desk.
    """
    copies, desk_uuid, started_after_setup, notes = _read_copies(session)
    received = {r.chain: r for r in session.execute(select(*AuditChain.__table__.c))}
    wanted = {c.count for c in copies if c.count}
    wanted_by_chain = {chain: {r.count} for chain, r in received.items()}
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    progress(0, total, "正在校验审计链…")
    walks: dict[str, _Walk] = {}
    t = AuditEvent.__table__
    stmt = select(*(t.c[name] for name in _WALKED)).order_by(t.c.chain, t.c.chain_seq)
    w = _Walk(desk_uuid)
    want: set[int] = set()
    for done, ev in enumerate(session.execute(stmt.execution_options(yield_per=2000))):
        if done % 2000 == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(done, total, "正在校验审计链…")
        if ev.chain not in walks:  # the rows come chain by chain
            w = walks[ev.chain] = _Walk(ev.chain)
            want = wanted if ev.chain == desk_uuid else wanted_by_chain.get(ev.chain, set())
        _walk(ev, w, want)
    progress(total, total, "正在核对审计起点和条数…")

    known = _chain_labels(session)
    local = walks.pop(desk_uuid, _Walk(desk_uuid))
    _check_local(local, copies, desk_uuid, started_after_setup, notes)
    desk, college = known.get(desk_uuid, ("", ""))
    chains = [ChainCheck(desk_uuid, desk, college, chain_label(desk_uuid, known), True, local.count,
                         local.prev if local.count else "", local.problems)]
    problems = list(local.problems)
    foreign = []
    for chain in sorted(set(walks) | set(received) - {desk_uuid}):
        w = walks.get(chain, _Walk(chain))
        _check_received(w, received.get(chain))
        desk, college = known.get(chain, ("", ""))
        foreign.append(ChainCheck(chain, desk, college, chain_label(chain, known), False, w.count,
                                  w.prev if w.count else "", w.problems))
    foreign.sort(key=lambda c: (c.college, c.desk, c.uuid))
    for c in foreign:
        problems += [f"{c.label}的审计链：{p}" for p in c.problems]
    return AuditCheck(ok=not problems, count=local.count, problems=problems, notes=notes,
                      head=chains[0].head, chains=chains + foreign)


def _check_received(w: _Walk, row) -> None:
    """Another desk's chain against what this database recorded receiving of it."""
    if row is None:
        if w.count:
            w.problems.append(f"数据库中有它的 {w.count} 条审计记录，却没有接收它们的记录（不是经由本程序导入的）。")
        return
    if w.first is None:
        w.problems.append(f"审计记录被清空：自 {local_time(row.genesis_at, '%Y-%m-%d')} 起已接收 {row.count} 条，"
                          "现在只有 0 条。")
        return
    first_seq, first_hash, first_at, _action = w.first
    if first_seq == 1 and (row.genesis_hash, _iso(row.genesis_at)) != (first_hash, _iso(first_at)):
        w.problems.append(f"审计记录的第 1 条与接收时的起点不符：接收的是 {local_time(row.genesis_at)} 的 "
                          f"{row.genesis_hash[:12]}…，现在的第 1 条是 {local_time(first_at)} 的 {first_hash[:12]}…。")
    if row.count > w.last_seq:
        w.problems.append(f"第 {w.last_seq} 条之后缺少{span(w.last_seq + 1, row.count)}（接收时共 {row.count} 条："
                          "末尾的记录被删除，或中间的记录被删除后重新编号）。")
    elif w.hashes.get(row.count) != row.head:
        w.problems.append(f"接收时第 {row.count} 条的哈希为 {row.head[:12]}…，审计记录中的第 {row.count} 条"
                          + ("却不存在。" if row.count not in w.hashes else "却不同：记录被改动、删除或重新计算过。"))
    elif row.count < w.last_seq:
        w.problems.append(f"只接收到第 {row.count} 条，审计记录却有 {w.last_seq} 条："
                          f"{span(row.count + 1, w.last_seq)}不是经由本程序导入的。")


def _check_local(w: _Walk, copies: list[_Copy], desk_uuid: str, started_after_setup: dict | None,
                 notes: list[str]) -> None:
    """The local chain against the copies of its genesis and running count (problems into ``w``)."""
    problems = w.problems
    if w.first is None:
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
        return

    first_seq, first_hash, first_at, first_action = w.first
    last_seq, hashes = w.last_seq, w.hashes
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


# -- other desks' chains ------------------------------------------------------------------------
class ChainRefused(AppError):
    """Events of another desk's chain that do not verify or do not continue what this database
    has of that chain: nothing of them is stored."""


@dataclass(frozen=True)
class ChainEvent:
    """One event of a desk's chain as it travels between databases, with its own hash."""

    chain: str
    chain_seq: int
    hash_version: int
    uuid: str
    origin_desk: str
    at: dt.datetime  # naive UTC
    actor: str
    desk_name: str
    action: str
    entity_type: str
    entity_uuid: str
    summary: str
    before: str  # canonical JSON, as stored
    after: str
    prev_hash: str
    hash: str

    def as_json(self) -> dict:
        return {name: getattr(self, name).isoformat(timespec="microseconds") if name == "at" else getattr(self, name)
                for name in _CHAIN_EVENT_FIELDS}

    @classmethod
    def from_json(cls, data: dict) -> ChainEvent:
        """From ``as_json``'s form; a value of the wrong type is refused, not coerced."""
        try:
            values = {name: data[name] for name in _CHAIN_EVENT_FIELDS}
            values["at"] = dt.datetime.fromisoformat(values["at"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ChainRefused(f"审计记录的格式不对（{exc}）。") from None
        ints = ("chain_seq", "hash_version")
        if any(type(values[k]) is not int for k in ints) or any(
                not isinstance(v, str) for k, v in values.items() if k not in ints and k != "at"):
            raise ChainRefused("审计记录的格式不对（字段类型不符）。")
        return cls(**values)


_CHAIN_EVENT_FIELDS = tuple(f for f in ChainEvent.__dataclass_fields__)


def chain_events(session: Session, chain: str, after: int = 0) -> list[ChainEvent]:
    """``chain``'s events after number ``after``, in order, as another database receives them."""
    t = AuditEvent.__table__
    rows = session.execute(select(*(t.c[name] for name in _CHAIN_EVENT_FIELDS))
                           .where(t.c.chain == chain, t.c.chain_seq > after).order_by(t.c.chain_seq))
    return [ChainEvent(**row._mapping) for row in rows]


@dataclass(frozen=True)
class ReceivedChain:
    chain: str
    label: str
    added: int  # events stored now
    already: int  # events this database had already (the same hash): a bundle read twice adds nothing
    count: int  # the chain's length here afterwards
    head: str


def receive_chain_events(session: Session, events: Sequence[ChainEvent]) -> list[ReceivedChain]:
    """Store other desks' events with their given hashes, inside the caller's transaction, after
    checking each chain: every hash by its version's formula, the links, numbers that continue
    what this database has of the chain without a gap, and no event that differs from one already
    here (a fork). Fails closed: on the first problem ``ChainRefused`` names the desk and the event,
    and the caller's transaction is to be rolled back. The local desk's own chain is never received.
    ``audit_chains`` records each chain's genesis and how much of it arrived, for ``audit verify``.
    """
    local = session.scalar(select(Meta.value).where(Meta.key == LOCAL_DESK_KEY)) or ""
    known = _chain_labels(session)
    by_chain: dict[str, list[ChainEvent]] = {}
    for e in events:
        by_chain.setdefault(e.chain, []).append(e)
    t = AuditEvent.__table__
    seq = session.scalar(select(func.max(t.c.seq))) or 0
    results: list[ReceivedChain] = []
    for chain, incoming in by_chain.items():
        label = chain_label(chain, known)
        if chain == local:
            raise ChainRefused(f"{label}是本报名点自己：本机的审计记录只能由本机写入，不能导入。")
        if not chain:
            raise ChainRefused("有审计记录没有标明来自哪个报名点，不能导入。")
        incoming.sort(key=lambda e: e.chain_seq)
        last = session.execute(select(t.c.chain_seq, t.c.hash, t.c.hash_version).where(t.c.chain == chain)
                               .order_by(t.c.chain_seq.desc()).limit(1)).first()
        have, prev = (last.chain_seq, last.hash) if last else (0, GENESIS)
        newer_format = bool(last) and session.scalar(
            select(func.count()).select_from(t).where(t.c.chain == chain, t.c.hash_version >= 2)) > 0
        present = dict(session.execute(select(t.c.chain_seq, t.c.hash).where(
            t.c.chain == chain, t.c.chain_seq >= incoming[0].chain_seq, t.c.chain_seq <= have)).all())
        rows: list[tuple] = []
        already = 0
        genesis: ChainEvent | None = None
        for e in incoming:
            where = f"{label}的审计记录第 {e.chain_seq} 条"
            if e.chain_seq <= have:
                if present.get(e.chain_seq) != e.hash:
                    raise ChainRefused(f"{where}与本机已有的第 {e.chain_seq} 条不同：该报名点的审计记录被改写过"
                                       "（或分了叉），不能导入。")
                already += 1
                continue
            if e.chain_seq != have + 1:
                raise ChainRefused(f"{label}的审计记录缺少{span(have + 1, e.chain_seq - 1)}"
                                   f"（本机已有 {have} 条），不能导入。")
            if e.prev_hash != prev:
                raise ChainRefused(f"{where}与它的前一条接不上（链接断开），不能导入。")
            digest = hash_for(e.hash_version, e)
            if digest is None:
                raise ChainRefused(f"{where}的哈希格式（第 {e.hash_version} 版）本版本的 RegDesk 不认识，"
                                   "请先升级 RegDesk。")
            if digest != e.hash:
                raise ChainRefused(f"{where}的内容与它的哈希不符（被改动过），不能导入。")
            if e.hash_version == 1 and newer_format:
                raise ChainRefused(f"{where}标为旧的哈希格式，却排在按新格式写入的记录之后，不能导入。")
            if e.hash_version >= 2 and e.origin_desk != chain:
                raise ChainRefused(f"{where}标明的来源报名点是 {e.origin_desk}，与它所在的审计链不符，不能导入。")
            newer_format = newer_format or e.hash_version >= 2
            if e.chain_seq == 1:
                genesis = e
            seq += 1
            rows.append((seq, e.uuid, e.origin_desk, e.at, e.actor, e.desk_name, e.action, e.entity_type,
                         e.entity_uuid, e.summary, e.before, e.after, e.prev_hash, e.hash, chain, e.chain_seq,
                         e.hash_version))
            have, prev = e.chain_seq, e.hash
        if rows:
            for start in range(0, len(rows), 500):
                part = rows[start:start + 500]
                taken = session.execute(select(t.c.uuid).where(
                    t.c.uuid.in_([r[1] for r in part]) | t.c.hash.in_([r[13] for r in part]))).first()
                if taken is not None:
                    raise ChainRefused(f"{label}的审计记录中有一条与本机已有的另一条记录相同"
                                       f"（{taken.uuid}），不能导入。")
                insert_tuples(session, t, _COLUMNS, part)
            chains = AuditChain.__table__
            values = {"count": have, "head": prev, "updated_at": utcnow()}
            if session.execute(select(chains.c.chain).where(chains.c.chain == chain)).first() is None:
                first = (genesis.hash, genesis.at) if genesis is not None else session.execute(
                    select(t.c.hash, t.c.at).where(t.c.chain == chain, t.c.chain_seq == 1)).first()
                if first is None:  # the chain's first event is neither here nor in what came
                    raise ChainRefused(f"{label}的审计记录缺少开头（第 1 条），不能导入。")
                session.execute(chains.insert().values(chain=chain, genesis_hash=first[0], genesis_at=first[1],
                                                       **values))
            else:
                session.execute(chains.update().where(chains.c.chain == chain).values(**values))
        results.append(ReceivedChain(chain, label, len(rows), already, have, prev))
    return results
