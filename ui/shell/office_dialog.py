"""A reviewer's office (学生处 / 教务处), changed by the administrator from the users view.

Signals: ``OfficeDialog.office_changed(object)`` with the updated ``UserInfo``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.auth import REVIEWER_OFFICES, Actor
from app.errors import AppError
from app.setup.service import SetupService, UserInfo
from ui.common.errors import show_error


def office_combo(name: str) -> QComboBox:
    """学生处 / 教务处, the offices a reviewer belongs to."""
    combo = QComboBox()
    combo.setObjectName(name)
    for key, label in REVIEWER_OFFICES.items():
        combo.addItem(label, key)
    return combo


class OfficeDialog(QDialog):
    """Moves a reviewer to another office (or gives one to a reviewer from before offices)."""

    office_changed = Signal(object)

    def __init__(self, setup: SetupService, actor: Actor, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup, self.actor, self.user = setup, actor, user
        self.setObjectName("officeDialog")
        self.setWindowTitle(self.tr("修改所属部门"))
        self.office = office_combo("office")
        self.office.setCurrentIndex(max(0, self.office.findData(user.office)))
        form = QFormLayout()
        form.addRow(self.tr("用户"), QLabel(f"{user.display_name}（{user.username}）"))
        form.addRow(self.tr("所属部门"), self.office)
        note = QLabel(self.tr("审核人只能填写所属部门的审核意见。"))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton(self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("saveOffice")
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)
        # The default button must be set once the button is inside the dialog, or QDialog picks its own.
        self.ok_button.setDefault(True)

    def _on_save_clicked(self) -> None:
        try:
            user = self.setup.set_office(self.actor, self.user.username, self.office.currentData())
        except AppError as exc:
            show_error(self, exc)
            return
        self.office_changed.emit(user)
        self.accept()
