"""Writing the files a user asks for: exports, templates, the rejected-rows workbook, printed
forms, photos and fingerprint images saved with ``--out``.

``atomic_write(out)`` is the one way they are written. It checks where the file is to go (the
folder must already exist: a mistyped folder is an error, not a new folder nobody will look in),
gives the writer a temporary file beside ``out``, and only once the writer has finished flushes
it to disk and renames it over ``out``. So a crash, a kill or an error leaves under the real name
either the complete old file or none, never a truncated one; on an error the temporary file is
removed (after a hard kill it stays, as ``.NAME.XXXXXXXX.tmp`` beside the real file).

Not for the app's own files (database, media, logs, backups): those live in folders the app
creates itself.
"""

from __future__ import annotations

import errno
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from app.errors import BadFileError

# Errors of writing a file rather than of whatever else the writer does (reading a font, say),
# which stay unexpected errors with a trace in the log.
_WRITE_ERRNOS = frozenset(getattr(errno, name) for name in
                          ("ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS", "EACCES", "EPERM")
                          if hasattr(errno, name))


def check_target(out: Path) -> Path:
    """Raise ``BadFileError`` unless ``out`` can be written: its folder exists and it is not a
    folder or a device. Writers call this before long work, so the user hears of it at once."""
    out = Path(out)
    try:
        return _check_target(out)
    except OSError as exc:  # a folder on the way that may not be looked into
        raise _folder_error(out, exc) from None


def _check_target(out: Path) -> Path:
    folder = out.parent
    if not folder.exists():
        raise BadFileError(f"保存位置“{folder}”不存在，文件“{out.name}”没有保存。"
                           "请检查路径是否写错，或先建立这个文件夹，再重试；也可以选择一个已有的文件夹。")
    if not folder.is_dir():
        raise BadFileError(f"“{folder}”不是文件夹，无法在其中保存“{out.name}”。请选择一个已有的文件夹。")
    if out.is_dir():
        raise BadFileError(f"“{out}”是一个文件夹，不能用作文件名。请另取一个文件名。")
    if out.exists() and not out.is_file():
        raise BadFileError(f"“{out}”不是普通文件（可能是设备或其他特殊文件），不能覆盖。请另取一个文件名。")
    return out


@contextmanager
def atomic_write(out: Path) -> Iterator[Path]:
    """Yield a temporary path in ``out``'s folder; write the whole file there. When the block ends
    without an error the file is synced and renamed to ``out``; otherwise it is removed and
    ``out`` is left as it was. ``OSError`` of writing comes out as ``BadFileError``."""
    out = check_target(out)
    tmp = _reserve(out)
    try:
        try:
            yield tmp
        except OSError as exc:
            if exc.errno in _WRITE_ERRNOS or exc.filename in (str(tmp), tmp):
                raise _write_error(out, exc) from None
            raise
        try:
            _fsync(tmp)
            _replace(tmp, out)
        except OSError as exc:
            raise _write_error(out, exc, replacing=True) from None
    except BaseException:
        with suppress(OSError):  # the error being raised says more than this one would
            tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(out.parent)


def write_bytes(out: Path, data: bytes) -> Path:
    """``out`` holds ``data``, written through ``atomic_write``."""
    with atomic_write(out) as tmp:
        tmp.write_bytes(data)
    return Path(out)


def _reserve(out: Path) -> Path:
    """A new, empty file beside ``out``; created exclusively so no other writer shares it, with
    the usual permissions (``mkstemp`` would make an export readable by its owner only)."""
    for _ in range(100):
        tmp = out.with_name(f".{out.name[:40]}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _folder_error(out, exc) from None
        os.close(fd)
        return tmp
    raise BadFileError(f"无法在“{out.parent}”中建立临时文件，请稍后重试。")


# On Windows a virus scanner or a synchronising folder (OneDrive) may hold a new file open for a
# moment after it is written; the rename is tried again for up to a second before giving up.
_REPLACE_TRIES = 10 if os.name == "nt" else 1


def _replace(tmp: Path, out: Path) -> None:
    for attempt in range(_REPLACE_TRIES):
        try:
            os.replace(tmp, out)
            return
        except PermissionError:
            if attempt == _REPLACE_TRIES - 1:
                raise
            time.sleep(0.1)


def _fsync(path: Path) -> None:
    # Read-write: Windows cannot flush a handle opened for reading only.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder, and NTFS journals it."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares) refuse; the file itself is already on disk
    finally:
        os.close(fd)


def _folder_error(out: Path, exc: OSError) -> BadFileError:
    folder = out.parent
    if exc.errno == errno.EROFS:
        return BadFileError(f"“{folder}”所在的磁盘是只读的（如写保护的 U 盘或光盘），文件“{out.name}”没有保存。"
                            "请选择其他位置。")
    if isinstance(exc, PermissionError):
        return BadFileError(f"没有权限在文件夹“{folder}”中保存文件，“{out.name}”没有保存。"
                            "请选择其他文件夹（如“文档”或桌面），或请管理员开放这个文件夹的写入权限。")
    if exc.errno == errno.ENOSPC:
        return BadFileError(f"“{folder}”所在的磁盘空间不足，文件“{out.name}”没有保存。请清理磁盘或选择其他位置。")
    return BadFileError(f"无法在“{folder}”中保存“{out.name}”：{exc.strerror or exc}。请选择其他文件夹后重试。")


def _write_error(out: Path, exc: OSError, *, replacing: bool = False) -> BadFileError:
    if replacing and isinstance(exc, PermissionError):
        # Windows refuses to replace a file another program holds open, or a read-only file.
        return BadFileError(f"无法保存“{out}”：这个文件可能正被 Excel、WPS 或 PDF 阅读器打开，或是只读文件。"
                            "请关闭它后重试，或另存为其他文件名。" + _kept(out))
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return BadFileError(f"无法保存“{out}”：磁盘空间不足。请清理磁盘或保存到其他位置。" + _kept(out))
    if exc.errno == errno.EROFS or isinstance(exc, PermissionError):
        return _folder_error(out, exc)
    return BadFileError(f"无法保存“{out}”：{exc.strerror or exc}。" + _kept(out))


def _kept(out: Path) -> str:
    try:
        return "原有的同名文件没有改动。" if out.exists() else ""
    except OSError:
        return ""
