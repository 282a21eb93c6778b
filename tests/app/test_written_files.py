"""The files the services write for the user (roster export, import template, rejected-rows
workbook, printed forms and their .xlsx) are replaced whole or not at all, in a folder that must
already exist."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.errors import BadFileError
from db.models import Document

ROOT = Path(__file__).resolve().parents[3]


def half_written_save(self, filename) -> None:
    """openpyxl's save that dies after writing the start of the zip (a crash, a full disk …)."""
    with open(filename, "wb") as fh:
        fh.write(b"PK\x03\x04" + b"\0" * 1000)
    raise RuntimeError("killed while saving")


def tmp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("writer", ["export", "template", "rejected"])
def test_a_workbook_save_that_fails_half_way_leaves_the_old_file(container, actor, make_candidate_raw,
                                                                 tmp_path: Path, monkeypatch, writer) -> None:
    container.candidates.create(actor, make_candidate_raw(0))
    source = tmp_path / "in.csv"
    source.write_text("姓名,身份证号\n张三,123\n", encoding="utf-8")
    preview = container.roster.preview(source)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "名单.xlsx"
    out.write_bytes(b"the complete workbook of yesterday")
    monkeypatch.setattr(openpyxl.Workbook, "save", half_written_save)
    with pytest.raises(RuntimeError):
        if writer == "export":
            container.roster.export(container.actor, out)
        elif writer == "template":
            container.roster.write_template(out)
        else:
            container.roster.save_rejected(preview, out)
    assert out.read_bytes() == b"the complete workbook of yesterday"
    assert list(folder.iterdir()) == [out]


@pytest.mark.parametrize("failing", ["pdf", "xlsx"])
def test_a_print_that_fails_half_way_leaves_both_old_files_and_records_nothing(
        container, actor, make_candidate_raw, tmp_path: Path, monkeypatch, failing) -> None:
    from reportlab.pdfgen import canvas

    for i in range(5):
        container.candidates.create(actor, make_candidate_raw(i))
    pdf, xlsx = tmp_path / "附件3.pdf", tmp_path / "附件3.xlsx"
    pdf.write_bytes(b"%PDF old complete")
    xlsx.write_bytes(b"PK old complete")
    if failing == "pdf":
        def half_pdf(self) -> None:
            with open(self._filename, "wb") as fh:
                fh.write(b"%PDF-1.4\n% half a page")
            raise OSError(5, "Input/output error")
        monkeypatch.setattr(canvas.Canvas, "save", half_pdf)
    else:
        monkeypatch.setattr(openpyxl.Workbook, "save", half_written_save)
    with pytest.raises((BadFileError, RuntimeError)) as caught:
        container.printing.print_form(actor, "summary", pdf, xlsx)
    if failing == "pdf":
        assert f"无法保存“{pdf}”" in str(caught.value) and "原有的同名文件没有改动" in str(caught.value)
    assert pdf.read_bytes() == b"%PDF old complete"
    assert xlsx.read_bytes() == b"PK old complete"
    assert tmp_files(tmp_path) == []
    with container.db.read() as s:
        assert s.scalars(select(Document)).all() == []


def test_a_cancelled_print_leaves_the_old_files(container, actor, make_candidate_raw, tmp_path: Path) -> None:
    from app.errors import Cancelled
    from app.tasks import CancelToken

    for i in range(30):
        container.candidates.create(actor, make_candidate_raw(i))
    pdf, xlsx = tmp_path / "a.pdf", tmp_path / "a.xlsx"
    pdf.write_bytes(b"old pdf")
    xlsx.write_bytes(b"old xlsx")
    token = CancelToken()
    with pytest.raises(Cancelled):
        container.printing.print_form(actor, "summary", pdf, xlsx, cancel=token,
                                      progress=lambda done, _t, _m: done and token.cancel())
    assert (pdf.read_bytes(), xlsx.read_bytes()) == (b"old pdf", b"old xlsx")
    assert tmp_files(tmp_path) == []


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time, zipfile
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from app.container import Container

    real_writestr = zipfile.ZipFile.writestr
    parts = 0

    def writestr(self, *args, **kwargs):
        # After a few parts of the workbook are on disk, say so and wait to be killed.
        global parts
        real_writestr(self, *args, **kwargs)
        parts += 1
        if parts == 3:
            self.fp.flush()
            print("mid-write", os.fstat(self.fp.fileno()).st_size, flush=True)
            time.sleep(600)

    zipfile.ZipFile.writestr = writestr
    c = Container.open(Path(sys.argv[2]))
    c.roster.export(c.actor, Path(sys.argv[3]))
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill -9")
@pytest.mark.parametrize("before", ["absent", "old file"])
def test_kill_9_in_the_middle_of_an_export(container, actor, make_candidate_raw, tmp_path: Path, before) -> None:
    """A real process killed while the workbook's bytes are going to disk: under the real name
    there is the old complete file, or nothing."""
    for i in range(20):
        container.candidates.create(actor, make_candidate_raw(i))
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "名单.xlsx"
    if before == "old file":
        container.roster.export(container.actor, out)
    old = out.read_bytes() if out.exists() else None
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(ROOT), str(container.data_dir), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("mid-write"), proc.stderr.read()
        assert int(line.split()[1]) > 0  # bytes of the new workbook really are in a file
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    if old is None:
        assert not out.exists()
    else:
        assert out.read_bytes() == old
        assert openpyxl.load_workbook(out).active["A2"].value == "学号"


# -- the folder must exist --------------------------------------------------------------------------
@pytest.mark.parametrize("writer", ["export", "template", "rejected", "print pdf", "print xlsx"])
def test_a_missing_folder_is_an_error_and_is_not_created(container, actor, make_candidate_raw,
                                                         tmp_path: Path, writer) -> None:
    container.candidates.create(actor, make_candidate_raw(0))
    missing = tmp_path / "没有这个文件夹"
    out = missing / "x.xlsx"
    with pytest.raises(BadFileError) as caught:
        if writer == "export":
            container.roster.export(container.actor, out)
        elif writer == "template":
            container.roster.write_template(out)
        elif writer == "rejected":
            source = tmp_path / "in.csv"
            source.write_text("姓名,身份证号\n张三,123\n", encoding="utf-8")
            container.roster.save_rejected(container.roster.preview(source), out)
        elif writer == "print pdf":
            container.printing.print_form(actor, "summary", missing / "x.pdf", tmp_path / "x.xlsx")
        else:
            container.printing.print_form(actor, "summary", tmp_path / "x.pdf", out)
    assert f"“{missing}”不存在" in caught.value.message
    assert not missing.exists()
    # Not half of a print either: no PDF without its .xlsx, nothing recorded.
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.xlsx").exists()
    with container.db.read() as s:
        assert s.scalars(select(Document)).all() == []
