"""Showing errors to the desk: an ``AppError``'s own Chinese message, or "unexpected error" with the log.

``show_error`` is what views call from ``on_error`` callbacks and ``except`` blocks. Message
boxes are opened window-modal with ``open()`` rather than ``exec()``, so nothing here spins a
nested event loop and tests can find the box and click it like a user.

``install_excepthook`` routes uncaught exceptions (including those raised in slots) to the log
and tells the user once where the log is.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QWidget

from app.errors import AppError, Cancelled

log = logging.getLogger(__name__)

_log_file: Path | None = None
_parentless: set[QMessageBox] = set()


def set_log_file(path: Path | None) -> None:
    """Tell the error messages where the log is (set once by ``ui.shell.main``)."""
    global _log_file
    _log_file = path


def log_file() -> Path | None:
    return _log_file


def unexpected_message() -> str:
    where = str(_log_file) if _log_file else QCoreApplication.translate("Errors", "（未配置日志文件）")
    return QCoreApplication.translate("Errors", "发生意外错误，详情已写入日志：%1").replace("%1", where)


def message_for(exc: BaseException) -> str:
    """The text the user sees for ``exc``."""
    if isinstance(exc, AppError):
        return exc.message
    return unexpected_message()


def _open_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    # The log path must be copyable into a support request.
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        # Nothing else holds a parentless box: without this reference Python would delete it at once.
        _parentless.add(box)
        box.finished.connect(lambda _result, b=box: _parentless.discard(b))
    box.open()
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> QMessageBox | None:
    """Show ``exc`` to the user. ``Cancelled`` is the user's own choice: nothing to show."""
    if isinstance(exc, Cancelled):
        return None
    if isinstance(exc, AppError):
        title = title or QCoreApplication.translate("Errors", "无法完成")
        return _open_box(parent, QMessageBox.Icon.Warning, title, exc.message)
    log.error("unexpected error: %s", "".join(traceback.format_exception(exc)).rstrip())
    title = title or QCoreApplication.translate("Errors", "意外错误")
    return _open_box(parent, QMessageBox.Icon.Critical, title, unexpected_message())


def show_info(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return _open_box(parent, QMessageBox.Icon.Information, title, text)


class _Hook:
    """Logs every uncaught exception; shows the message box only for the first one."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception\n%s", "".join(traceback.format_exception(exc_type, exc, tb)).rstrip())
        app = QApplication.instance()
        if self.shown or app is None or QCoreApplication.instance() is None:
            return
        if threading.current_thread() is not threading.main_thread():
            return  # widgets only on the GUI thread; the log has it
        self.shown = True
        parent = QApplication.activeWindow()
        title = QCoreApplication.translate("Errors", "意外错误")
        _open_box(parent, QMessageBox.Icon.Critical, title, message_for(exc))


def install_excepthook() -> _Hook:
    hook = _Hook()
    sys.excepthook = hook

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook
    return hook


class InlineError(QLabel):
    """A red message under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # No word wrap: a wrapping label has a height-for-width that form layouts under-allocate,
        # which clips the message; the messages are one short sentence.
        self.setStyleSheet("color: #c0392b;")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        win = self.window()
        if text and isinstance(win, QDialog):
            # A dialog's minimum height lags behind a newly shown line (word-wrapped labels make
            # Qt under-estimate it), which squeezes the fields; grow to what the layout asks for.
            win.resize(win.size().expandedTo(win.sizeHint()))

    def clear_message(self) -> None:
        self.show_message("")
