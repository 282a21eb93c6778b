"""The audit trail's table model: events newest first, a page at a time.

The model never reads the database itself: when the view scrolls near the end it asks
``request_page(limit, offset)`` for the next page, and the owner (``AuditView``, through the task
runner) hands the page back with ``add_page``. One request at a time is outstanding.
"""

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
    """Newest first, fetched page by page through ``request_page(limit, offset)``."""

    def __init__(self, request_page: Callable[[int, int], None], page_size: int = 200,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request_page = request_page
        self.page_size = page_size
        self.entries: list[AuditEntry] = []
        self._more = False  # nothing to fetch until the first page has come
        self._fetching = False
        self.headers = [self.tr("时间"), self.tr("操作人"), self.tr("报名点"), self.tr("操作"), self.tr("内容")]

    def clear(self) -> None:
        """Empty, waiting for a first page (``set_first_page``)."""
        self.beginResetModel()
        self.entries = []
        self._more = False
        self._fetching = False
        self.endResetModel()

    def set_first_page(self, page: list[AuditEntry]) -> None:
        self.beginResetModel()
        self.entries = list(page)
        self._more = len(page) == self.page_size
        self._fetching = False
        self.endResetModel()

    def add_page(self, page: list[AuditEntry]) -> None:
        """The page asked for by the last ``request_page``."""
        self._fetching = False
        self._more = len(page) == self.page_size
        if page:
            start = len(self.entries)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self.entries.extend(page)
            self.endInsertRows()

    def page_failed(self) -> None:
        """The last request failed: stop asking (a refresh starts again)."""
        self._fetching = False
        self._more = False

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid() or not self._more or self._fetching:
            return
        self._fetching = True
        self.request_page(self.page_size, len(self.entries))

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
