"""Search as you type over a 20,000-candidate roster: milliseconds per keystroke.

    .venv/bin/python bench/search.py [--rows 20000] [--rounds 3]

The roster comes from the demo generator (realistic names, classes, majors, categories, valid
synthetic ID numbers). Each query is typed one character at a time; every prefix is one
``RosterIndex.filter`` call, which is what the roster view runs per keystroke. Target: <= 30 ms.
Prints, never asserts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from app.services.candidates import CandidateRow
from app.services.demo import generate
from app.services.search import Filters, RosterIndex

TARGET_MS = 30.0
STATUSES = ("roster", "roster", "roster", "eligible", "eligible", "ineligible", "waived", "published")


def build_rows(n: int, seed: int = 7) -> list[CandidateRow]:
    rng = random.Random(seed)
    rows = []
    for i, r in enumerate(generate(n, seed=seed).records):
        rows.append(CandidateRow(
            uuid=f"00000000-0000-4000-8000-{i:012d}", student_no=str(r["student_no"]), name=str(r["name"]),
            gender=str(r["gender"]), id_number=str(r["id_number"]), class_name=str(r["class_name"]),
            counsellor=str(r["counsellor"]), major=str(r["major"]), intended_major=str(r["intended_major"]),
            category=str(r["category"]), status=rng.choice(STATUSES), phone=str(r["phone"])))
    return rows


def typed(text: str) -> list[str]:
    return [text[:k] for k in range(1, len(text) + 1)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is typed")
    args = parser.parse_args()

    t = time.perf_counter()
    rows = build_rows(args.rows)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    index = RosterIndex(rows)
    t_index = time.perf_counter() - t

    target = rows[len(rows) * 2 // 3]
    queries: list[tuple[str, str, Filters]] = [
        ("name", target.name, Filters()),
        ("student number", target.student_no, Filters()),
        ("ID number", target.id_number, Filters()),
        ("ID number, last 6", target.id_number[-6:], Filters()),
        ("class", target.class_name, Filters()),
        ("name + class filter", target.name, Filters(class_name=target.class_name)),
        ("name + status filter", target.name, Filters(status="roster")),
        ("no match", "张不存在", Filters()),
    ]

    print(f"roster: {len(rows):,} candidates (generated in {t_gen:.1f} s); index built in {t_index * 1000:.0f} ms")
    print(f"{'query':24} {'typed':>20} {'keys':>5} {'mean ms':>8} {'p95 ms':>7} {'max ms':>7} {'hits':>6}")
    every: list[float] = []
    for label, text, base in queries:
        times: list[float] = []
        hits = 0
        for _ in range(args.rounds):
            for prefix in typed(text):
                f = Filters(text=prefix, class_name=base.class_name, counsellor=base.counsellor,
                            category=base.category, status=base.status)
                t = time.perf_counter()
                hits = len(index.filter(f))
                times.append((time.perf_counter() - t) * 1000)
        every.extend(times)
        print(f"{label:24} {text:>20} {len(text):>5} {statistics.fmean(times):8.2f} "
              f"{percentile(times, 95):7.2f} {max(times):7.2f} {hits:>6}")
    p95 = percentile(every, 95)
    print(f"all {len(every)} keystrokes: mean {statistics.fmean(every):.2f} ms, p95 {p95:.2f} ms, "
          f"max {max(every):.2f} ms (target <= {TARGET_MS:.0f} ms per keystroke: "
          f"{'met' if max(every) <= TARGET_MS else 'NOT met'})")


if __name__ == "__main__":
    main()
