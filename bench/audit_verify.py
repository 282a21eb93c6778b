"""Benchmark: ``audit verify`` and ``audit verify --deep`` on a desk of 20,000 candidates.

Run: ``.venv/bin/python bench/audit_verify.py [--candidates N]``. The desk is built through the
services, as a secretary would: the demo roster (one ``candidate.create`` each), the 教务处 list
and the review run, approve-clean (one ``review.decide`` each) and a re-imported roster that
changes every phone number (one ``candidate.update`` each): about 3 events per candidate. Prints
seconds for the chain check and for the deep check, and the deep check's peak Python memory.
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

from app.container import Container
from app.services.context import Actor
from app.services.demo import generate
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

            t = time.perf_counter()
            check = c.audit_log.verify()
            chain_s = time.perf_counter() - t
            assert check.ok, check.problems
            tracemalloc.start()
            t = time.perf_counter()
            deep = c.audit_log.verify(deep=True)
            deep_s = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert deep.ok, ([d.message for d in deep.differences[:5]], deep.notes)
            t = time.perf_counter()
            c.audit_log.verify(deep=True)
            again_s = time.perf_counter() - t
        finally:
            c.close()
    print(f"audit verify (chain, {events} events)      : {chain_s:6.2f} s")
    print(f"audit verify --deep (chain + every row)  : {again_s:6.2f} s  "
          f"({deep_s:.2f} s under tracemalloc, peak Python memory {peak / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
