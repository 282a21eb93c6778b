"""Manual corners for a card or document the finder could not outline.

Signals: ``CornerDialog.corners_chosen(object)`` (float32 (4, 2) array, TL TR BR BL, in frame pixels).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui.station.corner_editor import CornerEditor


class CornerDialog(QDialog):
    """Manual corner adjustment for a card or document the finder could not outline."""

    corners_chosen = Signal(object)

    def __init__(self, title: str, frame: np.ndarray, corners: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cornerDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        lay = QVBoxLayout(self)
        hint = QLabel(self.tr("未能自动找到边缘：请把四个角拖到证件的四个角上。"
                              "键盘：Tab 或 1–4 选角，方向键移动（Shift 加快），Enter 保存。"))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.editor = CornerEditor(frame, corners)
        lay.addWidget(self.editor, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("按此裁切并保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.editor.setFocus()

    def _on_buttons_accepted(self) -> None:
        self.accept()
        self.corners_chosen.emit(self.editor.corners.copy())
