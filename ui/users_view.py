"""Local user accounts: the administrator's list and the add-user dialog; anyone's password change.

Signals: ``UsersView.user_created(object)`` with the new ``UserInfo``;
``AddUserDialog.user_created(object)`` likewise; ``ChangePasswordDialog`` has none (it accepts).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ConflictError, ValidationError
from app.services.context import ROLES, Actor
from app.services.setup import MIN_PASSWORD, SetupService, UserInfo
from ui.errors import show_error
from ui.setup_wizard import FieldBox, line_edit


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
        self.password = line_edit("password", self.tr("至少 %1 位，须同时包含字母和数字")
                                  .replace("%1", str(MIN_PASSWORD)), password=True)
        self.password2 = line_edit("password2", self.tr("再输入一次密码"), password=True)
        self.boxes = {k: FieldBox(e) for k, e in (("username", self.username), ("display_name", self.display_name),
                                                   ("password", self.password), ("password2", self.password2))}
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.boxes["username"])
        form.addRow(self.tr("姓名"), self.boxes["display_name"])
        form.addRow(self.tr("角色"), self.role)
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
        self.username.setFocus()

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
            user = self.setup.create_user(self.actor, self.username.text(), self.display_name.text(),
                                          self.role.currentData(), self.password.text())
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


class UsersView(QWidget):
    """The administrator's list of local accounts."""

    user_created = Signal(object)

    def __init__(self, setup: SetupService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup, self.actor = setup, actor
        self.setObjectName("usersView")
        headers = [self.tr("用户名"), self.tr("姓名"), self.tr("角色"), self.tr("状态")]
        self.table = QTableWidget(0, len(headers))
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton(self.tr("新建用户…"))
        self.add_button.setObjectName("addUser")
        self.add_button.setToolTip(self.tr("新建用户（Ctrl+N）"))
        self.add_button.clicked.connect(self._on_add_clicked)
        QShortcut(QKeySequence.StandardKey.New, self, self._on_add_clicked,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        heading = QLabel(self.tr("本机的用户账号。经办人、辅导员等每人使用自己的账号登录，所有操作都记入审计记录。"))
        heading.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self.add_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table)
        self.dialog: AddUserDialog | None = None
        self.refresh()

    def refresh(self) -> None:
        users = self.setup.list_users()
        self.table.setRowCount(len(users))
        for row, u in enumerate(users):
            values = (u.username, u.display_name, ROLES.get(u.role, u.role),
                      self.tr("正常") if u.active else self.tr("已停用"))
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))

    def _on_add_clicked(self) -> None:
        self.dialog = AddUserDialog(self.setup, self.actor, self)
        self.dialog.user_created.connect(self._on_dialog_user_created)
        self.dialog.open()

    def _on_dialog_user_created(self, user: UserInfo) -> None:
        self.refresh()
        self.user_created.emit(user)
