"""The widget on which the counsellor drags (or moves with the keyboard) the four corners of a card
or document the finder could not outline.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QSizePolicy,
    QWidget,
)

from ui.station.frames import FrameMapping, pen, to_qimage


class CornerEditor(QWidget):
    """A still frame with four draggable corners; keyboard: Tab picks a corner, arrows move it."""

    def __init__(self, frame: np.ndarray, corners: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cornerEditor")
        self.image = to_qimage(frame)
        self.corners = np.asarray(corners, dtype=np.float32).reshape(4, 2).copy()
        self.active = 0
        self._drag: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 300)

    def sizeHint(self) -> QSize:
        return QSize(800, 480)

    def _mapping(self) -> FrameMapping:
        iw, ih = self.image.width(), self.image.height()
        scale = min(self.width() / iw, self.height() / ih)
        return FrameMapping(scale, (self.width() - iw * scale) / 2, (self.height() - ih * scale) / 2, iw, ih)

    def paintEvent(self, _event: QPaintEvent) -> None:
        m = self._mapping()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1e1e"))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.drawImage(m.rect(0, 0, m.frame_w, m.frame_h), self.image)
        pts = [m.point(float(x), float(y)) for x, y in self.corners]
        p.setPen(pen("#2ec27e", 2))
        p.drawPolygon(QPolygonF(pts))
        labels = (self.tr("左上"), self.tr("右上"), self.tr("右下"), self.tr("左下"))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        for i, pt in enumerate(pts):
            p.setPen(pen("#ffffff", 2))
            p.setBrush(QColor("#e01b24") if i == self.active else QColor("#1a5fb4"))
            p.drawEllipse(pt, 9, 9)
            p.setPen(QColor("#ffffff"))
            p.drawText(pt + QPointF(12, -10), labels[i])
        p.end()

    def _nearest(self, pos: QPointF) -> int | None:
        m = self._mapping()
        best, best_d = None, 30.0
        for i, (x, y) in enumerate(self.corners):
            pt = m.point(float(x), float(y))
            d = ((pt.x() - pos.x()) ** 2 + (pt.y() - pos.y()) ** 2) ** 0.5
            if d < best_d:
                best, best_d = i, d
        return best

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag = self._nearest(event.position())
        if self._drag is not None:
            self.active = self._drag
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        x, y = self._mapping().to_frame(event.position().x(), event.position().y())
        self._move_to(self._drag, x, y)

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._drag = None

    def _move_to(self, i: int, x: float, y: float) -> None:
        self.corners[i] = (min(max(x, 0.0), self.image.width() - 1.0), min(max(y, 0.0), self.image.height() - 1.0))
        self.update()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab walks the four corners before leaving the editor.
        if next and self.active < 3:
            self.active += 1
        elif not next and self.active > 0:
            self.active -= 1
        else:
            return super().focusNextPrevChild(next)
        self.update()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = 10.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 2.0
        moves = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0), Qt.Key.Key_Up: (0, -step),
                 Qt.Key.Key_Down: (0, step)}
        key = Qt.Key(event.key())
        if key in moves:
            dx, dy = moves[key]
            x, y = self.corners[self.active]
            self._move_to(self.active, float(x) + dx / self._mapping().scale, float(y) + dy / self._mapping().scale)
            return
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_4:
            self.active = int(key) - int(Qt.Key.Key_1)
            self.update()
            return
        super().keyPressEvent(event)
