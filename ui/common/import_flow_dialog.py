"""The flow shared by every spreadsheet import: choose a file, map columns if needed, check the preview, import.

``ImportFlowDialog`` has the file page, the column-mapping page, the preview and the result, each
step on the ``TaskRunner`` with a Cancel button. Subclasses (the roster's ``ui.roster.import_wizard``,
the reference lists' ``ui.review.reference_import_dialog``) say which service reads and writes, which
fields a column can hold, and how the preview and result look.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor
from app.errors import AppError, Cancelled
from app.importing import tabular
from app.importing.mapping import ColumnMapping
from ui.common.errors import show_error, show_info
from ui.common.file_dialogs import ask_open_file, ask_save_file
from ui.common.tasks import TaskRunner, run_with_progress

# Every name a roster arrives under; the file's content decides how it is read (app.importing.tabular).
IMPORT_SUFFIXES = tuple(x for x in (*tabular.XLSX_SUFFIXES, *tabular.CSV_SUFFIXES, *tabular.OTHER_WORKBOOK_SUFFIXES) if x)
IMPORT_PATTERNS = " ".join(f"*{x}" for x in IMPORT_SUFFIXES)  # for the file dialogs' filter
ERROR_STYLE = "color: #c62828;"
WARNING_STYLE = "color: #9a5b00;"


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA: how Excel names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def count_tiles(parent: QWidget, tiles: Sequence[tuple[str, str, str]]) -> tuple[QHBoxLayout, dict[str, QLabel]]:
    """A row of big coloured figures with captions: (key, colour, caption) -> the row and key -> number label."""
    row = QHBoxLayout()
    labels: dict[str, QLabel] = {}
    for key, colour, caption_text in tiles:
        tile = QFrame(parent)
        tile.setFrameShape(QFrame.Shape.StyledPanel)
        number = QLabel("0", tile)
        number.setObjectName(f"count_{key}")
        font = QFont(number.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        number.setFont(font)
        number.setStyleSheet(f"color: {colour};")
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = QLabel(caption_text, tile)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout(tile)
        box.addWidget(number)
        box.addWidget(caption)
        row.addWidget(tile)
        labels[key] = number
    return row, labels


class ImportFlowDialog(QDialog):
    """File → (mapping) → preview → import; the service-specific parts are the ``_hook`` methods."""

    FILE, MAPPING, PREVIEW, RESULT = range(4)

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.runner = runner
        self.path: Path | None = None
        self.mapping: ColumnMapping | None = None
        self.overrides: dict[str, str] | None = None
        self.sheet: str | None = None  # the sheet the user chose; None: the one the service picks
        self._sheet_before: str | None = None  # ``sheet`` while another sheet's preview is running
        self._choosing_sheet = False
        self.preview = None  # the service's preview of the chosen file
        self.result = None  # the service's result of the import
        self.handle = None  # the running task, if any
        self._mapping_combos: list[tuple[str, QComboBox]] = []
        self._build()
        self._go(self.FILE)
        self.resize(900, 640)

    # -- what a subclass says ---------------------------------------------------------------------

    def _intro_text(self) -> str:
        raise NotImplementedError

    def _path_placeholder(self) -> str:
        return self.tr("文件路径")

    def _open_dialog_texts(self) -> tuple[str, str]:
        """(title, filters) of the file dialog."""
        raise NotImplementedError

    def _field_choices(self) -> dict[str, str]:
        """Field key -> label, in the order the mapping combos list them."""
        raise NotImplementedError

    def _required_fields(self) -> tuple[str, ...]:
        """Fields marked with * in the mapping combos."""
        raise NotImplementedError

    def _missing_fields(self, chosen: set[str]) -> list[str]:
        return [k for k in self._required_fields() if k not in chosen]

    def _tiles(self) -> list[tuple[str, str, str]]:
        """(count key, colour, caption) of the preview's figures."""
        raise NotImplementedError

    def _preview_tables(self) -> list[QTableView]:
        """The preview's tabs, created here (the captions are set by ``_show_preview``)."""
        raise NotImplementedError

    def _can_save_rejected(self) -> bool:
        return False

    def _has_rejected(self) -> bool:
        return False

    def _save_rejected(self, out: Path) -> None:
        raise NotImplementedError

    def _preview_work(self, path: Path, overrides: dict[str, str] | None) -> Callable:
        """``fn(progress=, cancel=)`` returning the preview; raises the service's mapping error."""
        raise NotImplementedError

    def _mapping_needed(self, exc: BaseException) -> ColumnMapping | None:
        """The mapping to ask about when ``exc`` says columns are missing, else None."""
        raise NotImplementedError

    def _show_preview(self, preview) -> None:
        raise NotImplementedError

    def _commit_button(self) -> tuple[str, bool]:
        """The text of the import button on the preview page, and whether it is enabled."""
        raise NotImplementedError

    def _commit_work(self, preview) -> Callable:
        raise NotImplementedError

    def _show_result(self, result) -> None:
        raise NotImplementedError

    def _announce(self, result) -> None:
        """Emit the subclass's signal after a successful import."""

    # -- layout -----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.steps = QLabel(self)
        self.steps.setObjectName("importSteps")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_file_page())
        self.stack.addWidget(self._build_mapping_page())
        self.stack.addWidget(self._build_preview_page())
        self.stack.addWidget(self._build_result_page())

        self.back_button = QPushButton(self.tr("上一步"), self)
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self._on_back_clicked)
        self.next_button = QPushButton(self.tr("下一步"), self)
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setObjectName("closeButton")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

    def _build_file_page(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(self._intro_text(), page)
        intro.setObjectName("importIntro")
        intro.setWordWrap(True)
        self.path_edit = QLineEdit(page)
        self.path_edit.setObjectName("importPath")
        self.path_edit.setPlaceholderText(self._path_placeholder())
        self.path_edit.textChanged.connect(self._on_path_edit_text_changed)
        self.path_edit.returnPressed.connect(self._on_next_clicked)
        browse = QPushButton(self.tr("选择文件…"), page)
        browse.setObjectName("browseButton")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.file_error = QLabel(page)
        self.file_error.setObjectName("fileError")
        self.file_error.setStyleSheet(ERROR_STYLE)
        self.file_error.setWordWrap(True)
        self.file_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_error.hide()
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.file_error)
        layout.addStretch(1)
        self.browse_button = browse
        return page

    def _build_mapping_page(self) -> QWidget:
        page = QWidget(self)
        self.mapping_intro = QLabel(page)
        self.mapping_intro.setObjectName("mappingIntro")
        self.mapping_intro.setWordWrap(True)
        self.mapping_where = QLabel(page)
        self.mapping_where.setWordWrap(True)
        self.mapping_grid_host = QWidget()
        self.mapping_grid = QGridLayout(self.mapping_grid_host)
        self.mapping_grid.setColumnStretch(2, 1)
        self.mapping_grid.setColumnStretch(3, 1)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.mapping_grid_host)
        self.mapping_error = QLabel(page)
        self.mapping_error.setObjectName("mappingError")
        self.mapping_error.setStyleSheet(ERROR_STYLE)
        self.mapping_error.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.mapping_intro)
        layout.addWidget(self.mapping_where)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.mapping_error)
        return page

    def _build_preview_page(self) -> QWidget:
        page = QWidget(self)
        self.preview_where = QLabel(page)
        self.preview_where.setObjectName("previewWhere")
        self.preview_where.setWordWrap(True)
        # A workbook of several sheets: the user may import another one than the service chose.
        self.sheet_label = QLabel(self.tr("另选工作表(&S)："), page)
        self.sheet_combo = QComboBox(page)
        self.sheet_combo.setObjectName("sheetCombo")
        self.sheet_combo.setToolTip(self.tr("文件有多个工作表时，选择要导入的那一个"))
        self.sheet_label.setBuddy(self.sheet_combo)
        self.sheet_combo.activated.connect(self._on_sheet_activated)
        where = QHBoxLayout()
        where.addWidget(self.preview_where, 1)
        where.addWidget(self.sheet_label)
        where.addWidget(self.sheet_combo)
        tiles, self.count_labels = count_tiles(page, self._tiles())
        self.warnings_label = QLabel(page)
        self.warnings_label.setObjectName("previewWarnings")
        self.warnings_label.setStyleSheet(WARNING_STYLE)
        self.warnings_label.setWordWrap(True)
        self.warnings_label.hide()

        self.preview_tabs = QTabWidget(page)
        for table in self._preview_tables():
            self.preview_tabs.addTab(table, "")

        self.save_rejected_button = QPushButton(self.tr("保存错误行…"), page)
        self.save_rejected_button.setObjectName("saveRejectedButton")
        self.save_rejected_button.setToolTip(self.tr("把有错误的行连同原因存成 .xlsx，改正后再导入"))
        self.save_rejected_button.clicked.connect(self._on_save_rejected_clicked)
        self.save_rejected_button.setVisible(self._can_save_rejected())
        self.remap_button = QPushButton(self.tr("调整列对应…"), page)
        self.remap_button.setObjectName("remapButton")
        self.remap_button.clicked.connect(self._on_remap_clicked)
        actions = QHBoxLayout()
        actions.addWidget(self.save_rejected_button)
        actions.addWidget(self.remap_button)
        actions.addStretch(1)

        layout = QVBoxLayout(page)
        layout.addLayout(where)
        layout.addLayout(tiles)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.preview_tabs, 1)
        layout.addLayout(actions)
        return page

    def _build_result_page(self) -> QWidget:
        page = QWidget(self)
        self.result_label = QLabel(page)
        self.result_label.setObjectName("resultSummary")
        self.result_label.setWordWrap(True)
        font = QFont(self.result_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.result_label.setFont(font)
        self.result_hint = QLabel(page)
        self.result_hint.setWordWrap(True)
        self.result_save_button = QPushButton(self.tr("保存错误行…"), page)
        self.result_save_button.setObjectName("resultSaveRejectedButton")
        self.result_save_button.clicked.connect(self._on_save_rejected_clicked)
        row = QHBoxLayout()
        row.addWidget(self.result_save_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addWidget(self.result_hint)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # -- navigation -------------------------------------------------------------------------------

    def _go(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        names = [self.tr("① 选择文件"), self.tr("② 对应列"), self.tr("③ 核对预览"), self.tr("④ 导入结果")]
        current = {self.FILE: 0, self.MAPPING: 1, self.PREVIEW: 2, self.RESULT: 3}[page]
        self.steps.setText("　→　".join(f"<b>{n}</b>" if i == current else n for i, n in enumerate(names)))
        self.back_button.setVisible(page in (self.MAPPING, self.PREVIEW))
        # Done is done: one button (完成) on the result page, not 完成 beside 关闭.
        self.cancel_button.setVisible(page != self.RESULT)
        if page == self.FILE:
            self.next_button.setText(self.tr("预览"))
            self.next_button.setEnabled(bool(self.path_edit.text().strip()))
            self.path_edit.setFocus()
        elif page == self.MAPPING:
            self.next_button.setText(self.tr("按此对应重新预览"))
            self._on_mapping_changed()
        elif page == self.PREVIEW:
            text, enabled = self._commit_button()
            self.next_button.setText(text)
            self.next_button.setEnabled(enabled)
        else:
            self.next_button.setText(self.tr("完成"))
            self.next_button.setEnabled(True)

    def _on_back_clicked(self) -> None:
        page = self.stack.currentIndex()
        if page == self.PREVIEW:
            self._go(self.FILE)
        elif page == self.MAPPING:
            self._go(self.PREVIEW if self.preview is not None else self.FILE)

    def _on_next_clicked(self) -> None:
        if self.busy:
            return
        page = self.stack.currentIndex()
        if page == self.FILE:
            text = self.path_edit.text().strip()
            if text:
                self.choose_file(Path(text))
        elif page == self.MAPPING:
            if self.next_button.isEnabled():
                self._run_preview(self._mapping_overrides())
        elif page == self.PREVIEW:
            if self.next_button.isEnabled():
                self._run_commit()
        else:
            self.accept()

    def _on_path_edit_text_changed(self, text: str) -> None:
        if self.stack.currentIndex() == self.FILE:
            self.next_button.setEnabled(bool(text.strip()))

    def _on_browse_clicked(self) -> None:
        start = str(self.path.parent) if self.path else ""
        title, filters = self._open_dialog_texts()
        chosen = ask_open_file(self, title, start, filters)
        if chosen:
            self.choose_file(Path(chosen))

    # -- preview ----------------------------------------------------------------------------------

    def choose_file(self, path: Path) -> None:
        """Preview ``path`` straight away: the user chose it to import it."""
        self.path = Path(path)
        self.path_edit.blockSignals(True)
        self.path_edit.setText(str(self.path))
        self.path_edit.blockSignals(False)
        self.overrides = None
        self.sheet = None
        self.preview = None
        self.mapping = None
        self._run_preview(None)

    def _run_preview(self, overrides: dict[str, str] | None) -> None:
        assert self.path is not None
        self.file_error.hide()
        self.overrides = overrides
        work = self._preview_work(self.path, overrides)
        self._set_busy(True)
        self.handle = run_with_progress(self.runner, self, self.tr("正在检查名单…"), work,
                                        on_success=self._on_preview_ready, on_error=self._on_preview_failed)

    def _on_preview_ready(self, preview: object) -> None:
        self._set_busy(False)
        self._choosing_sheet = False
        self.preview = preview
        self.mapping = preview.mapping
        self._show_sheets(preview.mapping)
        self._show_preview(preview)
        self._go(self.PREVIEW)

    def _show_sheets(self, mapping: ColumnMapping) -> None:
        several = len(mapping.sheets) > 1
        self.sheet_label.setVisible(several)
        self.sheet_combo.setVisible(several)
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(mapping.sheets)
        if mapping.sheet in mapping.sheets:
            self.sheet_combo.setCurrentIndex(mapping.sheets.index(mapping.sheet))
        self.sheet_combo.blockSignals(False)

    def _on_sheet_activated(self, index: int) -> None:
        name = self.sheet_combo.itemText(index)
        if self.busy or self.mapping is None or name == self.mapping.sheet:
            return
        self._sheet_before, self.sheet, self._choosing_sheet = self.sheet, name, True
        self._run_preview(None)  # another sheet has other headers: column choices start afresh

    def _on_preview_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if self._choosing_sheet and isinstance(exc, AppError) and self._mapping_needed(exc) is None:
            # The sheet the user picked holds no roster: keep the preview they had, say why.
            self._choosing_sheet = False
            self.sheet = self._sheet_before
            self._show_sheets(self.mapping)
            show_error(self, exc)
            return
        self._choosing_sheet = False
        mapping = self._mapping_needed(exc)
        if mapping is not None:
            self.mapping = mapping
            self._show_mapping(mapping, needed=True)
            self._go(self.MAPPING)
            return
        if isinstance(exc, Cancelled):
            self._show_file_error(self.tr("已取消检查，未做任何更改。"))
            self._go(self.FILE)
            return
        if isinstance(exc, AppError):
            self._show_file_error(exc.message)
            self._go(self.FILE)
            return
        self._go(self.FILE)
        show_error(self, exc)

    def _show_file_error(self, text: str) -> None:
        self.file_error.setText(text)
        self.file_error.show()

    # -- mapping ----------------------------------------------------------------------------------

    def _on_remap_clicked(self) -> None:
        if self.mapping is not None:
            self._show_mapping(self.mapping, needed=False)
            self._go(self.MAPPING)

    def _show_mapping(self, mapping: ColumnMapping, *, needed: bool) -> None:
        choices = self._field_choices()
        if needed and mapping.missing_required:
            missing = "、".join(choices.get(k, k) for k in mapping.missing_required)
            self.mapping_intro.setText(self.tr("没能自动找到这些必填列：%1。请在下面为文件的每一列选择对应的内容，"
                                               "不需要的列选“忽略此列”。").replace("%1", missing))
        else:
            self.mapping_intro.setText(self.tr("核对文件的每一列对应的内容；不需要的列选“忽略此列”。"))
        self.mapping_where.setText(self.tr("工作表：%1，表头在第 %2 行。带 * 的为必填。")
                                   .replace("%1", mapping.sheet).replace("%2", str(mapping.header_row)))
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._mapping_combos = []
        for column, title in enumerate((self.tr("列"), self.tr("文件中的列名"), self.tr("对应到"), self.tr("示例内容"))):
            label = QLabel(f"<b>{title}</b>", self.mapping_grid_host)
            self.mapping_grid.addWidget(label, 0, column)
        for i, header in enumerate(mapping.headers):
            letter = QLabel(column_letter(i), self.mapping_grid_host)
            name = QLabel(header or self.tr("（空表头）"), self.mapping_grid_host)
            combo = QComboBox(self.mapping_grid_host)
            combo.setObjectName(f"mapping_{i}")
            combo.addItem(self.tr("忽略此列"), "")
            required = self._required_fields()
            for key, label_text in choices.items():
                combo.addItem(f"{label_text} *" if key in required else label_text, key)
            combo.setCurrentIndex(max(combo.findData(mapping.fields.get(i, "")), 0))
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            self.mapping_grid.addWidget(letter, i + 1, 0)
            self.mapping_grid.addWidget(name, i + 1, 1)
            self.mapping_grid.addWidget(combo, i + 1, 2)
            sample = QLabel("、".join(mapping.samples.get(i, [])), self.mapping_grid_host)
            sample.setObjectName(f"sample_{i}")
            sample.setStyleSheet("color: #555;")
            sample.setToolTip(sample.text())
            self.mapping_grid.addWidget(sample, i + 1, 3)
            self._mapping_combos.append((header, combo))
        self.mapping_grid.setRowStretch(len(mapping.headers) + 1, 1)

    def _mapping_overrides(self) -> dict[str, str]:
        """Header text -> field key ("" = ignore) for every column, as the service's overrides."""
        return {header: str(combo.currentData() or "") for header, combo in self._mapping_combos if header}

    def _on_mapping_changed(self, *_args: object) -> None:
        chosen: dict[str, list[str]] = {}
        for header, combo in self._mapping_combos:
            key = str(combo.currentData() or "")
            if key:
                chosen.setdefault(key, []).append(header)
        problems = []
        choices = self._field_choices()
        missing = [choices.get(k, k) for k in self._missing_fields(set(chosen))]
        if missing:
            problems.append(self.tr("还需要指定：%1。").replace("%1", "、".join(missing)))
        for key, headers in chosen.items():
            if len(headers) > 1:
                problems.append(self.tr("“%1”对应了多列：%2，只能选一列。").replace("%1", choices.get(key, key))
                                .replace("%2", "、".join(headers)))
        self.mapping_error.setText("\n".join(problems))
        self.mapping_error.setVisible(bool(problems))
        if self.stack.currentIndex() == self.MAPPING:
            self.next_button.setEnabled(not problems)

    # -- commit -----------------------------------------------------------------------------------

    def _run_commit(self) -> None:
        assert self.preview is not None
        work = self._commit_work(self.preview)
        self._set_busy(True)
        self.handle = run_with_progress(self.runner, self, self.tr("正在导入名单…"), work,
                                        on_success=self._on_commit_done, on_error=self._on_commit_failed)

    def _on_commit_done(self, result: object) -> None:
        self._set_busy(False)
        self.result = result
        self._show_result(result)
        self._go(self.RESULT)
        self._announce(result)

    def _on_commit_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, Cancelled):
            show_info(self, self.tr("导入已取消"), self.tr("导入已取消，未写入任何数据。"))
            return
        show_error(self, exc)

    # -- rejected rows ----------------------------------------------------------------------------

    def _on_save_rejected_clicked(self) -> None:
        if not self._has_rejected():
            return
        source = self.preview.path
        default = source.with_name(self.tr("%1_错误行.xlsx").replace("%1", source.stem))
        chosen = ask_save_file(self, self.tr("保存错误行"), str(default), self.tr("Excel 工作簿 (*.xlsx)"))
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
        self._save_rejected(out)

    # -- busy state and closing -------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for button in (self.next_button, self.back_button, self.browse_button, self.save_rejected_button,
                       self.remap_button, self.result_save_button, self.cancel_button):
            button.setEnabled(not busy)
        if not busy:
            # Give each button back the state its page wants (Save errors only with errors, …).
            self.save_rejected_button.setEnabled(self._has_rejected())
            self._go(self.stack.currentIndex())

    @property
    def busy(self) -> bool:
        return self.handle is not None and not self.handle.done

    def reject(self) -> None:
        if self.busy:
            self.handle.cancel.cancel()  # the progress dialog reports the outcome
            return
        super().reject()


