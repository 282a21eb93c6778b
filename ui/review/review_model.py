"""The review list's table model: the review rows, filtered in memory, and the findings column's text."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.review.service import ReviewRow

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
ANY_FINDING = "__any__"
NO_FINDING = "__none__"
NEEDS_REVIEW = "__needs_review__"  # the status filter's “需重新审核”
NEEDS_REVIEW_COLOUR = "#b35c00"
REVIEW_STATUSES = ("roster", "eligible", "ineligible", "waived")
_STATUS_COLOURS = {"eligible": "#2e7d32", "ineligible": "#c62828", "waived": "#7a7a7a"}


class ReviewModel(QAbstractTableModel):
    """The review rows, filtered in memory (a college has at most a few thousand)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[ReviewRow] = []
        self._visible: list[int] = []
        self._filter = ("", "", "")
        self.headers = [self.tr("学号"), self.tr("姓名"), self.tr("班级"), self.tr("状态"), self.tr("比对问题")]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def _display(self, row: ReviewRow, col: int) -> str:
        if col == 0:
            return row.student_no
        if col == 1:
            return row.name
        if col == 2:
            return row.class_name
        if col == 3:
            if row.needs_review and row.status == "roster":
                return self.tr("需重新审核")  # back to 在册 because a decision no longer stands
            return row.status_label
        return summary(row)

    def column_texts(self, column: int) -> list[str]:
        """Every row's text in ``column``, filtered out or not (for the column's width)."""
        return [self._display(r, column) for r in self._rows]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[self._visible[index.row()]]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole:
                if col == 3 and row.needs_review:
                    return "\n".join([row.status_label, *row.standing_notes])
                if col == 4:
                    return "\n".join([*row.standing_notes, *(f.message for f in row.findings)]) or None
            return self._display(row, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 3 and row.needs_review:
                return QBrush(QColor(NEEDS_REVIEW_COLOUR))
            if col == 3 and row.status in _STATUS_COLOURS:
                return QBrush(QColor(_STATUS_COLOURS[row.status]))
            if col == 4 and row.findings:
                return QBrush(QColor("#9a5b00"))
        if role == UUID_ROLE:
            return row.uuid
        return None

    # -- contents -------------------------------------------------------------------------------
    def set_rows(self, rows: list[ReviewRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._apply()
        self.endResetModel()

    def replace_row(self, new: ReviewRow) -> None:
        for i, r in enumerate(self._rows):
            if r.uuid == new.uuid:
                self._rows[i] = new
                if i in self._visible:
                    at = self._visible.index(i)
                    self.dataChanged.emit(self.index(at, 0), self.index(at, self.columnCount() - 1))
                return

    def set_filter(self, text: str, finding: str, status: str) -> None:
        self.beginResetModel()
        self._filter = (text.strip().lower(), finding, status)
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        text, finding, status = self._filter
        out = []
        for i, r in enumerate(self._rows):
            if status == NEEDS_REVIEW:
                if not r.needs_review:
                    continue
            elif status and r.status != status:
                continue
            if finding == ANY_FINDING and not r.findings:
                continue
            if finding == NO_FINDING and r.findings:
                continue
            if finding not in ("", ANY_FINDING, NO_FINDING) and all(f.code != finding for f in r.findings):
                continue
            if text and not any(text in v.lower() for v in (r.name, r.student_no, r.id_number, r.class_name)):
                continue
            out.append(i)
        self._visible = out

    @property
    def rows(self) -> list[ReviewRow]:
        return list(self._rows)

    @property
    def total(self) -> int:
        return len(self._rows)

    def row_at(self, visible_row: int) -> ReviewRow:
        return self._rows[self._visible[visible_row]]

    def visible_row_of(self, uuid: str) -> int:
        for at, i in enumerate(self._visible):
            if self._rows[i].uuid == uuid:
                return at
        return -1


def summary(row: ReviewRow) -> str:
    """The table's findings column: the findings' short labels, and a waiver first."""
    prefix = ""
    if row.waiver is not None and row.waiver.active:
        prefix = QCoreApplication.translate("ReviewView", "【已放弃】")
    elif row.needs_review and row.status != "roster":  # 在册 ones say it in the status column
        prefix = QCoreApplication.translate("ReviewView", "【需重新审核】")
    labels: list[str] = []
    for f in row.findings:
        if f.label not in labels:
            labels.append(f.label)
    return prefix + ("、".join(labels) if labels else ("—" if not prefix else ""))
