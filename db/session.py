"""Engine and session factory.

SQLite files get WAL mode, ``foreign_keys=ON`` and a busy timeout on every connection; any
other SQLAlchemy URL (PostgreSQL for the central office) goes through the same code.

Writers on SQLite: a unit of work that writes begins with ``BEGIN IMMEDIATE``, so it waits for
the write lock before it reads anything (a deferred transaction that read first fails at once
when another writer committed in between, whatever the busy timeout). Waiting is patient, as a
user at the desk would be while an import finishes: the lock is asked for again every
``_ATTEMPT_MS`` up to ``Database.patience`` seconds, and each attempt is reported to the
callback ``report_waits`` installed for the thread (the GUI's task runner shows it), so a long
wait is visible and ends in a clear message, never in a bare “database is locked”.

Writers on PostgreSQL (the central office's server, several workstations at once): the same
promise, kept with a transaction-level advisory lock (``pg_try_advisory_xact_lock``) taken by
the writer's first statement and released by its commit or rollback. Writers are serialised as
on SQLite, so a unit of work that reads, then writes what follows from it (the next audit
sequence number, "is this 学号 taken?") never races another writer; readers take no lock and
see committed data. Waiting is the same loop: reported to ``report_waits`` about once a second,
``DatabaseBusy`` after ``patience``. Another program writing the tables without the lock is not
serialised (nor is one that writes an SQLite file with plain ``BEGIN``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db import replication

_ATTEMPT_MS = 1000  # SQLite's own busy wait per attempt; between attempts the wait is reported
_PG_POLL_S = 0.02  # PostgreSQL: how often a waiting writer asks for the advisory lock again
# The advisory lock's key (advisory locks are per database): the bytes of "RegDeskW" as an int8.
PG_WRITE_LOCK = int.from_bytes(b"RegDeskW", "big", signed=True)
PATIENCE_S = 180.0  # how long a writer waits for another one before giving up (a user would)
_WRITE = "regdesk_write"  # execution option of the sessions that write
_waits = threading.local()


class DatabaseBusy(Exception):
    """Another writer held the database longer than ``Database.patience``."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"database busy for {waited:.0f} s")
        self.waited = waited


@contextmanager
def report_waits(callback: Callable[[float], None]) -> Iterator[None]:
    """While inside, this thread's writers call ``callback(seconds waited)`` while they wait for
    another writer to finish."""
    previous = getattr(_waits, "callback", None)
    _waits.callback = callback
    try:
        yield
    finally:
        _waits.callback = previous


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={_ATTEMPT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    # SQLAlchemy, not the driver, begins transactions (``_on_sqlite_begin``): the driver's own
    # implicit BEGIN is always deferred.
    dbapi_conn.isolation_level = None


def make_engine(url: str, **kwargs) -> Engine:
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _on_postgresql_begin)
    return engine


def _is_locked(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def _on_sqlite_begin(conn) -> None:
    options = conn.get_execution_options()
    if not options.get(_WRITE):
        conn.exec_driver_sql("BEGIN")
        return
    patience = options.get("regdesk_patience", PATIENCE_S)
    start = time.monotonic()
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            waited = time.monotonic() - start
            if not _is_locked(exc):
                raise
            if waited >= patience:
                raise DatabaseBusy(waited) from None
            callback = getattr(_waits, "callback", None)
            if callback is not None:
                callback(waited)


def _on_postgresql_begin(conn) -> None:
    options = conn.get_execution_options()
    if not options.get(_WRITE):
        return
    patience = options.get("regdesk_patience", PATIENCE_S)
    start = time.monotonic()
    reported = 0.0
    lock = text("SELECT pg_try_advisory_xact_lock(:key)")
    while not conn.execute(lock, {"key": PG_WRITE_LOCK}).scalar():
        waited = time.monotonic() - start
        if waited >= patience:
            raise DatabaseBusy(waited)
        if waited - reported >= _ATTEMPT_MS / 1000:
            reported = waited
            callback = getattr(_waits, "callback", None)
            if callback is not None:
                callback(waited)
        time.sleep(_PG_POLL_S)


class Database:
    """Owns one engine and hands out transactional sessions (one per unit of work).

    ``busy_error(seconds)`` makes the exception raised when another writer keeps the database
    longer than ``patience`` (the application's typed error with its Chinese message)."""

    def __init__(self, url: str, *, patience: float = PATIENCE_S,
                 busy_error: Callable[[float], Exception] | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.patience = patience
        self._busy_error = busy_error
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        replication.install(self._factory)  # revisions, origin desk and tombstones at every flush

    @property
    def sqlite_path(self) -> Path | None:
        db = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and db and db != ":memory:":
            return Path(db)
        return None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work that writes: commit on success, roll back on any exception.

        It holds the write lock from its first statement (SQLite's, or PostgreSQL's advisory lock;
        see the module docstring): do slow preparation in a ``read`` first."""
        session = self._factory(bind=self.engine.execution_options(
            **{_WRITE: True, "regdesk_patience": self.patience}))
        try:
            yield session
            session.commit()
        except DatabaseBusy as exc:
            session.rollback()
            if self._busy_error is None:
                raise
            raise self._busy_error(exc.waited) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
