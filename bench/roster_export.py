"""Benchmark: export a 20,000-row roster to .xlsx (``RosterService.export``), against openpyxl
writing the same cells with no styling, no checks and no temporary file.

Run: ``.venv/bin/python bench/roster_export.py [--rows N] [--rounds R]``. The roster is generated
(``app.demo.service.generate``), imported through the real import into a fresh desk, then exported
R times; the best time is printed with its rows/s and the ratio to the bare write.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl
from sqlalchemy import select

from app.container import Container
from app.demo.service import generate
from app.domain.candidate import FIELD_NAMES, LABELS
from bench.roster_import import ACTOR, COLLEGE, write_roster
from db.models import Candidate


def bare_write(app: Container, out: Path) -> None:
    """The floor: the same values through a plain (not write-only) openpyxl sheet, saved."""
    cols = [getattr(Candidate, n) for n in FIELD_NAMES]
    with app.db.read() as s:
        records = s.execute(select(*cols, Candidate.status)).all()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([LABELS[n] for n in FIELD_NAMES])
    for rec in records:
        ws.append([None if v == "" else v for v in rec])
    wb.save(out)


def best_of(n: int, fn) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ``n`` runs (CPU time is the steadier figure on a
    machine that is busy with other work; wall time includes the disk)."""
    wall, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="regdesk-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "roster.xlsx"
        write_roster(source, generate(args.rows, seed=7).records)
        app = Container.open(folder / "data")
        try:
            app.setup.initialise("C01", COLLEGE, "基准报名点")
            result = app.roster.commit(ACTOR, app.roster.preview(source))
            assert result.created == args.rows, result
            out = folder / "export.xlsx"
            export_s = best_of(args.rounds, lambda: app.roster.export(ACTOR, out))
            bare_s = best_of(args.rounds, lambda: bare_write(app, folder / "bare.xlsx"))
            size = out.stat().st_size / 1e6
        finally:
            app.close()
    print(f"roster export, {args.rows} rows (best of {args.rounds}): {export_s[0]:6.3f} s wall, {export_s[1]:6.3f} s CPU "
          f"({args.rows / export_s[0]:6.0f} rows/s, {size:.1f} MB)")
    print(f"bare openpyxl write of the same values   : {bare_s[0]:6.3f} s wall, {bare_s[1]:6.3f} s CPU;  "
          f"ratio export / bare: {export_s[0] / bare_s[0]:.2f} wall, {export_s[1] / bare_s[1]:.2f} CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
