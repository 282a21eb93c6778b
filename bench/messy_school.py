"""A messy whole-school list from 学生处, imported at one college's desk: what is imported, what is
left out as other colleges', what is refused and why, and how long it takes.

Run: ``.venv/bin/python bench/messy_school.py [--per-college N]``. The file is generated (seeded)
the way real exports look: four colleges, full-digit ID numbers in number cells, Excel-rounded ones,
veterans and award winners without their details, invisible and control characters, blank and
misspelt college cells, a repeated header, total and signature lines, a pasted duplicate row.
Prints the counts and the reasons, and the preview and commit seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl

from app.auth import Actor
from app.container import Container
from app.demo.service import generate

ACTOR = Actor("bench", "基准测试", "admin")
OURS = "信息工程学院"
COLLEGES = (OURS, "财经商贸学院", "机电工程学院", "艺术设计学院")


def write_school(path: Path, per_college: int, seed: int = 11) -> dict[str, int]:
    """The file, and what was planted in it (kind -> rows)."""
    rng = random.Random(seed)
    people = generate(per_college * len(COLLEGES), seed=seed).records
    planted: Counter[str] = Counter()
    exact: dict[str, str] = {}  # the number as openpyxl writes it -> all 18 digits
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全校毕业生"
    ws.append(["2026届全校专科毕业生名单（学生处导出）"])
    ws.append(["序号", "学号", "姓名", "性别", "身份证号", "二级学院", "班级", "联系电话", "考生类别"])
    for i, p in enumerate(people):
        college = COLLEGES[i % len(COLLEGES)]
        name, id_cell = p["name"], p["id_number"]
        category = p.get("category", "普通考生")
        if college == OURS:
            roll = rng.random()
            if roll < 0.05:
                if p["id_number"][-1] != "X":
                    id_cell = int(p["id_number"])
                    exact[f"{id_cell:.16g}"] = p["id_number"]
                    planted["full-digit ID in a number cell"] += 1
            elif roll < 0.06:
                id_cell = float(f"{int(p['id_number'][:17]):.14e}") if p["id_number"][-1] != "X" else "待补"
                planted["ID rounded by Excel (refused)"] += 1
            elif roll < 0.07:
                name = name[:1] + "\u202e" + name[1:]
                planted["control character in a name"] += 1
            elif roll < 0.08:
                college = ""
                planted["blank college (asked about)"] += 1
            elif roll < 0.085:
                college = "信息工程学阮"
                planted["misspelt college (asked about)"] += 1
            elif roll < 0.10:
                category = "退役大学生士兵"
                planted["veteran without service dates (to-do)"] += 1
        ws.append([i + 1, p["student_no"], name, p["gender"], id_cell, college, p["class_name"], p["phone"], category])
        if i == per_college:
            ws.append(["序号", "学号", "姓名", "性别", "身份证号", "二级学院", "班级", "联系电话", "考生类别"])
            planted["repeated header (skipped)"] += 1
    first = [ws.cell(3, c).value for c in range(1, 10)]
    ws.append(first)
    planted["row pasted twice (skipped)"] += 1
    ws.append(["合计", f"{len(people)}人"])
    ws.append(["", "学生处负责人（签字）：", "", "", "经办人："])
    planted["total and signature lines (skipped)"] += 2
    wb.save(path)
    _exact_number_cells(path, exact)
    return dict(planted)


def _exact_number_cells(path: Path, exact: dict[str, str]) -> None:
    """Write the planted ID numbers with all 18 digits, as scripts and many systems store them
    (openpyxl itself writes a number with 16 significant digits)."""
    import re
    import shutil
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<v>([^<]+)</v>", lambda m: b"<v>" + exact.get(m.group(1).decode(),
                                                                               m.group(1).decode()).encode() + b"</v>",
                              data)
            dst.writestr(item, data)
    shutil.move(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-college", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "全校名单.xlsx"
        planted = write_school(path, args.per_college)
        app = Container.open(folder / "data")
        app.setup.initialise("C01", OURS, "基准报名点")
        t0 = time.perf_counter()
        preview = app.roster.preview(path)
        t1 = time.perf_counter()
        result = app.roster.commit(ACTOR, preview)
        t2 = time.perf_counter()
        reasons: Counter[str] = Counter()
        for row in preview.rejected:
            for p in row.problems:
                reasons[p.message[:40]] += 1
        print(f"file: {len(COLLEGES)} colleges x {args.per_college} students ({path.stat().st_size / 1e6:.1f} MB)")
        print("planted in this college's rows:")
        for what, n in planted.items():
            print(f"  {n:6d}  {what}")
        print(f"imported: {result.created} new, {result.updated} changed; refused {result.rejected} rows;"
              f" with to-dos {sum(1 for r in preview.rows if r.todos)}")
        print("refused, by reason (first 40 characters):")
        for reason, n in reasons.most_common():
            print(f"  {n:6d}  {reason}")
        print("warnings:")
        for w in preview.warnings:
            print(f"  - {w[:160]}")
        print(f"preview {t1 - t0:.2f} s, commit {t2 - t1:.2f} s")
        app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
