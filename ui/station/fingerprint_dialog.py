"""F4: the fingers captured one after the other on a worker, with the reader's prompts; a poor print
retried or kept with a reason.

Signals: ``FingerprintDialog.captured(object)`` (the ``CaptureInfo`` stored for one finger),
``FingerprintDialog.finished_all()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QFont,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import Cancelled
from ui.common.errors import message_for
from ui.common.tasks import TaskRunner
from ui.station.override_dialog import OverrideDialog


class FingerprintDialog(QDialog):
    """Captures the configured fingers one after the other on a worker, with the reader's prompts.

    ``capture_one(finger, progress, cancel) -> (CaptureInfo | None, CheckedCapture)`` does the work
    (capture with the quality gate, then store when accepted); it runs on ``runner``. A print still
    poor after the configured retries can be retried or kept with a reason (``keep_poor``).
    """

    captured = Signal(object)
    finished_all = Signal()

    def __init__(self, fingers: list[tuple[str, str]], capture_one: Callable, keep_poor: Callable,
                 runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fingerprintDialog")
        self.setWindowTitle(self.tr("采集指纹"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.fingers = list(fingers)
        self.capture_one = capture_one
        self.keep_poor = keep_poor
        self.runner = runner
        self.index = 0
        self.handle = None
        self.poor: Any = None
        lay = QVBoxLayout(self)
        self.finger_label = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.finger_label.setFont(big)
        lay.addWidget(self.finger_label)
        self.prompt = QLabel()
        self.prompt.setObjectName("fingerprintPrompt")
        prompt_font = QFont(self.font())
        prompt_font.setPointSizeF(prompt_font.pointSizeF() * 1.4)
        self.prompt.setFont(prompt_font)
        self.prompt.setWordWrap(True)
        lay.addWidget(self.prompt)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        lay.addWidget(self.progress)
        self.quality = QLabel()
        self.quality.setObjectName("fingerprintQuality")
        self.quality.setWordWrap(True)
        lay.addWidget(self.quality)
        row = QHBoxLayout()
        self.retry_button = QPushButton(self.tr("重新采集(&R)"))
        self.retry_button.clicked.connect(self._start)
        self.keep_button = QPushButton(self.tr("放行并保存(&O)…"))
        self.keep_button.clicked.connect(self._on_keep_clicked)
        self.cancel_button = QPushButton(self.tr("取消(Esc)"))
        self.cancel_button.setObjectName("fingerprintCancel")
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.retry_button)
        row.addWidget(self.keep_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("正") * 32)

    def start(self) -> None:
        self.open()
        self._start()

    def _start(self) -> None:
        if self.index >= len(self.fingers):
            return
        finger, label = self.fingers[self.index]
        self.poor = None
        self.retry_button.hide()
        self.keep_button.hide()
        self.progress.show()
        self.finger_label.setText(self.tr("第 %1/%2 个：%3").replace("%1", str(self.index + 1))
                                  .replace("%2", str(len(self.fingers))).replace("%3", label))
        self.prompt.setText(self.tr("正在打开指纹采集器…"))
        self.quality.clear()
        self.handle = self.runner.run(
            lambda progress, cancel: self.capture_one(finger, progress, cancel),
            on_success=self._on_task_success, on_error=self._on_task_error, on_progress=self._on_task_progress)

    def _on_task_progress(self, _done: int, _total: int, message: str) -> None:
        if message:
            self.prompt.setText(message)

    def _on_task_success(self, result: object) -> None:
        self.handle = None
        info, checked = result  # type: ignore[misc]
        self.progress.hide()
        score = checked.quality.score
        if info is None:
            self.poor = checked
            self.prompt.setText(self.tr("指纹质量仍不合格。可以请考生擦干手指后重新采集，或写明理由后放行。"))
            self.quality.setText(self.tr("质量 %1 分（%2）").replace("%1", str(score))
                                 .replace("%2", checked.quality.advice()))
            self.retry_button.show()
            self.keep_button.show()
            self.retry_button.setFocus()
            return
        self._stored(info, score)

    def _stored(self, info: object, score: int) -> None:
        self.quality.setText(self.tr("已保存，质量 %1 分").replace("%1", str(score)))
        self.captured.emit(info)
        self.index += 1
        if self.index >= len(self.fingers):
            self.finished_all.emit()
            self.accept()
        else:
            self._start()

    def _on_task_error(self, exc: BaseException) -> None:
        self.handle = None
        self.progress.hide()
        if isinstance(exc, Cancelled):
            return
        self.prompt.setText(message_for(exc))
        self.retry_button.show()
        self.retry_button.setFocus()

    def _on_keep_clicked(self) -> None:
        _finger, label = self.fingers[self.index]
        dialog = OverrideDialog(self.tr("指纹（%1）").replace("%1", label),
                                [self.tr("质量 %1 分，低于合格线").replace("%1", str(self.poor.quality.score))], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reason_given.connect(self._on_override_reason_given)
        dialog.open()

    def _on_override_reason_given(self, reason: str) -> None:
        finger, _label = self.fingers[self.index]
        poor, keep_poor = self.poor, self.keep_poor
        # Storing writes the file and the database: on the runner, like every capture.
        self.runner.run(lambda progress, cancel: keep_poor(finger, poor, reason),
                        on_success=lambda info: self._stored(info, poor.quality.score),
                        on_error=lambda exc: self.prompt.setText(message_for(exc)))

    def reject(self) -> None:
        if self.handle is not None and not self.handle.done:
            self.handle.cancel.cancel()
        super().reject()
