"""The comparison's result (比对结果): what it found, and what changed since the last run."""

from __future__ import annotations

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import review as rules
from app.review.service import RunResult
from ui.common.formatting import local_time
from ui.review.review_model import NEEDS_REVIEW_COLOUR


class RunResultDialog(QDialog):
    """What the comparison found, and what changed since the last run."""

    def __init__(self, result: RunResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runResultDialog")
        self.setWindowTitle(self.tr("比对结果"))
        head = QLabel(self)
        head.setObjectName("runSummary")
        head.setWordWrap(True)
        text = self.tr("共比对 %1 名考生，%2 名有问题，共 %3 条问题。").replace("%1", str(result.candidates)) \
            .replace("%2", str(result.with_findings)).replace("%3", str(sum(result.counts.values())))
        if result.first_run:
            text += self.tr("这是第一次比对。")
        else:
            text += self.tr("与上次比对相比，%1 名考生有变化。").replace("%1", str(len(result.changes)))
        head.setText(text)
        self.year_label = QLabel(self)
        self.year_label.setObjectName("runYear")
        self.year_label.setWordWrap(True)
        if result.graduation_year_default:
            year_text = self.tr("按毕业年份 %1 届比对（未设置，按今天的日期推定；如不对，请在“毕业年份”中修改后重新比对）。")
        else:
            year_text = self.tr("按毕业年份 %1 届比对（设置）。")
        when = ""
        if result.run_at is not None:
            when = self.tr("比对时间：%1，%2。").replace("%1", local_time(result.run_at)[:16]).replace("%2", result.actor)
        self.year_label.setText(when + year_text.replace("%1", str(result.graduation_year)))
        self.reopened_label = QLabel(self)
        self.reopened_label.setObjectName("runReopened")
        self.reopened_label.setWordWrap(True)
        self.reopened_label.setStyleSheet(f"color: {NEEDS_REVIEW_COLOUR}; font-weight: bold;")
        if result.reopened:
            self.reopened_label.setText(self.tr("%1 名考生的审核意见因比对结果变化不再成立，已退回待审核，需重新审核"
                                                "（见下表“审核意见”列；在列表中按状态“需重新审核”筛选）。")
                                        .replace("%1", str(result.reopened)))
        elif result.needs_review:
            self.reopened_label.setText(self.tr("仍有 %1 名考生的审核意见需重新审核（在列表中按状态“需重新审核”筛选）。")
                                        .replace("%1", str(result.needs_review)))
        self.reopened_label.setVisible(bool(result.reopened or result.needs_review))
        warnings = QLabel("\n".join(f"⚠ {w}" for w in result.warnings), self)
        warnings.setObjectName("runWarnings")
        warnings.setStyleSheet("color: #9a5b00;")
        warnings.setWordWrap(True)
        warnings.setVisible(bool(result.warnings))

        self.counts_table = QTableWidget(0, 2, self)
        self.counts_table.setObjectName("runCounts")
        self.counts_table.setHorizontalHeaderLabels([self.tr("问题"), self.tr("条数")])
        for code, (_office, label) in rules.FINDINGS.items():
            n = result.counts.get(code, 0)
            if not n:
                continue
            r = self.counts_table.rowCount()
            self.counts_table.insertRow(r)
            self.counts_table.setItem(r, 0, QTableWidgetItem(label))
            self.counts_table.setItem(r, 1, QTableWidgetItem(str(n)))
        self.changes_table = QTableWidget(0, 5, self)
        self.changes_table.setObjectName("runChanges")
        self.changes_table.setHorizontalHeaderLabels([self.tr("学号"), self.tr("姓名"), self.tr("新出现的问题"),
                                                      self.tr("已消除的问题"), self.tr("审核意见")])
        for change in result.changes:
            r = self.changes_table.rowCount()
            self.changes_table.insertRow(r)
            for c, value in enumerate((change.student_no, change.name, "；".join(change.new),
                                       "；".join(change.resolved), "；".join(d.text for d in change.decisions))):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if c == 4 and value:
                    item.setForeground(QBrush(QColor(NEEDS_REVIEW_COLOUR)))
                self.changes_table.setItem(r, c, item)
        for table in (self.counts_table, self.changes_table):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setStretchLastSection(True)
            table.resizeColumnsToContents()
        # The decisions column says why a candidate must be reviewed again: wrapped, never cut short.
        self.changes_table.setWordWrap(True)
        self.changes_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.changes_table.horizontalHeader().sectionResized.connect(self._fit_change_rows)
        shown = not result.first_run or bool(result.changes)
        self.changes_table.setVisible(shown)
        changes_title = QLabel(self.tr("与上次比对相比的变化（%1 名考生）").replace("%1", str(len(result.changes))),
                               self)
        changes_title.setVisible(shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.year_label)
        layout.addWidget(self.reopened_label)
        layout.addWidget(warnings)
        layout.addWidget(QLabel(self.tr("各类问题的条数"), self))
        layout.addWidget(self.counts_table, 1)
        layout.addWidget(changes_title)
        layout.addWidget(self.changes_table, 2)
        layout.addWidget(buttons)
        self.resize(900, 560)

    def _fit_change_rows(self, *_args: object) -> None:
        self.changes_table.resizeRowsToContents()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Only now are the columns as wide as they will be shown: wrap the rows to them.
        QTimer.singleShot(0, self._fit_change_rows)
