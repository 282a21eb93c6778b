"""F5's chooser: which document is photographed (退役证, 获奖证书 or 其他材料), the one the category
requires preselected.

Signals: ``DocumentKindDialog.kind_chosen(str)`` (a ``DOCUMENT_KINDS`` key).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


class DocumentKindDialog(QDialog):
    """F5: which document is being photographed; the one the category requires is preselected.

    Keyboard: 1–9 picks and closes at once; arrows then Enter; Esc keeps the current step.
    """

    kind_chosen = Signal(str)

    def __init__(self, kinds: dict[str, str], current: str, required: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentKindDialog")
        self.setWindowTitle(self.tr("选择材料类型"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.kinds = list(kinds)
        self._done = False
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("要拍摄哪种证明材料？按数字键选择，或用方向键选中后按 Enter。")))
        self.choices = QListWidget()
        self.choices.setObjectName("documentKinds")
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.choices.setFont(big)
        for i, (kind, label) in enumerate(kinds.items(), start=1):
            text = f"{i}  {label}"
            if kind == required:
                text += self.tr("（本考生类别需要）")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.choices.addItem(item)
        self.choices.setCurrentRow(self.kinds.index(current) if current in self.kinds else 0)
        rows = self.choices.count()
        # As tall as its rows: three choices, no empty box under them.
        self.choices.setFixedHeight(self.choices.sizeHintForRow(0) * rows + 2 * self.choices.frameWidth() + 4)
        self.choices.itemActivated.connect(lambda item: self._choose(self.choices.row(item)))
        # The list would take a digit as a type-ahead search: the dialog reads the digits first.
        self.choices.installEventFilter(self)
        lay.addWidget(self.choices)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("拍摄这种材料"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(lambda: self._choose(self.choices.currentRow()))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.choices.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.choices and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                self._choose(int(key) - int(Qt.Key.Key_1))
                return True
        return super().eventFilter(watched, event)

    def _choose(self, row: int) -> None:
        # Enter reaches both the list (itemActivated) and the dialog's default button: act once.
        if self._done or not 0 <= row < len(self.kinds):
            return
        self._done = True
        self.accept()
        self.kind_chosen.emit(self.kinds[row])
