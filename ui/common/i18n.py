"""Load translations: RegDesk's own (``resources/i18n/regdesk_<lang>.qm``) and Qt's standard ones.

The strings in the source are Chinese, so without any .qm the program is Chinese. A language is
used only when RegDesk's own .qm for it exists; otherwise the UI stays Chinese and Qt's own
strings (standard buttons, wizard and file-dialog texts) are loaded in Chinese too, so a dialog
never mixes "OK" with 取消.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app.paths import resource_path

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "zh_CN"


@dataclass
class Translation:
    language: str  # the language the UI ends up in, e.g. "zh_CN" or "en"
    translators: list[QTranslator] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _candidates(lang: str) -> list[str]:
    """``zh_CN`` -> [``zh_CN``, ``zh``]; also accept ``en-US``."""
    lang = lang.replace("-", "_")
    out = [lang]
    if "_" in lang:
        out.append(lang.split("_", 1)[0])
    return out


def app_qm(lang: str, directory: Path | None = None) -> Path | None:
    directory = directory or resource_path("i18n")
    for name in _candidates(lang):
        path = directory / f"regdesk_{name}.qm"
        if path.is_file():
            return path
    return None


def _qt_dirs() -> list[Path]:
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    # A frozen build may carry Qt's catalogues beside ours.
    dirs.append(resource_path("i18n"))
    return dirs


def qt_qm(lang: str) -> Path | None:
    for directory in _qt_dirs():
        for name in _candidates(lang):
            path = directory / f"qtbase_{name}.qm"
            if path.is_file():
                return path
    return None


def _load(app: QApplication, path: Path, result: Translation) -> None:
    tr = QTranslator(app)
    if tr.load(str(path)):
        app.installTranslator(tr)
        result.translators.append(tr)
        result.files.append(path)
    else:
        log.warning("could not load translation %s", path)


def install_translations(app: QApplication, lang: str | None = None,
                         directory: Path | None = None) -> Translation:
    """Install translators for ``lang`` (default: the system locale) and return what was loaded."""
    wanted = lang or QLocale.system().name()
    own = None if wanted.startswith("zh") else app_qm(wanted, directory)
    language = wanted if own else SOURCE_LANGUAGE
    result = Translation(language=language)
    if own:
        _load(app, own, result)
    qt = qt_qm(language)
    if qt:
        _load(app, qt, result)
    # Installed last, so searched first: what Qt's own Chinese catalogue lacks for this Qt version.
    supplement = resource_path("i18n") / f"qt_supplement_{language}.qm"
    if supplement.is_file():
        _load(app, supplement, result)
    QLocale.setDefault(QLocale(language))
    log.info("UI language %s (asked %s); loaded %s", language, wanted, [str(p) for p in result.files])
    return result


def prefer_chinese_system_locale(lang: str | None = None, environ: dict | None = None) -> bool:
    """Before the QApplication exists: on a machine whose locale is not Chinese (a “C” or English
    Linux), make Qt's *system* locale Chinese for dates and numbers too, so widgets that ask the
    system rather than the default locale (the file dialog's dates) read “2026/12/7”, not “7 12 2026”.
    Only when the UI itself will be Chinese; Windows reports its own locale and is left alone.
    Returns whether it changed anything."""
    import os
    import sys

    env = os.environ if environ is None else environ
    if sys.platform.startswith("win") or (lang and not lang.startswith("zh")):
        return False
    current = env.get("LC_ALL") or env.get("LC_TIME") or env.get("LANG") or ""
    if current.startswith("zh"):
        return False
    if env.get("LC_ALL"):
        # LC_ALL overrides every category: keep what it said for text, make dates and numbers Chinese.
        env.setdefault("LANG", env["LC_ALL"])
        del env["LC_ALL"]
    env["LC_TIME"] = "zh_CN.UTF-8"
    env["LC_NUMERIC"] = "zh_CN.UTF-8"
    return True
