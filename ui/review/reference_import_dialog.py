"""Importing a reference list (教务处学籍名单, 学生处处分名单, 专业对照表) with the shared import flow.

The steps are the roster import's (``ui.roster.import_wizard.ImportFlowDialog``): file, column mapping
when a required column is not recognised, preview, import. A reference list is kept as the other
office sent it, so rows with problems are imported too and listed with row, column and reason;
importing makes the list the active one of its kind.

Signals: ``reference_imported(object)`` with the ``ReferenceResult`` after a successful import;
``compare_requested()`` when the user asks, on the result page, to run the comparison with the new
list (offered when ``offer_compare`` is set and there is a 学籍 list to compare with); the dialog
closes. Whether there is one, and whether the comparison ever ran, is read with the import on the
task runner, not on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from app.auth import Actor
from app.importing.mapping import ColumnMapping
from app.review.reference import (
    FIELDS,
    KINDS,
    LABELS,
    ReferenceMappingNeeded,
    ReferencePreview,
    ReferenceResult,
    ReferenceService,
    missing_required,
)
from app.review.service import ReviewService
from ui.common.columns import fit_to_content
from ui.common.import_flow_dialog import IMPORT_PATTERNS, ImportFlowDialog
from ui.common.rows_model import RowsModel, rows_table
from ui.common.tasks import TaskRunner

log = logging.getLogger(__name__)


def kind_label(kind: str) -> str:
    names = {"academic": QCoreApplication.translate("ReferenceImport", "教务处学籍名单"),
             "conduct": QCoreApplication.translate("ReferenceImport", "学生处处分名单"),
             "majors": QCoreApplication.translate("ReferenceImport", "专业对照表")}
    return names.get(kind, KINDS.get(kind, kind))


class ReferenceImportDialog(ImportFlowDialog):
    reference_imported = Signal(object)
    compare_requested = Signal()

    def __init__(self, actor: Actor, runner: TaskRunner, kind: str, parent: QWidget | None = None, *,
                 reference: ReferenceService, review: ReviewService) -> None:
        if kind not in KINDS:
            raise ValueError(kind)
        self.kind = kind  # the build below asks the hooks, which need it
        self.reference, self.review = reference, review
        super().__init__(actor, runner, parent)
        self.setObjectName("referenceImport")
        self.setWindowTitle(self.tr("导入%1").replace("%1", kind_label(kind)))
        self.offer_compare = False
        # Read with the import: (a 学籍 list is active, the comparison never ran yet).
        self._compare_offer: tuple[bool, bool] = (False, False)
        self.compare_button = QPushButton(self.tr("重新比对"), self)
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip(self.tr("关闭此窗口，按新名单重新运行比对（保留已有的审核意见）"))
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.compare_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.compare_button)
        row.addStretch(1)
        result_page = self.stack.widget(self.RESULT).layout()
        assert isinstance(result_page, QVBoxLayout)
        result_page.insertLayout(2, row)  # under the result and its hint

    # -- the hooks of the shared flow -------------------------------------------------------------

    def _intro_text(self) -> str:
        texts = {
            "academic": self.tr("选择教务处导出的学籍名单（.xlsx 或 .csv）。需要学号或身份证号、姓名；"
                                "专业、学籍状态、预计毕业时间、不及格课程有则核对。"),
            "conduct": self.tr("选择学生处的违纪处分名单（.xlsx 或 .csv）。需要学号或身份证号、处分；"
                               "处分日期、是否解除有则一并读入。"),
            "majors": self.tr("选择学院维护的专业对照表（.xlsx 或 .csv）：每行一个专科专业和它可报考的本科专业"
                              "或专业类，多个用顿号分隔。"),
        }
        return texts[self.kind] + "\n" + self.tr(
            "表头上方的标题行会自动跳过，识别不了的列可以在下一步手动对应。名单按原样保存：有问题的行也会导入，"
            "并在预览中列出行号、列和原因。导入后它成为当前使用的名单，之前的名单保留但不再使用。")

    def _path_placeholder(self) -> str:
        return self.tr("文件路径")

    def _open_dialog_texts(self) -> tuple[str, str]:
        return (self.tr("选择%1").replace("%1", kind_label(self.kind)),
                self.tr("表格文件 (%1);;所有文件 (*)").replace("%1", IMPORT_PATTERNS))

    def _field_choices(self) -> dict[str, str]:
        return {k: LABELS[k] for k in FIELDS[self.kind]}

    def _required_fields(self) -> tuple[str, ...]:
        return tuple(missing_required(self.kind, set()))

    def _missing_fields(self, chosen: set[str]) -> list[str]:
        return missing_required(self.kind, chosen)

    def _tiles(self) -> list[tuple[str, str, str]]:
        return [("rows", "#2e7d32", self.tr("数据行")), ("problem_rows", "#c62828", self.tr("有问题的行")),
                ("problems", "#9a5b00", self.tr("问题"))]

    def _preview_tables(self) -> list[QTableView]:
        self.problems_table = rows_table("problemsTable")
        self.rows_table = rows_table("rowsTable")
        return [self.problems_table, self.rows_table]

    def _preview_work(self, path: Path, overrides: dict[str, str] | None) -> Callable:
        reference, kind, sheet = self.reference, self.kind, self.sheet

        def work(progress, cancel):
            return reference.preview(kind, path, overrides, sheet=sheet, progress=progress, cancel=cancel)

        return work

    def _mapping_needed(self, exc: BaseException) -> ColumnMapping | None:
        return exc.mapping if isinstance(exc, ReferenceMappingNeeded) else None

    def _show_preview(self, preview: ReferencePreview) -> None:  # type: ignore[override]
        problem_rows = [r for r in preview.rows if r.problems]
        counts = {"rows": len(preview.rows), "problem_rows": len(problem_rows), "problems": len(preview.problems)}
        for key, label in self.count_labels.items():
            label.setText(str(counts[key]))
        m = preview.mapping
        self.preview_where.setText(self.tr("%1　　文件：%2　　工作表：%3，表头在第 %4 行，共 %5 行数据")
                                   .replace("%1", kind_label(self.kind)).replace("%2", preview.path.name)
                                   .replace("%3", m.sheet).replace("%4", str(m.header_row))
                                   .replace("%5", str(len(preview.rows))))
        notes = list(preview.warnings)
        if m.unknown_headers:
            notes.append(self.tr("如需导入未识别的列，点下方的“调整列对应…”。"))
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in notes))
        self.warnings_label.setVisible(bool(notes))

        problems: list[tuple[str, str, str]] = []
        for p in preview.problems:
            column = p.column or self.tr("整行")
            if p.header:
                column = f"{column}（{p.header}）"
            problems.append((str(p.row), column, p.message))
        self.problems_table.setModel(RowsModel([self.tr("行号"), self.tr("列"), self.tr("原因")], problems, self))
        keys = [k for k in FIELDS[self.kind] if k in m.fields.values()]
        person = [k for k in keys if k in ("student_no", "name", "id_number")]
        headers = [self.tr("行号"), *(LABELS[k] for k in keys), self.tr("问题")]
        rows: list[tuple[str, ...]] = []
        for r in preview.rows:
            values = {"student_no": r.student_no, "name": r.name,
                      "id_number": r.id_number or r.data.get("id_raw", "")}
            cells = [values[k] if k in person else r.data.get(k, "") for k in keys]
            rows.append((str(r.row), *cells, "；".join(p.message for p in r.problems)))
        self.rows_table.setModel(RowsModel(headers, rows, self))
        # Columns as wide as what they hold (long names, long lists of failed courses within reason),
        # the row number, student number and name whole; the last column takes the rest.
        fit_to_content(self.rows_table, keep=(0, *(1 + keys.index(k) for k in person)))
        fit_to_content(self.problems_table, keep=(0, 1))
        self.problems_table.setWordWrap(True)
        if len(problems) <= 500:
            self.problems_table.resizeRowsToContents()
        self.preview_tabs.setTabText(0, self.tr("有问题的行 (%1)").replace("%1", str(len(problems))))
        self.preview_tabs.setTabText(1, self.tr("全部数据行 (%1)").replace("%1", str(len(rows))))
        self.preview_tabs.setCurrentIndex(0 if problems else 1)

    def _commit_button(self) -> tuple[str, bool]:
        preview = self.preview
        if not isinstance(preview, ReferencePreview) or not preview.rows:
            return self.tr("没有可导入的行"), False
        bad = sum(1 for r in preview.rows if r.problems)
        if bad:
            return (self.tr("导入 %1 行（其中 %2 行有问题）").replace("%1", str(len(preview.rows)))
                    .replace("%2", str(bad)), True)
        return self.tr("导入 %1 行").replace("%1", str(len(preview.rows))), True

    def _commit_work(self, preview) -> Callable:
        actor, reference, review, offer = self.actor, self.reference, self.review, self.offer_compare

        def work(progress, cancel):
            result = reference.commit(actor, preview, progress=progress, cancel=cancel)
            can = first = False
            if offer:  # what the result page offers, read here rather than on the GUI thread
                try:
                    can = reference.active().get("academic") is not None
                    first = can and review.last_run_at() is None
                except Exception:  # imported all the same: only the offer to compare is lost
                    log.exception("could not read whether a comparison can be offered")
            return result, (can, first)

        return work

    def _on_commit_done(self, outcome: object) -> None:
        result, self._compare_offer = outcome  # type: ignore[misc]
        super()._on_commit_done(result)

    def _show_result(self, result: ReferenceResult) -> None:  # type: ignore[override]
        text = self.tr("已导入%1：%2 行，其中 %3 行有问题。").replace("%1", kind_label(result.kind)) \
            .replace("%2", str(result.rows)).replace("%3", str(result.rows_with_problems))
        self.result_label.setText(text)
        hint = self.tr("它现在是当前使用的名单。")
        if result.replaced:
            hint = self.tr("它已取代之前的名单（旧名单保留，不再使用）。")
        self.result_hint.setText(hint + self.tr("重新运行比对后，审查结果才会按新名单更新。"))
        self.result_save_button.hide()
        # Right here, one click: the comparison with the new list (it needs a 学籍 list).
        can, first = self._compare_offer
        can = can and self.offer_compare
        if can:
            self.compare_button.setText(self.tr("运行比对") if first else self.tr("重新比对"))
        self.compare_button.setVisible(can)

    def _on_compare_clicked(self) -> None:
        self.accept()
        self.compare_requested.emit()

    def _announce(self, result) -> None:
        self.reference_imported.emit(result)
        if self.compare_button.isVisible():
            self.compare_button.setFocus()  # Enter runs it (the result page is shown by now)
