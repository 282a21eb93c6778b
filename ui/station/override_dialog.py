"""The override-reason dialog: why a capture that failed a check is kept anyway (audited).

Opened with ``open()``, never ``exec()``. Signals: ``OverrideDialog.reason_given(str)``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.common.errors import InlineError


class OverrideDialog(QDialog):
    """Asks the counsellor why a capture that failed a check is kept anyway (audited)."""

    reason_given = Signal(str)

    def __init__(self, what: str, failed: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideDialog")
        self.setWindowTitle(self.tr("放行未通过的检查"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("%1未通过以下检查：").replace("%1", what))
        lay.addWidget(intro)
        listed = QLabel("\n".join(f"• {item}" for item in failed) or self.tr("（无）"))
        listed.setStyleSheet("color: #c0392b;")
        lay.addWidget(listed)
        lay.addWidget(QLabel(self.tr("仍要保存，请写明理由（会记入审计记录）：")))
        self.reason = QLineEdit()
        self.reason.setObjectName("overrideReason")
        self.reason.setPlaceholderText(self.tr("例如：考生戴医用眼镜，已核对本人"))
        lay.addWidget(self.reason)
        self.error = InlineError()
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("放行并保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("正") * 30)

    def _on_buttons_accepted(self) -> None:
        reason = self.reason.text().strip()
        if len(reason) < 2:
            self.error.show_message(self.tr("请写明放行理由。"))
            self.reason.setFocus()
            return
        self.accept()
        self.reason_given.emit(reason)
