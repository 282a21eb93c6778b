"""Page digests and the QR payload that ties a printed page to its document and rows.

A page's digest is the first 12 hex digits of SHA-256 over the canonical JSON of what is printed
on it: since version 2, ``{"header": [[label, value], …], "rows": [[key, cell, cell, …], …]}``,
the page's header fields (form, title, the heading's parts such as the 公示 dates) and its rows in
order; version 1 (documents printed before) covered the rows only, ``[[key, cell, …], …]``, and
such pages can still be checked row by row, not their header. The QR code carries
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
VERSION = 2  # what ``page_digest`` covers; stored with each printed page

Row = tuple[str, Sequence[str]]  # (key, printed cells)
Header = Sequence[tuple[str, str]]  # (label, value) printed around the rows


def canonical(rows: Sequence[Row], header: Header | None = None) -> bytes:
    """The digested bytes: version 2 with ``header``, version 1 (rows only) without."""
    data: object = [[key, *[str(c) for c in cells]] for key, cells in rows]
    if header is not None:
        data = {"header": [[str(label), str(value)] for label, value in header], "rows": data}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def page_digest(rows: Sequence[Row], header: Header | None = None) -> str:
    return hashlib.sha256(canonical(rows, header)).hexdigest()[:DIGEST_LEN]


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
