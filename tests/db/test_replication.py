"""db.replication: one helper keeps uuid/origin desk/revision/base revision and writes tombstones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from db.migrate import upgrade
from db.models import Candidate, College, Desk, Meta, Tombstone, User
from db.replication import ACTOR, LOCAL_DESK_KEY, bump_values, write_tombstones
from db.session import Database, sqlite_url

DESK = "00000000-0000-4000-8000-00000000d35c"


@pytest.fixture
def db(tmp_path: Path):
    database = Database(sqlite_url(tmp_path / "r.sqlite"))
    upgrade(database.engine)
    with database.transaction() as s:
        s.add(Meta(key=LOCAL_DESK_KEY, value=DESK))
        college = College(code="1001", name="信息工程学院", origin_desk="elsewhere")
        s.add(college)
        s.flush()
        s.add(Desk(uuid=DESK, college_id=college.id, name="一号桌", origin_desk=DESK))
    yield database
    database.dispose()


def _candidate(db: Database, **over) -> str:
    values = {"student_no": "2023000001", "name": "张三", "gender": "男", "id_number": "410102200201010011",
              "birth_date": dt.date(2002, 1, 1)}
    values.update(over)
    with db.transaction() as s:
        college = s.scalar(select(College))
        c = Candidate(college_id=college.id, **values)
        s.add(c)
        s.flush()
        return c.uuid


def _get(db: Database, uuid: str):
    with db.read() as s:
        return s.execute(select(Candidate.origin_desk, Candidate.revision, Candidate.base_revision,
                                Candidate.updated_at).where(Candidate.uuid == uuid)).one()


def test_a_new_row_gets_the_local_desk_revision_1_and_base_0(db):
    c = _get(db, _candidate(db))
    assert (c.origin_desk, c.revision, c.base_revision) == (DESK, 1, 0)
    with db.read() as s:  # an origin given (another desk's row) is kept
        assert s.scalar(select(College.origin_desk)) == "elsewhere"


def test_a_change_is_one_new_version_per_flush(db):
    uuid = _candidate(db)
    before = _get(db, uuid).updated_at
    with db.transaction() as s:
        c = s.scalar(select(Candidate).where(Candidate.uuid == uuid))
        c.phone = "13800000000"
        c.class_name = "软件技术2301"  # two fields, one flush: one version
    c = _get(db, uuid)
    assert (c.revision, c.base_revision) == (2, 1) and c.updated_at > before
    with db.transaction() as s:
        c = s.scalar(select(Candidate).where(Candidate.uuid == uuid))
        c.phone = "13800000001"
        s.flush()
        c.phone = "13800000002"  # a second flush in the same unit of work: another version
    c = _get(db, uuid)
    assert (c.revision, c.base_revision) == (4, 3)


def test_setting_a_field_to_its_value_or_only_local_bookkeeping_is_no_new_version(db):
    uuid = _candidate(db)
    with db.transaction() as s:
        c = s.scalar(select(Candidate).where(Candidate.uuid == uuid))
        c.name = "张三"
    assert _get(db, uuid).revision == 1
    with db.transaction() as s:
        u = User(username="a", display_name="a", role="admin", password_hash="x")
        s.add(u)
    with db.transaction() as s:
        u = s.scalar(select(User))
        u.last_login_at = dt.datetime(2026, 1, 1)
    with db.read() as s:
        assert s.scalar(select(User.revision)) == 1
    with db.transaction() as s:
        desk = s.scalar(select(Desk))
        desk.audit_count = 5
    with db.read() as s:
        assert s.scalar(select(Desk.revision)) == 1


def test_a_revision_set_by_the_caller_is_kept(db):
    """A merge takes another desk's version as it is: the helper must not bump it again."""
    uuid = _candidate(db)
    with db.transaction() as s:
        c = s.scalar(select(Candidate).where(Candidate.uuid == uuid))
        c.phone, c.revision, c.base_revision = "13900000000", 7, 6
    c = _get(db, uuid)
    assert (c.revision, c.base_revision) == (7, 6)


def test_a_deleted_row_leaves_a_tombstone_and_its_uuid_continues_from_it(db):
    uuid = _candidate(db)
    with db.transaction() as s:
        c = s.scalar(select(Candidate).where(Candidate.uuid == uuid))
        c.phone = "1"
    with db.transaction() as s:
        s.info[ACTOR] = "admin"
        s.delete(s.scalar(select(Candidate).where(Candidate.uuid == uuid)))
    with db.read() as s:
        t = s.scalar(select(Tombstone))
        assert (t.entity_type, t.uuid, t.origin_desk, t.revision, t.deleted_by) == (
            "candidates", uuid, DESK, 3, "admin")
        assert t.deleted_at is not None
    _candidate(db, uuid=uuid)  # the same record again (a merge, a finding found again)
    c = _get(db, uuid)
    assert (c.revision, c.base_revision) == (4, 3)
    with db.read() as s:
        assert s.scalar(select(Tombstone)) is None


def test_bulk_helpers(db):
    uuid = _candidate(db)
    table = Candidate.__table__
    with db.transaction() as s:
        s.execute(table.update().where(table.c.uuid == uuid).values(phone="2", **bump_values(table)))
    c = _get(db, uuid)
    assert (c.revision, c.base_revision) == (2, 1)
    with db.transaction() as s:
        assert write_tombstones(s, "findings", [("f-1", 4)], "admin") == 1
        write_tombstones(s, "findings", [("f-1", 6)])  # deleted again later: one tombstone, the newest
    with db.read() as s:
        assert [(t.uuid, t.revision) for t in s.scalars(select(Tombstone))] == [("f-1", 7)]


def test_every_integer_reference_of_a_replicated_row_names_the_uuid_it_stands_for():
    """Bundles refer by UUID: each local integer foreign key is listed with the table whose uuid it means."""
    from db.models import BUNDLE_REFERENCES, Base, Replicated

    found = {}
    for mapper in Base.registry.mappers:
        if issubclass(mapper.class_, Replicated):
            table = mapper.local_table
            refs = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
            if refs:
                found[table.name] = refs
            assert "uuid" in table.c and "base_revision" in table.c
    assert found == BUNDLE_REFERENCES
    for refs in found.values():
        for target in refs.values():
            assert "uuid" in Base.metadata.tables[target].c
