"""Where the file dialogs open: the folder used last (kept across runs), else the documents folder —
never the program's own folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from PySide6.QtCore import QSettings

from ui.common import file_dialogs


def test_dialogs_start_in_the_last_folder_used_else_documents(qapp, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(file_dialogs._state, "last", "")
    monkeypatch.setitem(file_dialogs._state, "settings", None)
    assert file_dialogs.start_dir() == file_dialogs.documents_dir()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    file_dialogs.persist_to(settings)
    chosen = tmp_path / "U盘" / "名单.xlsx"
    chosen.parent.mkdir()
    file_dialogs.remember(chosen)
    assert file_dialogs.start_dir() == str(chosen.parent)
    assert file_dialogs.default_path("附件3.pdf") == str(chosen.parent / "附件3.pdf")
    # The next run reads it back.
    monkeypatch.setitem(file_dialogs._state, "last", "")
    file_dialogs.persist_to(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    assert file_dialogs.start_dir() == str(chosen.parent)
    # A folder that is gone (the USB stick was pulled): back to the documents folder.
    chosen.parent.rename(tmp_path / "gone")
    assert file_dialogs.start_dir() == file_dialogs.documents_dir()
