"""SQL run past the application, as someone with ``sqlite3`` or ``psql`` would: on the desk's
SQLite file through the sqlite3 module, on a PostgreSQL database through the driver. Statements
use ``?`` placeholders on both."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.paths import DB_FILE
from db.session import Database

AUDIT_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete")


def raw_sql(db: Database, *statements: str, args: tuple = ()) -> None:
    """Run ``statements`` in one transaction (``args`` bind the ``?`` of each) and commit."""
    path = db.sqlite_path
    if path is None:
        with db.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement.replace("?", "%s"), args if "?" in statement else ())
        return
    con = sqlite3.connect(str(path))
    try:
        with con:
            for statement in statements:
                con.execute(statement, args if "?" in statement else ())
    finally:
        con.close()


def drop_audit_triggers(db: Database) -> list[str]:
    """The statements that remove the append-only triggers (a tamperer's first step)."""
    if db.sqlite_path is None:
        return [f"DROP TRIGGER {name} ON audit_events" for name in AUDIT_TRIGGERS]
    return [f"DROP TRIGGER {name}" for name in AUDIT_TRIGGERS]


# In the PostgreSQL pass a data folder's database is on the server; this file in the folder
# names it (written by tests/conftest.py).
PG_FOLDER_MARK = ".regdesk-test-pg.json"


class _PgConnection:
    """The few things the tests do with a sqlite3 connection, on a PostgreSQL database: ``execute``
    with ``?`` placeholders, ``with con:`` committing, ``close``. ``DROP TRIGGER name`` (SQLite's
    form) drops the trigger of that name on ``audit_events``."""

    def __init__(self, url: str) -> None:
        import psycopg

        self._conn = psycopg.connect(url.replace("+psycopg", ""))

    def execute(self, statement: str, args: tuple = ()):
        words = statement.split()
        if len(words) == 3 and [w.upper() for w in words[:2]] == ["DROP", "TRIGGER"]:
            statement += " ON audit_events"
        return self._conn.execute(statement.replace("?", "%s"), args)

    def __enter__(self) -> _PgConnection:
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self._conn.commit()
        else:
            self._conn.rollback()

    def close(self) -> None:
        self._conn.close()


# Set by tests/conftest.py in the PostgreSQL pass: folder -> the URL of its database (giving a
# copied folder its own copy first, exactly as opening it would).
folder_url: Callable[[Path], str] | None = None


def connect_folder(data_dir: Path):
    """A raw connection to a data folder's database: sqlite3 on its file, or (PostgreSQL pass)
    the driver on the database the folder was given."""
    if folder_url is not None and (Path(data_dir) / PG_FOLDER_MARK).exists():
        return _PgConnection(folder_url(Path(data_dir)))
    return sqlite3.connect(Path(data_dir) / DB_FILE)
