"""Cold start to a usable main window: RegDesk against a bare PySide6 window.

    .venv/bin/python bench/startup.py [--runs 5] [--candidates 600]
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python bench/startup.py   (a real X server)

Each run is a new process. RegDesk runs as ``python -m ui.shell.main --data DIR --bench-startup``,
which prints the milliseconds from its process start to the main window shown with the roster
loaded, then exits; the bare window is a QMainWindow that reports once it is shown. The bench
also times both from the outside, from spawning the process to reading that line, so the two
are measured the same way. The data folder is a demo install made once before the runs.
Target: <= 1.5 s. Prints, never asserts.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 1500.0

BARE_WINDOW = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("RegDesk"))
window.resize(1280, 800)
window.show()

def shown():
    print("shown", flush=True)
    app.quit()

QTimer.singleShot(0, shown)  # runs once the show events have been processed
app.exec()
"""


def make_demo(folder: Path, candidates: int) -> None:
    from app.container import Container

    c = Container.open(folder)
    try:
        result = c.demo.setup_demo_install(n=candidates)
        print(f"demo data folder: {folder} ({c.candidates.count()} candidates, "
              f"{result.classes} classes)")
    finally:
        c.close()


def run_once(cmd: list[str], env: dict[str, str], timeout: float = 60.0) -> tuple[float, str]:
    """Milliseconds from spawn to the child's first stdout line, and that line."""
    got: list[str] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    # The line is read on a thread so that a child that never reports cannot hang the bench.
    reader = threading.Thread(target=lambda: got.append(proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    reader.join(timeout)
    elapsed = (time.perf_counter() - t0) * 1000
    line = got[0].strip() if got else ""
    try:
        _, err = proc.communicate(timeout=timeout if line else 0.1)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if proc.returncode != 0 or not line:
        what = f"printed {line!r}" if line else f"printed nothing within {timeout:.0f} s"
        raise RuntimeError(f"{' '.join(cmd)} {what}, exit status {proc.returncode}:\n{err.strip()}")
    return elapsed, line


def summary(label: str, values: list[float]) -> str:
    return (f"{label:38} median {statistics.median(values):7.0f} ms   min {min(values):7.0f} ms   "
            f"runs: {', '.join(f'{v:.0f}' for v in values)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=600, help="size of the demo roster")
    args = parser.parse_args()

    env = dict(os.environ)
    if not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    platform = env.get("QT_QPA_PLATFORM") or ("xcb" if env.get("DISPLAY") else "wayland")
    print(f"Qt platform: {platform}; {args.runs} runs each; python {sys.version.split()[0]}")

    with tempfile.TemporaryDirectory(prefix="regdesk-bench-") as tmp:
        data = Path(tmp) / "data"
        make_demo(data, args.candidates)
        regdesk_cmd = [sys.executable, "-m", "ui.shell.main", "--data", str(data), "--bench-startup"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]

        app_outside: list[float] = []
        app_inside: list[float] = []
        bare: list[float] = []
        for _ in range(args.runs):
            try:
                ms, line = run_once(regdesk_cmd, env)
            except RuntimeError as exc:
                print(f"RegDesk's --bench-startup failed:\n{exc}")
                return 1
            app_outside.append(ms)
            number = re.search(r"\d+(?:\.\d+)?", line)
            if number:
                app_inside.append(float(number.group()))
            bare.append(run_once(bare_cmd, env)[0])

    print(summary("bare PySide6 window (spawn -> shown)", bare))
    print(summary("RegDesk (spawn -> roster shown)", app_outside))
    if app_inside:
        print(summary("RegDesk as it reports itself", app_inside))
    ratio = statistics.median(app_outside) / statistics.median(bare)
    median_app = statistics.median(app_outside)
    print(f"ratio RegDesk / bare window: {ratio:.2f}x; target <= {TARGET_MS:.0f} ms: "
          f"{'met' if median_app <= TARGET_MS else 'NOT met'} ({median_app:.0f} ms median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
