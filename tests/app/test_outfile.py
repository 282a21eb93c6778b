"""``app.outfile``: a file the user asked for is replaced whole or not at all, in a folder that exists."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from app import outfile
from app.errors import BadFileError

OLD = b"the old complete file"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path = tmp_path / "名单.xlsx"
    path.write_bytes(OLD)
    return path


def test_the_file_appears_under_its_name_only_when_complete(old: Path) -> None:
    with outfile.atomic_write(old) as tmp:
        assert tmp.parent == old.parent and tmp != old
        tmp.write_bytes(b"new, half")
        assert old.read_bytes() == OLD  # nothing under the real name changes while writing
        tmp.write_bytes(b"new, whole")
    assert old.read_bytes() == b"new, whole"
    assert leftovers(old.parent) == []


def test_a_writer_failing_half_way_leaves_the_old_file_and_no_temporary_file(old: Path) -> None:
    with pytest.raises(RuntimeError), outfile.atomic_write(old) as tmp:
        tmp.write_bytes(b"PK\x03\x04 half a zip")
        raise RuntimeError("crash while writing")
    assert old.read_bytes() == OLD
    assert leftovers(old.parent) == []


def test_a_new_file_that_fails_is_not_there_at_all(tmp_path: Path) -> None:
    out = tmp_path / "new.pdf"
    with pytest.raises(KeyboardInterrupt), outfile.atomic_write(out) as tmp:
        tmp.write_bytes(b"%PDF-1.4 half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_said_in_chinese_and_keeps_the_old_file(old: Path) -> None:
    with pytest.raises(BadFileError, match=r"磁盘空间不足.*原有的同名文件没有改动"), outfile.atomic_write(old) as tmp:
        tmp.write_bytes(b"some")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert old.read_bytes() == OLD
    assert leftovers(old.parent) == []


def test_a_file_held_open_elsewhere_is_named_with_what_to_do(old: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to replace a workbook Excel has open (PermissionError from the rename)."""
    def refuse(_src, _dst):
        raise PermissionError(errno.EACCES, "Access is denied")

    monkeypatch.setattr(outfile.os, "replace", refuse)
    with pytest.raises(BadFileError, match=r"可能正被 Excel、WPS 或 PDF 阅读器打开.*请关闭它后重试"):
        outfile.write_bytes(old, b"new")
    assert old.read_bytes() == OLD
    assert leftovers(old.parent) == []


def test_windows_tries_again_while_a_scanner_holds_the_new_file(old: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace
    refusals = [PermissionError(errno.EACCES, "Access is denied")] * 3

    def busy(src, dst):
        if refusals:
            raise refusals.pop()
        real_replace(src, dst)

    monkeypatch.setattr(outfile, "_REPLACE_TRIES", 10)  # as on Windows
    monkeypatch.setattr(outfile.os, "replace", busy)
    monkeypatch.setattr(outfile.time, "sleep", lambda _s: None)
    outfile.write_bytes(old, b"new")
    assert old.read_bytes() == b"new" and refusals == []
    assert leftovers(old.parent) == []


def test_an_error_that_is_not_about_writing_stays_itself(old: Path) -> None:
    """A missing font or image is an unexpected error with a trace, not “cannot save”."""
    with pytest.raises(FileNotFoundError), outfile.atomic_write(old):
        raise FileNotFoundError(errno.ENOENT, "No such file", "/usr/share/fonts/missing.ttf")
    assert leftovers(old.parent) == []


def test_a_missing_folder_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "deeper" / "x.xlsx"
    with pytest.raises(BadFileError) as caught, outfile.atomic_write(out):
        pytest.fail("the writer must not run")
    assert f"“{out.parent}”不存在" in caught.value.message
    assert "建立这个文件夹" in caught.value.message
    assert not (tmp_path / "nope").exists()


def test_a_folder_as_the_file_name_and_a_file_as_the_folder(tmp_path: Path) -> None:
    (tmp_path / "导出").mkdir()
    with pytest.raises(BadFileError, match="是一个文件夹，不能用作文件名"):
        outfile.write_bytes(tmp_path / "导出", b"x")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(BadFileError, match="不是文件夹"):
        outfile.write_bytes(tmp_path / "a.txt" / "x.xlsx", b"x")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="POSIX only")
def test_a_device_is_not_replaced() -> None:
    with pytest.raises(BadFileError, match="不是普通文件"):
        outfile.check_target(Path("/dev/null"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_folder_without_write_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the temporary file is made in a folder the user may not write to (root cannot be refused
    by a mode bit, so the refusal is the operating system's answer, given here)."""
    real_open = os.open

    def refuse(path, flags, *args):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(outfile.os, "open", refuse)
    with pytest.raises(BadFileError, match=f"没有权限在文件夹“{tmp_path}”中保存文件"):
        outfile.write_bytes(tmp_path / "x.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_new_file_has_the_usual_permissions(tmp_path: Path) -> None:
    """Not mkstemp's 0600: an export in a shared folder stays readable as any other file would."""
    umask = os.umask(0o022)
    try:
        out = outfile.write_bytes(tmp_path / "x.xlsx", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
