"""The content-addressed media folder: photos, scans and fingerprints, named by their SHA-256.

A file is written to a temporary name, flushed to disk and renamed into place, so a crash never
leaves a half-written file under a real name; writing the same bytes twice stores them once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.errors import AppError, NotFoundError

_HEX = re.compile(r"[0-9a-f]{64}")
_EXT = re.compile(r"[a-z0-9]{1,8}")


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str, ext: str) -> Path:
        if not _HEX.fullmatch(sha256) or not _EXT.fullmatch(ext):
            raise ValueError(f"bad media name {sha256!r}.{ext!r}")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.{ext}"

    def put(self, data: bytes, ext: str) -> str:
        """Store ``data``; returns its SHA-256 (hex)."""
        ext = ext.lower().lstrip(".")
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest, ext)
        if target.exists() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise AppError(f"无法把采集的文件保存到 {self.root}：{exc.strerror or exc}。请检查磁盘空间和文件夹权限。") from exc
        return digest

    def read(self, sha256: str, ext: str) -> bytes:
        """The stored bytes, checked against their name (a damaged file is reported, not returned)."""
        target = self.path(sha256, ext)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"采集文件 {sha256[:12]}… 不在媒体文件夹中（{self.root}）。") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AppError(f"采集文件 {sha256[:12]}… 已损坏（内容与校验值不符）。")
        return data
