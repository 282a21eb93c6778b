"""A layout that lays its items out in a row and wraps onto the next row when the row is full.

For bars of labels and buttons whose total width depends on data (file names, counts): on a
narrow window they take two rows instead of squeezing or cutting what does not fit. Qt has no
such layout; this is the usual one (Qt's "Flow Layout" example), with height-for-width so the
window gives it the rows it needs.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout ------------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        # One row when there is room for it.
        width = height = 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            width += hint.width() + (self._gap(item) if width else 0)
            height = max(height, hint.height())
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        # As narrow as the widest single item: everything else wraps.
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing ------------------------------------------------------------------------------------
    def _gap(self, item: QLayoutItem) -> int:
        if self._spacing >= 0:
            return self._spacing
        widget = item.widget()
        style = widget.style() if widget is not None else (self.parentWidget().style()
                                                           if self.parentWidget() else None)
        if style is None:
            return 6
        gap = style.layoutSpacing(QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton,
                                  Qt.Orientation.Horizontal)
        return gap if gap >= 0 else style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m: QMargins = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_height = area.x(), area.y(), 0
        row: list[tuple[QLayoutItem, QSize]] = []

        def place_row() -> None:
            # Items of one row share its height, centred vertically (labels beside buttons).
            if apply:
                for item, size in row:
                    top = y + (row_height - size.height()) // 2
                    item.setGeometry(QRect(QPoint(item_x[id(item)], top), size))

        item_x: dict[int, int] = {}
        for item in self._items:
            if item.isEmpty():
                continue
            size = item.sizeHint().boundedTo(QSize(max(area.width(), 1), 1 << 20))
            size = size.expandedTo(item.minimumSize())
            gap = self._gap(item)
            if row and x + size.width() > area.right() + 1:
                place_row()
                x, y = area.x(), y + row_height + gap
                row, row_height = [], 0
            item_x[id(item)] = x
            row.append((item, size))
            x += size.width() + gap
            row_height = max(row_height, size.height())
        place_row()
        return y + row_height - rect.y() + m.bottom()
