"""The bulk insert path: on SQLite the fast tuple path stores exactly what SQLAlchemy itself
would; on PostgreSQL SQLAlchemy's batched executemany (insertmanyvalues). A roster of thousands
goes through it on either backend."""

import datetime as dt
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from app.auth import Actor
from app.container import Container
from db.bulk import bulk_insert
from db.migrate import upgrade
from db.models import AuditEvent, Candidate, College, Meta
from db.session import Database

# The roster helpers live in tests/app; test folders are not packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
from tests.app.fixtures_roster import COLLEGE, person, write_xlsx


def test_bulk_rows_read_back_like_orm_rows(empty_database_url):
    db = Database(empty_database_url)
    upgrade(db.engine)
    stamp = dt.datetime(2026, 11, 24, 9, 30, 0)  # no microseconds: the format must still carry them
    rows = [{"code": f"C{i}", "name": f"学院{i}", "uuid": f"u{i}", "origin_desk": "", "revision": 1,
             "created_at": stamp, "updated_at": stamp + dt.timedelta(microseconds=i)} for i in range(3)]
    with db.transaction() as s:
        bulk_insert(s, College.__table__, rows)
        s.execute(insert(College.__table__), [{**rows[0], "code": "ORM", "uuid": "orm"}])
        s.add(Meta(key="k", value="v"))
    with db.read() as s:
        got = {c.code: (c.name, c.created_at, c.updated_at) for c in s.scalars(select(College))}
        raw = dict(s.connection().exec_driver_sql("SELECT code, created_at FROM colleges").all())
    assert got["C2"] == ("学院2", stamp, stamp + dt.timedelta(microseconds=2))
    assert raw["C0"] == raw["ORM"]  # on SQLite byte-for-byte the text SQLAlchemy writes
    db.dispose()


def test_a_roster_of_thousands_imports_through_the_bulk_path(tmp_path):
    """3,000 students, then the same file again with 300 changed: one transaction each, every row
    and its audit event stored, the chain intact (on PostgreSQL: the server's own pass)."""
    n = 3000
    rows = [person(i, **{"院（系）": COLLEGE}) for i in range(n)]
    c = Container.open(tmp_path / "data")
    try:
        c.setup.initialise("C01", COLLEGE, "一号报名点")
        admin = Actor("admin", "管理员", "admin")
        started = time.perf_counter()
        result = c.roster.commit(admin, c.roster.preview(write_xlsx(tmp_path / "a.xlsx", rows)))
        first = time.perf_counter() - started
        assert (result.created, result.rejected) == (n, 0)
        changed = [person(i, **{"联系电话": f"139{i:08d}"}) if i % 10 == 0 else row for i, row in enumerate(rows)]
        result = c.roster.commit(admin, c.roster.preview(write_xlsx(tmp_path / "b.xlsx", changed)))
        assert (result.created, result.updated, result.unchanged) == (0, n // 10, n - n // 10)
        with c.db.read() as s:
            assert s.scalar(select(func.count()).select_from(Candidate)) == n
            assert s.scalar(select(Candidate.phone).where(Candidate.student_no == "202300010")) == "13900000010"
            events = s.scalar(select(func.count()).select_from(AuditEvent))
        assert events >= n + n // 10 + 2  # one per created or changed row, one per import
        with c.db.read() as s:
            assert c.audit.verify(s).ok
        print(f"\n{c.db.engine.dialect.name}: {n} rows imported in {first:.2f} s")
    finally:
        c.close()
