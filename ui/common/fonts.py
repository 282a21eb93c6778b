"""Find a font that shows Chinese, register it with Qt and make it the application font.

Qt falls back to boxes (tofu) when no installed family covers Chinese, which makes the whole
program unreadable. We first ask Qt's font database for a family we know covers simplified
Chinese; failing that, any family that declares simplified Chinese; failing that, we register
well-known font files (Windows ships them outside fontconfig's reach on some installs, and
``resources/fonts`` may carry one); and when all of that fails we say exactly what to install.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.paths import resource_path

log = logging.getLogger(__name__)

# Preferred first: the platform's own UI font, then fonts with good hinting at small sizes.
KNOWN_FAMILIES: tuple[str, ...] = (
    "Microsoft YaHei", "Microsoft YaHei UI", "微软雅黑",
    "PingFang SC", "Hiragino Sans GB",
    "WenQuanYi Micro Hei", "文泉驿微米黑",
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "思源黑体",
    "WenQuanYi Zen Hei", "文泉驿正黑",
    "SimHei", "黑体", "SimSun", "宋体", "NSimSun",
    "Droid Sans Fallback",
)


def _windows_font_dir() -> Path:
    import os

    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def known_font_files() -> list[Path]:
    """Font files worth registering by hand when the font database has no Chinese family."""
    bundled = resource_path("fonts")
    files = sorted(p for p in bundled.glob("*") if p.suffix.lower() in (".ttf", ".ttc", ".otf"))
    files += [
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    ]
    if sys.platform.startswith("win"):
        win = _windows_font_dir()
        files += [win / "msyh.ttc", win / "msyh.ttf", win / "simhei.ttf", win / "simsun.ttc"]
    if sys.platform == "darwin":
        files += [Path("/System/Library/Fonts/PingFang.ttc"), Path("/System/Library/Fonts/STHeiti Light.ttc")]
    return files


def missing_font_message() -> str:
    return QCoreApplication.translate(
        "Fonts",
        "未找到中文字体。Debian/Ubuntu 请运行：sudo apt-get install fonts-wqy-microhei；"
        "Windows 请确认已安装微软雅黑。")


@dataclass(frozen=True)
class FontResult:
    family: str | None
    source: str  # "system" | "file:<path>" | "" when none
    message: str  # what to tell the user when no family was found, else ""


def _covers_chinese(family: str) -> bool:
    return QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)


def pick_family(families: Sequence[str]) -> str | None:
    """The best family among ``families`` (what the font database reports) for Chinese text."""
    available = {f.casefold(): f for f in families}
    for name in KNOWN_FAMILIES:
        hit = available.get(name.casefold())
        if hit:
            return hit
    for family in families:
        if _covers_chinese(family):
            return family
    return None


def register_files(files: Iterable[Path]) -> tuple[str, Path] | None:
    """Register the first readable font file that provides a family; return (family, file)."""
    for path in files:
        if not path.is_file():
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("Qt could not load font file %s", path)
            continue
        fams = QFontDatabase.applicationFontFamilies(font_id)
        if fams:
            return (pick_family(fams) or fams[0]), path
    return None


def find_cjk_family(families: Sequence[str] | None = None,
                    files: Iterable[Path] | None = None) -> FontResult:
    """Look for a Chinese family; ``families``/``files`` default to the system's (tests inject them)."""
    families = QFontDatabase.families() if families is None else families
    family = pick_family(families)
    if family:
        return FontResult(family, "system", "")
    registered = register_files(known_font_files() if files is None else files)
    if registered:
        return FontResult(registered[0], f"file:{registered[1]}", "")
    return FontResult(None, "", missing_font_message())


def setup_fonts(app: QApplication, families: Sequence[str] | None = None,
                files: Iterable[Path] | None = None) -> FontResult:
    """Make the Chinese family the application font; log and return what happened."""
    result = find_cjk_family(families, files)
    if result.family is None:
        log.warning("no CJK font: %s", result.message)
        return result
    font = QFont(app.font())
    font.setFamilies([result.family, *[f for f in font.families() if f != result.family]])
    # Chinese glyphs need a little more than Latin text to stay legible on a 1366×768 laptop.
    if font.pointSizeF() > 0 and font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    log.info("CJK font: %s (%s)", result.family, result.source)
    return result
