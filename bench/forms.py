"""附件3 for 3,000 candidates: PDF and .xlsx, against a bare reportlab LongTable of the same rows.

    .venv/bin/python bench/forms.py [--rows 3000] [--rounds 2] [--service]

The rows come from the demo generator. "bare" is a SimpleDocTemplate holding one LongTable of
the same Paragraph cells, the same column widths and repeated header, on landscape A4 with no
page frame, QR codes or row tracking; the ratio is 附件3 PDF / bare, best of the rounds, measured in
the same run. Target: ratio <= 1.5. ``--service`` also times the whole ``print 附件3`` path
(read from a demo database, PDF + .xlsx, Document row) once. Prints, never asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import LongTable, SimpleDocTemplate

from app.demo.service import generate
from app.documents import layout, summary
from app.documents.data import Context, Person

TARGET = 1.5


def people(n: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    out = []
    for i, r in enumerate(generate(n, seed=seed).records):
        status = rng.choice(("eligible",) * 8 + ("ineligible", "roster"))
        reasons = ("教务处：有 2 门课程不及格，尚未补考通过",) if status == "ineligible" else ()
        out.append(Person(
            uuid=f"00000000-0000-4000-8000-{i:012d}", student_no=str(r["student_no"]), name=str(r["name"]),
            gender=str(r["gender"]), id_number=str(r["id_number"]), class_name=str(r["class_name"]),
            counsellor=str(r["counsellor"]), major=str(r["major"]), intended_major=str(r["intended_major"]),
            category=str(r["category"]), phone=str(r["phone"]), status=status, reasons=reasons))
    return out


def bare(out: Path, rows: dict[str, tuple[str, ...]]) -> None:
    st = layout.styles()
    data = [[layout.text(h, st.head) for h in summary.HEADER]]
    data += [[layout.text(i, st.head), *[layout.text(c, st.cell) for c in cells]]
             for i, cells in enumerate(rows.values(), start=1)]
    table = LongTable(data, colWidths=list(summary.WIDTHS), repeatRows=1)
    table.setStyle(layout.grid_style())
    doc = SimpleDocTemplate(str(out), pagesize=landscape(A4), leftMargin=layout.MARGIN_X,
                            rightMargin=layout.MARGIN_X, topMargin=layout.TOP_AREA, bottomMargin=layout.BOTTOM_AREA)
    doc.build([table])


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def service_run(n: int, folder: Path) -> None:
    from app.container import Container
    from db.models import Candidate

    c = Container.open(folder / "desk")
    try:
        c.demo.setup_demo_install(c.actor, n, 7)
        with c.db.transaction() as s:
            for cand in s.query(Candidate):
                cand.status = "eligible"
        t = timed(lambda: c.printing.print_form(c.actor, "附件3", folder / "svc.pdf", folder / "svc.xlsx"))
        print(f"print 附件3 via PrintingService (DB read + PDF + .xlsx + Document row), {n} rows: {t:.2f} s")
    finally:
        c.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--service", action="store_true")
    args = ap.parse_args()
    persons = people(args.rows)
    rows = summary.rows(persons)
    ctx = Context("信息工程学院", 2026, dt.date.today(), "6eb6b648-4c26-4da2-b7c5-f819dc9130f6")
    layout.styles()  # font registration is a one-off, outside the timings
    with tempfile.TemporaryDirectory(prefix="regdesk-bench-") as tmp:
        folder = Path(tmp)
        form_pdf, bare_pdf, form_xlsx = [], [], []
        records: list = []
        for _ in range(args.rounds):
            bare_pdf.append(timed(lambda: bare(folder / "bare.pdf", rows)))
            form_pdf.append(timed(lambda: records.append(summary.render_pdf(folder / "a3.pdf", ctx, persons))))
            form_xlsx.append(timed(lambda: summary.render_xlsx(folder / "a3.xlsx", ctx, persons, records[-1])))
        pages = len(records[-1])
        best_form, best_bare = min(form_pdf), min(bare_pdf)
        print(f"附件3, {args.rows} rows, {pages} pages (best of {args.rounds}):")
        print(f"  bare LongTable PDF : {best_bare:.2f} s")
        print(f"  附件3 PDF          : {best_form:.2f} s  (frame, signatures, QR code and digest on every page)")
        print(f"  附件3 .xlsx        : {min(form_xlsx):.2f} s")
        ratio = best_form / best_bare
        print(f"  ratio PDF / bare   : {ratio:.2f}  (target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})")
        print(f"  PDF size           : {(folder / 'a3.pdf').stat().st_size / 1e6:.1f} MB, "
              f"bare {(folder / 'bare.pdf').stat().st_size / 1e6:.1f} MB")
        if args.service:
            service_run(args.rows, folder)


if __name__ == "__main__":
    main()
