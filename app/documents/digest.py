"""Page digests and the QR payload that ties a printed page to its document and rows.

A page's digest is the first 12 hex digits of SHA-256 over the canonical JSON of the rows printed
on it, in order, each row being ``[key, cell, cell, …]``. The QR code carries
``REGDESK:<DOCUMENT UUID>:<PAGE>:<DIGEST>`` in capitals: that keeps it in the QR alphanumeric mode,
a smaller code with larger modules, which reads more reliably from a scan or a photo.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

PREFIX = "REGDESK"
DIGEST_LEN = 12

Row = tuple[str, Sequence[str]]  # (key, printed cells)


def canonical(rows: Sequence[Row]) -> bytes:
    data = [[key, *[str(c) for c in cells]] for key, cells in rows]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def page_digest(rows: Sequence[Row]) -> str:
    return hashlib.sha256(canonical(rows)).hexdigest()[:DIGEST_LEN]


def short_id(doc_uuid: str) -> str:
    """What the page prints as the document's ID; the QR code carries the full one."""
    return doc_uuid.split("-")[0].upper()


@dataclass(frozen=True)
class Payload:
    doc_uuid: str
    page: int
    digest: str

    def encode(self) -> str:
        return f"{PREFIX}:{self.doc_uuid}:{self.page}:{self.digest}".upper()


def parse_payload(text: str) -> Payload | None:
    """``None`` when the text is not a RegDesk page code (another QR code on the sheet, say)."""
    parts = text.strip().lower().split(":")
    if len(parts) != 4 or parts[0] != PREFIX.lower() or not parts[2].isdigit():
        return None
    if len(parts[3]) != DIGEST_LEN or any(ch not in "0123456789abcdef" for ch in parts[3]):
        return None
    return Payload(parts[1], int(parts[2]), parts[3])
