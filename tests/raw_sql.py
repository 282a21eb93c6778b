"""SQL run past the application, as someone with ``sqlite3`` or ``psql`` would: on the desk's
SQLite file through the sqlite3 module, on a PostgreSQL database through the driver. Statements
use ``?`` placeholders on both."""

from __future__ import annotations

import sqlite3

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
