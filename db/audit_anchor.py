"""The audit trail's anchor file: a small JSON file beside the SQLite database.

It holds the genesis of the local desk's audit chain (its first event's hash and time) and the
last checkpoint (how many events, the newest hash); chains received from other desks are not in
it (``audit_chains`` records those). The database keeps the same facts in the ``meta`` table and
in the local desk's row; a person who empties or truncates ``audit_events`` with sqlite3 must
also find and rewrite this file, or ``audit verify`` names the copy that disagrees. It is not a
protection against someone who can write every file of the data folder (see the README).

Here: where the file is, and reading and writing it (atomically). What it must agree with is
decided by ``app.audit.service``; the migration that introduced it writes the first one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

FORMAT = "regdesk-audit-anchor/1"


def anchor_path(database: str | os.PathLike | None) -> Path | None:
    """``regdesk.sqlite`` -> ``regdesk-audit.json`` beside it; None for a database that is no file."""
    if not database or str(database) == ":memory:" or str(database).startswith("file::memory:"):
        return None
    db = Path(database)
    return db.with_name(f"{db.stem}-audit.json")


class AnchorUnreadable(Exception):
    """The file is there but is not an anchor (truncated, edited by hand, another format)."""


def read_anchor(path: Path) -> dict | None:
    """The file's content, None when it does not exist; ``AnchorUnreadable`` when it is damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorUnreadable(str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AnchorUnreadable(str(exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AnchorUnreadable("not an audit anchor")
    genesis = data.get("genesis")
    if (not isinstance(genesis, dict) or not isinstance(genesis.get("hash"), str)
            or not isinstance(genesis.get("at"), str) or not isinstance(data.get("count"), int)
            or not isinstance(data.get("head"), str)):
        raise AnchorUnreadable("fields missing")
    return data


def anchor_content(desk: str, genesis_hash: str, genesis_at: str, count: int, head: str) -> dict:
    return {"format": FORMAT, "desk": desk, "genesis": {"hash": genesis_hash, "at": genesis_at},
            "count": count, "head": head}


def write_anchor(path: Path, content: dict) -> None:
    """Replace the file in one step: a temporary file in the same folder, flushed, then renamed,
    so a crash leaves the old file or the new one, never half of one."""
    text = json.dumps(content, ensure_ascii=False, indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
