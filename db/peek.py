"""Look into an existing database without changing it: what kind of install a folder holds.

``regdesk --demo --data DIR`` must know whether DIR is a real college's install before it opens
(and so migrates, backs up or writes to) anything there. ``peek_sqlite`` reads the file through
SQLite's read-only modes: ``immutable`` when no write-ahead log exists (no other process has the
database open, and SQLite creates no ``-wal``/``-shm`` beside it), else ``mode=ro``, which reads
what the log holds too. ``peek_url`` does the same for any other SQLAlchemy URL with plain SELECTs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError


@dataclass(frozen=True)
class Peek:
    """What an existing database holds, as far as telling installs apart needs."""

    meta: dict[str, str] = field(default_factory=dict)  # the ``meta`` table (empty when there is none)
    desk_names: tuple[str, ...] = ()
    candidates: int = 0
    actions: frozenset[str] = frozenset()  # which of the asked-for audit actions occur


class PeekError(Exception):
    """The file exists but cannot be read as a database (not SQLite, damaged, locked)."""


_QUERIES = {
    "meta": "SELECT key, value FROM meta",
    "desks": "SELECT name FROM desks ORDER BY id",
    "candidates": "SELECT count(*) FROM candidates",
}


def _tables(rows: list[tuple[str]]) -> set[str]:
    return {r[0] for r in rows}


def peek_sqlite(path: Path, actions: tuple[str, ...] = ()) -> Peek | None:
    """The facts of the SQLite database at ``path``; ``None`` when there is none (no file, or an
    empty one). Raises ``PeekError`` when the file is there but is not a readable database."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
    except OSError as exc:
        raise PeekError(str(exc)) from exc
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error as exc:
        raise PeekError(str(exc)) from exc
    try:
        tables = _tables(con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall())
        meta = dict(con.execute(_QUERIES["meta"]).fetchall()) if "meta" in tables else {}
        desks = tuple(r[0] for r in con.execute(_QUERIES["desks"])) if "desks" in tables else ()
        count = con.execute(_QUERIES["candidates"]).fetchone()[0] if "candidates" in tables else 0
        found = set()
        if "audit_events" in tables:
            for action in actions:
                if con.execute("SELECT 1 FROM audit_events WHERE action = ? LIMIT 1", (action,)).fetchone():
                    found.add(action)
        return Peek({str(k): str(v) for k, v in meta.items()}, desks, int(count), frozenset(found))
    except sqlite3.Error as exc:
        raise PeekError(str(exc)) from exc
    finally:
        con.close()


def peek_url(url: str, actions: tuple[str, ...] = ()) -> Peek | None:
    """The same facts from any SQLAlchemy URL (SELECTs only; missing tables read as empty).

    A SQLite URL goes through ``peek_sqlite`` (an engine would create a missing file)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise PeekError(str(exc)) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            return None
        return peek_sqlite(Path(database), actions)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            meta = dict(conn.execute(text(_QUERIES["meta"])).all()) if "meta" in tables else {}
            desks = tuple(r[0] for r in conn.execute(text(_QUERIES["desks"]))) if "desks" in tables else ()
            count = conn.execute(text(_QUERIES["candidates"])).scalar_one() if "candidates" in tables else 0
            found = {a for a in actions if "audit_events" in tables and conn.execute(
                text("SELECT 1 FROM audit_events WHERE action = :a LIMIT 1"), {"a": a}).first()}
            conn.rollback()
            return Peek({str(k): str(v) for k, v in meta.items()}, desks, int(count), frozenset(found))
    except SQLAlchemyError as exc:
        raise PeekError(str(exc)) from exc
    finally:
        engine.dispose()
