"""Search as you type over a 20,000-candidate roster: milliseconds per keystroke, pinyin included.

    .venv/bin/python bench/search.py [--rows 20000] [--rounds 3]

The roster comes from the demo generator (realistic names, classes, majors, categories, valid
synthetic ID numbers); one row in 25 gets a polyphonic or compound surname (单 曾 区 仇 解 朴 查
盖 乐 尉迟 万俟 长孙 …), which the demo itself draws rarely. Each query is typed one character at
a time; every prefix is one ``RosterIndex.filter`` call, which is what the roster view runs per
keystroke. Beside each query, the same prefixes go through a bare Python substring scan over the
same 20,000 names (``[i for i, s in enumerate(names) if text in s]``), the floor a linear scan
cannot beat, and the ratio of the two means is printed. Also printed: what the pinyin keys cost to
build (pypinyin's dictionary load, new names, a reload of names already seen). Target: <= 30 ms
per keystroke. Prints, never asserts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from app.demo.service import generate
from app.domain import pinyin
from app.roster.candidates import CandidateRow
from app.roster.search import Filters, RosterIndex, pinyin_keys

TARGET_MS = 30.0
STATUSES = ("roster", "roster", "roster", "eligible", "eligible", "ineligible", "waived", "published")
POLYPHONIC_SURNAMES = ("单", "曾", "区", "仇", "解", "朴", "查", "盖", "乐", "翟", "覃", "尉迟", "万俟", "长孙")
DEMO_SURNAMES = ("欧阳", "司马", "上官", "诸葛")  # the demo's compound surnames, to swap whole


def build_rows(n: int, seed: int = 7) -> list[CandidateRow]:
    rng = random.Random(seed)
    rows = []
    for i, r in enumerate(generate(n, seed=seed).records):
        name = str(r["name"])
        if i % 25 == 12 and "·" not in name:
            given = name[2:] if name[:2] in DEMO_SURNAMES else name[1:]
            name = rng.choice(POLYPHONIC_SURNAMES) + given
        rows.append(CandidateRow(
            uuid=f"00000000-0000-4000-8000-{i:012d}", student_no=str(r["student_no"]), name=name,
            gender=str(r["gender"]), id_number=str(r["id_number"]), class_name=str(r["class_name"]),
            counsellor=str(r["counsellor"]), major=str(r["major"]), intended_major=str(r["intended_major"]),
            category=str(r["category"]), status=rng.choice(STATUSES), phone=str(r["phone"])))
    return rows


def typed(text: str) -> list[str]:
    return [text[:k] for k in range(1, len(text) + 1)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is typed")
    args = parser.parse_args()

    t = time.perf_counter()
    rows = build_rows(args.rows)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    RosterIndex(rows, with_pinyin=False)
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    import pypinyin  # noqa: F401  (its dictionary load, once per process)

    pinyin.char_readings("张")
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    keys = pinyin_keys(rows)
    t_new = time.perf_counter() - t
    t = time.perf_counter()
    pinyin_keys(rows)
    t_again = time.perf_counter() - t
    index = RosterIndex(rows, with_pinyin=False)
    index.set_pinyin_keys(keys)
    names = [r.name for r in rows]

    target = rows[len(rows) * 2 // 3]
    odd = next(r for r in rows[len(rows) // 2:] if r.name[0] in "单曾区仇解朴查盖乐翟覃尉万长")
    spoken, odd_spoken = pinyin.readings(target.name)[0], pinyin.readings(odd.name)[0]
    surname = odd.name[:2] if odd.name[:2] in pinyin.COMPOUND_SURNAMES else odd.name[0]
    queries: list[tuple[str, str, Filters]] = [
        ("name", target.name, Filters()),
        ("student number", target.student_no, Filters()),
        ("ID number", target.id_number, Filters()),
        ("ID number, last 6", target.id_number[-6:], Filters()),
        ("class", target.class_name, Filters()),
        ("name + class filter", target.name, Filters(class_name=target.class_name)),
        ("name + status filter", target.name, Filters(status="roster")),
        ("pinyin, full", "".join(spoken), Filters()),
        ("pinyin, initials", "".join(s[0] for s in spoken), Filters()),
        ("pinyin, surname + initials", spoken[0] + "".join(s[0] for s in spoken[1:]), Filters()),
        (f"pinyin, surname {surname}, full", "".join(odd_spoken), Filters()),
        (f"pinyin, surname {surname}, initials", "".join(s[0] for s in odd_spoken), Filters()),
        ("pinyin + class filter", "".join(spoken), Filters(class_name=target.class_name)),
        ("no match", "张不存在", Filters()),
        ("no match, pinyin", "qqqxyz", Filters()),
    ]

    distinct = len(set(names))
    print(f"roster: {len(rows):,} candidates, {distinct:,} distinct names (generated in {t_gen:.1f} s)")
    print(f"index without pinyin: {ms(t_plain)}; pinyin keys: pypinyin's load {ms(t_load)} (once per process), "
          f"{distinct:,} new names {ms(t_new)} ({t_new / max(distinct, 1) * 1e6:.0f} µs a name), "
          f"again (a reload) {ms(t_again)}")
    print(f"{'query':30} {'typed':>22} {'keys':>4} {'mean ms':>8} {'p95 ms':>7} {'max ms':>7} {'hits':>6} "
          f"{'bare ms':>8} {'ratio':>6}")
    every: list[float] = []
    every_bare: list[float] = []
    for label, text, base in queries:
        times: list[float] = []
        bare: list[float] = []
        hits = 0
        for _ in range(args.rounds):
            for prefix in typed(text):
                f = Filters(text=prefix, class_name=base.class_name, counsellor=base.counsellor,
                            category=base.category, status=base.status)
                t = time.perf_counter()
                hits = len(index.filter(f))
                times.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                _ = [i for i, s in enumerate(names) if prefix in s]  # the bare scan, for the ratio
                bare.append((time.perf_counter() - t) * 1000)
        every.extend(times)
        every_bare.extend(bare)
        print(f"{label:30} {text:>22} {len(text):>4} {statistics.fmean(times):8.2f} "
              f"{percentile(times, 95):7.2f} {max(times):7.2f} {hits:>6} {statistics.fmean(bare):8.2f} "
              f"{statistics.fmean(times) / statistics.fmean(bare):5.1f}x")
    p95 = percentile(every, 95)
    print(f"all {len(every)} keystrokes: mean {statistics.fmean(every):.2f} ms, p95 {p95:.2f} ms, "
          f"max {max(every):.2f} ms; bare substring scan mean {statistics.fmean(every_bare):.2f} ms "
          f"(ratio {statistics.fmean(every) / statistics.fmean(every_bare):.1f}x); target <= {TARGET_MS:.0f} ms "
          f"per keystroke: {'met' if max(every) <= TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
