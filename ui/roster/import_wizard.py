"""The roster import (学生处's 考生名单): the shared import flow with the roster service's fields, tiles and texts.

Nothing is written until the user presses "导入 N 条有效记录": the preview lists new, changed, unchanged
and rejected rows (with sheet row, column and reason), the rejected rows can be saved as an .xlsx to
fix and re-import, and the import itself runs in one transaction with a Cancel button that leaves the
database as it was.

Signals: ``roster_imported(object)`` with the ``ImportResult`` after a successful import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QTableView,
    QWidget,
)

from app.auth import Actor
from app.domain.candidate import REQUIRED
from app.importing import tabular
from app.importing.mapping import ColumnMapping
from app.roster.service import FIELD_CHOICES, ImportPreview, ImportResult, MappingNeeded, RosterService
from ui.common.columns import fit_to_content
from ui.common.errors import show_error, show_info
from ui.common.formatting import display_value
from ui.common.import_flow_dialog import IMPORT_PATTERNS, ImportFlowDialog
from ui.common.rows_model import RowsModel, rows_table
from ui.common.tasks import TaskRunner

# (count key, colour) of the preview's four figures.
_TILES = (("new", "#2e7d32"), ("changed", "#1565c0"), ("unchanged", "#616161"), ("rejected", "#c62828"))


class ImportWizard(ImportFlowDialog):
    """The roster import (学生处's 考生名单)."""

    roster_imported = Signal(object)

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *,
                 roster: RosterService) -> None:
        self.roster = roster  # the build below asks the hooks, which use it
        super().__init__(actor, runner, parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(self.tr("导入考生名单"))

    def _intro_text(self) -> str:
        return self.tr(
            "选择学生处导出的考生名单（.xlsx 或 .csv，UTF-8 或 GBK 编码均可）。表头上方的标题行和合并单元格"
            "会自动跳过，常见的列名会自动识别；识别不了的列可以在下一步手动对应。\n"
            "选择文件后先显示预览，确认无误才会写入。")

    def _path_placeholder(self) -> str:
        return self.tr("文件路径，或把文件拖到名单页面上")

    def _open_dialog_texts(self) -> tuple[str, str]:
        return self.tr("选择考生名单"), self.tr("考生名单 (%1);;所有文件 (*)").replace("%1", IMPORT_PATTERNS)

    def _field_choices(self) -> dict[str, str]:
        return dict(FIELD_CHOICES)

    def _required_fields(self) -> tuple[str, ...]:
        return tuple(REQUIRED)

    def _tiles(self) -> list[tuple[str, str, str]]:
        captions = {"new": self.tr("新增"), "changed": self.tr("修改"), "unchanged": self.tr("未变"),
                    "rejected": self.tr("有错误")}
        return [(key, colour, captions[key]) for key, colour in _TILES]

    def _preview_tables(self) -> list[QTableView]:
        self.rejected_table = rows_table("rejectedTable")
        self.changed_table = rows_table("changedTable")
        self.new_table = rows_table("newTable")
        return [self.rejected_table, self.changed_table, self.new_table]

    def _can_save_rejected(self) -> bool:
        return True

    def _has_rejected(self) -> bool:
        return isinstance(self.preview, ImportPreview) and bool(self.preview.rejected)

    def _preview_work(self, path: Path, overrides: dict[str, str] | None) -> Callable:
        roster, sheet = self.roster, self.sheet

        def work(progress, cancel):
            return roster.preview(path, overrides, sheet=sheet, progress=progress, cancel=cancel)

        return work

    def _mapping_needed(self, exc: BaseException) -> ColumnMapping | None:
        return exc.mapping if isinstance(exc, MappingNeeded) else None

    def _commit_button(self) -> tuple[str, bool]:
        counts = self.preview.counts if isinstance(self.preview, ImportPreview) else {}
        writable = counts.get("new", 0) + counts.get("changed", 0)
        if writable:
            return self.tr("导入 %1 条有效记录").replace("%1", str(writable)), True
        return self.tr("没有需要导入的记录"), False

    def _commit_work(self, preview) -> Callable:
        actor, roster = self.actor, self.roster

        def work(progress, cancel):
            return roster.commit(actor, preview, progress=progress, cancel=cancel)

        return work

    def _announce(self, result) -> None:
        self.roster_imported.emit(result)

    def _show_preview(self, preview: ImportPreview) -> None:  # type: ignore[override]
        counts = preview.counts
        for key, label in self.count_labels.items():
            label.setText(str(counts.get(key, 0)))
        m = preview.mapping
        self.preview_where.setText(self.tr("文件：%1　　工作表：%2，表头在第 %3 行，共 %4 行数据")
                                   .replace("%1", preview.path.name).replace("%2", m.sheet)
                                   .replace("%3", str(m.header_row)).replace("%4", str(len(preview.rows))))
        notes = list(preview.warnings)
        if m.unknown_headers:
            notes.append(self.tr("如需导入未识别的列，点下方的“调整列对应…”。"))
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in notes))
        self.warnings_label.setVisible(bool(notes))

        # Who each rejected row is, as the file has it: the row number alone means nothing at the desk.
        sno_col = next((c for c, k in m.fields.items() if k == "student_no"), None)
        name_col = next((c for c, k in m.fields.items() if k == "name"), None)
        rejected_rows: list[tuple[str, ...]] = []
        for row in preview.rejected:
            sno = tabular.header_text(row.cells[sno_col]) if sno_col is not None else ""
            name = tabular.header_text(row.cells[name_col]) if name_col is not None else ""
            for p in row.problems:
                column = p.column or self.tr("整行")
                if p.header:
                    column = f"{column}（{p.header}）"
                rejected_rows.append((str(p.row), sno, name, column, p.message))
        self.rejected_table.setModel(RowsModel([self.tr("行号"), self.tr("学号"), self.tr("姓名"), self.tr("列"),
                                                 self.tr("原因")], rejected_rows, self))
        changed_rows: list[tuple[str, str, str, str, str]] = []
        new_rows: list[tuple[str, str, str, str, str]] = []
        for row in preview.rows:
            if row.kind == "changed" and row.data is not None:
                for key, (old, new) in row.changes.items():
                    changed_rows.append((str(row.row), row.data.student_no or "", row.data.name,
                                         FIELD_CHOICES.get(key, key),
                                         f"{display_value(old) or self.tr('（空）')} → {display_value(new) or self.tr('（空）')}"))
            elif row.kind == "new" and row.data is not None:
                todo = "、".join(FIELD_CHOICES.get(k, k) for k in row.todos)
                new_rows.append((str(row.row), row.data.student_no or "", row.data.name, row.data.class_name, todo))
        self.changed_table.setModel(RowsModel(
            [self.tr("行号"), self.tr("学号"), self.tr("姓名"), self.tr("字段"), self.tr("旧 → 新")],
            changed_rows, self))
        self.new_table.setModel(RowsModel([self.tr("行号"), self.tr("学号"), self.tr("姓名"), self.tr("班级"),
                                            self.tr("待补信息")], new_rows, self))
        # Columns as wide as what they hold (a long minority name, a long class), row numbers,
        # student numbers and names kept whole; the last column takes the rest.
        for table in (self.rejected_table, self.changed_table, self.new_table):
            fit_to_content(table, keep=(0, 1, 2))
        # Reasons can be long (the Excel hint): wrap them while the list is short enough to measure.
        self.rejected_table.setWordWrap(True)
        if len(rejected_rows) <= 500:
            self.rejected_table.resizeRowsToContents()
        n_rejected = counts.get("rejected", 0)
        self.preview_tabs.setTabText(0, self.tr("有错误的行 (%1)").replace("%1", str(n_rejected)))
        self.preview_tabs.setTabText(1, self.tr("将修改的考生 (%1)").replace("%1", str(counts.get("changed", 0))))
        self.preview_tabs.setTabText(2, self.tr("将新增的考生 (%1)").replace("%1", str(counts.get("new", 0))))
        self.preview_tabs.setCurrentIndex(0 if n_rejected else (1 if counts.get("changed") else 2))
        self.save_rejected_button.setEnabled(n_rejected > 0)

    def _show_result(self, result: ImportResult) -> None:  # type: ignore[override]
        self.result_label.setText(self.tr("导入完成：新增 %1 人，修改 %2 人，未变 %3 人；有错误未导入 %4 行。")
                                  .replace("%1", str(result.created)).replace("%2", str(result.updated))
                                  .replace("%3", str(result.unchanged)).replace("%4", str(result.rejected)))
        if result.rejected:
            self.result_hint.setText(self.tr("有错误的行没有导入。点“保存错误行…”把它们连同原因存成表格，"
                                             "改正后再导入同一个表格即可（已导入的考生不会重复）。"))
        else:
            self.result_hint.setText(self.tr("名单已更新，每一处修改都已记入修改记录。"))
        self.result_save_button.setVisible(result.rejected > 0)

    def _save_rejected(self, out: Path) -> None:
        assert isinstance(self.preview, ImportPreview)
        try:
            written = self.roster.save_rejected(self.preview, out)
        except Exception as exc:
            show_error(self, exc)
            return
        show_info(self, self.tr("保存错误行"), self.tr("已把 %1 行有错误的记录（含“错误原因”列）保存到：\n%2\n"
                                                   "改正后可直接再导入这个文件。")
                  .replace("%1", str(len(self.preview.rejected))).replace("%2", str(written)))
