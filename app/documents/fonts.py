"""Find and register a CJK font reportlab can embed (TrueType outlines only), once per process."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from app.errors import AppError
from app.paths import resource_path

FONT_NAME = "RegDeskCJK"

# reportlab embeds TrueType-outline fonts only; the CFF-outline Noto/Source Han .otf/.ttc files
# fail, so they are not listed. (path, subfont index)
_SYSTEM_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
)
_WINDOWS_FONTS = (("msyh.ttc", 0), ("simsun.ttc", 0), ("simhei.ttf", 0), ("msyh.ttf", 0))

MISSING_FONT = ("找不到可嵌入 PDF 的中文字体。请把一个 TrueType 中文字体（.ttf 或 .ttc，例如文泉驿微米黑"
                " wqy-microhei.ttc 或 Windows 的 simsun.ttc）复制到程序目录的 resources/fonts/ 文件夹，"
                "或在 Linux 上安装 fonts-wqy-microhei 软件包，然后重新打印。")


def candidates() -> list[tuple[Path, int]]:
    """Where to look, in order: bundled fonts first so every desk prints alike."""
    found: list[tuple[Path, int]] = []
    bundled = resource_path("fonts")
    if bundled.is_dir():
        found += [(p, 0) for p in sorted(bundled.iterdir()) if p.suffix.lower() in (".ttf", ".ttc")]
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        found += [(windir / name, index) for name, index in _WINDOWS_FONTS]
    found += [(Path(p), index) for p, index in _SYSTEM_FONTS]
    return found


@functools.cache
def cjk_font() -> str:
    """Register the first usable font under ``FONT_NAME`` and return that name.

    ``TTFont`` subsets on output, so a PDF carries only the glyphs it uses.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for path, index in candidates():
        if not path.is_file():
            continue
        try:
            font = TTFont(FONT_NAME, str(path), subfontIndex=index)
        except (TTFError, OSError, ValueError):
            continue  # CFF outlines or a damaged file: try the next one
        if font.face.charToGlyph.get(ord("审")) is None:
            continue  # a Latin-only font would print empty boxes
        pdfmetrics.registerFont(font)
        return FONT_NAME
    raise AppError(MISSING_FONT)
