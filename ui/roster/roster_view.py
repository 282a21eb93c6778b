"""The roster screen: find any candidate fast, open the editor, import, export.

Search filters as the user types (name or its pinyin, student number, ID number, class); the combos filter
by class, counsellor, category and status. Rows load once through the ``TaskRunner`` and are
filtered in memory by ``RosterModel``; the names' pinyin keys follow in a second task, so the
table shows before pypinyin has loaded. Import, new and edit appear only for roster editors.

Signals: ``roster_changed()`` after an import or an edit changed the data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor, allowed
from app.documents.printing import PrintingService
from app.domain.candidate import STATUS_LABELS
from app.review.service import WaiverService
from app.roster.candidates import CandidateService
from app.roster.search import Filters, pinyin_keys
from app.roster.service import RosterService
from app.settings.service import SettingsService
from app.station.capture import CaptureService
from ui.common.actions import search_field, toolbar_action
from ui.common.columns import Column, ColumnFitter, cell_padding, widths
from ui.common.errors import show_error, show_info
from ui.common.file_dialogs import ask_save_file, default_path
from ui.common.import_flow_dialog import IMPORT_SUFFIXES
from ui.common.tasks import TaskRunner, run_with_progress
from ui.review.waiver_dialog import WaiverDialog
from ui.roster.candidate_editor_dialog import CandidateEditorDialog
from ui.roster.import_wizard import ImportWizard
from ui.roster.roster_model import COLUMN_KEYS, UUID_ROLE, RosterModel
from ui.station.capture_gallery import CaptureGalleryDialog

# Column widths follow the content (ui.common.columns): these samples are the widest a column takes when a
# rare long value would crowd the others out (the full text is the cell's tooltip).
_MAX_SAMPLES = {
    "name": "阿卜杜热依木·买买提艾力", "class_name": "电子信息工程技术2023级1班", "counsellor": "欧阳某某某",
    "major": "计算机应用技术", "intended_major": "数据科学与大数据技术", "todo_text": "入伍/退役时间",
}
# The less important columns give way first when the table is narrow. A cut number is useless, and
# the few values of an enumeration (category, status …) are short enough to show whole, even the
# rare ones; a name may lose a rare long one to the tooltip, never the everyday ones.
_ELASTIC = frozenset({"phone", "counsellor", "intended_major", "major"})
_WHOLE = frozenset({"student_no", "gender", "id_number", "category", "status_label", "onsite", "todo_text"})
_KEEP = _WHOLE | {"name"}
_GROW = ("name", "class_name", "intended_major", "major", "counsellor", "phone")
FIT_SHOWN_ROWS = 2000  # up to this many rows shown, the columns fit them rather than the whole roster


class RosterView(QWidget):
    roster_changed = Signal()
    retake_requested = Signal(str, str, str)  # candidate UUID, capture kind, subkind (to the station)

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *, candidates: CandidateService,
                 capture: CaptureService, roster: RosterService, waivers: WaiverService, settings: SettingsService,
                 printing: PrintingService, printed_dir: Path) -> None:
        super().__init__(parent)
        self.setObjectName("rosterView")
        self.candidates, self.capture, self.roster = candidates, capture, roster
        # Passed on to the waiver dialog (its 附件1).
        self.waivers, self.settings, self.printing, self.printed_dir = waivers, settings, printing, printed_dir
        self.actor = actor
        self.runner = runner
        # What the toolbar offers follows app.auth, the table the services check: a counsellor
        # corrects candidates but neither imports, adds nor exports the roster.
        self.can_import = allowed(actor.role, "roster.import")
        self.can_add = allowed(actor.role, "candidate.add")
        self.can_export = allowed(actor.role, "roster.export_full")
        self.editor: CandidateEditorDialog | None = None
        self.wizard: ImportWizard | None = None
        self._loading = False
        self._reload_again = False
        self._pending_uuid = ""

        self.model = RosterModel(self)
        self._build()
        self.model.visible_count_changed.connect(self._on_model_visible_count_changed)
        self.setAcceptDrops(self.can_import)
        self.reload()

    # -- layout -----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        shortcut_scope = Qt.ShortcutContext.WidgetWithChildrenShortcut

        def action(text: str, tip: str, slot, shortcut: QKeySequence | None = None, visible: bool = True):
            return toolbar_action(self, self.toolbar, text, tip, slot, shortcut, visible, shortcut_scope)

        self.import_action = action(self.tr("导入名单"), self.tr("从 .xlsx 或 .csv 文件导入考生名单"),
                                    self._on_import_triggered, QKeySequence("Ctrl+I"), self.can_import)
        self.new_action = action(self.tr("新增考生"), self.tr("手工录入一名考生"), self._on_new_triggered,
                                 QKeySequence("Ctrl+N"), self.can_add)
        if self.can_import or self.can_add:
            self.toolbar.addSeparator()
        self.export_action = action(self.tr("导出名单"), self.tr("把全部考生导出为 .xlsx（含身份证号和联系电话）"),
                                    self._on_export_triggered, visible=self.can_export)
        self.template_action = action(self.tr("下载导入模板"), self.tr("保存一个空白的导入模板 .xlsx"),
                                      self._on_template_triggered, visible=self.can_import)
        if self.can_export or self.can_import:
            self.toolbar.addSeparator()
        self.refresh_action = action(self.tr("刷新"), self.tr("重新读取名单"), self.reload,
                                     QKeySequence(Qt.Key.Key_F5))
        for act in (self.import_action, self.new_action):
            button = self.toolbar.widgetForAction(act)
            if isinstance(button, QToolButton):
                button.setObjectName("primaryToolButton")

        self.search = search_field(self, "rosterSearch", self.tr("搜索 姓名或拼音 / 学号 / 身份证号 / 班级"),
                                   self._on_search_text_changed, self._on_search_return_pressed, shortcut_scope)
        self.search.setToolTip(self.tr("姓名可用拼音查找：全拼或首字母，如 zhangsan、zs、zsan 都能找到“张三”；"
                                       "身份证号可只输入其中几位，如末 4 位 (Ctrl+F)"))

        self.class_combo = self._filter_combo("classFilter")
        self.counsellor_combo = self._filter_combo("counsellorFilter")
        self.category_combo = self._filter_combo("categoryFilter")
        self.status_combo = self._filter_combo("statusFilter")
        self.onsite_combo = self._filter_combo("onsiteFilter")
        for label in (self.tr("未到"), self.tr("未完成"), self.tr("已完成")):
            self.onsite_combo.addItem(label, label)
        # 待补信息: veterans without service dates, award winners without the award (completed in the
        # editor or at the table, required before sign-off).
        self.todo_check = QCheckBox(self.tr("只看待补信息"), self)
        self.todo_check.setObjectName("todoFilter")
        self.todo_check.setToolTip(self.tr("只显示还缺少考生类别所需信息（如退役士兵的入伍、退役时间）的考生"))
        self.todo_check.toggled.connect(self._on_filter_changed)
        # One person (ID number) on another college's roster as well: shown only when there is one.
        self.conflict_check = QCheckBox(self.tr("只看跨学院重复"), self)
        self.conflict_check.setObjectName("personConflictFilter")
        self.conflict_check.setToolTip(self.tr("只显示身份证号也在其他学院名单上的考生（同一人，需核实）"))
        self.conflict_check.toggled.connect(self._on_filter_changed)
        self.conflict_check.hide()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("rosterCount")

        # The search box beside the actions, the filters on a row of their own: a long class name
        # chosen in the class filter is shown whole, not squeezed between the search and the count.
        top = QHBoxLayout()
        top.addWidget(self.toolbar)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        filters = QHBoxLayout()
        for text, combo in ((self.tr("班级"), self.class_combo), (self.tr("辅导员"), self.counsellor_combo),
                            (self.tr("考生类别"), self.category_combo), (self.tr("状态"), self.status_combo),
                            (self.tr("现场确认"), self.onsite_combo)):
            label = QLabel(text, self)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)
        filters.addWidget(self.todo_check)
        filters.addWidget(self.conflict_check)
        filters.addStretch(1)

        self.table = QTableView(self)
        self.table.setObjectName("rosterTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        # Start in the service's order (class, student number) until the user clicks a header.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vheader = self.table.verticalHeader()
        vheader.setVisible(False)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.columns = ColumnFitter(self.table, grow=[COLUMN_KEYS.index(k) for k in _GROW])
        # The sorted column's title needs room for its arrow: the widths follow the sort.
        header.sortIndicatorChanged.connect(lambda *_a: self._refit_titles())
        self._all_columns: tuple[object, list[Column]] | None = None  # (the rows, their columns)
        self._fit_columns()
        # After a search or filter, the columns fit what is shown (a class of long names shows
        # them whole), once the typing pauses.
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(150)
        self._fit_timer.timeout.connect(self._fit_columns)
        self.table.activated.connect(self._on_table_activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)

        self.notice = QLabel(self)
        self.notice.setObjectName("rosterNotice")
        self.notice.setStyleSheet("color: #26a269;")
        self.notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(6000)
        self._notice_timer.timeout.connect(self.notice.hide)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("rosterEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)

        self.setTabOrder(self.search, self.class_combo)
        self.setTabOrder(self.class_combo, self.counsellor_combo)
        self.setTabOrder(self.counsellor_combo, self.category_combo)
        self.setTabOrder(self.category_combo, self.status_combo)
        self.setTabOrder(self.status_combo, self.onsite_combo)
        self.setTabOrder(self.onsite_combo, self.todo_check)
        self.setTabOrder(self.todo_check, self.table)
        self.setFocusProxy(self.search)

    def _filter_combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(4)
        combo.addItem(self.tr("全部"), "")
        combo.currentIndexChanged.connect(self._on_filter_changed)
        combo.currentIndexChanged.connect(lambda _i, c=combo: _show_whole_choice(c))
        _show_whole_choice(combo)
        return combo

    # -- loading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the roster and the filter choices again (F5, and after imports and edits)."""
        if self._loading:
            self._reload_again = True  # the running load may predate the change that asked for this one
            return
        if not self._pending_uuid:
            self._pending_uuid = self.selected_uuid()
        self._loading = True
        self._reload_again = False
        self.count_label.setText(self.tr("正在读取名单…"))
        candidates = self.candidates

        capture = self.capture

        def load(progress, cancel):
            return candidates.rows(capture.onsite()), candidates.choices()

        self.runner.run(load, on_success=self._on_rows_loaded, on_error=self._on_load_failed)

    def _on_rows_loaded(self, result: object) -> None:
        self._loading = False
        rows, choices = result  # type: ignore[misc]
        self._fill_combo(self.class_combo, [(v, v) for v in choices.get("class_name", [])])
        self._fill_combo(self.counsellor_combo, [(v, v) for v in choices.get("counsellor", [])])
        self._fill_combo(self.category_combo, [(v, v) for v in choices.get("category", [])])
        self._fill_combo(self.status_combo,
                         [(STATUS_LABELS.get(v, v), v) for v in choices.get("status", [])])
        self.conflict_check.setVisible(any(r.person_conflict for r in rows) or self.conflict_check.isChecked())
        self.model.set_rows(rows)
        self.model.set_filters(self._current_filters())
        self._fit_columns()
        # The pinyin keys next, on the runner: the first time in a process pypinyin loads its
        # dictionary (a third of a second or more), and the table should not wait for that.
        self.runner.run(lambda progress, cancel: pinyin_keys(rows),
                        on_success=lambda keys: self.model.set_pinyin_keys(rows, keys))  # type: ignore[arg-type]
        self._on_model_visible_count_changed(self.model.visible_count, self.model.total_count)
        if self._pending_uuid:
            self.select_candidate(self._pending_uuid)
            self._pending_uuid = ""
        if self._reload_again:
            self.reload()

    def _fit_columns(self) -> None:
        """Every column as wide as its widest text (within its maximum), all within the view: the
        texts shown, or all of them when most are shown (measuring 20,000 rows takes a while)."""
        shown = 0 < self.model.visible_count <= FIT_SHOWN_ROWS
        if not shown and self._all_columns is not None and self._all_columns[0] is self.model.rows:
            self.columns.refit(self._all_columns[1])
            return
        metrics = self.table.fontMetrics()
        pad = cell_padding(self.table)
        columns = []
        for column, key in enumerate(COLUMN_KEYS):
            title = self.columns.title_width(column)
            texts = self.model.column_texts(column, visible_only=shown)
            widest, typical = widths(texts, metrics.horizontalAdvance)
            maximum = metrics.horizontalAdvance(_MAX_SAMPLES[key]) + pad if key in _MAX_SAMPLES else 0
            columns.append(Column(max(widest + pad, title), title, maximum, key in _ELASTIC, key in _KEEP,
                                  (widest if key in _WHOLE else typical) + pad))
        if not shown:
            self._all_columns = (self.model.rows, columns)
        self.columns.refit(columns)

    def _refit_titles(self) -> None:
        for column, spec in enumerate(self.columns.columns):
            title = self.columns.title_width(column)
            spec.natural, spec.minimum = max(spec.natural, title), title
        self.columns.refit()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._reload_again = False
        self.count_label.setText(self.tr("名单读取失败"))
        show_error(self, exc)

    def _fill_combo(self, combo: QComboBox, items: list[tuple[str, str]]) -> None:
        """Refill the choices, keeping the chosen value when it still exists."""
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("全部"), "")
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(keep)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        _show_whole_choice(combo)

    # -- filtering --------------------------------------------------------------------------------

    def _current_filters(self) -> Filters:
        return Filters(text=self.search.text(), class_name=self.class_combo.currentData() or "",
                       counsellor=self.counsellor_combo.currentData() or "",
                       category=self.category_combo.currentData() or "",
                       status=self.status_combo.currentData() or "", todo_only=self.todo_check.isChecked(),
                       onsite=self.onsite_combo.currentData() or "",
                       person_conflict_only=self.conflict_check.isChecked())

    def _on_search_text_changed(self, _text: str) -> None:
        self.model.set_filters(self._current_filters())

    def _on_filter_changed(self, _index: int) -> None:
        self.model.set_filters(self._current_filters())

    def _on_search_return_pressed(self) -> None:
        # One hit: Enter opens it. Several: Enter goes to the first, so a second Enter opens it.
        if self.model.visible_count == 1:
            self.open_editor(self.model.row_at(0).uuid)
            return
        if self.model.visible_count:
            self.table.setFocus()
            self.table.selectRow(0)

    def _on_model_visible_count_changed(self, visible: int, total: int) -> None:
        self._fit_timer.start()
        self.count_label.setText(self.tr("显示 %1 / 共 %2 人").replace("%1", str(visible))
                                 .replace("%2", str(total)))
        if total == 0:
            if self.can_import:
                self.empty_label.setText(self.tr("名单还是空的。点“导入名单”（Ctrl+I）导入学生处导出的表格，"
                                                 "或把 .xlsx / .csv 文件拖到这里。"))
            else:
                self.empty_label.setText(self.tr("名单还是空的，请等待经办人导入名单。"))
            self.empty_label.show()
        elif visible == 0:
            active = self._active_filter_names()
            if active:
                self.empty_label.setText(self.tr("没有符合条件的考生。当前还按 %1 筛选，可能筛掉了要找的人："
                                                 "把筛选改回“全部”再试（按 Esc 清空搜索框）。")
                                         .replace("%1", "、".join(active)))
            else:
                self.empty_label.setText(self.tr("没有符合条件的考生。可以输入姓名、拼音首字母、学号、身份证号后几位或班级。"))
            self.empty_label.show()
        else:
            self.empty_label.hide()

    def _active_filter_names(self) -> list[str]:
        """The filters other than the search box that are not 全部 (“班级“计算机2301””)."""
        names = []
        for label, combo in ((self.tr("班级"), self.class_combo), (self.tr("辅导员"), self.counsellor_combo),
                             (self.tr("考生类别"), self.category_combo), (self.tr("状态"), self.status_combo),
                             (self.tr("现场确认"), self.onsite_combo)):
            if combo.currentData():
                names.append(f"{label}“{combo.currentText()}”")
        if self.todo_check.isChecked():
            names.append(self.tr("只看待补信息"))
        if self.conflict_check.isChecked():
            names.append(self.tr("只看跨学院重复"))
        return names

    # -- candidates -------------------------------------------------------------------------------

    def selected_uuid(self) -> str:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_at(rows[0].row()).uuid if rows else ""

    def select_candidate(self, uuid: str) -> None:
        row = self.model.row_of_uuid(uuid)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_editor(str(self.model.data(index, UUID_ROLE)))

    def context_menu_for(self, row: int) -> QMenu:
        """The right-click menu of one roster row (built separately so tests can read it)."""
        candidate = self.model.row_at(row)
        menu = QMenu(self)
        menu.addAction(self.tr("查看 / 修改…"), lambda: self.open_editor(candidate.uuid))
        menu.addAction(self.tr("查看采集材料…"), lambda: self.open_gallery(candidate.uuid))
        if allowed(self.actor.role, "waiver.record"):
            if candidate.status == "waived":
                menu.addAction(self.tr("撤回放弃报名…"), lambda: self.open_waiver(candidate.uuid, "revoke"))
            else:
                menu.addAction(self.tr("登记放弃报名…"), lambda: self.open_waiver(candidate.uuid, "add"))
        return menu

    def _on_table_context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
            self.context_menu_for(index.row()).exec(self.table.viewport().mapToGlobal(pos))

    @property
    def can_retake(self) -> bool:
        """Whether this user may go to the station to take a capture again."""
        return allowed(self.actor.role, "capture.take")

    def open_gallery(self, uuid: str) -> CaptureGalleryDialog:
        row = self.model.row_of_uuid(uuid)
        name = self.model.row_at(row).name if row >= 0 else ""
        dialog = CaptureGalleryDialog(self.capture, uuid, name, self.runner, can_retake=self.can_retake, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.gallery.retake_requested.connect(self.retake_requested)
        self.gallery_dialog = dialog
        dialog.open()
        return dialog

    def open_waiver(self, uuid: str, mode: str) -> WaiverDialog:
        row = self.model.row_of_uuid(uuid)
        name = self.model.row_at(row).name if row >= 0 else ""
        dialog = WaiverDialog(self.actor, uuid, name, mode, self, waivers=self.waivers, settings=self.settings,
                              printing=self.printing, printed_dir=self.printed_dir)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.waiver_changed.connect(self._on_editor_candidate_saved)
        dialog.open()
        return dialog

    def open_editor(self, uuid: str | None) -> CandidateEditorDialog | None:
        if self.editor is not None and self.editor.isVisible():
            self.editor.raise_()
            self.editor.activateWindow()
            return self.editor
        try:
            editor = CandidateEditorDialog(self.actor, uuid, self.runner, self, candidates=self.candidates,
                                           capture=self.capture, can_retake=self.can_retake)
        except Exception as exc:  # the candidate may have vanished since the last refresh
            show_error(self, exc)
            return None
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.candidate_saved.connect(self._on_editor_candidate_saved)
        editor.retake_requested.connect(self.retake_requested)
        editor.destroyed.connect(self._on_editor_destroyed)
        self.editor = editor
        editor.open()
        return editor

    def _on_editor_destroyed(self) -> None:
        self.editor = None

    def _on_new_triggered(self) -> None:
        if self.can_add:
            self.open_editor(None)

    def _on_editor_candidate_saved(self, uuid: str) -> None:
        self._pending_uuid = uuid
        editor = self.sender()
        # The waiver dialog reports here too; only the editor has a candidate's details to name.
        detail = editor.detail if isinstance(editor, CandidateEditorDialog) else None
        if detail is not None:
            self.say(self.tr("✓ 已保存 %1（%2）的信息。").replace("%1", detail.data.name)
                     .replace("%2", detail.data.student_no or detail.data.id_number))
        self.reload()
        self.roster_changed.emit()

    def say(self, text: str) -> None:
        """A short confirmation under the filters (saved, imported …), gone after a few seconds."""
        self.notice.setText(text)
        self.notice.show()
        self._notice_timer.start()

    # -- import / export --------------------------------------------------------------------------

    def _on_import_triggered(self) -> None:
        self.open_import()

    def open_import(self, path: Path | None = None) -> ImportWizard | None:
        if not self.can_import:
            return None
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            if path is not None and not self.wizard.busy:
                self.wizard.choose_file(path)
            return self.wizard
        wizard = ImportWizard(self.actor, self.runner, self, roster=self.roster)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.roster_imported.connect(self._on_wizard_roster_imported)
        wizard.destroyed.connect(self._on_wizard_destroyed)
        self.wizard = wizard
        wizard.open()
        if path is not None:
            wizard.choose_file(path)
        return wizard

    def _on_wizard_destroyed(self) -> None:
        self.wizard = None

    def _on_wizard_roster_imported(self, _result: object) -> None:
        self.reload()
        self.roster_changed.emit()

    def _on_export_triggered(self) -> None:
        name = self.tr("考生名单_%1.xlsx").replace("%1", dt.date.today().strftime("%Y%m%d"))
        out = ask_save_file(self, self.tr("导出名单"), default_path(name),
                                 self.tr("Excel 工作簿 (*.xlsx)"))
        if not out:
            return
        path = _with_suffix(out)
        roster, actor = self.roster, self.actor

        def work(progress, cancel):
            return roster.export(actor, path, progress=progress, cancel=cancel)

        def done(count: object) -> None:
            show_info(self, self.tr("导出名单"), self.tr("已导出 %1 名考生到：\n%2")
                      .replace("%1", str(count)).replace("%2", str(path)))

        run_with_progress(self.runner, self, self.tr("正在导出名单…"), work, on_success=done,
                          on_error=lambda exc: show_error(self, exc))

    def _on_template_triggered(self) -> None:
        out = ask_save_file(self, self.tr("下载导入模板"),
                                 default_path(self.tr("考生名单导入模板.xlsx")),
                                 self.tr("Excel 工作簿 (*.xlsx)"))
        if not out:
            return
        path = _with_suffix(out)
        roster = self.roster

        def work(progress, cancel):
            return roster.write_template(path)

        def done(written: object) -> None:
            show_info(self, self.tr("下载导入模板"), self.tr("导入模板已保存到：\n%1").replace("%1", str(written)))

        run_with_progress(self.runner, self, self.tr("正在保存导入模板…"), work, on_success=done,
                          on_error=lambda exc: show_error(self, exc))

    # -- drag and drop ----------------------------------------------------------------------------

    @staticmethod
    def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        # .xls is among them: a legacy one gets told how to convert it.
        return path if path.suffix.lower() in IMPORT_SUFFIXES else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.can_import and self._dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if self.can_import and path is not None:
            event.acceptProposedAction()
            self.open_import(path)
        else:
            event.ignore()


def _show_whole_choice(combo: QComboBox) -> None:
    """The chosen entry is never cut (“电子信息工程技术202…”): the combo is at least as wide as it,
    and its tooltip says it in full. The list that drops down is as wide as its longest entry."""
    text = combo.currentText()
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    size = QSize(combo.fontMetrics().horizontalAdvance(text) + 4, combo.fontMetrics().height())
    combo.setMinimumWidth(combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, size, combo).width())
    combo.setToolTip(text)


def _with_suffix(out: str) -> Path:
    path = Path(out)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")
