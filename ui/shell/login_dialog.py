"""Log in with a local account. Every attempt, good or bad, is audited by ``SetupService.login``.

Signals (``LoginDialog``): ``logged_in(object)`` with the ``Actor`` after a successful login.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.setup.service import InstallInfo, SetupService
from ui.common.errors import InlineError


class LoginDialog(QDialog):
    logged_in = Signal(object)

    def __init__(self, setup: SetupService, info: InstallInfo | None = None, *, username: str = "",
                 password: str = "", demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = setup
        self.actor = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("登录 RegDesk"))

        heading = QLabel(self.tr("RegDesk 专升本报名工作台"))
        f = heading.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        heading.setFont(f)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        if info is not None:
            where = QLabel(self.tr("%1 · %2").replace("%1", info.college_name).replace("%2", info.desk_name))
            where.setObjectName("where")
            lay.addWidget(where)
        if demo:
            note = QLabel(self.tr("演示模式：已填入演示管理员账号 admin，密码 Demo1234。直接按回车即可登录。"
                                  "演示数据与正式数据分开保存。"))
            note.setObjectName("demoNote")
            note.setWordWrap(True)
            note.setStyleSheet("background: #fff4d6; border: 1px solid #e0b84c; padding: 6px;")
            lay.addWidget(note)

        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setPlaceholderText(self.tr("用户名"))
        self.password = QLineEdit(password)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("密码"))
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("密码"), self.password)
        lay.addLayout(form)
        self.error = InlineError(self)
        self.error.setObjectName("loginError")
        lay.addWidget(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.login_button = self.buttons.addButton(self.tr("登录"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setObjectName("login")
        self.buttons.accepted.connect(self._on_login_clicked)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        # The default button must be set once the button is inside the dialog, or QDialog picks its own.
        self.login_button.setDefault(True)

        self.username.textEdited.connect(lambda _t: self.error.clear_message())
        self.password.textEdited.connect(lambda _t: self.error.clear_message())
        self.setMinimumWidth(420)
        (self.password if username else self.username).setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter after the username goes on to the password instead of trying an empty one.
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.focusWidget() is self.username
                and not self.password.text()):
            self.password.setFocus()
            return
        super().keyPressEvent(event)

    def _on_login_clicked(self) -> None:
        if not self.username.text().strip():
            self.error.show_message(self.tr("请输入用户名。"))
            self.username.setFocus()
            return
        try:
            actor = self.setup.login(self.username.text(), self.password.text())
        except AppError as exc:
            self.error.show_message(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.actor = actor
        self.logged_in.emit(actor)
        self.accept()
