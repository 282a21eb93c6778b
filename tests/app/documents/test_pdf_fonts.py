"""The CJK font for PDFs: found, embedded as a subset; a clear message when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.documents import fonts
from app.errors import AppError


def test_font_is_registered_and_renders_chinese() -> None:
    from reportlab.pdfbase import pdfmetrics

    name = fonts.cjk_font()
    assert pdfmetrics.getFont(name).stringWidth("报名申请总表", 10) > 50


def test_missing_font_says_how_to_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "candidates", lambda: [(tmp_path / "none.ttc", 0)])
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(AppError, match="resources/fonts"):
            fonts.cjk_font()
    finally:
        monkeypatch.undo()
        fonts.cjk_font.cache_clear()
        fonts.cjk_font()
