"""Benchmark: ``audit verify`` and ``audit verify --deep`` on a desk of 20,000 candidates.

Run: ``.venv/bin/python bench/audit_verify.py [--candidates N]``. The desk is built through the
services, as a secretary would: the demo roster (one ``candidate.create`` each), the 教务处 list
and the review run, approve-clean (one ``review.decide`` each) and a re-imported roster that
changes every phone number (one ``candidate.update`` each): about 3 events per candidate. Prints
seconds (wall and CPU) for the chain check and for the deep check; ``--memory`` adds the deep
check's peak Python memory (under tracemalloc, slow).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl

from app.auth import Actor
from app.container import Container
from app.demo.service import generate
from bench.roster_import import write_roster

ACTOR = Actor("bench", "基准测试", "admin")


def write_academic(path: Path, records: list[dict], year: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("学籍")
    ws.append(["学号", "姓名", "身份证号", "专业", "学籍状态", "预计毕业时间", "不及格课程"])
    for rec in records:
        ws.append([rec["student_no"], rec["name"], rec["id_number"], rec["major"], "在籍", f"{year}-07", ""])
    wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--memory", action="store_true",
                        help="also run the deep check under tracemalloc for its peak Python memory (slow)")
    args = parser.parse_args()
    n = args.candidates
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        c = Container.open(folder / "desk")
        try:
            t = time.perf_counter()
            c.demo.setup_demo_install(n=n)
            records = generate(n).records
            year = c.settings.get("graduation_year")
            write_academic(folder / "academic.xlsx", records, year)
            c.reference.commit(ACTOR, c.reference.preview("academic", folder / "academic.xlsx"))
            c.review.run(ACTOR)
            c.review.approve_clean(ACTOR)
            for i, rec in enumerate(records):
                rec["phone"] = f"139{i:08d}"
            write_roster(folder / "roster.xlsx", records)
            c.roster.commit(ACTOR, c.roster.preview(folder / "roster.xlsx"))
            events = c.audit_log.count()
            print(f"built a desk of {c.candidates.count()} candidates and {events} audit events "
                  f"in {time.perf_counter() - t:.1f} s")

            t, cpu = time.perf_counter(), time.process_time()
            check = c.audit_log.verify()
            chain_s, chain_cpu = time.perf_counter() - t, time.process_time() - cpu
            assert check.ok, check.problems
            deep_s, deep_cpu = [], []
            for _ in range(3):
                t, cpu = time.perf_counter(), time.process_time()
                deep = c.audit_log.verify(deep=True)
                deep_s.append(time.perf_counter() - t)
                deep_cpu.append(time.process_time() - cpu)
                assert deep.ok, ([d.message for d in deep.differences[:5]], deep.notes)
            peak = None
            if args.memory:
                tracemalloc.start()
                c.audit_log.verify(deep=True)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        finally:
            c.close()
    # CPU seconds too: on a shared machine they vary less than the wall clock.
    print(f"audit verify (chain, {events} events)      : {chain_s:6.2f} s  (CPU {chain_cpu:.2f} s)")
    print(f"audit verify --deep (chain + every row)  : {min(deep_s):6.2f} s  (CPU {min(deep_cpu):.2f} s; best of 3)")
    if peak is not None:
        print(f"  peak Python memory of the deep check    : {peak / 1e6:6.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
