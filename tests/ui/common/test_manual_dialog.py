"""The user manual opens from the Help menu at the page of the user's role, with its pictures, and
every page it lists is there (the PyInstaller build carries the same folder)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextDocument

from app.auth import Actor
from app.paths import manual_dir
from ui.common.manual_dialog import PAGES, ManualDialog
from ui.common.tasks import TaskRunner
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_every_page_and_picture_of_the_manual_is_there():
    folder = manual_dir()
    for file, _title, _roles in PAGES:
        text = (folder / file).read_text(encoding="utf-8")
        assert text.startswith("# ")
        for link in re.findall(r"\]\(([^)]+)\)", text):
            assert (folder / link).is_file(), f"{file}: {link}"


def test_the_station_keys_in_the_manual_are_the_stations_keys():
    text = (manual_dir() / "keys.md").read_text(encoding="utf-8")
    for key, what in (("F4", "全部要求的手指"), ("F6", "读身份证芯片"), ("F8", "未完成"), ("F9", "放行"),
                      ("Ctrl+N", "下一位")):
        assert re.search(rf"\| 现场确认 \| {re.escape(key)} \|[^|]*{what}", text), key


def test_help_menu_opens_the_manual_at_the_users_page(qtbot, container, actor, tmp_path: Path):
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    counsellor = Actor("li", "李老师", "counsellor")
    window = MainWindow(container, counsellor, TaskRunner(synchronous=True), settings=settings)
    qtbot.addWidget(window)
    window.show_initial()
    window.manual_action.trigger()
    dialog = window.manual_dialog
    assert isinstance(dialog, ManualDialog) and dialog.isVisible()
    assert dialog.pages.currentItem().text() == "辅导员：现场确认"
    assert "F1 照片" in dialog.text.toPlainText() and "Ctrl+N" in dialog.text.toPlainText()
    # The pictures load (not the broken-image placeholder).
    image = dialog.text.document().resource(QTextDocument.ResourceType.ImageResource,
                                            dialog.text.document().baseUrl().resolved("img/station.png"))
    assert image is not None and not image.isNull()
    # A link to another page stays in the manual.
    dialog.show_page("keys.md")
    assert "快捷键一览" in dialog.text.toPlainText()
