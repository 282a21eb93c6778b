"""Writers on one database: a writer waits for another (reporting the wait), never trips over
a stale read snapshot, and gives up with the application's own error after its patience. The
first tests hold SQLite's lock with the sqlite3 module, as another program would; the last ones
run on this pass's backend (on PostgreSQL the advisory lock), with another engine as the other
writer."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from db.session import Database, DatabaseBusy, report_waits, sqlite_url

sqlite_lock = pytest.mark.sqlite_only("holds the SQLite file's lock with the sqlite3 module")


@pytest.fixture
def path(tmp_path):
    db = Database(sqlite_url(tmp_path / "x.sqlite"))
    with db.transaction() as s:
        s.execute(text("CREATE TABLE t (n INTEGER)"))
    db.dispose()
    return tmp_path / "x.sqlite"


def _hold_lock(path, seconds: float, started: threading.Event) -> threading.Thread:
    """Another writer (another window, the command line) holding the write lock for ``seconds``."""
    def hold() -> None:
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t VALUES (1)")
        started.set()
        time.sleep(seconds)
        con.execute("COMMIT")
        con.close()
    thread = threading.Thread(target=hold)
    thread.start()
    return thread


@sqlite_lock
def test_what_a_writer_read_still_holds_when_it_writes(path):
    # A unit of work reads (the import loads the roster), then writes what follows from it. Another
    # writer committing in between would make that write stale: writers begin with BEGIN IMMEDIATE,
    # so the other one waits until this unit of work is done.
    db = Database(sqlite_url(path))
    other_done = threading.Event()

    def other() -> None:
        con = sqlite3.connect(path, isolation_level=None, timeout=20)
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t VALUES (2)")
        con.execute("COMMIT")
        con.close()
        other_done.set()

    with db.transaction() as s:
        seen = s.execute(text("SELECT count(*) FROM t")).scalar()
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)
        assert not other_done.is_set()
        s.execute(text("INSERT INTO t VALUES (:n)"), {"n": seen + 1})
    thread.join(20)
    assert other_done.is_set()
    with db.read() as s:
        assert list(s.execute(text("SELECT n FROM t ORDER BY rowid")).scalars()) == [1, 2]
    db.dispose()


@sqlite_lock
def test_a_writer_waits_for_another_and_says_so(path):
    db = Database(sqlite_url(path), patience=30)
    started = threading.Event()
    holder = _hold_lock(path, 2.5, started)
    started.wait(5)
    waits: list[float] = []
    with report_waits(waits.append), db.transaction() as s:
        s.execute(text("INSERT INTO t VALUES (5)"))
    holder.join()
    assert len(waits) >= 1 and waits == sorted(waits)
    with db.read() as s:
        assert sorted(s.execute(text("SELECT n FROM t")).scalars()) == [1, 5]
    db.dispose()


@sqlite_lock
def test_after_its_patience_a_writer_gives_up_with_the_applications_error(path):
    class Busy(Exception):
        def __init__(self, waited: float) -> None:
            super().__init__(waited)
            self.waited = waited

    started = threading.Event()
    holder = _hold_lock(path, 4, started)
    started.wait(5)
    plain = Database(sqlite_url(path), patience=0.5)
    with pytest.raises(DatabaseBusy), plain.transaction() as s:
        s.execute(text("INSERT INTO t VALUES (7)"))
    typed = Database(sqlite_url(path), patience=0.5, busy_error=Busy)
    with pytest.raises(Busy) as err, typed.transaction() as s:
        s.execute(text("INSERT INTO t VALUES (8)"))
    assert err.value.waited >= 0.5
    holder.join()
    with typed.read() as s:
        assert list(s.execute(text("SELECT n FROM t")).scalars()) == [1]  # 7 and 8 never written
    plain.dispose()
    typed.dispose()


# -- on this pass's backend -----------------------------------------------------------------------
@pytest.fixture
def url(empty_database_url):
    db = Database(empty_database_url)
    with db.transaction() as s:
        s.execute(text("CREATE TABLE t (n INTEGER)"))
        s.execute(text("INSERT INTO t VALUES (1)"))
    db.dispose()
    return empty_database_url


def _other_writer(url: str, seconds: float, started: threading.Event, n: int = 2) -> threading.Thread:
    """Another workstation's unit of work: it writes, then holds its transaction for ``seconds``."""
    def hold() -> None:
        other = Database(url)
        with other.transaction() as s:
            s.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            started.set()
            time.sleep(seconds)
        other.dispose()
    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def test_writers_take_turns_and_the_waiting_one_says_so(url):
    db = Database(url, patience=30)
    started = threading.Event()
    holder = _other_writer(url, 2.5, started)
    assert started.wait(10)
    with db.read() as s:  # readers never wait, and see what is committed
        assert s.execute(text("SELECT count(*) FROM t")).scalar() == 1
    waits: list[float] = []
    t = time.monotonic()
    with report_waits(waits.append), db.transaction() as s:
        seen = s.execute(text("SELECT max(n) FROM t")).scalar()
        s.execute(text("INSERT INTO t VALUES (:n)"), {"n": seen + 1})
    holder.join()
    assert time.monotonic() - t >= 1.5  # it waited for the other one to commit ...
    assert seen == 2  # ... so what it read included the other's row: max + 1 is not stale
    assert len(waits) >= 1 and waits == sorted(waits)
    with db.read() as s:
        assert sorted(s.execute(text("SELECT n FROM t")).scalars()) == [1, 2, 3]
    db.dispose()


def test_a_writer_gives_up_after_its_patience_and_writes_nothing(url):
    class Busy(Exception):
        def __init__(self, waited: float) -> None:
            super().__init__(waited)
            self.waited = waited

    started = threading.Event()
    holder = _other_writer(url, 3, started)
    assert started.wait(10)
    typed = Database(url, patience=0.5, busy_error=Busy)
    with pytest.raises(Busy) as err, typed.transaction() as s:
        s.execute(text("INSERT INTO t VALUES (8)"))
    assert err.value.waited >= 0.5
    holder.join()
    with typed.read() as s:
        assert sorted(s.execute(text("SELECT n FROM t")).scalars()) == [1, 2]  # 8 never written
    typed.dispose()
