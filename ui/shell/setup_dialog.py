"""First-run set-up: this install's college, this desk's name and the first administrator.

One page, because it is done once and every field is needed: the secretary sees everything
that will be asked, errors appear under the field they concern, and Enter finishes.

Signals (``SetupDialog``): ``installed(object)`` with the ``InstallInfo`` once the install is set up.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.auth import MIN_PASSWORD
from app.errors import AppError, ValidationError
from app.setup.service import SetupService
from ui.common.errors import show_error
from ui.common.field_box import FieldBox, line_edit

log = logging.getLogger(__name__)


class SetupDialog(QDialog):
    installed = Signal(object)

    def __init__(self, setup: SetupService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = setup
        self.info = None
        self.admin_username = ""
        self.setWindowTitle(self.tr("RegDesk 首次设置"))
        self.setObjectName("setupDialog")

        title = QLabel(self.tr("欢迎使用 RegDesk 专升本报名工作台"))
        title.setObjectName("title")
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        title.setFont(f)
        intro = QLabel(self.tr("这台电脑第一次使用 RegDesk。请填写本学院、本报名点和第一位管理员账号，"
                               "之后用这个账号登录并添加其他用户。"))
        intro.setWordWrap(True)

        self.college_code = line_edit("college_code", self.tr("例如：1001"), max_length=32)
        self.college_name = line_edit("college_name", self.tr("例如：信息工程学院"))
        self.desk_name = line_edit("desk_name", self.tr("例如：学院办公室报名点"))
        self.username = line_edit("admin_username", self.tr("字母、数字、下划线，2–32 位，例如：admin"),
                                  max_length=32)
        self.display_name = line_edit("admin_name", self.tr("例如：张老师（可不填）"))
        self.password = line_edit("password", self.tr("至少 %1 位，须同时包含字母和数字")
                                  .replace("%1", str(MIN_PASSWORD)), password=True)
        self.password2 = line_edit("password2", self.tr("再输入一次密码"), password=True)

        self.boxes: dict[str, FieldBox] = {}
        college = QGroupBox(self.tr("学院与报名点"))
        form1 = QFormLayout(college)
        self._add(form1, "college_code", self.tr("学院代码"), self.college_code)
        self._add(form1, "college_name", self.tr("学院名称"), self.college_name)
        self._add(form1, "desk_name", self.tr("本报名点名称"), self.desk_name)
        admin = QGroupBox(self.tr("第一位管理员"))
        form2 = QFormLayout(admin)
        self._add(form2, "username", self.tr("用户名"), self.username)
        self._add(form2, "display_name", self.tr("姓名"), self.display_name)
        self._add(form2, "password", self.tr("密码"), self.password)
        self._add(form2, "password2", self.tr("确认密码"), self.password2)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.finish_button = self.buttons.addButton(self.tr("完成设置"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.finish_button.setObjectName("finish")
        self.buttons.accepted.connect(self._on_finish_clicked)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(intro)
        lay.addWidget(college)
        lay.addWidget(admin)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        # The default button must be set once the button is inside the dialog, or QDialog picks its own.
        self.finish_button.setDefault(True)

        self.password.textEdited.connect(self._on_password_edited)
        self.password2.textEdited.connect(self._on_password_edited)
        self.college_code.setFocus()
        self.setMinimumWidth(560)

    def _add(self, form: QFormLayout, key: str, label: str, edit: QLineEdit) -> None:
        box = FieldBox(edit)
        self.boxes[key] = box
        form.addRow(label, box)

    def _on_password_edited(self, _text: str) -> None:
        p1, p2 = self.password.text(), self.password2.text()
        if p2 and not p1.startswith(p2) and p1 != p2:
            self.boxes["password2"].error.show_message(self.tr("两次输入的密码不一致。"))
        else:
            self.boxes["password2"].error.clear_message()

    def _local_problems(self) -> list[tuple[str, str]]:
        problems = []
        required = (("college_code", self.college_code, self.tr("请填写学院代码。")),
                    ("college_name", self.college_name, self.tr("请填写学院名称。")),
                    ("desk_name", self.desk_name, self.tr("请填写本报名点名称。")),
                    ("username", self.username, self.tr("请填写管理员用户名。")),
                    ("password", self.password, self.tr("请设置密码。")))
        for key, edit, message in required:
            if not edit.text().strip():
                problems.append((key, message))
        if self.password.text() and self.password.text() != self.password2.text():
            problems.append(("password2", self.tr("两次输入的密码不一致。")))
        return problems

    def _show_problem(self, key: str, message: str) -> None:
        box = self.boxes.get(key)
        if box is None:
            show_error(self, ValidationError(message))
            return
        box.error.show_message(message)

    def _on_finish_clicked(self) -> None:
        for box in self.boxes.values():
            box.error.clear_message()
        problems = self._local_problems()
        if problems:
            for key, message in problems:
                self._show_problem(key, message)
            self.boxes[problems[0][0]].edit.setFocus()
            return
        try:
            info = self.setup.initialise(
                self.college_code.text(), self.college_name.text(), self.desk_name.text(),
                admin_username=self.username.text(), admin_name=self.display_name.text(),
                admin_password=self.password.text())
        except ValidationError as exc:
            key = {"admin_username": "username"}.get(exc.field, exc.field)
            self._show_problem(key, exc.message)
            if key in self.boxes:
                self.boxes[key].edit.setFocus()
            return
        except AppError as exc:
            show_error(self, exc)
            return
        self.info = info
        self.admin_username = self.username.text().strip()
        log.info("install set up: %s %s, desk %s", info.college_code, info.college_name, info.desk_name)
        self.installed.emit(info)
        self.accept()

    def keyPressEvent(self, event) -> None:
        # Enter in a field moves on to the next one until the last, where it finishes.
        focus = self.focusWidget()
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(focus, QLineEdit)
                and focus is not self.password2):
            self.focusNextChild()
            return
        super().keyPressEvent(event)
