"""The administrator's add-user dialog: user name, name, role, first password.

Signals: ``user_created(object)`` with the new ``UserInfo``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.auth import MIN_PASSWORD, ROLES, Actor
from app.errors import AppError, ConflictError, ValidationError
from app.setup.service import SetupService, UserInfo
from ui.common.errors import show_error
from ui.common.field_box import FieldBox, line_edit
from ui.shell.office_dialog import office_combo


class AddUserDialog(QDialog):
    user_created = Signal(object)

    def __init__(self, setup: SetupService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup, self.actor = setup, actor
        self.created: UserInfo | None = None
        self.setObjectName("addUserDialog")
        self.setWindowTitle(self.tr("新建用户"))
        self.username = line_edit("username", self.tr("字母、数字、下划线，2–32 位"), max_length=32)
        self.display_name = line_edit("display_name", self.tr("例如：李老师"))
        self.role = QComboBox()
        self.role.setObjectName("role")
        for key, label in ROLES.items():
            self.role.addItem(label, key)
        self.role.setCurrentIndex(max(0, self.role.findData("counsellor")))
        # A reviewer records the opinion of their own office only (app.auth): the office is asked for them.
        self.office = office_combo("office")
        self.office_label = QLabel(self.tr("所属部门"))
        self.role.currentIndexChanged.connect(self._on_role_changed)
        self.password = line_edit("password", self.tr("至少 %1 位，须同时包含字母和数字")
                                  .replace("%1", str(MIN_PASSWORD)), password=True)
        self.password2 = line_edit("password2", self.tr("再输入一次密码"), password=True)
        self.boxes = {k: FieldBox(e) for k, e in (("username", self.username), ("display_name", self.display_name),
                                                   ("password", self.password), ("password2", self.password2))}
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.boxes["username"])
        form.addRow(self.tr("姓名"), self.boxes["display_name"])
        form.addRow(self.tr("角色"), self.role)
        form.addRow(self.office_label, self.office)
        form.addRow(self.tr("初始密码"), self.boxes["password"])
        form.addRow(self.tr("确认密码"), self.boxes["password2"])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(self.tr("新建"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("create")
        self.buttons.accepted.connect(self._on_create_clicked)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        # The default button must be set once the button is inside the dialog, or QDialog picks its own.
        self.ok_button.setDefault(True)
        self.setMinimumWidth(460)
        self._on_role_changed()
        self.username.setFocus()

    def _on_role_changed(self, *_args: object) -> None:
        reviewer = self.role.currentData() == "reviewer"
        self.office.setVisible(reviewer)
        self.office_label.setVisible(reviewer)

    def _on_create_clicked(self) -> None:
        for box in self.boxes.values():
            box.error.clear_message()
        if not self.username.text().strip():
            self.boxes["username"].error.show_message(self.tr("请填写用户名。"))
            self.username.setFocus()
            return
        if self.password.text() != self.password2.text():
            self.boxes["password2"].error.show_message(self.tr("两次输入的密码不一致。"))
            self.password2.setFocus()
            return
        try:
            office = self.office.currentData() if self.role.currentData() == "reviewer" else ""
            user = self.setup.create_user(self.actor, self.username.text(), self.display_name.text(),
                                          self.role.currentData(), self.password.text(), office)
        except ValidationError as exc:
            box = self.boxes.get(exc.field)
            if box is None:
                show_error(self, exc)
            else:
                box.error.show_message(exc.message)
                box.edit.setFocus()
            return
        except ConflictError as exc:
            self.boxes["username"].error.show_message(exc.message)
            self.username.setFocus()
            return
        except AppError as exc:
            show_error(self, exc)
            return
        self.created = user
        self.user_created.emit(user)
        self.accept()
