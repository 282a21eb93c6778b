"""The UI tests' shared helpers: a user at the keyboard and mouse (``gui``), a synchronous task
runner (``runner``), the main window (``make_window``) and the one way to answer file dialogs
(``file_dialogs``).

Tests act like a user: clicks and key presses through QTest, Chinese text through the input
method where QTest's key clicks cannot type it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QMessageBox,
    QRadioButton,
    QWidget,
)

from ui.common.tasks import TaskRunner


class GuiUser:
    """What a user does with the widgets, through ``qtbot``."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot

    def click(self, widget: QWidget) -> None:
        """A mouse click: on the box of a check or radio button, on the middle of anything else."""
        assert widget.isVisible() and widget.isEnabled(), getattr(widget, "text", widget.objectName)()
        pos = QPoint(8, widget.height() // 2) if isinstance(widget, QCheckBox | QRadioButton) else widget.rect().center()
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)

    def type_text(self, widget: QWidget, text: str) -> None:
        """Type into ``widget`` key by key; QTest's key clicks only know ASCII, so other characters
        go as key text."""
        widget.setFocus()
        for ch in text:
            if ch.isascii():
                self.qtbot.keyClicks(widget, ch)
            else:
                QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                                   Qt.KeyboardModifier.NoModifier)

    def ime_type(self, widget: QWidget, text: str) -> None:
        """Chinese arrives through the input method as one committed string."""
        widget.setFocus()
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)

    def type_into(self, widget: QWidget, text: str) -> None:
        """ASCII key by key, anything else through the input method."""
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:
            self.ime_type(widget, text)

    def pick(self, combo: QComboBox, data: object) -> None:
        """Choose the item with ``data`` with the keyboard: Home, then Down until it is current."""
        self._walk(combo, lambda: combo.currentData() == data, data)

    def choose(self, combo: QComboBox, text: str) -> None:
        """Choose the item that reads ``text`` with the keyboard."""
        self._walk(combo, lambda: combo.currentText() == text, text)

    def _walk(self, combo: QComboBox, found: Callable[[], bool], what: object) -> None:
        combo.setFocus()
        self.qtbot.keyClick(combo, Qt.Key.Key_Home)
        while not found():
            before = combo.currentIndex()
            self.qtbot.keyClick(combo, Qt.Key.Key_Down)
            assert combo.currentIndex() != before, f"{what!r} not in {combo.objectName()}"

    def show_active(self, window: QWidget) -> None:
        """Show and activate a window, as when it comes up on the desk (focus needs an active window)."""
        window.show()
        self.qtbot.waitExposed(window)
        window.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    # -- message boxes ------------------------------------------------------------------------
    @staticmethod
    def message_boxes() -> list[QMessageBox]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    def message_box(self, name: str) -> QMessageBox | None:
        return next((b for b in self.message_boxes() if b.objectName() == name), None)

    def message_text(self) -> str:
        return "\n".join(b.text() for b in self.message_boxes())

    def click_box_button(self, box: QMessageBox, text: str) -> None:
        button = next(b for b in box.buttons() if b.text() == text)
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    # -- reading ----------------------------------------------------------------------------
    @staticmethod
    def table_rows(table) -> list[tuple[str, ...]]:
        model = table.model()
        return [tuple(model.index(r, c).data() for c in range(model.columnCount())) for r in range(model.rowCount())]


@pytest.fixture
def gui(qtbot) -> GuiUser:
    return GuiUser(qtbot)


@pytest.fixture
def runner() -> TaskRunner:
    """Runs tasks at once on the GUI thread (the Picard trick): results arrive before the call returns."""
    return TaskRunner(synchronous=True)


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """The window's own settings in a file of this test, never the user's."""
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, qsettings):
    """Build and show the main window for ``actor``, as after logging in."""
    from ui.shell.main_window import MainWindow

    def make(container, actor, settings: QSettings | None = None, **kw) -> MainWindow:
        w = MainWindow(container, actor, TaskRunner(synchronous=True), settings=settings or qsettings, **kw)
        qtbot.addWidget(w)
        w.show_initial()
        qtbot.waitExposed(w)
        return w

    return make


class FakeFileDialogs:
    """Answers the open and save dialogs (``QFileDialog.getOpenFileName`` / ``getSaveFileName``, which
    ``ui.common.file_dialogs`` calls) without showing them.

    Set ``open_answer`` / ``save_answer`` to a path (``""`` is the user cancelling) or to a function
    of the proposed path; ``asked`` records (kind, title, proposed path) of every dialog.
    """

    def __init__(self) -> None:
        self.open_answer: str | Path | Callable[[str], str | Path] = ""
        self.save_answer: str | Path | Callable[[str], str | Path] = ""
        self.asked: list[tuple[str, str, str]] = []

    def _answer(self, kind: str, title: str, proposed: str) -> tuple[str, str]:
        self.asked.append((kind, title, proposed))
        answer = self.open_answer if kind == "open" else self.save_answer
        if callable(answer):
            answer = answer(proposed)
        return str(answer), ""

    def get_open(self, _parent=None, title: str = "", directory: str = "", _filters: str = "", *_a, **_k):
        return self._answer("open", title, directory)

    def get_save(self, _parent=None, title: str = "", default: str = "", _filters: str = "", *_a, **_k):
        return self._answer("save", title, default)


@pytest.fixture
def file_dialogs(monkeypatch) -> Iterator[FakeFileDialogs]:
    fake = FakeFileDialogs()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake.get_open))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake.get_save))
    yield fake
