"""The audit trail is append-only and chained: removal or alteration is found."""

import sqlite3

import pytest
from sqlalchemy import exc

from app.audit.service import AuditService
from tests.raw_sql import drop_audit_triggers, raw_sql


def _verify(container):
    with container.db.read() as s:
        return AuditService.verify(s)


def test_fresh_install_chain_is_intact(container):
    check = _verify(container)
    assert check.ok, check.problems
    assert check.count >= 2  # the set-up and the first administrator


def test_the_database_refuses_updates_and_deletes(container, backend):
    statements = ["UPDATE audit_events SET summary='x'", "DELETE FROM audit_events"]
    if backend == "postgresql":
        statements.append("TRUNCATE audit_events")  # row triggers do not see it: its own trigger does
    for statement in statements:
        with pytest.raises((exc.DBAPIError, sqlite3.IntegrityError), match="append-only"):
            raw_sql(container.db, statement)
    assert _verify(container).ok


def _tamper(container, sql):
    raw_sql(container.db, *drop_audit_triggers(container.db), sql)


def test_altered_event_is_found(container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw())
    _tamper(container, "UPDATE audit_events SET summary='无事发生' WHERE action='candidate.create'")
    check = _verify(container)
    assert not check.ok
    assert any("内容被改动" in p for p in check.problems)


def test_removed_middle_event_is_found(container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw())
    container.candidates.create(actor, make_candidate_raw())
    _tamper(container, "DELETE FROM audit_events WHERE seq = 2")
    check = _verify(container)
    assert not check.ok
    assert check.problems == ["第 1 条之后缺少第 2 条。"]


def test_removed_last_event_is_found(container, actor, make_candidate_raw, backend):
    container.candidates.create(actor, make_candidate_raw())
    _tamper(container, "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
    check = _verify(container)
    assert not check.ok
    n = check.count
    # A database on a server has no anchor file beside it (its note says so).
    copies = "数据库 meta 表、本报名点的记录（desks 表）" + (
        "、数据文件夹中的“regdesk-audit.json”" if backend == "sqlite" else "")
    assert check.problems == [f"第 {n} 条之后缺少第 {n + 1} 条（{copies}记着共 {n + 1} 条：末尾的记录被删除，"
                              "或中间的记录被删除后重新编号）。"]


def test_events_carry_who_where_and_before_after(container, actor, make_candidate_raw):
    detail = container.candidates.create(actor, make_candidate_raw(phone="13800138000"))
    raw = detail.data.as_dict() | {"phone": "13900139000"}
    container.candidates.update(actor, detail.uuid, raw)
    history = container.candidates.history(detail.uuid)
    latest = history[0]
    assert latest.action == "candidate.update"
    assert latest.actor == actor.username
    assert latest.desk_name == "一号桌"
    assert latest.before == {"phone": "13800138000"}
    assert latest.after == {"phone": "13900139000"}
    assert "联系电话" in latest.summary


# Text that JSON must escape, and text it must not touch: the batch path writes the chain's
# input by hand, so it has to match ``event_hash`` (and ``json.dumps``) to the byte.
AWKWARD = ['引号"和反斜杠\\', "换行\n制表\t回车\r", "\x00\x1f控制字符", "\u2028\u2029", "𠮷 扩展B 😀", "</script>", ""]


def test_canonical_is_json_dumps_sorted_and_compact():
    import datetime as dt
    import json

    from app.audit.service import canonical

    value = {"b": AWKWARD, "a": {"z": 1, "y": [1.5, None, True]}, "日期": dt.date(2026, 3, 1)}
    expected = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          default=lambda d: d.isoformat())
    assert canonical(value) == expected
    assert canonical(None) == canonical("") == ""
    with pytest.raises(TypeError):
        canonical({"x": object()})


def test_batch_events_chain_exactly_like_single_events(container, actor, backend):
    from app.audit.service import EventSpec, event_hash
    from db.models import AuditEvent

    # PostgreSQL's text cannot hold NUL at all (imports remove control characters before they
    # reach a summary); the other awkward characters must chain the same on both.
    awkward = AWKWARD if backend == "sqlite" else [t.replace("\x00", "") for t in AWKWARD]
    specs = [EventSpec("candidate.update", "candidate", f"uuid-{i}", text, {"字段": text} if i % 2 else None,
                       {"字段": text, "n": i}) for i, text in enumerate(awkward * 3)]
    with container.db.transaction() as s:
        container.audit.record_many(s, actor.username, specs, chunk=4)
    with container.db.read() as s:
        from sqlalchemy import select
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [e.summary for e in events[-len(specs):]] == [spec.summary for spec in specs]
        for ev in events:
            assert event_hash(ev) == ev.hash, ev.seq
    assert _verify(container).ok
    # and a single event appended after the batch continues the same chain
    with container.db.transaction() as s:
        container.audit.record(s, actor.username, "candidate.update", summary=awkward[0])
    assert _verify(container).ok
