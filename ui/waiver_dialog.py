"""Recording or revoking one candidate's 放弃报名考试资格 (waiver).

``WaiverDialog(mode="add")`` asks for the reason and the date (today by default);
``mode="revoke"`` asks for the reason of the revocation and says the deadline. The dialog calls
``WaiverService`` itself (which audits) and stays open with the service's Chinese message under
the field when it refuses (no reason, past the deadline, already waived).

Signals: ``waiver_changed(str uuid)`` after the service accepted the change.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ValidationError
from app.services.context import Actor
from ui.errors import InlineError, show_error


class WaiverDialog(QDialog):
    waiver_changed = Signal(str)

    def __init__(self, container, actor: Actor, uuid: str, name: str, mode: str = "add",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if mode not in ("add", "revoke"):
            raise ValueError(mode)
        self.setObjectName("waiverDialog")
        self.container = container
        self.actor = actor
        self.uuid = uuid
        self.mode = mode
        adding = mode == "add"
        self.setWindowTitle(self.tr("登记放弃报名考试资格") if adding else self.tr("撤回放弃报名"))

        intro = QLabel(self)
        intro.setObjectName("waiverIntro")
        intro.setWordWrap(True)
        if adding:
            intro.setText(self.tr("%1 放弃报名考试资格。登记后其状态为“放弃报考”，请打印附件1由本人签字。")
                          .replace("%1", name))
        else:
            deadline = container.settings.get("waiver_deadline")
            when = deadline.isoformat() if isinstance(deadline, dt.date) else self.tr("（未设置截止日期）")
            intro.setText(self.tr("撤回 %1 的放弃报名，状态按各部门的审核意见重新计算。撤回截止日期：%2。")
                          .replace("%1", name).replace("%2", when))
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("waiverReason")
        self.reason_edit.setPlaceholderText(self.tr("例如：已找到工作，不再参加考试") if adding
                                            else self.tr("例如：本人改变主意，继续报名"))
        self.reason_error = InlineError(self)
        self.reason_error.setObjectName("waiverReasonError")
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("waiverDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(QDate.currentDate())
        self.error = InlineError(self)
        self.error.setObjectName("waiverError")

        form = QFormLayout()
        form.addRow(self.tr("原因(&R)") if adding else self.tr("撤回原因(&R)"), self.reason_edit)
        form.addRow("", self.reason_error)
        if adding:
            form.addRow(self.tr("放弃日期(&D)"), self.date_edit)
        else:
            self.date_edit.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("waiverOk")
        self.ok_button.setText(self.tr("登记放弃") if adding else self.tr("撤回放弃"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(max(self.sizeHint().width(), self.fontMetrics().horizontalAdvance("正") * 34),
                    self.sizeHint().height())

    def _on_buttons_accepted(self) -> None:
        self.reason_error.clear_message()
        self.error.clear_message()
        reason = self.reason_edit.text()
        try:
            if self.mode == "add":
                self.container.waivers.add(self.actor, self.uuid, reason, self.date_edit.date().toPython())
            else:
                self.container.waivers.revoke(self.actor, self.uuid, reason)
        except ValidationError as exc:
            target = self.reason_error if exc.field == "reason" else self.error
            target.show_message(exc.message)
            self.reason_edit.setFocus()
            return
        except AppError as exc:  # past the deadline, already waived: the dialog is where the user looks
            self.error.show_message(exc.message)
            return
        except Exception as exc:
            show_error(self, exc)
            return
        self.waiver_changed.emit(self.uuid)
        self.accept()
