"""Benchmark: import a generated 20,000-row roster, against a bare python-calamine parse of it.

Run: ``.venv/bin/python bench/roster_import.py [--rows N] [--profile] [--db URL]``. Prints seconds,
rows/s and the ratio (preview + commit) / (bare parse), measured in the same run. Target: ratio ≤ 3.
The database is a fresh SQLite file in a temporary folder, opened through ``Container.open``
exactly as the app does; or, with ``--db``, the empty database at that SQLAlchemy URL (e.g. a new
PostgreSQL database: ``postgresql+psycopg://user@127.0.0.1:5432/bench``; the storage floor is
measured on SQLite only).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl
import python_calamine

from app.auth import Actor
from app.container import Container
from app.demo.service import generate
from app.domain import candidate as rules
from app.domain.candidate import LABELS

ACTOR = Actor("bench", "基准测试", "admin")
COLLEGE = "信息工程学院"
COLUMNS = ["student_no", "name", "gender", "id_number", "ethnicity", "phone", "college", "class_name",
           "counsellor", "major", "intended_major", "category", "art_sports", "veteran_service_start",
           "veteran_service_end", "veteran_merits", "award_level", "award_name"]


def write_roster(path: Path, records: list[dict]) -> None:
    """A student-affairs style export: title, date line, header with 序号, IDs stored as text."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("学生名单")
    ws.append([f"{COLLEGE}2026年专升本报名学生名单"])
    ws.append(["导出日期：2026-03-01"])
    ws.append(["序号", *(LABELS[c] for c in COLUMNS)])
    for i, rec in enumerate(records, start=1):
        ws.append([i, *(COLLEGE if c == "college" else rec.get(c, "") for c in COLUMNS)])
    wb.save(path)


def bare_parse(path: Path) -> int:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return len(book.get_sheet_by_index(0).to_python())


def storage_floor(data_dir: Path, empty_db: Path) -> float:
    """Seconds SQLite alone takes to store what the import stored: the same candidate and audit
    rows, read back raw, inserted with plain ``executemany`` into an empty database with the same
    schema and pragmas, and committed. No Python-level work beyond the driver's binding."""
    with sqlite3.connect(empty_db) as empty:
        known = {"candidates": empty.execute("SELECT COALESCE(MAX(id), 0) FROM candidates").fetchone()[0],
                 "audit_events": empty.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_events").fetchone()[0]}
    source = sqlite3.connect(next(data_dir.glob("*.sqlite")))
    tables = {}
    for table, key in (("candidates", "id"), ("audit_events", "seq")):
        cols = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        tables[table] = (cols, source.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {key} > ?",
                                              (known[table],)).fetchall())
    source.close()
    target = empty_db.with_name("floor.sqlite")
    shutil.copy(empty_db, target)
    con = sqlite3.connect(target)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        con.execute(f"PRAGMA {pragma}")
    t = time.perf_counter()
    for table, (cols, rows) in tables.items():
        con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    con.commit()
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def _write_lock_spans(app: Container) -> list[float]:
    """Seconds each write transaction held SQLite's write lock (BEGIN IMMEDIATE to COMMIT), filled
    in as transactions end."""
    from sqlalchemy import event

    spans: list[float] = []
    began: dict[int, float] = {}

    def on_begin(conn) -> None:
        if conn.get_execution_options().get("regdesk_write"):
            began[id(conn)] = time.perf_counter()

    def on_commit(conn) -> None:
        start = began.pop(id(conn), None)
        if start is not None:
            spans.append(time.perf_counter() - start)

    event.listen(app.db.engine, "begin", on_begin)
    event.listen(app.db.engine, "commit", on_commit)
    return spans


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="cProfile preview+commit, print the top 25")
    parser.add_argument("--db", metavar="URL", help="an empty database to import into instead of a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        path = tmpdir / "roster.xlsx"
        t = time.perf_counter()
        records = generate(args.rows, seed=7).records
        write_roster(path, records)
        print(f"generated {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")

        parse_s = best_of(3, lambda: bare_parse(path))

        app = Container.open(tmpdir / "data", url=args.db)
        app.setup.initialise("C01", COLLEGE, "基准报名点")
        on_file = app.db.sqlite_path is not None
        empty_db = tmpdir / "empty.sqlite"
        if on_file:
            with sqlite3.connect(app.db.sqlite_path) as live, sqlite3.connect(empty_db) as copy:
                live.backup(copy)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        preview = app.roster.preview(path)
        t1 = time.perf_counter()
        held = _write_lock_spans(app)
        result = app.roster.commit(ACTOR, preview)
        t2 = time.perf_counter()
        if profiler:
            profiler.disable()
        assert result.created == args.rows, (result, preview.rejected[:3])

        again_t = time.perf_counter()
        again = app.roster.preview(path)
        again_s = time.perf_counter() - again_t
        assert again.counts["unchanged"] == args.rows
        backend = app.db.engine.dialect.name
        app.close()
        floor_s = storage_floor(tmpdir / "data", empty_db) if on_file else None
    # The share of the record rules alone (the same checker every imported row goes through).
    checker = rules.Checker()
    check_s = best_of(1, lambda: [checker(r) for r in records])

    import_s = t2 - t0
    print(f"database                   : {backend}")
    print(f"bare python-calamine parse : {parse_s:6.3f} s  ({args.rows / parse_s:8.0f} rows/s)")
    print(f"import preview             : {t1 - t0:6.3f} s  (of which candidate.check rules ~{check_s:.3f} s)")
    print(f"import commit              : {t2 - t1:6.3f} s  ({result.created} created, one audit event each)")
    print(f"import preview + commit    : {import_s:6.3f} s  ({args.rows / import_s:8.0f} rows/s)")
    print(f"ratio import / bare parse  : {import_s / parse_s:6.2f}  (target <= 3)")
    print(f"re-import preview, all unchanged: {again_s:6.3f} s")
    print(f"write lock held by the commit: {max(held, default=0.0):.3f} s of its {t2 - t1:.3f} s "
          "(other writers at the desk wait at most this long)")
    if floor_s is not None:
        print(f"storage floor: SQLite alone storing the same candidate and audit rows: {floor_s:.3f} s;"
              f" (parse + storage) / parse = {(parse_s + floor_s) / parse_s:.2f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
