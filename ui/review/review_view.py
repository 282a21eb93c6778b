"""The eligibility review screen (资格审查): reference lists, the comparison, the offices' decisions, waivers.

Left, the candidates with findings first (filter by finding, status, text); right, the selected
candidate: the roster data and the reference lists' rows side by side with differences in red,
the findings, the three offices' decisions, a form to record a decision (Ctrl+Enter) and the
waiver. The toolbar imports the three lists (``ui.review.reference_import_dialog``), runs the comparison on the
``TaskRunner`` (its result says the graduation year it used and which decisions it re-opened; 上次比对
shows the last one again) and approves every candidate without findings after a confirmation. A
decision that no longer stands (a pass before a new finding, a fail whose finding is gone) is
marked in the list and the detail: the candidate needs to be reviewed again. Every change
goes through ``ReviewService`` / ``WaiverService`` / ``SettingsService``, which check the role and
audit; the buttons a role may not use are not shown.

Signals: ``review_changed()`` after anything here changed a candidate, a list or a setting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor, allowed, decidable_offices, refusal
from app.documents.printing import PrintingService
from app.domain import review as rules
from app.domain.candidate import STATUS_LABELS
from app.errors import AppError, ValidationError
from app.review.reference import KINDS, LABELS, ReferenceService, SourceRow
from app.review.service import ApproveResult, ReviewRow, ReviewService, RunResult, WaiverService
from app.settings.service import SettingsService
from ui.common.actions import search_field, toolbar_action
from ui.common.columns import Column, ColumnFitter, cell_padding, fit, widths
from ui.common.date_field import DateField
from ui.common.errors import InlineError, show_error, show_info
from ui.common.flow_layout import FlowLayout
from ui.common.formatting import local_time
from ui.common.tasks import TaskRunner, run_with_progress
from ui.review.approve_dialog import ApproveDialog
from ui.review.reference_import_dialog import ReferenceImportDialog, kind_label
from ui.review.review_model import (
    ANY_FINDING,
    NEEDS_REVIEW,
    NEEDS_REVIEW_COLOUR,
    NO_FINDING,
    REVIEW_STATUSES,
    ReviewModel,
)
from ui.review.run_result_dialog import RunResultDialog
from ui.review.waiver_dialog import WaiverDialog

DIFF_BG = QColor("#fde2e1")
DIFF_FG = QColor("#b71c1c")
# Which compared field each finding marks, in the roster column and in its source row's column.
_FINDING_FIELDS: dict[str, tuple[str, ...]] = {
    "name_mismatch": ("name",), "id_mismatch": ("id_number",), "student_no_mismatch": ("student_no",),
    "major_mismatch": ("major",),
    "status_not_enrolled": ("status",), "not_graduating": ("graduation",), "failed_courses": ("failed_courses",),
    "discipline": ("action", "offence", "lifted"), "major_not_allowed": ("intended_major", "allowed"),
    "missing_intended_major": ("intended_major",),
}
_OFFICE_KIND = {"academic": "academic", "conduct": "conduct", "college": "majors"}
_UNBREAKABLE = re.compile(r"[0-9A-Za-z_.:/\\-]+")  # runs a line is never broken inside
# Rows of the side-by-side table: roster fields first, then what the lists add.
_COMPARE_ROWS = ("student_no", "name", "id_number", "class_name", "major", "intended_major", "status",
                 "graduation", "failed_courses", "action", "offence", "date", "lifted", "allowed")


def _room(table: QTableWidget) -> int:
    """The width the columns of ``table`` have: its own less the frame and the row titles. Not the
    viewport's, which lags behind while the row titles are being measured."""
    vertical = table.verticalHeader()
    titles = 0 if vertical.isHidden() else vertical.sizeHint().width()
    return table.width() - 2 * table.frameWidth() - titles


class ReviewView(QWidget):
    review_changed = Signal()

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *, review: ReviewService,
                 reference: ReferenceService, waivers: WaiverService, settings: SettingsService,
                 printing: PrintingService, printed_dir: Path) -> None:
        super().__init__(parent)
        self.setObjectName("reviewView")
        self.review, self.reference, self.waivers, self.settings = review, reference, waivers, settings
        self.printing, self.printed_dir = printing, printed_dir  # for the waiver dialog's 附件1
        self.actor = actor
        self.runner = runner
        # What the buttons show follows app.auth, the table the services check.
        self.can_run = allowed(actor.role, "review.run")
        self.offices = decidable_offices(actor)  # a reviewer: their own office only
        self.can_review = bool(self.offices)  # may record a decision (for self.offices)
        self.can_waive = allowed(actor.role, "waiver.record")
        self.can_import = allowed(actor.role, "reference.import")
        self.can_settings = allowed(actor.role, "settings.edit")
        # Seam for the file dialog of the list imports, so tests can answer it.
        self.import_dialog: ReferenceImportDialog | None = None
        self.dialog: QDialog | None = None  # the open approve / run result / waiver dialog
        self.active_lists: dict = {}
        self.settings_values: dict = {}
        self._loading = False
        self._reload_again = False
        self._pending_uuid = ""
        self._shown: ReviewRow | None = None
        # Bumped for every candidate shown: the list rows read for an earlier one are dropped.
        self._compare_generation = 0
        self._refresh_generation: dict[str, int] = {}  # per candidate: a newer re-read wins
        self.model = ReviewModel(self)
        self._build()
        self.reload()

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        scope = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        self.import_menu = QMenu(self)
        self.import_actions: dict[str, QAction] = {}
        for kind in KINDS:
            act = self.import_menu.addAction(kind_label(kind) + "…")
            act.triggered.connect(lambda _c=False, k=kind: self.open_import(k))
            self.import_actions[kind] = act
        self.import_button = QToolButton(self)
        self.import_button.setObjectName("importListsButton")
        self.import_button.setText(self.tr("导入名单…"))
        self.import_button.setToolTip(self.tr("导入教务处学籍名单、学生处处分名单或专业对照表 (Ctrl+I)"))
        self.import_button.setMenu(self.import_menu)
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        import_shortcut = QAction(self)
        import_shortcut.setShortcut(QKeySequence("Ctrl+I"))
        import_shortcut.setShortcutContext(scope)
        import_shortcut.triggered.connect(self.import_button.showMenu)
        if self.can_import:
            self.toolbar.addWidget(self.import_button)
            self.addAction(import_shortcut)
        else:
            self.import_button.hide()  # a child of the view, shown otherwise at its top left

        def action(text: str, tip: str, slot, shortcut: QKeySequence | None = None, visible: bool = True):
            return toolbar_action(self, self.toolbar, text, tip, slot, shortcut, visible, scope)

        self.run_action = action(self.tr("运行比对"), self.tr("用当前名单比对全部考生，重新生成比对问题（保留审核意见）"),
                                 self._on_run_triggered, QKeySequence("Ctrl+R"), self.can_run)
        self.last_run_action = action(self.tr("上次比对结果"), self.tr("再次查看上次比对的结果和变化"),
                                      self._on_last_run_triggered, None, True)
        self.approve_action = action(self.tr("一键通过无问题考生"), self.tr("为所有没有比对问题的考生记录审核通过"),
                                     self._on_approve_triggered, None, self.can_review)
        self.toolbar.addSeparator()
        self.refresh_action = action(self.tr("刷新"), self.tr("重新读取审查情况"), self.reload,
                                     QKeySequence(Qt.Key.Key_F5), True)

        # Which list of each kind is in use, and the settings the review depends on: one row that
        # wraps onto a second on a narrow window (file names vary), never cut and never wider
        # than the window.
        self.list_labels: dict[str, QLabel] = {}
        self.lists_bar = QWidget(self)
        self.lists_bar.setObjectName("listsBar")
        lists_box = FlowLayout(self.lists_bar)
        for kind in KINDS:
            label = QLabel(self.lists_bar)
            label.setObjectName(f"list_{kind}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.list_labels[kind] = label
            lists_box.addWidget(label)

        settings = QWidget(self.lists_bar)
        settings.setObjectName("settingsBox")
        self.year_edit = QLineEdit(settings)
        self.year_edit.setObjectName("settingYear")
        self.year_edit.setMaxLength(6)
        self.year_edit.setFixedWidth(self.fontMetrics().horizontalAdvance("20270") + 24)
        self.deadline_edit = DateField(settings, name="settingDeadline")
        self.save_settings_button = QPushButton(self.tr("保存设置"), settings)
        self.save_settings_button.setObjectName("saveSettingsButton")
        self.save_settings_button.clicked.connect(self._on_save_settings_clicked)
        self.deadline_edit.edit.returnPressed.connect(self._on_save_settings_clicked)
        self.year_edit.returnPressed.connect(self._on_save_settings_clicked)
        for edit in (self.year_edit, self.deadline_edit.edit):
            edit.setReadOnly(not self.can_settings)
        self.deadline_edit.button.setEnabled(self.can_settings)
        self.save_settings_button.setVisible(self.can_settings)
        year_label = QLabel(self.tr("毕业年份"), settings)
        year_label.setBuddy(self.year_edit)
        deadline_label = QLabel(self.tr("撤回放弃截止"), settings)
        deadline_label.setBuddy(self.deadline_edit)
        settings_box = QHBoxLayout(settings)
        settings_box.setContentsMargins(0, 0, 0, 0)
        settings_box.addWidget(year_label)
        settings_box.addWidget(self.year_edit)
        settings_box.addWidget(deadline_label)
        settings_box.addWidget(self.deadline_edit)
        settings_box.addWidget(self.save_settings_button)
        lists_box.addWidget(settings)
        self.settings_error = InlineError(self.lists_bar)
        self.settings_error.setObjectName("settingsError")
        lists_box.addWidget(self.settings_error)

        self.search = search_field(self, "reviewSearch", self.tr("搜索 姓名 / 学号 / 身份证号 / 班级 (Ctrl+F)"),
                                   self._on_filter_changed, self._on_search_return_pressed, scope)
        self.finding_combo = QComboBox(self)
        self.finding_combo.setObjectName("findingFilter")
        self.finding_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.finding_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.addItem(self.tr("全部"), "")
        for status in REVIEW_STATUSES:
            self.status_combo.addItem(STATUS_LABELS[status], status)
        self.status_combo.addItem(self.tr("需重新审核"), NEEDS_REVIEW)
        self.status_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("reviewCount")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for text, combo in ((self.tr("问题"), self.finding_combo), (self.tr("状态"), self.status_combo)):
            label = QLabel(text, self)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo, 1)
        filters.addWidget(self.count_label)

        # After a list is imported the findings are still the old lists' until the comparison runs
        # again: say so, with the button that runs it.
        self.stale_banner = QFrame(self)
        self.stale_banner.setObjectName("staleBanner")
        self.stale_banner.setStyleSheet(f"QFrame#staleBanner {{ background: #fff3e0; border-left: 4px solid "
                                        f"{NEEDS_REVIEW_COLOUR}; }}")
        self.stale_label = QLabel(self.stale_banner)
        self.stale_label.setObjectName("staleText")
        self.stale_label.setWordWrap(True)
        self.stale_label.setStyleSheet(f"color: {NEEDS_REVIEW_COLOUR};")
        self.stale_run_button = QPushButton(self.tr("重新比对"), self.stale_banner)
        self.stale_run_button.setObjectName("staleRunButton")
        self.stale_run_button.clicked.connect(self._on_run_triggered)
        banner = QHBoxLayout(self.stale_banner)
        banner.setContentsMargins(10, 4, 6, 4)
        banner.addWidget(self.stale_label, 1)
        banner.addWidget(self.stale_run_button)
        self.stale_banner.hide()

        self.table = QTableView(self)
        self.table.setObjectName("reviewTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vheader = self.table.verticalHeader()
        vheader.setVisible(False)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        # Columns as wide as their content (ui.common.columns); a rare long name or class gives way first,
        # then the class; the findings keep room for a few labels: they are what the desk reads
        # first. Cut text is in the cell's tooltip.
        self.columns = ColumnFitter(self.table, grow=[1, 4, 2])  # names, then findings, then classes
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.activated.connect(self._on_table_activated)

        detail = self._build_detail()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("reviewSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([440, 560])  # scaled to the window when shown
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.lists_bar)
        layout.addWidget(self.stale_banner)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

        record = QAction(self)
        record.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        record.setShortcutContext(scope)
        record.triggered.connect(self._on_record_clicked)
        if self.can_review:
            self.addAction(record)
        self.setTabOrder(self.search, self.finding_combo)
        self.setTabOrder(self.finding_combo, self.status_combo)
        self.setTabOrder(self.status_combo, self.table)
        self.setTabOrder(self.table, self.office_combo)
        self.setTabOrder(self.office_combo, self.pass_radio)
        self.setTabOrder(self.pass_radio, self.fail_radio)
        self.setTabOrder(self.fail_radio, self.opinion_edit)
        self.setTabOrder(self.opinion_edit, self.record_button)
        self.setFocusProxy(self.table)

    def _build_detail(self) -> QWidget:
        host = QWidget(self)
        host.setObjectName("reviewDetail")
        self.detail_title = QLabel(host)
        self.detail_title.setObjectName("detailTitle")
        font = QFont(self.detail_title.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.detail_title.setFont(font)
        self.detail_title.setWordWrap(True)
        self.waiver_label = QLabel(host)
        self.waiver_label.setObjectName("waiverBanner")
        self.waiver_label.setWordWrap(True)
        self.waiver_label.setStyleSheet("background: #eeeeee; color: #3d3846; padding: 4px 8px;"
                                        "border-left: 4px solid #7a7a7a;")
        self.waiver_label.hide()
        self.standing_label = QLabel(host)
        self.standing_label.setObjectName("standingBanner")
        self.standing_label.setWordWrap(True)
        self.standing_label.setStyleSheet(f"background: #fff3e0; color: {NEEDS_REVIEW_COLOUR}; padding: 4px 8px;"
                                          f"border-left: 4px solid {NEEDS_REVIEW_COLOUR};")
        self.standing_label.hide()

        self.compare_table = QTableWidget(0, 1, host)
        self.compare_table.setObjectName("compareTable")
        self.compare_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.compare_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.compare_table.setWordWrap(True)
        self.compare_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.compare_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.compare_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.compare_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._compare_width = 0
        self.compare_table.installEventFilter(self)

        self.findings_list = QListWidget(host)
        self.findings_list.setObjectName("findingsList")
        self.findings_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.findings_list.setWordWrap(True)
        self._findings_width = 0
        self.findings_list.viewport().installEventFilter(self)

        self.decisions_table = QTableWidget(len(rules.OFFICES), 5, host)
        self.decisions_table.setObjectName("decisionsTable")
        self.decisions_table.setHorizontalHeaderLabels([self.tr("部门"), self.tr("结果"), self.tr("审核人"),
                                                        self.tr("时间"), self.tr("意见")])
        self.decisions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.decisions_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.decisions_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.decisions_table.verticalHeader().setVisible(False)
        self.decisions_table.horizontalHeader().setStretchLastSection(True)
        row_h = self.fontMetrics().height() + 8
        self.decisions_table.verticalHeader().setDefaultSectionSize(row_h)
        self.decisions_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._decisions_width = 0
        self.decisions_table.installEventFilter(self)

        # Recording a decision.
        self.office_combo = QComboBox(host)
        self.office_combo.setObjectName("officeCombo")
        for key, label in rules.OFFICES.items():
            if key in self.offices:
                self.office_combo.addItem(label, key)
        self.pass_radio = QRadioButton(self.tr("通过(&P)"), host)
        self.pass_radio.setObjectName("passRadio")
        self.fail_radio = QRadioButton(self.tr("不通过(&N)"), host)
        self.fail_radio.setObjectName("failRadio")
        # Neither is chosen until the reviewer chooses, for every student: a default 通过 (or the
        # previous student's 不通过) would be recorded by a reviewer in a hurry without a decision.
        self.decision_group = QButtonGroup(host)
        self.decision_group.addButton(self.pass_radio)
        self.decision_group.addButton(self.fail_radio)
        self.decision_group.buttonToggled.connect(self._on_decision_changed)
        self.opinion_edit = QLineEdit(host)
        self.opinion_edit.setObjectName("opinionEdit")
        self.opinion_edit.setPlaceholderText(self.tr("审核意见（不通过时必填）"))
        self.opinion_edit.returnPressed.connect(self._on_record_clicked)
        self.opinion_edit.textChanged.connect(self._on_decision_changed)
        self.opinion_error = InlineError(host)
        self.opinion_error.setObjectName("opinionError")
        self.record_button = QPushButton(self.tr("记录意见 (Ctrl+Enter)"), host)
        self.record_button.setObjectName("recordButton")
        self.record_button.clicked.connect(self._on_record_clicked)
        self.decide_hint = QLabel(host)
        self.decide_hint.setObjectName("decideHint")
        self.decide_hint.setStyleSheet("color: #77767b;")
        # The button beside the opinion, not after the choices: the form fits a narrow pane (1024 wide).
        form = QGridLayout()
        form.addWidget(QLabel(self.tr("部门"), host), 0, 0)
        form.addWidget(self.office_combo, 0, 1)
        form.addWidget(self.pass_radio, 0, 2)
        form.addWidget(self.fail_radio, 0, 3)
        form.setColumnStretch(4, 1)
        opinion_label = QLabel(self.tr("意见(&O)"), host)
        opinion_label.setBuddy(self.opinion_edit)
        form.addWidget(opinion_label, 1, 0)
        opinion_row = QHBoxLayout()
        opinion_row.addWidget(self.opinion_edit, 1)
        opinion_row.addWidget(self.record_button)
        form.addLayout(opinion_row, 1, 1, 1, 4)
        form.addWidget(self.decide_hint, 2, 1, 1, 4)  # why the button waits, on its own line: never cut
        form.addWidget(self.opinion_error, 3, 1, 1, 4)
        self.decide_box = QGroupBox(self.tr("记录审核意见"), host)
        self.decide_box.setLayout(form)
        self.decide_box.setVisible(self.can_review)
        # A reviewer whose account has no office yet is told why there is nothing to record.
        self.no_office_note = QLabel(host)
        self.no_office_note.setObjectName("noOfficeNote")
        self.no_office_note.setWordWrap(True)
        self.no_office_note.setStyleSheet("color: #a05a00;")
        actor = self.actor
        no_office = (refusal(actor, "review.decide", office="academic")
                     if allowed(actor.role, "review.decide") and not self.can_review else None)
        self.no_office_note.setText(no_office or "")
        self.no_office_note.setVisible(bool(no_office))

        self.waive_button = QPushButton(self.tr("登记放弃…"), host)
        self.waive_button.setObjectName("waiveButton")
        self.waive_button.clicked.connect(self._on_waive_clicked)
        self.revoke_button = QPushButton(self.tr("撤回放弃…"), host)
        self.revoke_button.setObjectName("revokeWaiverButton")
        self.revoke_button.clicked.connect(self._on_revoke_clicked)
        self.signed_check = QCheckBox(self.tr("附件1 已签字交回"), host)
        self.signed_check.setObjectName("signedCheck")
        self.signed_check.toggled.connect(self._on_signed_check_toggled)
        self.waiver_row = QWidget(host)
        waiver_row = FlowLayout(self.waiver_row)  # wraps in a narrow pane
        waiver_row.addWidget(QLabel(self.tr("放弃报名："), host))
        waiver_row.addWidget(self.waive_button)
        waiver_row.addWidget(self.revoke_button)
        waiver_row.addWidget(self.signed_check)
        self.waiver_row.setVisible(self.can_waive)

        self.detail_empty = QLabel(self.tr("在左侧选择一名考生查看比对详情。"), host)
        self.detail_empty.setObjectName("detailEmpty")
        self.detail_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_empty.setWordWrap(True)

        inner = QWidget(host)
        self.detail_body = inner
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.addWidget(self.detail_title)
        lay.addWidget(self.waiver_label)
        lay.addWidget(self.standing_label)
        self.compare_status = QLabel(self.tr("正在读取各名单中的记录…"), inner)
        self.compare_status.setObjectName("compareStatus")
        self.compare_status.setStyleSheet("color: #555;")
        self.compare_status.hide()
        lay.addWidget(self.compare_status)
        lay.addWidget(self.compare_table)
        lay.addWidget(self._caption(self.tr("比对问题"), inner))
        lay.addWidget(self.findings_list)
        lay.addWidget(self._caption(self.tr("各部门审核意见"), inner))
        lay.addWidget(self.decisions_table)
        lay.addWidget(self.decide_box)
        lay.addWidget(self.no_office_note)
        lay.addWidget(self.waiver_row)
        lay.addStretch(1)
        scroll = QScrollArea(host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(host)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.detail_empty)
        outer.addWidget(scroll, 1)
        self.detail_scroll = scroll
        self._on_decision_changed()
        self._show_detail(None)
        return host

    @staticmethod
    def _caption(text: str, parent: QWidget) -> QLabel:
        label = QLabel(f"<b>{text}</b>", parent)
        return label

    # -- loading ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the candidates, the active lists and the settings again (F5, after every change)."""
        if self._loading:
            self._reload_again = True
            return
        if not self._pending_uuid:
            self._pending_uuid = self.selected_uuid()
        self._loading = True
        self._reload_again = False
        self.count_label.setText(self.tr("正在读取…"))
        review, reference, settings = self.review, self.reference, self.settings

        def load(progress, cancel):
            return review.list(), reference.active(), settings.all(), review.last_run_at()

        self.runner.run(load, on_success=self._on_loaded, on_error=self._on_load_failed)

    def _on_loaded(self, result: object) -> None:
        self._loading = False
        rows, lists, values, last_run_at = result  # type: ignore[misc]
        self.active_lists, self.settings_values = lists, values
        self._show_lists()
        self._show_stale(last_run_at)
        self._show_settings()
        self._fill_finding_combo(rows)
        self.model.set_rows(rows)
        self._refilter()
        self._fit_columns()
        uuid = self._pending_uuid
        self._pending_uuid = ""
        if uuid and self.model.visible_row_of(uuid) >= 0:
            self.select_candidate(uuid)
        elif self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show_detail(None)
        if self._reload_again:
            self.reload()

    def _fit_columns(self) -> None:
        metrics = self.table.fontMetrics()
        pad = cell_padding(self.table)
        columns = []
        for column in range(self.model.columnCount()):
            title = self.columns.title_width(column)
            widest, typical = widths(self.model.column_texts(column), metrics.horizontalAdvance)
            maximum = {1: metrics.horizontalAdvance("阿卜杜热依木·买买提艾力") + pad,
                       2: metrics.horizontalAdvance("电子信息工程技术2023级1班") + pad}.get(column, 0)
            minimum = title
            if column == 4:  # a few finding labels, whatever happens to the name and class
                minimum = max(title, metrics.horizontalAdvance("姓名不一致、学籍") + pad)
            columns.append(Column(max(widest + pad, minimum), minimum, maximum, elastic=column == 2,
                                  keep=column in (0, 1, 3), typical=max(typical + pad, minimum)))
        # The list is never narrower than its kept columns' everyday texts (student numbers, names,
        # statuses) and the other titles: the splitter leaves it that much of a narrow window.
        table = self.table
        self.table.setMinimumWidth(sum(c.typical if c.keep else c.minimum for c in columns)
                                   + table.verticalScrollBar().sizeHint().width() + 2 * table.frameWidth())
        self.columns.refit(columns)

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._reload_again = False
        self.count_label.setText(self.tr("读取失败"))
        show_error(self, exc)

    def _show_lists(self) -> None:
        for kind, label in self.list_labels.items():
            info = self.active_lists.get(kind)
            if info is None:
                label.setText(self.tr("%1：<span style='color:#c62828'>未导入</span>").replace("%1", kind_label(kind)))
                label.setToolTip("")
            else:
                label.setText(self.tr("%1：%2（%3 行）").replace("%1", kind_label(kind))
                              .replace("%2", info.file_name).replace("%3", str(info.row_count)))
                label.setToolTip(self.tr("%1 由 %2 导入于 %3").replace("%1", info.file_name)
                                 .replace("%2", info.imported_by).replace("%3", local_time(info.imported_at)))

    def stale_lists(self, last_run_at: dt.datetime | None) -> list[str] | None:
        """The kinds of the active lists imported since the comparison last ran (every active one
        when it never ran), or None when there is nothing to compare with (no 学籍 list)."""
        if self.active_lists.get("academic") is None:
            return None
        return [kind for kind, info in self.active_lists.items()
                if info is not None and (last_run_at is None or info.imported_at > last_run_at)]

    def _show_stale(self, last_run_at: dt.datetime | None) -> None:
        stale = self.stale_lists(last_run_at) if self.can_run else None
        if not stale:
            self.stale_banner.hide()
            return
        names = "、".join(kind_label(k) for k in stale)
        if last_run_at is None:
            self.stale_label.setText(self.tr("已导入%1，还没有运行比对：比对后才能看到每名考生的比对问题。")
                                     .replace("%1", names))
            self.stale_run_button.setText(self.tr("运行比对"))
        else:
            self.stale_label.setText(self.tr("%1在上次比对（%2）之后导入，下面的比对问题还是按旧名单得出的。"
                                             "重新比对会按新名单更新（已有的审核意见保留）。")
                                     .replace("%1", names).replace("%2", local_time(last_run_at)[:16]))
            self.stale_run_button.setText(self.tr("重新比对"))
        self.stale_banner.show()

    def _show_settings(self) -> None:
        year = self.settings_values.get("graduation_year")
        deadline = self.settings_values.get("waiver_deadline")
        self.year_edit.setText(str(year) if year else "")
        self.deadline_edit.set_date(deadline if isinstance(deadline, dt.date) else None)

    def _fill_finding_combo(self, rows: list[ReviewRow]) -> None:
        keep = self.finding_combo.currentData()
        counts = Counter(code for r in rows for code in {f.code for f in r.findings})
        with_findings = sum(1 for r in rows if r.findings)
        self.finding_combo.blockSignals(True)
        self.finding_combo.clear()
        self.finding_combo.addItem(self.tr("全部"), "")
        self.finding_combo.addItem(self.tr("有问题 (%1)").replace("%1", str(with_findings)), ANY_FINDING)
        self.finding_combo.addItem(self.tr("无问题 (%1)").replace("%1", str(len(rows) - with_findings)), NO_FINDING)
        for code, (_office, label) in rules.FINDINGS.items():
            self.finding_combo.addItem(f"{label} ({counts.get(code, 0)})", code)
        self.finding_combo.setCurrentIndex(max(self.finding_combo.findData(keep), 0))
        self.finding_combo.blockSignals(False)

    # -- filtering and selection ------------------------------------------------------------------
    def _on_filter_changed(self, *_args: object) -> None:
        uuid = self.selected_uuid()
        self._refilter()
        if uuid and self.model.visible_row_of(uuid) >= 0:
            self.select_candidate(uuid)
        elif self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show_detail(None)

    def _refilter(self) -> None:
        self.model.set_filter(self.search.text(), str(self.finding_combo.currentData() or ""),
                              str(self.status_combo.currentData() or ""))
        self.count_label.setText(self.tr("显示 %1 / 共 %2 人").replace("%1", str(self.model.rowCount()))
                                 .replace("%2", str(self.model.total)))

    def _on_search_return_pressed(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def selected_uuid(self) -> str:
        index = self.table.currentIndex()
        if not index.isValid():
            return ""
        return self.model.row_at(index.row()).uuid

    def select_candidate(self, uuid: str) -> None:
        row = self.model.visible_row_of(uuid)
        if row < 0:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        self._show_detail(self.model.row_at(row))

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(self.model.row_at(current.row()) if current.isValid() else None)

    def _on_table_activated(self, _index: QModelIndex) -> None:
        # Enter on a candidate: write the opinion (scrolled into view on a short screen).
        if self.can_review:
            self.detail_scroll.ensureWidgetVisible(self.decide_box)
            self.opinion_edit.setFocus()

    # -- the detail pane --------------------------------------------------------------------------
    def _show_detail(self, row: ReviewRow | None) -> None:
        previous = self._shown.uuid if self._shown else ""
        self._shown = row
        self.detail_empty.setVisible(row is None)
        self.detail_scroll.setVisible(row is not None)
        if row is None:
            return
        if row.uuid != previous:
            self.opinion_error.clear_message()
            self.clear_decision()
        self.detail_title.setText(self.tr("%1　%2　%3　状态：%4").replace("%1", row.name)
                                  .replace("%2", row.student_no).replace("%3", row.class_name)
                                  .replace("%4", row.status_label)
                                  + (self.tr("（%1）").replace("%1", row.reason) if row.reason else ""))
        waiver = row.waiver
        if waiver is not None and waiver.active:
            text = self.tr("已放弃报名考试资格（%1）：%2。附件1：%3").replace("%1", waiver.waived_on.isoformat()) \
                .replace("%2", waiver.reason).replace("%3", self.tr("已签字交回") if waiver.form_signed
                                                      else self.tr("未交回"))
            self.waiver_label.setText(text)
            self.waiver_label.show()
        elif waiver is not None and waiver.revoked_at is not None:
            self.waiver_label.setText(self.tr("曾放弃报名，已于 %1 撤回：%2").replace("%1", local_time(waiver.revoked_at))
                                      .replace("%2", waiver.revoke_reason))
            self.waiver_label.show()
        else:
            self.waiver_label.hide()
        if row.needs_review:
            self.standing_label.setText(self.tr("需重新审核：") + "\n".join(row.standing_notes))
            self.standing_label.show()
        else:
            self.standing_label.hide()
        self._show_compare(row)
        self.findings_list.clear()
        for f in row.findings:
            where = self.tr("（%1 第 %2 行）").replace("%1", kind_label(_OFFICE_KIND.get(f.office, ""))) \
                .replace("%2", str(f.source_row)) if f.source_row else ""
            item = QListWidgetItem(f"{rules.OFFICES.get(f.office, f.office)}｜{f.message}{where}")
            item.setForeground(QBrush(DIFF_FG))
            self.findings_list.addItem(item)
        if not row.findings:
            self.findings_list.addItem(QListWidgetItem(self.tr("没有比对问题。")))
        self._fit_findings()
        for r, (office, label) in enumerate(rules.OFFICES.items()):
            d = row.decisions.get(office)
            cells = [label, "", "", "", ""]
            if d is not None:
                verdict = self.tr("通过") if d.decision == "pass" else self.tr("不通过")
                if d.standing == rules.REOPENED:
                    verdict = self.tr("通过（不再计入）")
                elif d.standing == rules.STALE:
                    verdict = self.tr("不通过（依据已消除）")
                cells = [label, verdict, d.reviewer_label, local_time(d.decided_at)[:16], d.opinion]
            else:
                cells[1] = self.tr("未审核")
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value if d is None or d.stands else f"{d.standing_label}：{d.standing_reason}")
                if c == 2 and d is not None:  # the person's name shown, their login on hover
                    item.setToolTip(self.tr("%1（登录名 %2）").replace("%1", d.reviewer_label)
                                    .replace("%2", d.reviewer))
                if c == 1 and d is not None:
                    colour = "#2e7d32" if d.decision == "pass" else "#c62828"
                    item.setForeground(QBrush(QColor(colour if d.stands else NEEDS_REVIEW_COLOUR)))
                self.decisions_table.setItem(r, c, item)
        self._fit_decisions()
        waived = waiver is not None and waiver.active
        reviewable = row.status in REVIEW_STATUSES
        self.decide_box.setEnabled(reviewable and not waived)
        self.waive_button.setEnabled(reviewable and not waived)
        self.revoke_button.setEnabled(waived)
        self.signed_check.blockSignals(True)
        self.signed_check.setChecked(bool(waived and waiver.form_signed))
        self.signed_check.setEnabled(waived)
        self.signed_check.blockSignals(False)

    def _fit_decisions(self) -> None:
        """The offices' decisions within the pane: the office, the verdict and the time whole, the
        reviewer's name and the opinion giving way (their full text on hover); all three rows
        shown, with the scrollbar's room when even the titles do not fit."""
        table = self.decisions_table
        header = table.horizontalHeader()
        self._decisions_width = available = _room(table)
        metrics, pad = table.fontMetrics(), cell_padding(table)
        columns = []
        for c in range(table.columnCount()):
            texts = [table.item(r, c).text() for r in range(table.rowCount()) if table.item(r, c) is not None]
            title = header.sectionSizeFromContents(c).width()
            widest = max([metrics.horizontalAdvance(t) + pad for t in texts] + [title])
            columns.append(Column(widest, title, elastic=c == 4, keep=c in (0, 1, 3)))
        for c, width in enumerate(fit(columns, available)):
            table.setColumnWidth(c, width)
        height = header.sizeHint().height() + table.verticalHeader().length() + 2 * table.frameWidth() + 2
        if header.length() > available:
            height += table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(height)

    def _fit_findings(self) -> None:
        """Each finding as tall as its wrapped lines (a long one must not be cut), the list as tall
        as its first five (then it scrolls): the decisions below must stay in view."""
        lst = self.findings_list
        width = max(lst.viewport().width() - 2 * lst.spacing() - 8, 80)
        self._findings_width = lst.viewport().width()
        metrics = lst.fontMetrics()
        total = 0
        for i in range(lst.count()):
            item = lst.item(i)
            height = metrics.boundingRect(QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap,
                                          item.text()).height() + 6
            item.setSizeHint(QSize(width, height))
            if i < 5:
                total += height
        lst.setFixedHeight(total + 2 * lst.frameWidth() + 4)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The pane was resized: the findings and the long values wrap differently.
        if watched is self.findings_list.viewport() and event.type() == QEvent.Type.Resize \
                and self.findings_list.viewport().width() != self._findings_width:
            self._fit_findings()
        if watched is self.compare_table and event.type() == QEvent.Type.Resize \
                and _room(self.compare_table) != self._compare_width:
            self._fit_compare()
        if watched is self.decisions_table and event.type() == QEvent.Type.Resize \
                and _room(self.decisions_table) != self._decisions_width:
            self._fit_decisions()
        return super().eventFilter(watched, event)

    @property
    def compare_loading(self) -> bool:
        """True while the shown candidate's rows in the lists are being read."""
        return self.compare_status.isVisibleTo(self.detail_body)

    def _show_compare(self, row: ReviewRow) -> None:
        """The roster column at once; the lists' rows read on the task runner, then shown."""
        self._compare_generation += 1
        generation = self._compare_generation
        reference = self.reference
        self._fill_compare(row, None)
        self.compare_status.show()

        def read(progress, cancel):
            return reference.source_rows(row.student_no, row.id_number, row.major)

        def done(sources: object) -> None:
            if generation == self._compare_generation:
                self.compare_status.hide()
                self._fill_compare(row, sources)  # type: ignore[arg-type]

        def failed(exc: BaseException) -> None:
            if generation == self._compare_generation:
                self.compare_status.hide()
                show_error(self, exc)  # the detail still shows what it can
                self._fill_compare(row, {k: [] for k in KINDS})

        self.runner.run(read, on_success=done, on_error=failed)

    def _fill_compare(self, row: ReviewRow, sources: dict | None) -> None:
        """The compare table; ``sources`` None while the lists' rows are still being read."""
        columns: list[tuple[str, SourceRow | None]] = [(self.tr("考生名单"), None)]
        academic_loaded = self.active_lists.get("academic") is not None and sources is not None
        sources = sources or {}
        for kind in KINDS:
            for src in sources.get(kind, []):
                columns.append((self.tr("%1\n第 %2 行").replace("%1", kind_label(kind)).replace("%2", str(src.row)),
                                src))
        if academic_loaded and not sources.get("academic"):
            columns.insert(1, (self.tr("%1\n（未找到）").replace("%1", kind_label("academic")), None))
        roster = {"student_no": row.student_no, "name": row.name, "id_number": row.id_number,
                  "class_name": row.class_name, "major": row.major, "intended_major": row.intended_major}
        labels = {**LABELS, "class_name": self.tr("班级"), "intended_major": self.tr("报考专业（类）"),
                  "major": self.tr("专科专业")}
        # Marks from the findings: (column's source kind, row number) -> fields; roster fields.
        marked: dict[tuple[str, int], set[str]] = {}
        roster_marked: set[str] = set()
        for f in row.findings:
            names = set(_FINDING_FIELDS.get(f.code, ()))
            roster_marked |= names & set(roster)
            if f.source_row is not None:
                marked.setdefault((_OFFICE_KIND.get(f.office, ""), f.source_row), set()).update(names)
        keys = [k for k in _COMPARE_ROWS
                if k in roster or any(src is not None and (src.fields.get(k) or k in ("student_no", "name",
                                                                                     "id_number"))
                                      for _t, src in columns)]
        table = self.compare_table
        table.clear()
        table.setColumnCount(len(columns))
        table.setRowCount(len(keys))
        table.setHorizontalHeaderLabels([t for t, _s in columns])
        table.setVerticalHeaderLabels([labels.get(k, k) for k in keys])
        for c, (_title, src) in enumerate(columns):
            for r, key in enumerate(keys):
                if src is None:
                    value = roster.get(key, "") if c == 0 else ""
                else:
                    value = {"student_no": src.student_no, "name": src.name,
                             "id_number": src.id_number or src.fields.get("id_raw", "")}.get(key)
                    if value is None:
                        value = src.fields.get(key, "")
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                differs = False
                if src is None and c == 0:
                    differs = key in roster_marked
                elif src is not None:
                    differs = key in marked.get((src.kind, src.row), set())
                    if key in ("student_no", "name", "id_number") and value and roster.get(key) \
                            and rules.key_text(value) != rules.key_text(roster[key]):
                        differs = True
                if differs:
                    item.setBackground(QBrush(DIFF_BG))
                    item.setForeground(QBrush(DIFF_FG))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(r, c, item)
        if src_problems := [p for _t, s in columns if s is not None for p in s.problems]:
            table.setToolTip("\n".join(src_problems))
        else:
            table.setToolTip("")
        self._fit_compare()

    def _fit_compare(self) -> None:
        """Columns as wide as their content within the pane: a long value (a list of failed
        courses, an offence) wraps onto more lines instead of being cut or pushing the other
        lists out of view; never narrower than its two-line title; every row shown."""
        table = self.compare_table
        header = table.horizontalHeader()
        self._compare_width = available = _room(table)
        table.resizeColumnsToContents()
        metrics, pad = table.fontMetrics(), cell_padding(table)
        columns = []
        for c in range(table.columnCount()):
            # Chinese wraps between any two characters, a number only as a whole: an ID number is
            # the narrowest a column may be.
            words = [w for r in range(table.rowCount()) if table.item(r, c) is not None
                     for w in _UNBREAKABLE.findall(table.item(r, c).text())]
            floor = max([header.sectionSizeFromContents(c).width(),
                         *(metrics.horizontalAdvance(w) + pad for w in words)])
            # The roster's own column wraps last: the lists' long values give way first.
            columns.append(Column(max(table.columnWidth(c), floor), floor, keep=c == 0))
        for c, width in enumerate(fit(columns, available)):
            table.setColumnWidth(c, width)
        if header.length() < available:  # the room left to the last column, as a stretch would
            last = table.columnCount() - 1
            table.setColumnWidth(last, table.columnWidth(last) + available - header.length())
        table.resizeRowsToContents()
        height = header.sizeHint().height() + table.verticalHeader().length() + 2 * table.frameWidth() + 2
        if header.length() > available:
            height += table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(height)

    # -- decisions --------------------------------------------------------------------------------
    @property
    def decision(self) -> str:
        """The decision chosen in the form: "pass", "fail" or "" (none yet)."""
        return "pass" if self.pass_radio.isChecked() else "fail" if self.fail_radio.isChecked() else ""

    def clear_decision(self) -> None:
        """Neither 通过 nor 不通过, no opinion: the form as a new student needs it."""
        self.decision_group.setExclusive(False)  # an exclusive group never lets the last one go
        self.pass_radio.setChecked(False)
        self.fail_radio.setChecked(False)
        self.decision_group.setExclusive(True)
        self.opinion_edit.clear()
        self._on_decision_changed()

    def _on_decision_changed(self, *_args: object) -> None:
        decision = self.decision
        if not decision:
            hint = self.tr("请选择“通过”或“不通过”")
        elif decision == "fail" and not self.opinion_edit.text().strip():
            hint = self.tr("不通过时须填写意见")
        else:
            hint = ""
        self.decide_hint.setText(hint)
        self.decide_hint.setVisible(bool(hint))
        self.record_button.setEnabled(not hint)
        self.record_button.setToolTip(hint)

    def _on_record_clicked(self) -> None:
        row = self._shown
        if row is None or not self.can_review or not self.decide_box.isEnabled():
            return
        office = str(self.office_combo.currentData())
        if not self.decision:  # Ctrl+Enter or Enter in the opinion before choosing
            self.opinion_error.show_message(self.tr("请先选择“通过”或“不通过”。"))
            self.pass_radio.setFocus()
            return
        passed = self.decision == "pass"
        self.opinion_error.clear_message()
        try:
            updated = self.review.decide(self.actor, row.uuid, office, passed, self.opinion_edit.text())
        except ValidationError as exc:
            if exc.field == "opinion":
                self.opinion_error.show_message(exc.message)
                self.opinion_edit.setFocus()
                return
            show_error(self, exc)
            return
        except Exception as exc:
            show_error(self, exc)
            return
        self.clear_decision()  # the next office's opinion is a decision of its own
        self._row_changed(updated)
        self.table.setFocus()

    def _row_changed(self, updated: ReviewRow) -> None:
        self.model.replace_row(updated)
        if self._shown is not None and self._shown.uuid == updated.uuid:
            self._show_detail(updated)
        self.review_changed.emit()

    def _refresh_one(self, uuid: str) -> None:
        """Read one candidate's row again (after a waiver change), on the task runner."""
        generation = self._refresh_generation.get(uuid, 0) + 1
        self._refresh_generation[uuid] = generation
        review = self.review

        def read(progress, cancel):
            return review.get(uuid)

        def done(updated: object) -> None:
            if self._refresh_generation.get(uuid) == generation:
                del self._refresh_generation[uuid]
                self._row_changed(updated)  # type: ignore[arg-type]

        def failed(exc: BaseException) -> None:
            if self._refresh_generation.get(uuid) == generation:
                del self._refresh_generation[uuid]
                show_error(self, exc)

        self.runner.run(read, on_success=done, on_error=failed)

    # -- waivers ----------------------------------------------------------------------------------
    def _open_waiver(self, mode: str) -> WaiverDialog | None:
        row = self._shown
        if row is None or not self.can_waive:
            return None
        dialog = WaiverDialog(self.actor, row.uuid, row.name, mode, self, waivers=self.waivers, settings=self.settings,
                              printing=self.printing, printed_dir=self.printed_dir)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.waiver_changed.connect(self._refresh_one)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_waive_clicked(self) -> None:
        self._open_waiver("add")

    def _on_revoke_clicked(self) -> None:
        self._open_waiver("revoke")

    def _on_signed_check_toggled(self, checked: bool) -> None:
        row = self._shown
        if row is None:
            return
        try:
            self.waivers.mark_signed(self.actor, row.uuid, checked)
        except Exception as exc:
            self.signed_check.blockSignals(True)
            self.signed_check.setChecked(not checked)
            self.signed_check.blockSignals(False)
            show_error(self, exc)
            return
        self._refresh_one(row.uuid)

    # -- settings ---------------------------------------------------------------------------------
    def _on_save_settings_clicked(self) -> None:
        if not self.can_settings:
            return
        self.settings_error.clear_message()
        settings = self.settings
        try:
            # Both or neither: one transaction, every value checked before any is stored.
            stored = settings.set_many(self.actor, {"graduation_year": self.year_edit.text(),
                                                    "waiver_deadline": self.deadline_edit.edit.text()})
        except AppError as exc:
            self.settings_error.show_message(exc.message)
            return
        self.settings_values.update(stored)
        self._show_settings()
        self.settings_error.setStyleSheet("color: #2e7d32;")
        self.settings_error.show_message(self.tr("已保存。毕业年份改动后请重新运行比对。"))
        self.settings_error.setStyleSheet("color: #c0392b;")
        self.review_changed.emit()

    # -- lists, the run, approve all clean -------------------------------------------------------
    def open_import(self, kind: str) -> ReferenceImportDialog | None:
        if not self.can_import:
            return None
        if self.import_dialog is not None and self.import_dialog.isVisible():
            self.import_dialog.raise_()
            return self.import_dialog
        dialog = ReferenceImportDialog(self.actor, self.runner, kind, self, reference=self.reference, review=self.review)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reference_imported.connect(self._on_import_dialog_reference_imported)
        dialog.destroyed.connect(self._on_import_dialog_destroyed)
        if self.can_run:  # the result page offers to run the comparison with the new list
            dialog.compare_requested.connect(self._on_run_triggered)
            dialog.offer_compare = True
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _on_import_dialog_destroyed(self) -> None:
        self.import_dialog = None

    def _on_import_dialog_reference_imported(self, _result: object) -> None:
        self.reload()
        self.review_changed.emit()

    def _on_run_triggered(self) -> None:
        if not self.can_run:
            return
        review, actor = self.review, self.actor

        def work(progress, cancel):
            return review.run(actor, progress=progress, cancel=cancel)

        run_with_progress(self.runner, self, self.tr("正在比对…"), work, on_success=self._on_run_done,
                          on_error=lambda exc: show_error(self, exc))

    def _on_run_done(self, result: object) -> None:
        assert isinstance(result, RunResult)
        self.reload()
        self.review_changed.emit()
        self._show_run(result)

    def _on_last_run_triggered(self) -> None:
        review = self.review

        def work(progress, cancel):
            return review.last_run()

        self.runner.run(work, on_success=self._on_last_run_loaded, on_error=lambda exc: show_error(self, exc))

    def _on_last_run_loaded(self, result: object) -> None:
        if result is None:
            show_info(self, self.tr("上次比对结果"), self.tr("还没有运行过比对。"))
            return
        assert isinstance(result, RunResult)
        self._show_run(result)

    def _show_run(self, result: RunResult) -> None:
        dialog = RunResultDialog(result, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def _on_approve_triggered(self) -> None:
        if not self.can_review:
            return
        dialog = ApproveDialog(self.model.rows, self, offices=self.offices)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self._approve(d.office))
        self.dialog = dialog
        dialog.open()

    def _approve(self, office: str) -> None:
        review, actor = self.review, self.actor

        def work(progress, cancel):
            return review.approve_clean(actor, office, progress=progress, cancel=cancel)

        run_with_progress(self.runner, self, self.tr("正在批量通过…"), work, on_success=self._on_approve_done,
                          on_error=lambda exc: show_error(self, exc))

    def _on_approve_done(self, result: object) -> None:
        assert isinstance(result, ApproveResult)
        office = self.tr("三个部门") if result.office == "all" else rules.OFFICES.get(result.office, result.office)
        lines = [self.tr("已为 %1 名没有比对问题的考生记录“%2”审核通过（共 %3 条意见）。")
                 .replace("%1", str(result.candidates)).replace("%2", office).replace("%3", str(result.approved))]
        # Everyone else was skipped, not failed: say so, office by office, leaving out what is zero.
        for key, n in result.offices.items():
            parts = [self.tr("通过 %1 名").replace("%1", str(n.approved))]
            if n.skipped_with_findings:
                parts.append(self.tr("因有比对问题跳过 %1 名").replace("%1", str(n.skipped_with_findings)))
            if n.skipped_decided:
                parts.append(self.tr("已有本部门意见、保持不变 %1 名").replace("%1", str(n.skipped_decided)))
            if n.needs_review:
                parts.append(self.tr("意见需重新审核、跳过 %1 名").replace("%1", str(n.needs_review)))
            lines.append(rules.OFFICES.get(key, key) + self.tr("：") + self.tr("；").join(parts) + self.tr("。"))
        if result.skipped_with_findings:
            lines.append(self.tr("因有比对问题跳过的 %1 名考生没有记录任何意见（不是“不通过”）：请在列表中按问题"
                                 "“有问题”筛选，逐个审核。").replace("%1", str(result.skipped_with_findings)))
        if result.needs_review:
            lines.append(self.tr("%1 名考生的审核意见已不成立（出现新问题或依据已消除），已跳过：请按状态“需重新审核”"
                                 "筛选，逐个重新审核。").replace("%1", str(result.needs_review)))
        if result.skipped_waived:
            lines.append(self.tr("已放弃报名的 %1 名考生不审核，已跳过。").replace("%1", str(result.skipped_waived)))
        if result.skipped_later:
            lines.append(self.tr("已过审核阶段（已公示、已确认或已锁定）的 %1 名考生已跳过。")
                         .replace("%1", str(result.skipped_later)))
        show_info(self, self.tr("一键通过"), "\n".join(lines))
        self.reload()
        self.review_changed.emit()

