"""The fast SQLite bulk insert stores exactly what SQLAlchemy itself would."""

import datetime as dt

from sqlalchemy import insert, select

from db.bulk import bulk_insert
from db.migrate import upgrade
from db.models import College, Meta
from db.session import Database, sqlite_url


def test_bulk_rows_read_back_like_orm_rows(tmp_path):
    db = Database(sqlite_url(tmp_path / "x.sqlite"))
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
    assert raw["C0"] == raw["ORM"]  # byte-for-byte the text SQLAlchemy writes
    db.dispose()
