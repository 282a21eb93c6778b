"""The audit trail's table model: events loaded a page at a time from a loader, newest first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QWidget,
)

from app.audit.service import ACTION_LABELS, AuditEntry
from ui.common.formatting import local_time


class AuditModel(QAbstractTableModel):
    """Newest first, fetched page by page through ``loader(limit, offset)``."""

    def __init__(self, loader: Callable[[int, int], list[AuditEntry]], page_size: int = 200,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.page_size = page_size
        self.entries: list[AuditEntry] = []
        self._more = True
        self.headers = [self.tr("时间"), self.tr("操作人"), self.tr("报名点"), self.tr("操作"), self.tr("内容")]

    def reset(self, loader: Callable[[int, int], list[AuditEntry]] | None = None) -> None:
        self.beginResetModel()
        if loader is not None:
            self.loader = loader
        self.entries = []
        self._more = True
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid() or not self._more:
            return
        page = self.loader(self.page_size, len(self.entries))
        self._more = len(page) == self.page_size
        if page:
            start = len(self.entries)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self.entries.extend(page)
            self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        e = self.entries[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return local_time(e.at)
            if col == 1:
                return e.actor
            if col == 2:
                return e.desk_name
            if col == 3:
                return ACTION_LABELS.get(e.action, e.action)
            return e.summary
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return e.summary
        if role == Qt.ItemDataRole.ForegroundRole and e.action == "user.login_failed":
            return QBrush(QColor("#b03a2e"))
        return None

    def entry(self, row: int) -> AuditEntry:
        return self.entries[row]
