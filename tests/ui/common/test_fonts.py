"""The CJK font: found on this machine, registered from a file when the database has none, and a
clear message naming the fix when there is none at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QRawFont

from ui.common.fonts import find_cjk_family, known_font_files, pick_family, setup_fonts

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _draws_chinese(family: str) -> bool:
    raw = QRawFont.fromFont(QFont(family))
    return raw.isValid() and all(raw.supportsCharacter(ch) for ch in "专升本报名")


def test_a_chinese_family_is_found_on_this_machine(qapp):
    result = find_cjk_family()
    assert result.family, result.message
    assert result.message == ""
    assert _draws_chinese(result.family)


def test_known_families_are_preferred_over_any_other(qapp):
    assert pick_family(["DejaVu Sans", "Droid Sans Fallback", "WenQuanYi Micro Hei"]) == "WenQuanYi Micro Hei"
    assert pick_family(["DejaVu Sans", "microsoft yahei"]) == "microsoft yahei"


def test_no_font_at_all_gives_the_fix_in_chinese(qapp):
    result = find_cjk_family(families=[], files=[])
    assert result.family is None
    assert "未找到中文字体" in result.message
    assert "sudo apt-get install fonts-wqy-microhei" in result.message
    assert "微软雅黑" in result.message


def test_families_without_chinese_are_not_taken(qapp):
    latin = [f for f in QFontDatabase.families()
             if QFontDatabase.WritingSystem.SimplifiedChinese not in QFontDatabase.writingSystems(f)]
    assert find_cjk_family(families=latin, files=[]).family is None


def test_setup_fonts_without_a_font_leaves_the_app_font_and_reports(qapp):
    before = qapp.font()
    result = setup_fonts(qapp, families=[], files=[Path("/nonexistent/font.ttc")])
    assert result.family is None and "fonts-wqy-microhei" in result.message
    assert qapp.font() == before


@pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-microhei not installed")
def test_a_font_file_is_registered_when_the_database_has_no_chinese_family(qapp):
    result = find_cjk_family(families=[], files=[Path("/nonexistent.ttc"), WQY])
    assert result.family and "WenQuanYi" in result.family
    assert result.source == f"file:{WQY}"
    assert WQY in known_font_files()


def test_setup_fonts_makes_the_chinese_family_the_app_font(qapp):
    before = qapp.font()
    try:
        result = setup_fonts(qapp)
        assert result.family
        assert qapp.font().families()[0] == result.family
        assert qapp.font().pointSizeF() >= 10
    finally:
        qapp.setFont(before)
