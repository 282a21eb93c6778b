"""One audit chain per origin desk: another desk's events, received with their own hashes, keep
their own verifiable chain beside the local one, and ``audit verify`` names the chain that broke.

Desk B is a second install of its own (college 2002, desk 二号桌); its events reach desk A's
database through ``chain_events`` and ``receive_chain_events``, as a bundle will bring them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.service import (
    HASH_VERSION,
    AuditService,
    ChainEvent,
    ChainRefused,
    chain_events,
    event_hash,
    receive_chain_events,
)
from app.container import Container
from db.models import AuditChain, AuditEvent, College, Desk

pytestmark = pytest.mark.sqlite_only("the tampering is done with sqlite3 on the desk's file; PostgreSQL's chains are exercised by the migration walk and the CLI pass")


@pytest.fixture
def desk_b(tmp_path: Path, make_candidate_raw):
    c = Container.open(tmp_path / "b")
    c.setup.initialise("2002", "机电工程学院", "二号桌", admin_username="admin", admin_password="Passw0rd1")
    actor = c.setup.login("admin", "Passw0rd1")
    for n in range(500, 504):
        c.candidates.create(actor, make_candidate_raw(n))
    try:
        yield c
    finally:
        c.close()


def _uuid(c: Container) -> str:
    return c.setup.info().desk_uuid


def _events(c: Container, chain: str, after: int = 0) -> list[ChainEvent]:
    with c.db.read() as s:
        return chain_events(s, chain, after)


def _receive(c: Container, events: list[ChainEvent]):
    with c.db.transaction() as s:
        return receive_chain_events(s, events)


def _verify(c: Container):
    with c.db.read() as s:
        return AuditService.verify(s)


def _know_desk(a: Container, b: Container) -> None:
    """A's database learns B's desk and college (what a bundle will also bring), copied column by column."""
    with b.db.read() as s:
        desk = dict(s.execute(select(Desk.__table__)).mappings().one())
        college = dict(s.execute(select(College.__table__).where(College.__table__.c.id == desk["college_id"]))
                       .mappings().one())
    with a.db.transaction() as s:
        del college["id"], desk["id"]
        desk["college_id"] = s.execute(College.__table__.insert().values(college)).inserted_primary_key[0]
        s.execute(Desk.__table__.insert().values(desk))


def _sql(c: Container, statement: str, *args) -> None:
    con = sqlite3.connect(str(c.db.sqlite_path))
    try:
        con.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        con.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        con.execute(statement, args)
        con.commit()
    finally:
        con.close()


@pytest.fixture
def both(container, actor, desk_b, make_candidate_raw):
    """Desk A's database with B's chain received in two parts, A's own events written in between."""
    b_events = _events(desk_b, _uuid(desk_b))
    container.candidates.create(actor, make_candidate_raw(1))
    _receive(container, b_events[:4])
    container.candidates.create(actor, make_candidate_raw(2))
    _receive(container, b_events[4:])
    container.candidates.create(actor, make_candidate_raw(3))
    return container, desk_b, b_events


def test_two_chains_interleaved_in_one_database_verify(both):
    a, b, b_events = both
    with a.db.read() as s:
        rows = s.execute(select(AuditEvent.chain, AuditEvent.chain_seq).order_by(AuditEvent.seq)).all()
    chains = [chain for chain, _n in rows]
    assert chains.index(_uuid(b)) < len(chains) - 1 - chains[::-1].index(_uuid(a))  # really interleaved
    for chain in (_uuid(a), _uuid(b)):
        assert [n for c, n in rows if c == chain] == list(range(1, chains.count(chain) + 1))
    check = _verify(a)
    assert check.ok, check.problems
    local, other = check.chains
    assert (local.uuid, local.local, local.desk, local.count) == (_uuid(a), True, "一号桌", chains.count(_uuid(a)))
    assert (check.count, check.head) == (local.count, local.head)
    assert (other.uuid, other.local, other.count, other.head) == (_uuid(b), False, len(b_events), b_events[-1].hash)
    assert other.desk == "" and other.ok  # this database does not know desk B yet
    # B's own database verifies the same chain, with the same count and head
    b_check = _verify(b)
    assert b_check.ok and (b_check.count, b_check.head) == (other.count, other.head)


def test_new_events_carry_their_chain_number_and_version(container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw())
    with container.db.read() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (last.chain, last.origin_desk, last.hash_version) == (_uuid(container),) * 2 + (HASH_VERSION,)
        assert last.chain_seq == last.seq and event_hash(last) == last.hash


def test_the_hash_covers_the_chain_and_the_number(both):
    """Moving an event to another place in its chain, or to another chain, changes its hash."""
    a, b, b_events = both
    n = len(b_events)
    _sql(a, "UPDATE audit_events SET chain_seq = 99 WHERE chain = ? AND chain_seq = 2", _uuid(b))
    _sql(a, "UPDATE audit_events SET chain = ?, chain_seq = 1 WHERE chain = ? AND chain_seq = ?",
         _uuid(a)[:-1] + "x", _uuid(b), n)
    problems = _verify(a).problems
    assert f"报名点 {_uuid(b)}的审计链：第 99 条记录的内容被改动" in " ".join(problems)
    moved = [p for p in problems if p.startswith(f"报名点 {_uuid(a)[:-1]}x的审计链：")]
    starts = ("第 1 条记录之前的记录被删除或改动", "第 1 条记录的内容被改动", "数据库中有它的 1 条审计记录")
    assert len(moved) == 3 and all(p.split("：", 1)[1].startswith(t) for p, t in zip(moved, starts, strict=True))


def test_tampering_with_the_other_desks_chain_names_that_desk(both):
    a, b, b_events = both
    _know_desk(a, b)
    _sql(a, "UPDATE audit_events SET summary = '无事发生' WHERE chain = ? AND chain_seq = 3", _uuid(b))
    check = _verify(a)
    assert not check.ok
    assert check.problems == [f"报名点“二号桌”（机电工程学院）的审计链：第 3 条记录的内容被改动（{_at(b_events[2])}，admin）。"]
    local, other = check.chains
    assert local.ok and not other.ok
    assert (other.desk, other.college, other.problems) == ("二号桌", "机电工程学院",
                                                           [check.problems[0].split("的审计链：", 1)[1]])
    assert check.as_json()["chains"][1] == {"desk": "二号桌", "college": "机电工程学院", "uuid": _uuid(b),
                                            "local": False, "count": len(b_events), "head": b_events[-1].hash,
                                            "ok": False, "problems": other.problems}


def _at(e: ChainEvent) -> str:
    from app.audit.service import local_time
    return local_time(e.at)


def test_an_unknown_desk_is_named_by_its_uuid(both):
    a, b, _ = both
    _sql(a, "DELETE FROM audit_events WHERE chain = ? AND chain_seq = 2", _uuid(b))
    assert _verify(a).problems == [f"报名点 {_uuid(b)}的审计链：第 1 条之后缺少第 2 条。"]


def test_the_tail_of_the_other_chain_deleted(both):
    a, b, b_events = both
    _know_desk(a, b)
    n = len(b_events)
    _sql(a, "DELETE FROM audit_events WHERE chain = ? AND chain_seq > ?", _uuid(b), n - 2)
    check = _verify(a)
    assert check.problems == [f"报名点“二号桌”（机电工程学院）的审计链：第 {n - 2} 条之后缺少第 {n - 1}–{n} 条"
                              f"（接收时共 {n} 条：末尾的记录被删除，或中间的记录被删除后重新编号）。"]
    assert check.chains[0].ok


def test_the_whole_other_chain_deleted(both):
    a, b, b_events = both
    _sql(a, "DELETE FROM audit_events WHERE chain = ?", _uuid(b))
    check = _verify(a)
    assert len(check.problems) == 1
    assert check.problems[0].startswith(f"报名点 {_uuid(b)}的审计链：审计记录被清空：")
    assert f"已接收 {len(b_events)} 条，现在只有 0 条" in check.problems[0]


def test_the_tail_of_the_local_chain_deleted_beside_an_intact_other_chain(both):
    a, _b, _ = both
    with a.db.read() as s:
        n = s.scalar(select(AuditEvent.chain_seq).where(AuditEvent.chain == _uuid(a))
                     .order_by(AuditEvent.chain_seq.desc()).limit(1))
    _sql(a, "DELETE FROM audit_events WHERE chain = ? AND chain_seq = ?", _uuid(a), n)
    check = _verify(a)
    assert check.problems == [f"第 {n - 1} 条之后缺少第 {n} 条（数据库 meta 表、本报名点的记录（desks 表）、"
                              f"数据文件夹中的“regdesk-audit.json”记着共 {n} 条：末尾的记录被删除，"
                              "或中间的记录被删除后重新编号）。"]
    assert [c.ok for c in check.chains] == [False, True]
    assert check.count == n - 1


def test_events_added_to_the_other_chain_by_hand_are_found(both):
    """A forged continuation of B's chain, correctly hashed, but never received."""
    a, b, b_events = both
    last = b_events[-1]
    forged = ChainEvent(**{**last.__dict__, "chain_seq": last.chain_seq + 1, "uuid": "f" * 8 + last.uuid[8:],
                           "summary": "伪造", "prev_hash": last.hash, "hash": ""})
    from app.audit.service import hash_for
    digest = hash_for(2, forged)
    _sql(a, "INSERT INTO audit_events (uuid, origin_desk, at, actor, desk_name, action, entity_type, entity_uuid, "
            "summary, before, after, prev_hash, hash, chain, chain_seq, hash_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2)",
         forged.uuid, forged.origin_desk, forged.at.isoformat(sep=" "), forged.actor, forged.desk_name, forged.action,
         forged.entity_type, forged.entity_uuid, forged.summary, forged.before, forged.after, forged.prev_hash,
         digest, forged.chain, forged.chain_seq)
    n = len(b_events)
    assert _verify(a).problems == [f"报名点 {_uuid(b)}的审计链：只接收到第 {n} 条，审计记录却有 {n + 1} 条："
                                   f"第 {n + 1} 条不是经由本程序导入的。"]


def test_an_old_format_label_on_a_new_event_is_found(both):
    a, b, _ = both
    _sql(a, "UPDATE audit_events SET hash_version = 1 WHERE chain = ? AND chain_seq = 2", _uuid(b))
    problems = _verify(a).problems
    assert f"报名点 {_uuid(b)}的审计链：第 2 条记录标为旧的哈希格式，却排在按新格式写入的记录之后（记录被改动过）。" in problems


# -- receiving ----------------------------------------------------------------------------------
def test_receiving_the_same_events_twice_adds_nothing(both):
    a, _b, b_events = both
    before = _verify(a)
    (result,) = _receive(a, b_events)
    assert (result.added, result.already, result.count, result.head) == (0, len(b_events), len(b_events),
                                                                         b_events[-1].hash)
    assert _verify(a).chains[1].count == before.chains[1].count


def test_later_events_continue_a_received_chain(both, make_candidate_raw):
    a, b, b_events = both
    actor = b.setup.login("admin", "Passw0rd1")
    b.candidates.create(actor, make_candidate_raw(600))
    more = _events(b, _uuid(b), after=len(b_events))
    assert [e.chain_seq for e in more] == [len(b_events) + 1, len(b_events) + 2]  # the login and the new candidate
    (result,) = _receive(a, more)
    assert (result.added, result.already) == (2, 0)
    with a.db.read() as s:
        row = s.get(AuditChain, _uuid(b))
        assert (row.count, row.head, row.genesis_hash) == (len(b_events) + 2, more[-1].hash, b_events[0].hash)
    assert _verify(a).ok


def _refused(a: Container, events: list[ChainEvent], message: str) -> None:
    with a.db.read() as s:
        before = s.execute(select(AuditEvent.seq)).scalars().all(), s.execute(select(AuditChain.__table__)).all()
    with pytest.raises(ChainRefused) as err:
        _receive(a, events)
    assert message in str(err.value), str(err.value)
    with a.db.read() as s:  # nothing of it was stored
        assert (s.execute(select(AuditEvent.seq)).scalars().all(), s.execute(select(AuditChain.__table__)).all()) \
            == before


def test_an_altered_event_is_refused(container, desk_b):
    events = _events(desk_b, _uuid(desk_b))
    events[2] = ChainEvent(**{**events[2].__dict__, "summary": "改过"})
    _refused(container, events, f"报名点 {_uuid(desk_b)}的审计记录第 3 条的内容与它的哈希不符（被改动过），不能导入。")


def test_a_gap_is_refused(container, desk_b):
    events = _events(desk_b, _uuid(desk_b))
    _refused(container, events[:2] + events[3:], f"报名点 {_uuid(desk_b)}的审计记录缺少第 3 条（本机已有 2 条），不能导入。")


def test_a_chain_without_its_start_is_refused(container, desk_b):
    events = _events(desk_b, _uuid(desk_b))
    _refused(container, events[1:], "缺少第 1 条（本机已有 0 条）")


def test_a_rewritten_chain_is_refused(both):
    """B's chain as another copy has it, rewritten from event 3 on (re-hashed, so it verifies by
    itself): it does not match what A received, a fork."""
    a, _b, b_events = both
    from app.audit.service import hash_for
    prev = b_events[1].hash
    rewritten = b_events[:2]
    for e in b_events[2:]:
        e = ChainEvent(**{**e.__dict__, "summary": e.summary + "（改）", "prev_hash": prev, "hash": ""})
        e = ChainEvent(**{**e.__dict__, "hash": hash_for(e.hash_version, e)})
        rewritten.append(e)
        prev = e.hash
    _refused(a, rewritten, "审计记录第 3 条与本机已有的第 3 条不同：该报名点的审计记录被改写过（或分了叉），不能导入。")


def test_the_local_chain_is_never_received(container, desk_b):
    events = _events(container, _uuid(container))
    _refused(container, events, "是本报名点自己：本机的审计记录只能由本机写入，不能导入。")


def test_an_event_claiming_another_origin_is_refused(container, desk_b):
    from app.audit.service import hash_for
    events = _events(desk_b, _uuid(desk_b))[:1]
    e = ChainEvent(**{**events[0].__dict__, "origin_desk": _uuid(container), "hash": ""})
    e = ChainEvent(**{**e.__dict__, "hash": hash_for(2, e)})
    _refused(container, [e], "与它所在的审计链不符")


def test_chain_events_travel_as_json(container, desk_b):
    import json
    events = _events(desk_b, _uuid(desk_b))
    text = json.dumps([e.as_json() for e in events], ensure_ascii=False)
    again = [ChainEvent.from_json(d) for d in json.loads(text)]
    assert again == events
    (result,) = _receive(container, again)
    assert result.added == len(events) and _verify(container).ok
    with pytest.raises(ChainRefused, match="格式不对"):
        ChainEvent.from_json({**events[0].as_json(), "chain_seq": "1"})


def test_events_without_a_desk_are_refused(container, desk_b):
    events = [ChainEvent(**{**e.__dict__, "chain": ""}) for e in _events(desk_b, _uuid(desk_b))]
    _refused(container, events, "有审计记录没有标明来自哪个报名点，不能导入。")


def test_downgrading_a_database_with_another_desks_chain_is_refused(both):
    from alembic import command

    from db.migrate import alembic_config
    a, _b, _events_b = both
    with pytest.raises(RuntimeError, match="other desks' chains"):
        command.downgrade(alembic_config(a.db.engine), "0007")
    assert _verify(a).ok
