"""A line edit with its inline error underneath (``FieldBox``), and the line edits the account forms use."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.common.errors import InlineError


class FieldBox(QWidget):
    """A line edit with its inline error underneath."""

    def __init__(self, edit: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self.error = InlineError(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(edit)
        lay.addWidget(self.error)
        edit.textEdited.connect(lambda _text: self.error.clear_message())


def line_edit(name: str, placeholder: str = "", *, password: bool = False, max_length: int = 100) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    edit.setClearButtonEnabled(not password)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
