"""The file dialogs every screen uses, starting where the user last saved or opened a file (else
their 文档 folder), never in the program's own folder.

``ask_open_file`` / ``ask_save_file`` are the real dialogs (views keep them as replaceable seams so
tests can answer them); ``start_dir`` is where a dialog opens, ``remember`` notes a folder the
user chose. The real program keeps the last folder across runs (``persist_to`` at start-up).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_KEY = "files/last_dir"
_state: dict[str, object] = {"last": "", "settings": None}


def persist_to(settings: QSettings) -> None:
    """Keep the last folder in ``settings`` (the program's own), read it back now."""
    _state["settings"] = settings
    saved = settings.value(_KEY, "")
    if isinstance(saved, str) and saved:
        _state["last"] = saved


def documents_dir() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def start_dir() -> str:
    """The folder used last, while it still exists; otherwise the user's documents folder."""
    last = str(_state["last"] or "")
    if last and Path(last).is_dir():
        return last
    return documents_dir()


def remember(path: str | Path) -> None:
    """Note the folder of a file the user chose (or the folder itself)."""
    if not path:
        return
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    _state["last"] = str(folder)
    settings = _state["settings"]
    if isinstance(settings, QSettings):
        settings.setValue(_KEY, str(folder))


def ask_open_file(parent: QWidget, title: str, directory: str, filters: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, directory or start_dir(), filters)
    remember(path)
    return path


def ask_save_file(parent: QWidget, title: str, default: str, filters: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, default, filters)
    remember(path)
    return path


def default_path(name: str) -> str:
    """Where a save dialog proposes to put ``name``."""
    return str(Path(start_dir()) / name)
