"""Render PDF pages to pixels with pdfium (pypdfium2): for checking a printed PDF's QR codes and for
printing a PDF through the operating system's printer driver.

pdfium ships inside the wheel on Windows, macOS and Linux, so no external program (poppler's
``pdftoppm``) is needed. pdfium is not thread-safe: every call into it holds ``_LOCK``, so a
render on a worker thread and one on the GUI thread cannot interleave.

Pages come out as ``numpy`` arrays of shape (height, width, 3), dtype uint8, in RGB order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import BadFileError, NotFoundError
from app.tasks import CancelToken

_LOCK = threading.RLock()
MAX_DPI = 600
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class PageSize:
    """A page's size in points (1/72 inch), as the PDF declares it after rotation."""

    width: float
    height: float

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def _open(path: Path):
    import pypdfium2 as pdfium

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    try:
        # The bytes rather than the path: pdfium opens paths with the C library, which cannot
        # open non-ASCII file names on Windows ("附件3.pdf").
        return pdfium.PdfDocument(path.read_bytes())
    except pdfium.PdfiumError as exc:
        raise BadFileError(f"无法读取 PDF 文件 {path.name}：文件已损坏或不是 PDF（{exc}）。") from None


def page_sizes(pdf_path: Path) -> list[PageSize]:
    with _LOCK:
        doc = _open(pdf_path)
        try:
            return [PageSize(*doc.get_page_size(i)) for i in range(len(doc))]
        finally:
            doc.close()


def page_count(pdf_path: Path) -> int:
    return len(page_sizes(pdf_path))


def render_page(doc, index: int, dpi: float) -> np.ndarray:
    """One page of an open ``PdfDocument`` as RGB; the caller holds ``_LOCK``."""
    page = doc[index]
    try:
        # rev_byteorder gives RGB instead of pdfium's native BGR(x); no alpha: paper is white.
        bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True, may_draw_forms=False)
        try:
            return np.array(bitmap.to_numpy()[:, :, :3], copy=True)
        finally:
            bitmap.close()
    finally:
        page.close()


def render_pages(pdf_path: Path, dpi: float = 150, *, first: int = 1, last: int | None = None,
                 cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
    """Pages ``first``..``last`` (1-based, inclusive) as RGB arrays, one at a time.

    A generator, so a 30-page document never holds more than one page image; the document stays
    open until the generator is exhausted or closed. ``cancel`` is checked before each page.
    """
    if not 0 < dpi <= MAX_DPI:
        raise ValueError(f"dpi out of range: {dpi}")
    with _LOCK:
        doc = _open(pdf_path)
    try:
        total = len(doc)
        stop = total if last is None else min(last, total)
        for number in range(max(first, 1), stop + 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            with _LOCK:
                image = render_page(doc, number - 1, dpi)
            yield image
    finally:
        with _LOCK:
            doc.close()
