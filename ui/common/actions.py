"""Toolbar actions as the views make them: tooltip with the shortcut, scoped to the view."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QToolBar, QWidget


def toolbar_action(owner: QWidget, toolbar: QToolBar, text: str, tip: str, slot: Callable,
                   shortcut: QKeySequence | None = None, visible: bool = True,
                   scope: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QAction:
    """An action on ``toolbar`` (and on ``owner``, so its shortcut works anywhere in the view).

    An action the user's role may not use is created but not shown, so no dead button appears.
    """
    act = QAction(text, owner)
    act.setToolTip(tip)
    if shortcut is not None:
        act.setShortcut(shortcut)
        act.setShortcutContext(scope)
        act.setToolTip(f"{tip} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
    act.triggered.connect(slot)
    if visible:
        toolbar.addAction(act)
        owner.addAction(act)
    return act


def search_field(owner: QWidget, object_name: str, placeholder: str, on_changed: Callable[[str], None],
                 on_return: Callable[[], None],
                 scope: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QLineEdit:
    """The views' search box: Ctrl+F (anywhere in ``owner``) focuses and selects it, Esc clears it."""
    edit = QLineEdit(owner)
    edit.setObjectName(object_name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.textChanged.connect(on_changed)
    edit.returnPressed.connect(on_return)

    def focus() -> None:
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()

    find = QAction(owner)
    find.setShortcut(QKeySequence.StandardKey.Find)
    find.setShortcutContext(scope)
    find.triggered.connect(focus)
    owner.addAction(find)
    clear = QAction(edit)
    clear.setShortcut(QKeySequence(Qt.Key.Key_Escape))
    clear.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    clear.triggered.connect(edit.clear)
    edit.addAction(clear)
    return edit
