"""Local user accounts: the administrator's list and the add-user dialog; anyone's password change.

Signals: ``UsersView.user_created(object)`` with the new ``UserInfo``;
``AddUserDialog.user_created(object)`` likewise; ``ChangePasswordDialog`` has none (it accepts).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor
from app.setup.service import SetupService, UserInfo
from ui.shell.add_user_dialog import AddUserDialog
from ui.shell.office_dialog import OfficeDialog


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
        self.office_button = QPushButton(self.tr("修改所属部门…"))
        self.office_button.setObjectName("setOffice")
        self.office_button.setToolTip(self.tr("审核人属于学生处或教务处，只能填写本部门的审核意见"))
        self.office_button.clicked.connect(self._on_office_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        QShortcut(QKeySequence.StandardKey.New, self, self._on_add_clicked,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        heading = QLabel(self.tr("本机的用户账号。经办人、辅导员等每人使用自己的账号登录，所有操作都记入审计记录。"))
        heading.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self.office_button)
        top.addWidget(self.add_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table)
        self.dialog: QDialog | None = None
        self.users: list[UserInfo] = []
        self.refresh()

    def refresh(self) -> None:
        self.users = users = self.setup.list_users()
        self.table.setRowCount(len(users))
        for row, u in enumerate(users):
            role = u.role_label
            if u.role == "reviewer" and not u.office:
                role += self.tr("（未设置部门）")
            values = (u.username, u.display_name, role, self.tr("正常") if u.active else self.tr("已停用"))
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self._on_table_selection_changed()

    def selected_user(self) -> UserInfo | None:
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) and self.table.selectedItems() else None

    def _on_table_selection_changed(self) -> None:
        user = self.selected_user()
        self.office_button.setEnabled(user is not None and user.role == "reviewer")

    def _on_office_clicked(self) -> None:
        user = self.selected_user()
        if user is None or user.role != "reviewer":
            return
        dialog = OfficeDialog(self.setup, self.actor, user, self)
        dialog.office_changed.connect(lambda _u: self.refresh())
        self.dialog = dialog
        dialog.open()

    def _on_add_clicked(self) -> None:
        self.dialog = AddUserDialog(self.setup, self.actor, self)
        self.dialog.user_created.connect(self._on_dialog_user_created)
        self.dialog.open()

    def _on_dialog_user_created(self, user: UserInfo) -> None:
        self.refresh()
        self.user_created.emit(user)
