"""Benchmark: seconds and peak memory of importing each hostile file of issue 8 (and the ones found
while bounding them), next to a normal 20,000-row roster.

Run: ``.venv/bin/python bench/hostile_files.py [--code DIR] [--cap-mb N] [--timeout S] [--only NAME ...]``.
Each file is generated into a temporary folder (the same generators as tests/app/test_hostile_files.py)
and imported by ``regdesk-cli roster import FILE --dry-run`` in its own child process, whose peak
resident memory is read with ``os.wait4`` (the child's own ``ru_maxrss``). ``--code DIR`` runs the
application from another source tree, e.g. an export of an older commit, to measure it the same way;
``--cap-mb`` caps the child's address space (default 4096) and ``--timeout`` its seconds (default 300),
so that an old reader that blows up fails instead of taking the machine: such a row reads “> cap”.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "app"))

import fixtures_hostile as fh  # noqa: E402 (after the path is set)

from app.container import Container  # noqa: E402


def normal_roster(path: Path) -> Path:
    return fh.workbook(path, [("名单", fh.sheet(fh.roster_rows(20_000)))])


FILES: list[tuple[str, str, Callable[[Path], Path]]] = [
    ("normal", "a normal roster of 20,000 students (for comparison)", normal_roster),
    ("sheet-bomb", "sheet XML inflating to 1.1 GB", fh.sheet_bomb),
    ("strings-bomb", "shared strings inflating to 1.1 GB", fh.shared_strings_bomb),
    ("lying-size", "zip headers claim 2,000 bytes, data inflates to 1.1 GB", fh.lying_sheet),
    ("html-spans", "HTML .xls, 200 cells of rowspan 1000 × colspan 1000", fh.html_spans),
    ("sheets-10000", "10,000 sheets", lambda p: fh.many_sheets(p, 10_000)),
    ("sheets-1000", "1,000 sheets, the roster on the last", lambda p: fh.many_sheets(p, 1_000, roster_on=999)),
    ("rows-1048576", "1,048,575 students: every row Excel has", fh.many_rows),
    ("xfd-rows", "5,000 students, each row also in column XFD, <dimension> says A1:D5001", fh.xfd_rows),
    ("bloated", "hidden row, then 2.4 GB of blank space in the sheet XML", fh.bloated_hidden),
    ("far-corner", "two cells: A1 and XFD1048576", fh.far_corner),
    ("unique-count", "shared strings declaring 4,000,000,000 strings", fh.unique_count_bomb),
    ("amplifier", "one 1 MB shared string named by 2,000 cells", fh.shared_amplifier),
]


def run(code: Path, data: Path, path: Path, cap_mb: int, timeout: float) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit status, the message's first line) of one import in a child."""
    child = fh.import_in_child(code, data, path, "--dry-run", cap_bytes=cap_mb << 20, timeout=timeout)
    err, out = child.err.strip(), child.out.strip()
    if child.status < 0:
        message = f"killed by signal {-child.status}" + (" (timeout)" if child.seconds >= timeout else "")
        if "memory allocation" in err:
            message += ": " + next(line for line in err.splitlines() if "memory allocation" in line)
    elif child.status == 0:
        message = " / ".join(line for line in out.splitlines()[1:3])
    else:
        message = (err.splitlines() or [""])[-1]
    return child.seconds, child.peak_mb, child.status, message


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the source tree to run (default: this one)")
    parser.add_argument("--cap-mb", type=int, default=4096)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", nargs="*", help="names of the files to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        data = tmpdir / "desk"
        app = Container.open(data)
        app.setup.initialise("1001", "信息工程学院", "一号桌")
        app.close()
        print(f"code: {args.code}   child cap: {args.cap_mb} MB address space, {args.timeout:.0f} s")
        print(f"{'file':14s} {'on disk':>9s} {'seconds':>8s} {'peak MB':>8s} {'exit':>5s}  outcome")
        for name, what, make in FILES:
            if args.only and name not in args.only:
                continue
            suffix = ".xls" if name == "html-spans" else ".xlsx"
            path = make(tmpdir / f"{name}{suffix}")
            seconds, peak, status, message = run(args.code.resolve(), data, path, args.cap_mb, args.timeout)
            capped = " (cap)" if status < 0 or peak > args.cap_mb * 0.9 else ""
            print(f"{name:14s} {path.stat().st_size / 1e6:7.2f}MB {seconds:8.1f} {peak:8.0f}{capped} {status:5d}  "
                  f"{what}: {message[:150]}")
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
