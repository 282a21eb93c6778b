"""Recording or revoking one candidate's 放弃报名考试资格 (waiver).

``WaiverDialog(mode="add")`` asks for the reason and the date (today by default);
``mode="revoke"`` asks for the reason of the revocation and says the deadline. The dialog calls
``WaiverService`` itself (which audits) and stays open with the service's Chinese message under
the field when it refuses (no reason, past the deadline, already waived).

Signals: ``waiver_changed(str uuid)`` after the service accepted the change.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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

from app.auth import Actor
from app.documents.printing import PrintingService
from app.errors import AppError, ValidationError
from app.review.service import WaiverService
from app.settings.service import SettingsService
from ui.common.errors import InlineError, show_error


class WaiverDialog(QDialog):
    waiver_changed = Signal(str)

    def __init__(self, actor: Actor, uuid: str, name: str, mode: str = "add", parent: QWidget | None = None, *,
                 waivers: WaiverService, settings: SettingsService, printing: PrintingService,
                 printed_dir: Path) -> None:
        super().__init__(parent)
        if mode not in ("add", "revoke"):
            raise ValueError(mode)
        self.setObjectName("waiverDialog")
        self.waivers, self.printing, self.printed_dir = waivers, printing, printed_dir
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
            deadline = settings.get("waiver_deadline")
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
        self.print_button = self.buttons.addButton(self.tr("打印附件1…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setObjectName("waiverPrint")
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.print_button.hide()
        self.done_label = QLabel(self)
        self.done_label.setObjectName("waiverDone")
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet("color: #2e7d32;")
        self.done_label.hide()
        # Seams for the printer, so tests can print to a file (as the print screen has).
        self.ask_print = None
        self.make_printer = None
        self.print_job = None
        self.printed_pdf: Path | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.done_label)
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
                self.waivers.add(self.actor, self.uuid, reason, self.date_edit.date().toPython())
            else:
                self.waivers.revoke(self.actor, self.uuid, reason)
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
        if self.mode == "add" and self.may_print:
            self._offer_print()
            return
        self.accept()

    # -- 附件1 right away -------------------------------------------------------------------------
    @property
    def may_print(self) -> bool:
        from app.documents.printing import may_print

        return may_print(self.actor, "waiver_form")

    def _offer_print(self) -> None:
        """Recorded: the student is at the desk, so the signed 附件1 is one click away."""
        for w in (self.reason_edit, self.date_edit, self.reason_error):
            w.setEnabled(False)
        self.done_label.setText(self.tr("已登记。请打印附件1（放弃报名考试资格申请书），由学生本人签字后交回。"))
        self.done_label.show()
        self.ok_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("关闭"))
        self.print_button.show()
        self.print_button.setDefault(True)
        self.print_button.setFocus()

    def _on_print_button_clicked(self) -> None:
        from ui.common.pdf_printing import PdfPrintJob, ask_print_dialog
        from ui.common.tasks import TaskRunner

        folder = Path(self.printed_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)  # the app's own folder for what goes to the printer
            result = self.printing.print_form(
                self.actor, "waiver_form", folder / f"附件1_{self.uuid[:8]}_{dt.datetime.now():%Y%m%d%H%M%S}.pdf",
                student=self.uuid)
        except Exception as exc:
            show_error(self, exc)
            return
        self.printed_pdf = result.pdf
        self.runner = getattr(self, "runner", None) or TaskRunner(self)
        printer = self.make_printer() if self.make_printer else None
        job = PdfPrintJob(self.runner, result.pdf, self, printer=printer, ask=self.ask_print or ask_print_dialog)
        job.printed.connect(lambda pages: self._on_job_done(self.tr("已送往打印机（%1 页）。").replace("%1", str(pages))))
        job.cancelled.connect(lambda: self._on_job_done(self.tr("打印已取消；PDF 已保存：%1").replace("%1", str(result.pdf))))
        job.failed.connect(lambda exc: (show_error(self, exc), self._on_job_done("")))
        self.print_job = job
        self.print_button.setEnabled(False)
        job.start()

    def _on_job_done(self, text: str) -> None:
        self.print_button.setEnabled(True)
        if text:
            self.done_label.setText(text)
