"""A transcript of ``regdesk-cli``: every command's help and a representative session, normalised.

    .venv/bin/python scripts/cli_transcript.py OUT.txt

Runs each command as its own process (``python -m app.cli``) against a fresh temporary data
folder and writes, per command, its exit status, stdout and stderr. What differs from run to run
(the temporary folder, UUIDs, hashes, times, document numbers) is replaced by placeholders, so two
transcripts taken before and after a change to the CLI can be compared with ``diff``: the CLI's
contract (DESIGN §7) is its command names, options, texts, exit statuses and JSON shapes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HELP = [
    [], ["init"], ["demo"],
    ["roster"], ["roster", "import"], ["roster", "export"], ["roster", "template"],
    ["candidate"], ["candidate", "show"], ["candidate", "find"], ["candidate", "set"],
    ["audit"], ["audit", "verify"], ["audit", "list"],
    ["user"], ["user", "add"], ["user", "list"],
    ["reference"], ["reference", "import"],
    ["review"], ["review", "run"], ["review", "decide"], ["review", "approve-clean"], ["review", "list"],
    ["review", "changes"],
    ["waiver"], ["waiver", "add"], ["waiver", "revoke"], ["waiver", "signed"],
    ["settings"], ["settings", "show"], ["settings", "set"],
    ["print"], ["verify-page"], ["photo"], ["photo", "check"], ["devices"], ["devices", "list"],
    ["fingerprint"], ["fingerprint", "capture"],
]

_PATTERNS = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(\+\d{2}:\d{2})?"), "<time>"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"), "<minute>"),
    (re.compile(r"文档编号 [0-9A-F]{8}"), "文档编号 <doc>"),
    # A page's check code covers its printing date and document number.
    (re.compile(r"校验码 [0-9a-f]{12}"), "校验码 <code>"),
]


def normalise(text: str, folder: str) -> str:
    text = text.replace(folder, "<tmp>")
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


def main(out_path: str) -> int:
    env = dict(os.environ, COLUMNS="100", LANG="C.UTF-8", PYTHONIOENCODING="utf-8")
    env.pop("REGDESK_DATA", None)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cli-transcript-") as tmp:
        folder = str(Path(tmp).resolve())
        data = f"{folder}/desk"
        env["REGDESK_DATA"] = f"{folder}/default"

        def run(*argv: str, stdin: str | None = None) -> None:
            proc = subprocess.run([sys.executable, "-m", "app.cli", *argv], cwd=ROOT, env=env,
                                  capture_output=True, text=True, input=stdin or "", timeout=600)
            lines.append(f"$ regdesk-cli {normalise(' '.join(argv), folder)}")
            lines.append(f"[exit {proc.returncode}]")
            lines.append("[stdout]")
            lines.append(normalise(proc.stdout, folder))
            lines.append("[stderr]")
            lines.append(normalise(proc.stderr, folder))

        for path in HELP:
            run(*path, "--help")
        run("--version")
        # Usage errors (2).
        run()
        run("nosuch")
        run("roster")
        run("candidate", "set", "KEY")
        run("review", "decide", "K", "--office", "academic")
        run("--data", data, "--db", "sqlite://", "user", "list")
        # Actionable errors (1) before any install.
        run("--data", data, "candidate", "show", "1", "--json")
        run("--data", data, "candidate", "show", "1")
        run("--db", "nonsense://", "user", "list")
        # The demo and the commands on it.
        run("--data", data, "demo", "--candidates", "40")
        run("--data", data, "demo", "--candidates", "40", "--json")
        run("--data", f"{folder}/demo2", "demo", "--candidates", "12", "--no-samples", "--json")
        run("--data", data, "user", "list")
        run("--data", data, "user", "list", "--json")
        run("--data", data, "user", "add", "zhang", "--role", "counsellor", "--name", "张老师",
            "--password", "Secret123x", "--json")
        run("--data", data, "user", "add", "li", "--role", "reviewer", "--name", "李老师")
        run("--data", data, "settings", "show")
        run("--data", data, "settings", "show", "--json")
        run("--data", data, "settings", "set", "publicity_start=2026-03-10", "publicity_end=2026-03-16")
        run("--data", data, "settings", "set", "waiver_deadline=2099-12-20", "--json")
        run("--data", data, "settings", "set", "nonsense")
        run("--data", data, "settings", "set", "no_such_key=1", "--json")
        run("--data", data, "candidate", "find", "zs")
        run("--data", data, "candidate", "find", "软件", "--json")
        run("--data", data, "candidate", "find", "没有这个人")
        run("--data", data, "review", "list", "--json")
        run("--data", data, "review", "list")
        run("--data", data, "review", "changes")
        run("--data", data, "review", "changes", "--json")
        found = subprocess.run([sys.executable, "-m", "app.cli", "--data", data, "review", "list", "--json"],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        import json

        people = json.loads(found.stdout)["candidates"]
        flagged = next(p["student_no"] for p in people if p["findings"])
        clean = [p["student_no"] for p in people if not p["findings"] and p["status"] != "waived"]
        key, other, third = clean[0], clean[1], clean[2]
        run("--data", data, "candidate", "show", key)
        run("--data", data, "candidate", "show", key, "--json")
        run("--data", data, "candidate", "set", key, "联系电话=13900000001", "--json")
        run("--data", data, "candidate", "set", key, "phone=13900000002")
        run("--data", data, "candidate", "set", key, "phone=13900000002")
        run("--data", data, "candidate", "set", key, "college=x")
        run("--data", data, "candidate", "set", key, "nofield=1", "--json")
        run("--data", data, "candidate", "set", key, "phone=12", "--json")
        run("--data", data, "candidate", "set", "0000", "phone=13900000002")
        run("--data", data, "review", "decide", flagged, "--office", "academic", "--fail", "--opinion", "不符合")
        run("--data", data, "review", "decide", flagged, "--office", "conduct", "--pass", "--json")
        run("--data", data, "review", "decide", flagged, "--office", "college", "--fail", "--json")
        run("--data", data, "review", "approve-clean", "--office", "academic")
        run("--data", data, "review", "approve-clean", "--json")
        run("--data", data, "review", "run")
        run("--data", data, "review", "run", "--json")
        run("--data", data, "review", "list", "--needs-review")
        run("--data", data, "review", "list", "--finding", "failed_courses", "--json")
        run("--data", data, "waiver", "add", other, "--reason", "个人原因", "--date", "2026-12-01")
        run("--data", data, "waiver", "add", third, "--reason", "工作", "--json")
        run("--data", data, "waiver", "signed", other)
        run("--data", data, "waiver", "signed", other, "--unsigned", "--json")
        run("--data", data, "waiver", "revoke", third, "--reason", "改变主意", "--json")
        run("--data", data, "waiver", "add", other, "--reason", "again")
        # Files.
        run("--data", data, "roster", "template", f"{folder}/template.xlsx")
        run("--data", data, "roster", "export", f"{folder}/roster.xlsx")
        run("--data", data, "roster", "export", f"{folder}/roster2.xlsx", "--json")
        run("--data", data, "roster", "export", f"{folder}/nofolder/roster.xlsx")
        run("--data", data, "roster", "import", f"{folder}/roster.xlsx", "--dry-run")
        run("--data", data, "roster", "import", f"{folder}/roster.xlsx", "--dry-run", "--json")
        run("--data", data, "roster", "import", f"{folder}/roster.xlsx")
        run("--data", data, "roster", "import", f"{folder}/missing.xlsx")
        Path(f"{folder}/odd.csv").write_text("名字,证件,电话\n张三,410102200201010011,13800000000\n",
                                             encoding="utf-8")
        run("--data", data, "roster", "import", f"{folder}/odd.csv", "--dry-run")
        run("--data", data, "roster", "import", f"{folder}/odd.csv", "--dry-run", "--json")
        run("--data", data, "roster", "import", f"{folder}/odd.csv", "--map", "名字=name", "--map", "证件=id_number",
            "--map", "电话=phone", "--dry-run", "--report", f"{folder}/rejected.xlsx")
        run("--data", data, "roster", "import", f"{folder}/odd.csv", "--map", "bad", "--dry-run")
        run("--data", data, "roster", "import", f"{folder}/odd.csv", "--map", "名字=nothing", "--dry-run", "--json")
        samples = sorted(Path(data, "样例名单").glob("*"))
        for sample in samples:
            kind = ("academic" if "学籍" in sample.name else "conduct" if "处分" in sample.name else "majors")
            run("--data", data, "reference", "import", kind, str(sample), "--dry-run")
            run("--data", data, "reference", "import", kind, str(sample), "--json")
        run("--data", data, "reference", "import", "academic", f"{folder}/odd.csv")
        run("--data", data, "reference", "import", "academic", f"{folder}/odd.csv", "--json")
        # Printing.
        run("--data", data, "print", "waiver", "--out", f"{folder}/w.pdf")
        run("--data", data, "print", "附件1", "--student", other, "--out", f"{folder}/w1.pdf", "--json")
        run("--data", data, "print", "waiver", "--out", f"{folder}/w.pdf", "--xlsx", f"{folder}/w.xlsx")
        run("--data", data, "print", "waiver-list", "--out", f"{folder}/wl.pdf", "--xlsx", f"{folder}/wl.xlsx")
        run("--data", data, "print", "summary", "--out", f"{folder}/s.pdf", "--json")
        run("--data", data, "print", "review-report", "--out", f"{folder}/r.pdf")
        run("--data", data, "print", "publicity", "--out", f"{folder}/p.pdf", "--xlsx", f"{folder}/p.xlsx", "--json")
        run("--data", data, "print", "publicity", "--out", f"{folder}/p.txt")
        run("--data", data, "print", "nosuch", "--out", f"{folder}/x.pdf")
        run("--data", data, "verify-page", f"{folder}/s.pdf")
        run("--data", data, "verify-page", f"{folder}/p.pdf", "--json")
        run("--data", data, "candidate", "set", key, "name=新名字")
        run("--data", data, "verify-page", f"{folder}/s.pdf")
        run("--data", data, "verify-page", f"{folder}/template.xlsx", "--json")
        # Devices, photo, fingerprint.
        run("--data", data, "devices", "list")
        run("--data", data, "devices", "list", "--json")
        sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
        import cv2
        import exam_shot

        cv2.imencode(".jpg", exam_shot.good_shot(), [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tofile(f"{folder}/good.jpg")
        cv2.imencode(".png", exam_shot.astronaut_bgr())[1].tofile(f"{folder}/astro.png")
        run("--data", data, "photo", "check", f"{folder}/good.jpg")
        run("--data", data, "photo", "check", f"{folder}/good.jpg", "--out", f"{folder}/out.jpg", "--json")
        run("--data", data, "photo", "check", f"{folder}/astro.png", "--out", f"{folder}/out2.jpg")
        run("--data", data, "photo", "check", f"{folder}/astro.png", "--json")
        run("--data", data, "photo", "check", f"{folder}/good.jpg", "--out", f"{folder}/out.png")
        run("--data", data, "photo", "check", f"{folder}/none.jpg")
        run("--data", data, "photo", "check", f"{folder}/odd.csv", "--json")
        run("--data", data, "fingerprint", "capture", "--driver", "mock", "--subject", "2021001",
            "--out", f"{folder}/fp.png")
        run("--data", data, "fingerprint", "capture", "--driver", "mock", "--finger", "右手中指", "--subject", "1",
            "--mock-script", "retry:too_short,ok", "--out", f"{folder}/fp2.png", "--json")
        run("--data", data, "fingerprint", "capture", "--driver", "mock", "--finger", "toe", "--out", f"{folder}/f.png")
        run("--data", data, "fingerprint", "capture", "--driver", "mock", "--out", f"{folder}/f.jpg", "--json")
        run("--data", data, "fingerprint", "capture", "--driver", "mock", "--mock-script", "timeout",
            "--timeout", "0.2", "--out", f"{folder}/f3.png")
        # The audit trail.
        run("--data", data, "audit", "list", "--limit", "5")
        run("--data", data, "audit", "list", "--candidate", key, "--json")
        run("--data", data, "audit", "list", "--limit", "0")
        run("--data", data, "audit", "verify")
        run("--data", data, "audit", "verify", "--json")
        run("--data", data, "audit", "verify", "--deep", "--json")
        import sqlite3

        con = sqlite3.connect(f"{data}/regdesk.sqlite")
        con.execute("UPDATE candidates SET phone='13700000000' WHERE student_no=?", (other,))
        con.commit()
        con.close()
        run("--data", data, "audit", "verify", "--deep")
        run("--data", data, "audit", "verify", "--deep", "--json")
        # init on a fresh folder, and twice.
        run("--data", f"{folder}/fresh", "init", "--college-code", "2002", "--college-name", "机电学院",
            "--admin", "root", "--admin-password", "Passw0rd1", "--json")
        run("--data", f"{folder}/fresh", "init", "--college-code", "2002", "--college-name", "机电学院")
        run("--data", f"{folder}/fresh2", "init", "--college-code", "2003", "--college-name", "化工学院",
            "--admin", "root")
        run("--data", f"{folder}/fresh", "demo")
    Path(out_path).write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
