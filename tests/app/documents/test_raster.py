"""PDF pages rendered with pdfium: the printed 附件3's QR codes read back from the pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.documents import digest, raster
from app.documents.printing import _decode_qr
from app.errors import BadFileError, Cancelled, NotFoundError
from app.tasks import CancelToken


def test_render_a_printed_summary_and_decode_every_qr(desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "附件3", tmp_path / "附件3.pdf")
    sizes = raster.page_sizes(result.pdf)
    assert len(sizes) == result.pages and all(s.landscape for s in sizes)
    images = list(raster.render_pages(result.pdf, 150))
    assert len(images) == result.pages
    for number, rgb in enumerate(images, start=1):
        assert rgb.dtype == np.uint8 and rgb.shape[2] == 3
        # A4 landscape at 150 dpi: 1754 × 1240 pixels.
        assert abs(rgb.shape[1] - 1754) <= 2 and abs(rgb.shape[0] - 1240) <= 2
        assert (rgb < 128).mean() > 0.01  # printed, not blank
        payload = digest.parse_payload(_decode_qr(np.ascontiguousarray(rgb[:, :, ::-1]))[0])
        assert payload is not None and payload.doc_uuid == result.doc_uuid and payload.page == number


def test_page_range_and_cancel(desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "附件3", tmp_path / "a3.pdf")
    second = list(raster.render_pages(result.pdf, 50, first=2, last=2))
    assert len(second) == 1
    token = CancelToken()
    pages = raster.render_pages(result.pdf, 50, cancel=token)
    next(pages)
    token.cancel()
    with pytest.raises(Cancelled):
        next(pages)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        raster.page_count(tmp_path / "none.pdf")
    junk = tmp_path / "坏文件.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(BadFileError, match=r"坏文件\.pdf"):
        list(raster.render_pages(junk))
