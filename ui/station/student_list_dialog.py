"""F8 at the table: today's unfinished students at this desk and who has not come yet.

Signals: ``StudentListDialog.student_chosen(str uuid)``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


class StudentListDialog(QDialog):
    """F8 at the table: today's unfinished students at this desk, and who has not come yet (by class
    and counsellor). Enter (or a double click) on a student brings them back to the table.

    Signals: ``student_chosen(str)`` with the candidate's UUID.
    """

    student_chosen = Signal(str)

    def __init__(self, unfinished: list, not_come: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studentListDialog")
        self.setWindowTitle(self.tr("未完成与未到的考生"))
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.unfinished = QTreeWidget(self)
        self.unfinished.setObjectName("unfinishedList")
        self.unfinished.setHeaderLabels([self.tr("学号"), self.tr("姓名"), self.tr("班级"), self.tr("还缺")])
        for u in unfinished:
            item = QTreeWidgetItem([u.student_no, u.name, u.class_name, "、".join(u.missing)])
            item.setData(0, Qt.ItemDataRole.UserRole, u.uuid)
            self.unfinished.addTopLevelItem(item)
        self.not_come = QTreeWidget(self)
        self.not_come.setObjectName("notComeList")
        self.not_come.setHeaderLabels([self.tr("班级 / 学号"), self.tr("姓名"), self.tr("辅导员")])
        groups: dict[tuple[str, str], list] = {}
        for row in not_come:
            groups.setdefault((row.class_name, row.counsellor), []).append(row)
        for (class_name, counsellor), rows in sorted(groups.items()):
            group = QTreeWidgetItem([self.tr("%1（%2 人）").replace("%1", class_name or self.tr("未分班"))
                                     .replace("%2", str(len(rows))), "", counsellor])
            for row in rows:
                child = QTreeWidgetItem([row.student_no, row.name, ""])
                child.setData(0, Qt.ItemDataRole.UserRole, row.uuid)
                group.addChild(child)
            self.not_come.addTopLevelItem(group)
        for tree in (self.unfinished, self.not_come):
            tree.setRootIsDecorated(tree is self.not_come)
            tree.setUniformRowHeights(True)
            tree.itemActivated.connect(self._on_item_activated)
            tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(self.unfinished, self.tr("本桌今日未完成 (%1)").replace("%1", str(len(unfinished))))
        self.tabs.addTab(self.not_come, self.tr("尚未到场 (%1)").replace("%1", str(len(not_come))))
        lay.addWidget(self.tabs, 1)
        hint = QLabel(self.tr("选中考生后按 Enter 回到该考生继续采集；Esc 关闭。"), self)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        if not unfinished and not_come:
            self.tabs.setCurrentIndex(1)
        current = self.tabs.currentWidget()
        if isinstance(current, QTreeWidget) and current.topLevelItemCount():
            current.setCurrentItem(current.topLevelItem(0))
        self.resize(self.fontMetrics().horizontalAdvance("正") * 48, self.fontMetrics().height() * 28)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.tabs.currentWidget().setFocus()

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        uuid = item.data(0, Qt.ItemDataRole.UserRole)
        if uuid:
            self.student_chosen.emit(str(uuid))
            self.accept()
        else:
            item.setExpanded(not item.isExpanded())
