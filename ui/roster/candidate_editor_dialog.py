"""The candidate editor: every field of one candidate, checked as the user types, with its history.

The form is checked with ``CandidateService.check`` (the same rules as import and save) 150 ms
after the last keystroke; each problem appears in red under its field and Save stays disabled
while any remains. The second tab lists the candidate's audit trail. With ``key=None`` the
dialog creates a new candidate. Users without ``candidate.edit`` (``app.auth``) get a read-only view.

An existing candidate and its history are read on the task runner, not the GUI thread: until the
answer comes the header says so and the fields take no typing (read-only, lists disabled, Save off);
a reload (after a conflict) does the same, and an older read's late answer is dropped
(``_generation``). A record that cannot be read closes the editor with the reason.

Signals: ``candidate_saved(str uuid)`` after a successful create or update.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.audit.service import ACTION_LABELS
from app.auth import Actor, allowed
from app.domain import idnumber, status
from app.domain.candidate import LABELS, STATUS_LABELS
from app.domain.fields import ART_SPORTS, AWARD_LEVELS, CATEGORIES
from app.errors import ConflictError, ValidationError
from app.roster.candidates import CandidateDetail, CandidateService
from app.station.capture import CaptureService
from ui.common.errors import show_error
from ui.common.formatting import display_value, local_time
from ui.common.tasks import TaskRunner
from ui.station.capture_gallery import CaptureGallery

VETERAN = "退役大学生士兵"
AWARDED = "获奖考生"
_VETERAN_FIELDS = ("veteran_service_start", "veteran_service_end", "veteran_merits")
_AWARD_FIELDS = ("award_level", "award_name")
ERROR_STYLE = "color: #c62828;"
HINT_STYLE = "color: #555;"
TODO_STYLE = "color: #b35c00;"  # amber: to complete before sign-off, does not block saving
CHECK_DELAY_MS = 150


@dataclass
class _Field:
    key: str
    widget: QLineEdit | QComboBox
    error: QLabel


class CandidateEditorDialog(QDialog):
    candidate_saved = Signal(str)
    retake_requested = Signal(str, str, str)  # candidate UUID, capture kind, subkind

    def __init__(self, actor: Actor, key: str | None, runner=None, parent: QWidget | None = None, *,
                 candidates: CandidateService, capture: CaptureService, can_retake: bool = False) -> None:
        super().__init__(parent)
        self.can_retake = can_retake
        self.gallery: CaptureGallery | None = None
        self.setObjectName("candidateEditor")
        self.candidates = candidates
        self.capture = capture  # for the gallery of captures
        self.actor = actor
        self.runner = runner or TaskRunner(self, synchronous=True)
        self.key = key
        self.detail: CandidateDetail | None = None
        # Why the record itself cannot change (locked after signing), whatever the role: known once read.
        self.refusal: str | None = None
        self.editable = allowed(actor.role, "candidate.edit" if key else "candidate.add")
        self._loading = key is not None  # the record and its history are being read
        self._generation = 0  # bumped by every read: an older read's answer is dropped
        self._load_error: BaseException | None = None
        self._constructing = False
        self._pending_focus = ""  # focus_field() asked for while reading
        self.fields: dict[str, _Field] = {}
        self._labels: list[QLabel] = []
        self.problems: dict[str, str] = {}
        self.todos: dict[str, str] = {}  # field -> what to complete (not blocking)
        # New candidate: the fields typed in so far (problems of the others wait); None: show all.
        self._edited: set[str] | None = set() if key is None else None
        self._loaded: dict[str, str] = {}
        self._saving = False

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)

        self._build()
        self.resize(1040, 620)
        if key is None:
            self._load()
            self._check_now()
            return
        self._constructing = True
        self._read()
        self._constructing = False
        self.finished.connect(self._on_finished)
        if self._load_error is not None:  # read at once (synchronous runner) and failed: as before, raise
            raise self._load_error

    # -- layout -----------------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """True while the candidate (or its reload) is being read: the form takes no input."""
        return self._loading

    def _update_title(self) -> None:
        if self.key is None:
            self.setWindowTitle(self.tr("新增考生"))
        elif self.detail is None:
            self.setWindowTitle(self.tr("考生信息"))
        elif self.editable:
            self.setWindowTitle(self.tr("编辑考生 - %1").replace("%1", self.detail.data.name))
        else:
            self.setWindowTitle(self.tr("查看考生 - %1").replace("%1", self.detail.data.name))

    def _build(self) -> None:
        self._update_title()
        self.header = QLabel(self)
        self.header.setObjectName("editorHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)

        form_page = QWidget()
        # Two columns so the whole record fits a 1366×768 screen without scrolling.
        left, right = QVBoxLayout(), QVBoxLayout()
        columns = QHBoxLayout(form_page)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        basic = self._group(self.tr("基本信息"))
        self._line(basic, "name")
        self._line(basic, "id_number", placeholder=self.tr("18 位身份证号"))
        self.id_hint = QLabel(self)
        self.id_hint.setObjectName("idHint")
        self.id_hint.setStyleSheet(HINT_STYLE)
        self.id_hint.setWordWrap(True)
        basic.addRow("", self.id_hint)
        self._combo(basic, "gender", [(self.tr("按身份证号"), ""), (self.tr("男"), "男"), (self.tr("女"), "女")])
        self._line(basic, "ethnicity", placeholder=self.tr("如：汉族"))
        self._line(basic, "phone", placeholder=self.tr("11 位手机号"))
        left.addWidget(basic.parentWidget())

        school = self._group(self.tr("学籍"))
        self._line(school, "student_no")
        self._line(school, "class_name")
        self._line(school, "counsellor")
        self._line(school, "major")
        left.addWidget(school.parentWidget())
        left.addStretch(1)

        apply = self._group(self.tr("报考"))
        self._line(apply, "intended_major")
        self._combo(apply, "category", [(c, c) for c in CATEGORIES])
        self._combo(apply, "art_sports", [(a or self.tr("否"), a) for a in ART_SPORTS])
        self._line(apply, "note")
        right.addWidget(apply.parentWidget())

        veteran = self._group(self.tr("退役士兵"))
        self._line(veteran, "veteran_service_start", placeholder="2021-09-01")
        self._line(veteran, "veteran_service_end", placeholder="2023-09-01")
        self._line(veteran, "veteran_merits", placeholder=self.tr("如：无；或 三等功一次"))
        self.veteran_box = veteran.parentWidget()
        right.addWidget(self.veteran_box)

        award = self._group(self.tr("获奖"))
        self._combo(award, "award_level", [(a or self.tr("（无）"), a) for a in AWARD_LEVELS])
        self._line(award, "award_name", placeholder=self.tr("如：全国职业院校技能大赛 软件测试赛项"))
        self.award_box = award.parentWidget()
        right.addWidget(self.award_box)
        right.addStretch(1)
        # One label width for every group, so the fields line up down each column.
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setMinimumWidth(width)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_page)

        self.history = QTreeWidget(self)
        self.history.setObjectName("historyTree")
        self.history.setColumnCount(3)
        self.history.setHeaderLabels([self.tr("时间"), self.tr("操作人"), self.tr("内容")])
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setWordWrap(True)
        self.history.setUniformRowHeights(False)
        self.history.setColumnWidth(0, self.fontMetrics().horizontalAdvance("2024-01-01 00:00:00") + 40)
        self.history.setColumnWidth(1, self.fontMetrics().horizontalAdvance("某某某（secretary）") + 16)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(scroll, self.tr("考生信息"))
        self.history_tab = self.tabs.addTab(self.history, self.tr("修改记录"))
        self.tabs.setTabEnabled(self.history_tab, False)  # until the candidate is read
        # The captured materials are read when the tab is first opened, not with every editor.
        self.gallery_tab = self.tabs.addTab(QWidget(), self.tr("采集材料"))
        self.tabs.setTabEnabled(self.gallery_tab, False)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("editorStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet(ERROR_STYLE)
        self.status_label.hide()

        self.buttons = QDialogButtonBox(self)
        if self.editable:
            self.save_button = QPushButton(self.tr("保存 (Ctrl+S)"), self)
            self.save_button.setObjectName("saveButton")
            self.save_button.setDefault(False)
            self.save_button.setAutoDefault(False)
            self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
            self.save_button.clicked.connect(self._on_save_clicked)
            save = QShortcut(QKeySequence.StandardKey.Save, self)
            save.activated.connect(self._on_save_clicked)
            close_text = self.tr("取消")
        else:
            self.save_button = None
            close_text = self.tr("关闭")
        self.close_button = self.buttons.addButton(close_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

    def _group(self, title: str) -> QFormLayout:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return form

    def _error_label(self, key: str) -> QLabel:
        error = QLabel(self)
        error.setObjectName(f"error_{key}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.hide()
        return error

    def _add(self, form: QFormLayout, key: str, widget: QLineEdit | QComboBox) -> None:
        widget.setObjectName(f"field_{key}")
        error = self._error_label(key)
        cell = QWidget(self)
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        label_text = LABELS[key] + (" *" if key in ("name", "id_number") else "")
        label = QLabel(label_text, self)
        label.setBuddy(widget)
        self._labels.append(label)
        form.addRow(label, cell)
        self.fields[key] = _Field(key, widget, error)

    def _line(self, form: QFormLayout, key: str, placeholder: str = "") -> None:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.setReadOnly(not self.editable or self._loading)
        edit.textEdited.connect(self._on_field_edited)
        self._add(form, key, edit)

    def _combo(self, form: QFormLayout, key: str, items: list[tuple[str, str]]) -> None:
        combo = QComboBox(self)
        for text, value in items:
            combo.addItem(text, value)
        combo.setEnabled(self.editable and not self._loading)
        combo.currentIndexChanged.connect(self._on_field_edited)
        self._add(form, key, combo)

    # -- values -----------------------------------------------------------------------------------

    def _load(self) -> None:
        detail = self.detail
        if detail is None:
            self.header.setText(self.tr("填写考生信息。带 * 的为必填项；性别和出生日期按身份证号自动判断。"))
            values = {"category": CATEGORIES[0]}
        else:
            data = detail.data.as_dict()
            values = {k: display_value(v) for k, v in data.items()}
            state = STATUS_LABELS.get(detail.status, detail.status)
            parts = [self.tr("%1  学号 %2  状态：%3").replace("%1", detail.data.name)
                     .replace("%2", detail.data.student_no or self.tr("（无）")).replace("%3", state)]
            if detail.college_name:
                parts.append(detail.college_name)
            if self.refusal:
                parts.append(self.tr("只读：") + self.refusal)
            elif not self.editable:
                parts.append(self.tr("只读：您的角色不能修改考生信息。"))
            self.header.setText("    ".join(parts))
        self._set_values(values)
        self._loaded = self.raw()
        self._update_sections()

    def _set_values(self, values: dict[str, str]) -> None:
        for key, f in self.fields.items():
            value = values.get(key, "")
            if isinstance(f.widget, QComboBox):
                f.widget.blockSignals(True)
                index = f.widget.findData(value)
                if index < 0 and value:
                    f.widget.addItem(value, value)  # an old value no longer in the list stays visible
                    index = f.widget.count() - 1
                f.widget.setCurrentIndex(max(index, 0))
                f.widget.blockSignals(False)
            else:
                f.widget.setText(value)

    def raw(self) -> dict[str, str]:
        """The form as the service's ``check`` and ``update`` take it (display text)."""
        out: dict[str, str] = {}
        for key, f in self.fields.items():
            if isinstance(f.widget, QComboBox):
                out[key] = str(f.widget.currentData() or "")
            else:
                out[key] = f.widget.text()
        return out

    @property
    def dirty(self) -> bool:
        return self.editable and not self._loading and self.raw() != self._loaded

    # -- checking ---------------------------------------------------------------------------------

    def _on_field_edited(self, *_args: object) -> None:
        sender = self.sender()
        key = next((k for k, f in self.fields.items() if f.widget is sender), None)
        if key is not None and self._edited is not None:
            self._edited.add(key)
        self._update_sections()
        self._check_timer.start()
        self._set_save_enabled(False)  # until the pending check says otherwise

    def _on_check_timer_timeout(self) -> None:
        self._check_now()

    def _check_now(self) -> bool:
        self._check_timer.stop()
        raw = self.raw()
        result = self.candidates.check(raw)
        problems: dict[str, str] = {}
        for p in result.problems:
            problems.setdefault(p.field or "name", p.message)
        self.todos = {t.field: t.message for t in result.todos}
        self._show_problems(problems)
        self._update_id_hint(raw.get("id_number", ""))
        return not problems

    def _show_problems(self, problems: dict[str, str]) -> None:
        self.problems = problems
        if self._edited is not None:
            # A new candidate: a field's problem shows once it was typed in (or at a save).
            problems = {k: m for k, m in problems.items() if k in self._edited}
        todos = {k: m for k, m in self.todos.items() if k not in problems}
        for key, f in self.fields.items():
            message = problems.get(key, "") or todos.get(key, "")
            f.error.setText(message)
            f.error.setStyleSheet(ERROR_STYLE if key in problems else TODO_STYLE)
            f.error.setVisible(bool(message))
        # A problem or a to-do in a hidden section must be visible to be fixable.
        if any(k in problems or k in todos for k in _VETERAN_FIELDS):
            self.veteran_box.show()
        if any(k in problems or k in todos for k in _AWARD_FIELDS):
            self.award_box.show()
        self._set_save_enabled(not self.problems)
        if problems:
            self.status_label.setText(self.tr("还有 %1 处需要修改，改好后才能保存。").replace("%1", str(len(problems))))
            self.status_label.setStyleSheet(ERROR_STYLE)
            self.status_label.show()
        elif self.problems:  # a new candidate's fields not typed in yet: what is still needed, calmly
            self.status_label.setText(self.tr("还需填写：%1。").replace(
                "%1", "、".join(LABELS.get(k, k) for k in self.problems)))
            self.status_label.setStyleSheet(HINT_STYLE)
            self.status_label.show()
        elif todos:
            self.status_label.setText(self.tr("待补信息：%1。可以先保存，现场确认签字前必须补齐。")
                                      .replace("%1", "、".join(LABELS.get(k, k) for k in todos)))
            self.status_label.setStyleSheet(TODO_STYLE)
            self.status_label.show()
        else:
            self.status_label.hide()

    def _set_save_enabled(self, enabled: bool) -> None:
        if self.save_button is not None:
            self.save_button.setEnabled(enabled and not self._saving and not self._loading and self.refusal is None)

    def _update_id_hint(self, text: str) -> None:
        try:
            info = idnumber.parse(text)
        except ValidationError:
            self.id_hint.setText(self.tr("性别和出生日期将按身份证号自动得出。"))
            return
        self.id_hint.setText(self.tr("按身份证号：%1，出生日期 %2").replace("%1", info.gender)
                             .replace("%2", info.birth_date.isoformat()))

    def _update_sections(self) -> None:
        raw = self.raw()
        category = raw.get("category", "")
        self.veteran_box.setVisible(category == VETERAN or any(raw.get(k) for k in _VETERAN_FIELDS))
        self.award_box.setVisible(category == AWARDED or any(raw.get(k) for k in _AWARD_FIELDS))

    # -- saving -----------------------------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        if not self.editable or self._saving or self._loading:
            return
        if self._edited is not None:
            self._edited = None  # a save attempt shows every problem
        if not self._check_now():
            self._focus_first_problem()
            return
        raw = self.raw()
        self._saving = True
        self._set_save_enabled(False)
        service = self.candidates
        actor, detail = self.actor, self.detail

        def save(progress, cancel):
            if detail is None:
                return service.create(actor, raw)
            return service.update(actor, detail.uuid, raw, detail.revision)

        # On the task runner, not the GUI thread: when an import holds the database, the save waits
        # for it and says so below, and the window stays alive.
        self.status_label.setText(self.tr("正在保存…"))
        self.status_label.setStyleSheet(HINT_STYLE)
        self.status_label.show()
        runner = self.runner or TaskRunner(self, synchronous=True)
        runner.run(save, on_success=self._on_saved, on_error=self._on_save_failed,
                   on_progress=self._on_save_progress)

    def _on_save_progress(self, _done: int, _total: int, message: str) -> None:
        if self._saving and message:
            self.status_label.setText(message)

    def _on_save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self._show_problems(self.problems)  # the status line back to what it said before saving
        if isinstance(exc, status.StatusError):
            # Locked since the editor opened (signed at the table): saving again cannot help.
            self.refusal = exc.message
            self._set_save_enabled(False)
            self.status_label.setText(exc.message)
            self.status_label.setStyleSheet(ERROR_STYLE)
            self.status_label.show()
            show_error(self, exc)
        elif isinstance(exc, ConflictError):
            self._on_conflict(exc)
        elif isinstance(exc, ValidationError) and exc.field in self.fields:
            self._show_problems({exc.field: exc.message})
            self._focus_first_problem()
        else:
            self._set_save_enabled(True)
            show_error(self, exc)

    def _on_saved(self, detail: object) -> None:
        assert isinstance(detail, CandidateDetail)
        self._saving = False
        self.detail = detail
        self._loaded = self.raw()
        self.candidate_saved.emit(detail.uuid)
        self.accept()

    def _on_tabs_current_changed(self, index: int) -> None:
        if index != self.gallery_tab or self.gallery is not None or self.detail is None:
            return
        self.gallery = CaptureGallery(self.capture, self.detail.uuid, self.runner, can_retake=self.can_retake,
                                      parent=self)
        self.gallery.retake_requested.connect(self._on_gallery_retake_requested)
        placeholder = self.tabs.widget(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, self.gallery, self.tr("采集材料"))
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()

    def _on_gallery_retake_requested(self, uuid: str, kind: str, subkind: str) -> None:
        if self.dirty:
            show_error(self, ValidationError(self.tr("请先保存或放弃对考生信息的修改，再去重拍。")))
            return
        self.retake_requested.emit(uuid, kind, subkind)
        self.accept()

    def focus_field(self, key: str) -> None:
        """Put the cursor in one field (the station opens the editor at the field still missing)."""
        if self._loading:
            self._pending_focus = key  # once the record is there
            return
        f = self.fields.get(key)
        if f is not None:
            self.tabs.setCurrentIndex(0)
            f.widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_first_problem(self) -> None:
        for key, f in self.fields.items():
            if key in self.problems:
                self.tabs.setCurrentIndex(0)
                f.widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _on_conflict(self, exc: ConflictError) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("信息已被他人修改"),
                          exc.message + "\n\n" + self.tr("点“重新载入”显示最新信息（您在此处的修改将丢失），"
                                                         "然后再修改一次。"),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("conflictBox")
        reload_button = box.addButton(self.tr("重新载入"), QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton(self.tr("稍后"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Per-button ``clicked`` rather than ``buttonClicked``: PySide crashes deleting a box on close
        # whose ``buttonClicked`` went to a Python slot.
        reload_button.clicked.connect(self.reload)
        later.clicked.connect(self._on_conflict_later_clicked)
        box.open()

    def _on_conflict_later_clicked(self) -> None:
        self._set_save_enabled(not self.problems)

    def reload(self) -> None:
        """Show the stored record again, dropping unsaved changes (read on the task runner)."""
        if self.key is None and self.detail is None:
            self._load()
            self._check_now()
            return
        self._read()

    # -- reading ----------------------------------------------------------------------------------

    def _read(self) -> None:
        """Read the candidate and its history on the task runner; the form waits, read-only."""
        key = self.detail.uuid if self.detail is not None else self.key
        assert key is not None
        self._generation += 1
        generation = self._generation
        self._set_loading(True)
        candidates = self.candidates

        def read(progress, cancel):
            detail = candidates.get(key)
            return detail, candidates.history(detail.uuid)

        self.runner.run(read, on_success=lambda result: self._on_read(generation, result),
                        on_error=lambda exc: self._on_read_failed(generation, exc))

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if loading:
            self.header.setText(self.tr("正在读取考生信息…"))
        for f in self.fields.values():
            if isinstance(f.widget, QComboBox):
                f.widget.setEnabled(self.editable and not loading)
            else:
                f.widget.setReadOnly(not self.editable or loading)
        self._set_save_enabled(not loading and not self.problems)

    def _on_read(self, generation: int, result: object) -> None:
        if generation != self._generation:
            return  # a newer read is under way
        detail, history = result  # type: ignore[misc]
        self.detail = detail
        self.refusal = status.refusal(detail.status, status.EDIT, detail.data.name)
        if self.refusal is not None and self.editable:
            self.editable = False
            self._drop_save_button()
        self._update_title()
        self._set_loading(False)
        self._load()
        self._show_history(history)
        self.tabs.setTabEnabled(self.history_tab, True)
        self.tabs.setTabEnabled(self.gallery_tab, True)
        self._check_now()
        if self._pending_focus:
            key, self._pending_focus = self._pending_focus, ""
            self.focus_field(key)

    def _on_read_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if self._constructing:
            self._load_error = exc  # still in the constructor: the caller hears it as before
            return
        show_error(self.parentWidget() or self, exc)
        QDialog.reject(self)

    def _on_finished(self, _result: int) -> None:
        self._generation += 1  # closed: a read still under way finds nobody to show its answer to

    def _drop_save_button(self) -> None:
        """A record locked since: the editor is a viewer, as if opened read-only from the start."""
        if self.save_button is not None:
            self.buttons.removeButton(self.save_button)
            self.save_button.deleteLater()
            self.save_button = None
        self.close_button.setText(self.tr("关闭"))

    # -- history ----------------------------------------------------------------------------------

    def _show_history(self, entries: list) -> None:
        self.history.clear()
        for entry in entries:
            who = entry.actor + (f" @ {entry.desk_name}" if entry.desk_name else "")
            action = ACTION_LABELS.get(entry.action, entry.action)
            item = QTreeWidgetItem([local_time(entry.at), who, action])
            item.setToolTip(2, entry.summary)
            if entry.action == "candidate.update" or entry.before:
                for key, new in entry.after.items():
                    old = entry.before.get(key)
                    text = self.tr("%1：%2 → %3").replace("%1", LABELS.get(key, key)) \
                        .replace("%2", display_value(old) or self.tr("（空）")) \
                        .replace("%3", display_value(new) or self.tr("（空）"))
                    child = QTreeWidgetItem(["", "", text])
                    child.setToolTip(2, text)
                    item.addChild(child)
            elif entry.summary:
                item.setText(2, f"{action}：{entry.summary}")
            self.history.addTopLevelItem(item)
            item.setExpanded(True)
        self.tabs.setTabText(self.history_tab, self.tr("修改记录 (%1)").replace(
            "%1", str(self.history.topLevelItemCount())))

    # -- closing ----------------------------------------------------------------------------------

    def reject(self) -> None:
        if self._saving:
            return  # the save in progress decides: it closes the window, or says what went wrong
        if not self.dirty:
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("放弃修改？"),
                          self.tr("修改尚未保存。放弃这些修改并关闭吗？"),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("discardBox")
        discard = box.addButton(self.tr("放弃修改"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("继续编辑"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        discard.clicked.connect(self._on_discard_clicked)
        box.open()

    def _on_discard_clicked(self) -> None:
        self._loaded = self.raw()
        QDialog.reject(self)

    def closeEvent(self, event) -> None:
        if self.dirty:
            event.ignore()
            self.reject()
        else:
            super().closeEvent(event)
