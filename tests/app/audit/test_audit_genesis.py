"""The trail's numbering and its genesis and running count, kept in more than one place.

Each test edits the SQLite file (and the anchor file) directly, the way someone with sqlite3 and
a text editor would, and expects ``verify`` to name what was broken and which copy says so.
"""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.audit.service import GENESIS, AuditService, event_hash, local_time
from db.audit_anchor import anchor_path, read_anchor
from db.models import AuditEvent

# Every test here breaks or checks the anchor file beside a SQLite database.
pytestmark = pytest.mark.sqlite_only("the anchor file lives beside a SQLite file")

META = "数据库 meta 表"
DESK = "本报名点的记录（desks 表）"
FILE = "数据文件夹中的“regdesk-audit.json”"


def _verify(container):
    with container.db.read() as s:
        return AuditService.verify(s)


def _event(container, seq: int | None = None):
    """(seq, hash, at, action) of event ``seq``, or of the newest."""
    t = AuditEvent.__table__
    stmt = select(t.c.seq, t.c.hash, t.c.at, t.c.action)
    stmt = stmt.where(t.c.seq == seq) if seq else stmt.order_by(t.c.seq.desc()).limit(1)
    with container.db.read() as s:
        return s.execute(stmt).one()


def _anchor(container):
    return anchor_path(container.db.sqlite_path)


class Tamper:
    """sqlite3 on the desk's file, with the append-only triggers dropped first."""

    def __init__(self, container) -> None:
        self.con = sqlite3.connect(str(container.db.sqlite_path))
        self.con.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        self.con.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")

    def __enter__(self) -> Tamper:
        return self

    def __exit__(self, *exc) -> None:
        self.con.commit()
        self.con.close()

    def sql(self, statement: str, *args) -> list:
        return self.con.execute(statement, args).fetchall()

    def last(self) -> int:
        return self.sql("SELECT max(seq) FROM audit_events")[0][0] or 0

    def rechain(self, renumber: bool = False) -> tuple[int, str]:
        """Recompute every event's link and hash (and, if asked, close the gaps in the numbering)
        so that the (local) chain itself is valid again; returns the new (last number, last hash)."""
        cols = ("seq", "uuid", "origin_desk", "at", "actor", "desk_name", "action", "entity_type", "entity_uuid",
                "summary", "before", "after", "prev_hash", "hash", "chain", "chain_seq", "hash_version")
        rows = self.sql(f"SELECT {', '.join(cols)} FROM audit_events ORDER BY chain_seq")
        prev, seq = GENESIS, 0
        from datetime import datetime
        for row in rows:
            ev = SimpleNamespace(**dict(zip(cols, row, strict=True)))
            ev.at = datetime.fromisoformat(ev.at)
            ev.prev_hash = prev
            old_seq = ev.seq
            if renumber:
                ev.seq = ev.chain_seq = seq + 1
            self.sql("UPDATE audit_events SET seq = ?, chain_seq = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                     ev.seq, ev.chain_seq, prev, event_hash(ev), old_seq)
            prev, seq = event_hash(ev), ev.chain_seq
        return seq, prev

    def move_head(self, seq: int, digest: str) -> None:
        self.sql("UPDATE meta SET value = ? WHERE key = 'audit_head'", f"{seq}:{digest}")


@pytest.fixture
def busy(container, actor, make_candidate_raw):
    """A desk with a few more events than the set-up's."""
    for _ in range(4):
        container.candidates.create(actor, make_candidate_raw())
    assert _verify(container).ok
    return container


def test_a_fresh_install_has_its_genesis_in_all_three_places(container):
    first, last = _event(container, 1), _event(container)
    assert first.seq == 1 and first.action == "college.setup"
    with Tamper(container) as db:
        meta = json.loads(db.sql("SELECT value FROM meta WHERE key = 'audit_genesis'")[0][0])
        desk = db.sql("SELECT audit_genesis_hash, audit_count, audit_head FROM desks")[0]
    assert meta == {"hash": first.hash, "at": first.at.isoformat(timespec="microseconds")}
    assert desk == (first.hash, last.seq, last.hash)
    anchor = read_anchor(_anchor(container))
    assert anchor["genesis"] == meta and (anchor["count"], anchor["head"]) == (last.seq, last.hash)


def test_the_copies_follow_every_commit(busy, actor, make_candidate_raw):
    busy.candidates.create(actor, make_candidate_raw())
    last = _event(busy)
    anchor = read_anchor(_anchor(busy))
    assert (anchor["count"], anchor["head"]) == (last.seq, last.hash)
    with Tamper(busy) as db:
        assert db.sql("SELECT audit_count, audit_head FROM desks") == [(last.seq, last.hash)]


def test_a_rolled_back_transaction_leaves_the_file_alone(busy, actor):
    before = _anchor(busy).read_bytes()
    with pytest.raises(RuntimeError), busy.db.transaction() as s:
        busy.audit.record(s, actor.username, "candidate.update", summary="never committed")
        raise RuntimeError
    assert _anchor(busy).read_bytes() == before
    assert _verify(busy).ok


def test_all_events_and_the_head_deleted(busy):
    with Tamper(busy) as db:
        n = db.last()
        day = local_time(db.sql("SELECT at FROM audit_events WHERE seq = 1")[0][0], "%Y-%m-%d")
        db.sql("DELETE FROM audit_events")
        db.sql("DELETE FROM meta WHERE key = 'audit_head'")
    check = _verify(busy)
    assert not check.ok and check.count == 0
    assert check.problems == [f"审计记录被清空：本机自 {day} 起已记录 {n} 条，现在只有 0 条（{META}、{DESK}、{FILE}记着）。"]


def test_events_and_every_copy_deleted_on_a_set_up_install(busy):
    with Tamper(busy) as db:
        db.sql("DELETE FROM audit_events")
        db.sql("DELETE FROM meta WHERE key IN ('audit_head', 'audit_genesis')")
        db.sql("UPDATE desks SET audit_genesis_hash = '', audit_genesis_at = NULL, audit_count = 0, audit_head = ''")
    _anchor(busy).unlink()
    check = _verify(busy)
    assert not check.ok
    assert check.problems == ["本机已设置学院和报名点，却没有任何审计记录，审计起点的副本也都不见了："
                              "审计记录连同它的副本被删除了。"]


def test_a_new_start_after_everything_was_deleted_is_still_found(busy):
    """Wipe the trail and its copies, then log in: the new first event is a login, not the set-up."""
    with Tamper(busy) as db:
        db.sql("DELETE FROM audit_events")
        db.sql("DELETE FROM meta WHERE key IN ('audit_head', 'audit_genesis')")
        db.sql("UPDATE desks SET audit_genesis_hash = '', audit_genesis_at = NULL, audit_count = 0, audit_head = ''")
    _anchor(busy).unlink()
    busy.setup.login("admin", "Passw0rd1")
    check = _verify(busy)
    assert check.count == 1 and not check.ok
    assert len(check.problems) == 1 and check.problems[0].startswith("审计记录的第 1 条不是本机的设置记录（而是“登录”")


def test_the_end_deleted_and_the_head_moved_back(busy):
    with Tamper(busy) as db:
        n = db.last()
        seq, digest = db.sql("SELECT seq, hash FROM audit_events WHERE seq = ?", n - 2)[0]
        db.sql("DELETE FROM audit_events WHERE seq > ?", n - 2)
        db.move_head(seq, digest)
    check = _verify(busy)
    assert check.problems == [f"第 {n - 2} 条之后缺少第 {n - 1}–{n} 条（{DESK}、{FILE}记着共 {n} 条："
                              "末尾的记录被删除，或中间的记录被删除后重新编号）。"]


def test_evidence_survives_the_next_honest_event(busy, actor, make_candidate_raw):
    """After the end was cut and the head moved back, the desk goes on working; the copies that
    disagreed are not moved along with the new events, so the cut stays visible."""
    with Tamper(busy) as db:
        n = db.last()
        seq, digest = db.sql("SELECT seq, hash FROM audit_events WHERE seq = ?", n - 2)[0]
        db.sql("DELETE FROM audit_events WHERE seq > ?", n - 2)
        db.move_head(seq, digest)
    busy.candidates.create(actor, make_candidate_raw())
    busy.candidates.create(actor, make_candidate_raw())
    busy.candidates.create(actor, make_candidate_raw())
    check = _verify(busy)
    assert check.count == n + 1
    assert any(p.startswith(f"{DESK}、{FILE}记着第 {n} 条的哈希为") for p in check.problems), check.problems


def test_a_middle_event_deleted_and_the_rest_rechained(busy):
    with Tamper(busy) as db:
        db.sql("DELETE FROM audit_events WHERE seq = 4")
        db.move_head(*db.rechain())
        db.sql("UPDATE desks SET audit_head = (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1)")
    check = _verify(busy)
    # The chain itself is valid again; the numbering still shows the hole (and the file, not
    # updated by hand here, no longer matches either).
    assert check.problems[0] == "第 3 条之后缺少第 4 条。"
    assert not any("内容被改动" in p or "链接断开" in p for p in check.problems)


def test_a_middle_event_deleted_rechained_and_renumbered(busy):
    with Tamper(busy) as db:
        n = db.last()
        db.sql("DELETE FROM audit_events WHERE seq = 4")
        db.move_head(*db.rechain(renumber=True))
    check = _verify(busy)
    assert check.count == n - 1
    assert check.problems == [f"第 {n - 1} 条之后缺少第 {n} 条（{DESK}、{FILE}记着共 {n} 条："
                              "末尾的记录被删除，或中间的记录被删除后重新编号）。"]


def test_the_first_event_deleted_and_the_trail_restarted(busy):
    """Everything re-chained from the start and every count fixed by hand: only the genesis,
    which no event's hash leads to, is left to tell."""
    with Tamper(busy) as db:
        db.sql("DELETE FROM audit_events WHERE seq = 1")
        seq, digest = db.rechain(renumber=True)
        db.move_head(seq, digest)
        db.sql("UPDATE desks SET audit_count = ?, audit_head = ?", seq, digest)
    anchor = read_anchor(_anchor(busy))
    anchor.update(count=seq, head=digest)
    _anchor(busy).write_text(json.dumps(anchor), encoding="utf-8")
    check = _verify(busy)
    assert len(check.problems) == 2
    assert check.problems[0].startswith(f"审计记录的第 1 条与{META}、{DESK}、{FILE}记下的起点不符：")
    assert check.problems[1].startswith("审计记录的第 1 条不是本机的设置记录（而是“新建用户”")


def test_the_start_deleted(busy):
    with Tamper(busy) as db:
        db.sql("DELETE FROM audit_events WHERE seq <= 2")
    check = _verify(busy)
    assert check.problems[0] == "审计记录的开头被删除：缺少第 1–2 条。"


def test_a_deleted_anchor_file_is_named(busy):
    _anchor(busy).unlink()
    check = _verify(busy)
    assert check.problems == [f"审计起点的副本缺失：{FILE}不存在（数据库若是从别处复制来的，须连同这个文件一起复制）。"]


def test_a_deleted_anchor_file_is_not_recreated_by_the_next_event(busy, actor, make_candidate_raw):
    _anchor(busy).unlink()
    busy.candidates.create(actor, make_candidate_raw())
    assert not _anchor(busy).exists()
    assert not _verify(busy).ok


def test_a_damaged_anchor_file_is_named(busy):
    _anchor(busy).write_text("{", encoding="utf-8")
    assert _verify(busy).problems == [f"审计起点的副本缺失：{FILE}已损坏或被改成了别的格式。"]


def test_the_genesis_removed_from_one_copy(busy):
    with Tamper(busy) as db:
        db.sql("DELETE FROM meta WHERE key = 'audit_genesis'")
    assert _verify(busy).problems == [f"审计起点的副本缺失：{META}中没有记下审计起点。"]


def test_the_desk_row_disagreeing_is_named(busy):
    with Tamper(busy) as db:
        db.sql("UPDATE desks SET audit_genesis_hash = ?", "f" * 64)
    check = _verify(busy)
    assert len(check.problems) == 1
    assert check.problems[0].startswith(f"审计记录的第 1 条与{DESK}记下的起点不符：记下的是 ")
    assert "ffffffffffff…" in check.problems[0]


def test_an_anchor_file_that_lags_behind_is_accepted_and_catches_up(busy, actor, make_candidate_raw):
    """The file is written after the commit: a crash in between, or another process writing,
    leaves it behind. What it holds is still in the chain, so that is no tampering."""
    third = _event(busy, 3)
    anchor = read_anchor(_anchor(busy))
    anchor.update(count=3, head=third.hash)
    _anchor(busy).write_text(json.dumps(anchor), encoding="utf-8")
    assert _verify(busy).ok
    busy.candidates.create(actor, make_candidate_raw())
    assert read_anchor(_anchor(busy))["count"] == _event(busy).seq


def test_an_anchor_file_behind_with_a_wrong_hash_is_reported(busy):
    anchor = read_anchor(_anchor(busy))
    anchor.update(count=3, head="0" * 64)
    _anchor(busy).write_text(json.dumps(anchor), encoding="utf-8")
    assert _verify(busy).problems == [f"{FILE}记着第 3 条的哈希为 000000000000…，审计记录中的第 3 条却不同："
                                      "记录被改动、删除或重新计算过。"]
