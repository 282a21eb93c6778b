"""Anyone's own password change (文件 → 修改密码…): the old password, the new one twice."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.auth import MIN_PASSWORD, Actor
from app.errors import AppError, ValidationError
from app.setup.service import SetupService
from ui.common.field_box import FieldBox, line_edit


class ChangePasswordDialog(QDialog):
    def __init__(self, setup: SetupService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup, self.actor = setup, actor
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle(self.tr("修改密码"))
        self.old = line_edit("old_password", password=True)
        self.new = line_edit("new_password", self.tr("至少 %1 位，须同时包含字母和数字")
                             .replace("%1", str(MIN_PASSWORD)), password=True)
        self.new2 = line_edit("new_password2", password=True)
        self.boxes = {"old": FieldBox(self.old), "password": FieldBox(self.new), "password2": FieldBox(self.new2)}
        form = QFormLayout()
        form.addRow(self.tr("原密码"), self.boxes["old"])
        form.addRow(self.tr("新密码"), self.boxes["password"])
        form.addRow(self.tr("确认新密码"), self.boxes["password2"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.addButton(self.tr("修改"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._on_ok_clicked)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("用户：%1").replace("%1", actor.label)))
        lay.addLayout(form)
        lay.addWidget(buttons)
        # The default button must be set once the button is inside the dialog, or QDialog picks its own.
        ok.setDefault(True)
        self.setMinimumWidth(420)

    def _on_ok_clicked(self) -> None:
        for box in self.boxes.values():
            box.error.clear_message()
        if self.new.text() != self.new2.text():
            self.boxes["password2"].error.show_message(self.tr("两次输入的新密码不一致。"))
            self.new2.setFocus()
            return
        try:
            self.setup.change_password(self.actor, self.old.text(), self.new.text())
        except ValidationError as exc:
            self.boxes["password"].error.show_message(exc.message)
            self.new.setFocus()
            return
        except AppError as exc:
            self.boxes["old"].error.show_message(exc.message)
            self.old.setFocus()
            return
        self.accept()
