"""The roster table model: every candidate in memory, filtered and sorted without touching the database.

The model holds the light ``CandidateRow`` list, a ``RosterIndex`` for search and filters, and
the list of visible row indexes. Filtering and sorting only rebuild that index list, so a
keystroke costs a linear scan plus a sort of integers, fast at 20,000 rows. Search by pinyin
starts when ``set_pinyin_keys`` brings the rows' pinyin keys, computed off the GUI thread.

Signals: ``visible_count_changed(int visible, int total)``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from app.domain import pinyin
from app.roster.candidates import CandidateRow
from app.roster.search import Filters, RosterIndex

# Column key (a CandidateRow attribute) in display order.
COLUMN_KEYS: tuple[str, ...] = (
    "student_no", "name", "gender", "id_number", "class_name", "counsellor", "major",
    "intended_major", "category", "status_label", "onsite", "todo_text", "phone",
)
# Columns whose text is Chinese and should sort by pinyin, not by code point.
_COLLATED = frozenset({"name", "class_name", "counsellor", "major", "intended_major", "category",
                       "status_label", "onsite", "todo_text", "gender"})
_TODO_COLUMN = COLUMN_KEYS.index("todo_text")
_TODO_COLOUR = QColor("#b35c00")  # amber: something to complete, not an error

UUID_ROLE = Qt.ItemDataRole.UserRole + 1


def column_titles() -> list[str]:
    """Translated header titles; literals kept constant so lupdate can extract them."""
    t = QCoreApplication.translate
    return [
        t("RosterModel", "学号"),
        t("RosterModel", "姓名"),
        t("RosterModel", "性别"),
        t("RosterModel", "身份证号"),
        t("RosterModel", "班级"),
        t("RosterModel", "辅导员"),
        t("RosterModel", "所学专业"),
        t("RosterModel", "报考专业（类）"),
        t("RosterModel", "考生类别"),
        t("RosterModel", "状态"),
        t("RosterModel", "现场确认"),
        t("RosterModel", "待补信息"),
        t("RosterModel", "联系电话"),
    ]


class RosterModel(QAbstractTableModel):
    visible_count_changed = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._titles = column_titles()
        self._getters: list[Callable[[CandidateRow], str]] = [operator.attrgetter(k) for k in COLUMN_KEYS]
        self._index = RosterIndex([])
        self._source: Sequence[CandidateRow] = ()
        self._rows: list[CandidateRow] = []
        self._visible: list[int] = []
        self._filters = Filters()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        # column -> rank of every row under that column's order; built on first sort by the column.
        self._ranks: dict[int, list[int]] = {}
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._collator.setNumericMode(True)

    # -- data ---------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[CandidateRow]) -> None:
        """Replace all rows (after a load or refresh), keeping the current filters and sort.

        Pinyin search waits for ``set_pinyin_keys`` with these rows' keys.
        """
        self.beginResetModel()
        self._index = RosterIndex(rows, with_pinyin=False)
        self._source = rows
        self._rows = self._index.rows
        self._ranks.clear()
        self._visible = self._compute_visible()
        self.endResetModel()
        self.visible_count_changed.emit(len(self._visible), len(self._rows))

    def set_pinyin_keys(self, rows: Sequence[CandidateRow], keys: Sequence[str]) -> bool:
        """Turn on pinyin search with ``keys`` (``search.pinyin_keys(rows)``), unless other rows came since."""
        if rows is not self._source:
            return False
        self._index.set_pinyin_keys(keys)
        if pinyin.query(self._filters.text):  # the search typed so far may find more now
            self.beginResetModel()
            self._visible = self._compute_visible()
            self.endResetModel()
            self.visible_count_changed.emit(len(self._visible), len(self._rows))
        return True

    @property
    def has_pinyin(self) -> bool:
        return self._index.has_pinyin

    def set_filters(self, filters: Filters) -> None:
        if filters == self._filters:
            return
        self._filters = filters
        self.beginResetModel()
        self._visible = self._compute_visible()
        self.endResetModel()
        self.visible_count_changed.emit(len(self._visible), len(self._rows))

    @property
    def filters(self) -> Filters:
        return self._filters

    @property
    def total_count(self) -> int:
        return len(self._rows)

    @property
    def visible_count(self) -> int:
        return len(self._visible)

    @property
    def rows(self) -> Sequence[CandidateRow]:
        """All rows, as the last ``set_rows`` gave them (the same object until the next one)."""
        return self._source

    def row_at(self, row: int) -> CandidateRow:
        return self._rows[self._visible[row]]

    def row_of_uuid(self, uuid: str) -> int:
        """Visible row number of the candidate, or -1 when filtered out or absent."""
        for n, i in enumerate(self._visible):
            if self._rows[i].uuid == uuid:
                return n
        return -1

    def _compute_visible(self) -> list[int]:
        visible = self._index.filter(self._filters)
        if self._sort_column >= 0:
            ranks = self._ranks_for(self._sort_column)
            visible.sort(key=ranks.__getitem__,
                         reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return visible

    def _ranks_for(self, column: int) -> list[int]:
        ranks = self._ranks.get(column)
        if ranks is None:
            getter = self._getters[column]
            values = [getter(r) or "" for r in self._rows]
            if COLUMN_KEYS[column] in _COLLATED:
                keys = [self._collator.sortKey(v) for v in values]
                order = sorted(range(len(values)), key=keys.__getitem__)
            else:
                order = sorted(range(len(values)), key=values.__getitem__)
            ranks = [0] * len(values)
            rank, previous = -1, None
            for i in order:
                # Equal values share a rank so a stable sort keeps their previous order.
                if values[i] != previous:
                    rank += 1
                    previous = values[i]
                ranks[i] = rank
            self._ranks[column] = ranks
        return ranks

    # -- QAbstractTableModel --------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_KEYS)

    def column_texts(self, column: int, *, visible_only: bool = False) -> list[str]:
        """The rows' texts in ``column`` (for the column's width): every row's, or the shown ones'."""
        getter = self._getters[column]
        if visible_only:
            rows = self._rows
            return [getter(rows[i]) or "" for i in self._visible]
        return [getter(r) or "" for r in self._rows]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._getters[index.column()](self._rows[self._visible[index.row()]])
        if role == Qt.ItemDataRole.ToolTipRole:
            # The full text of every cell: a column may be narrower than a long class or name.
            row = self._rows[self._visible[index.row()]]
            if index.column() == _TODO_COLUMN and row.todos:
                return QCoreApplication.translate("RosterModel", "待补：%1").replace("%1", "、".join(row.todos))
            return self._getters[index.column()](row) or None
        if role == UUID_ROLE:
            return self._rows[self._visible[index.row()]].uuid
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == _TODO_COLUMN:
            return _TODO_COLOUR
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._titles[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(COLUMN_KEYS):
            # The header's "no sort" state: back to the service's order (class, student number).
            column = -1
        self.layoutAboutToBeChanged.emit()
        before = list(self._visible)
        self._sort_column, self._sort_order = column, order
        if column >= 0:
            self._visible.sort(key=self._ranks_for(column).__getitem__,
                               reverse=order == Qt.SortOrder.DescendingOrder)
        else:
            self._visible.sort()
        self._remap_persistent(before)
        self.layoutChanged.emit()

    def _remap_persistent(self, before: list[int]) -> None:
        """Keep the selection and current row on the same candidates after a sort."""
        old = self.persistentIndexList()
        if not old:
            return
        position = {i: n for n, i in enumerate(self._visible)}
        new = [self.index(position[before[ix.row()]], ix.column()) if ix.isValid() else QModelIndex()
               for ix in old]
        self.changePersistentIndexList(old, new)
