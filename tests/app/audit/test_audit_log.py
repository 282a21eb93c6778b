"""AuditLogService: the read side of the audit trail (pages, search, chain check), no Qt."""

from __future__ import annotations

import pytest

from app.errors import AuthError, Cancelled
from app.tasks import CancelToken
from tests.raw_sql import drop_audit_triggers, raw_sql


def test_entries_are_newest_first_and_page(container, actor, make_candidate_raw):
    for _ in range(5):
        container.candidates.create(actor, make_candidate_raw())
    log = container.audit_log
    total = log.count()
    everything = log.entries(limit=1000)
    assert len(everything) == total
    assert [e.seq for e in everything] == sorted((e.seq for e in everything), reverse=True)
    pages = log.entries(limit=3) + log.entries(limit=3, offset=3) + log.entries(limit=1000, offset=6)
    assert [e.seq for e in pages] == [e.seq for e in everything]


def test_search_matches_summary_actor_and_action_label(container, actor, make_candidate_raw):
    raw = make_candidate_raw(7)
    created = container.candidates.create(actor, raw)
    container.candidates.update(actor, raw["student_no"], {**raw, "phone": "13912345678"})
    with pytest.raises(AuthError):
        container.setup.login("admin", "wrong")
    log = container.audit_log
    assert [e.action for e in log.entries(text="13912345678")] == ["candidate.update"]
    assert {e.action for e in log.entries(text="登录失败")} == {"user.login_failed"}
    assert log.count(text="登录") == 2  # the good login (fixture) and the failed one, by label
    by_admin = log.entries(text="admin")
    assert by_admin and all("admin" in e.actor or "admin" in e.summary for e in by_admin)
    assert "setup" in {e.actor for e in by_admin}  # "新建管理员 admin" matched by its summary
    assert [e.action for e in log.entries(entity_uuid=created.uuid)] == ["candidate.update", "candidate.create"]
    assert log.count(entity_uuid=created.uuid) == 2


def test_search_ignores_latin_case_on_every_backend(container, actor):
    # SQLite's LIKE ignores ASCII case and PostgreSQL's does not: the search must behave the same.
    lower = [e.seq for e in container.audit_log.entries(text="admin")]
    assert lower and [e.seq for e in container.audit_log.entries(text="ADMIN")] == lower
    assert container.audit_log.count(text="Admin") == len(lower)


def test_search_treats_like_wildcards_literally(container):
    assert container.audit_log.entries(text="%") == []
    assert container.audit_log.entries(text="_") == []


def test_verify_reports_the_count_and_tampering(container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw())
    log = container.audit_log
    check = log.verify()
    assert check.ok and check.count == log.count() and check.problems == []
    raw_sql(container.db, *drop_audit_triggers(container.db), "UPDATE audit_events SET actor = 'someone' WHERE seq = 2")
    check = log.verify(progress=lambda *_a: None, cancel=CancelToken())
    assert not check.ok
    assert any("第 2 条记录的内容被改动" in p for p in check.problems)


def test_verify_can_be_cancelled_before_it_starts(container):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        container.audit_log.verify(cancel=token)
