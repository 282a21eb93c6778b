"""The print screen: choose a form (附件1–4, 公示), save it as PDF (and .xlsx) or print it.

附件1 needs a student (search by 学号 / 姓名 / 身份证号); 公示 shows the publicity dates, which
settings editors change here. Printing goes through a PDF kept under the data folder
(``printed/``), so every sheet that leaves the printer has a recorded document behind its QR
code. The recent documents list shows what was printed, when and by whom.

``DocumentsView`` is the main window's 打印与核验 area: this screen and ``VerifyView`` as tabs.

Before the 公示, 附件3 or 附件4 is printed, the service says who is not settled (not yet reviewed,
or a decision that no longer stands); the user reads that and goes on or cancels.

Signals: ``document_printed(str)`` with the document's UUID after a PDF was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor, allowed
from app.documents.printing import FORM_LABELS, SETTLED_FORMS, PrintingService, may_print
from app.domain.idnumber import mask
from app.errors import AppError
from app.roster.candidates import CandidateService
from app.settings.service import SettingsService
from ui.common.date_field import DateField
from ui.common.errors import show_error, show_info
from ui.common.file_dialogs import ask_save_file, default_path
from ui.common.tasks import TaskRunner, run_with_progress

FORMS = (  # key, label, title, what it is for
    ("waiver_form", "附件1", "放弃报名考试资格申请书", "一名学生的放弃申请，学生本人和辅导员签字"),
    ("waiver_list", "附件2", "放弃报名考试资格学生名单", "本学院全部放弃报名的学生，逐页签字盖章"),
    ("summary", "附件3", "报名申请总表", "全部申请报名的考生（横向 A4），逐页签字盖章"),
    ("review_report", "附件4", "报名资格审查报告单", "审查统计、审查步骤、未通过名单和各部门意见"),
    ("publicity", "公示", "审查合格名单公示", "审核通过的考生，身份证号已隐去中间部分"),
)
UUID_ROLE = Qt.ItemDataRole.UserRole
MAX_MATCHES = 200


def _open_url(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


class PrintView(QWidget):
    document_printed = Signal(str)

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *,
                 candidates: CandidateService, printing: PrintingService, settings: SettingsService,
                 printed_dir: Path) -> None:
        super().__init__(parent)
        self.setObjectName("printView")
        self.candidates, self.printing, self.settings = candidates, printing, settings
        self.printed_dir = printed_dir  # where what goes to the printer is kept
        self.actor = actor
        self.runner = runner
        # Seams for what would block or leave the app, so tests can answer them.
        self.open_url: Callable[[QUrl], bool] = _open_url
        self.ask_print = None  # None: the Qt print dialog (ui.common.pdf_printing.ask_print_dialog)
        self.make_printer = None  # None: the default QPrinter; tests give a PDF-file printer
        self.print_job = None
        self.last_result = None
        self.warning_box: QMessageBox | None = None  # the warnings shown before printing
        self._used_box: QMessageBox | None = None
        self._students: list = []
        self._build()
        self._load_settings()
        self.reload()

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.form_list = QListWidget(self)
        self.form_list.setObjectName("formList")
        for key, label, title, tip in FORMS:
            item = QListWidgetItem(f"{label}  {title}")
            item.setData(UUID_ROLE, key)
            item.setToolTip(tip)
            if not may_print(self.actor, key):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(self.tr("您的角色不能打印此表"))
            self.form_list.addItem(item)
        self.form_list.setFixedWidth(max(self.form_list.sizeHintForColumn(0), 200) + 24)
        self.form_list.currentRowChanged.connect(self._on_form_list_current_row_changed)

        self.form_title = QLabel(self)
        self.form_title.setObjectName("formTitle")
        self.form_title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.form_note = QLabel(self)
        self.form_note.setWordWrap(True)
        self.form_note.setStyleSheet("color: #555;")

        # 附件1: the student.
        self.student_box = QGroupBox(self.tr("学生"), self)
        self.student_search = QLineEdit(self.student_box)
        self.student_search.setObjectName("studentSearch")
        self.student_search.setPlaceholderText(self.tr("输入 学号 / 姓名 / 身份证号 查找"))
        self.student_search.setClearButtonEnabled(True)
        self.student_search.textChanged.connect(self._on_student_search_text_changed)
        self.student_search.returnPressed.connect(self._on_student_search_return_pressed)
        self.student_list = QListWidget(self.student_box)
        self.student_list.setObjectName("studentList")
        self.student_list.currentRowChanged.connect(self._update_buttons)
        self.student_list.itemActivated.connect(self._on_student_list_item_activated)
        lay = QVBoxLayout(self.student_box)
        lay.addWidget(self.student_search)
        lay.addWidget(self.student_list)
        # 附件1 for every student who waived, in one PDF (one page, one document each).
        self.all_waivers_button = QPushButton(self.tr("为全部放弃报名的学生各打印一份…"), self.student_box)
        self.all_waivers_button.setObjectName("allWaiversButton")
        self.all_waivers_button.setToolTip(self.tr("生成一个 PDF，每名放弃报名的学生一页（各有自己的文档编号）"))
        self.all_waivers_button.clicked.connect(self._on_all_waivers_button_clicked)
        lay.addWidget(self.all_waivers_button)

        # 附件3: the whole college or one class.
        self.class_box = QGroupBox(self.tr("范围"), self)
        self.class_combo = QComboBox(self.class_box)
        self.class_combo.setObjectName("classCombo")
        self.class_combo.addItem(self.tr("全院"), "")
        self.class_combo.currentIndexChanged.connect(self._update_buttons)
        class_form = QFormLayout(self.class_box)
        class_form.addRow(self.tr("班级"), self.class_combo)

        # 公示: the publicity period.
        self.period_box = QGroupBox(self.tr("公示时间"), self)
        self.start_edit = self._date_edit("publicityStart")
        self.end_edit = self._date_edit("publicityEnd")
        self.period_error = QLabel(self.period_box)
        self.period_error.setStyleSheet("color: #c0392b;")
        self.period_error.hide()
        form = QFormLayout(self.period_box)
        form.addRow(self.tr("开始日期"), self.start_edit)
        form.addRow(self.tr("结束日期"), self.end_edit)
        form.addRow(self.period_error)
        can_set = self._can_set_period = allowed(self.actor.role, "settings.edit")
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(can_set)
        if not can_set:
            form.addRow(QLabel(self.tr("（公示时间由学院经办人设置）"), self.period_box))

        self.pdf_button = QPushButton(self.tr("保存为 PDF…"), self)
        self.pdf_button.setObjectName("savePdfButton")
        self.pdf_button.setShortcut(QKeySequence("Ctrl+S"))
        self.pdf_button.setToolTip(self.tr("生成 PDF 文件 (Ctrl+S)"))
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        self.xlsx_button = QPushButton(self.tr("同时导出 Excel…"), self)
        self.xlsx_button.setObjectName("saveXlsxButton")
        self.xlsx_button.setToolTip(self.tr("生成 PDF，并在同一文件夹生成同名的 .xlsx"))
        self.xlsx_button.clicked.connect(self._on_xlsx_button_clicked)
        self.print_button = QPushButton(self.tr("打印…"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.setToolTip(self.tr("用打印机打印 (Ctrl+P)"))
        self.print_button.clicked.connect(self._on_print_button_clicked)
        buttons = QHBoxLayout()
        for b in (self.pdf_button, self.xlsx_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.role_note = QLabel(self)
        self.role_note.setWordWrap(True)
        self.role_note.setStyleSheet("color: #a05a00;")
        self.role_note.hide()

        self.result_frame = QFrame(self)
        self.result_frame.setObjectName("printResult")
        self.result_frame.setStyleSheet("QFrame#printResult { background: #e8f5e9; border: 1px solid #81c784;"
                                        " border-radius: 4px; }")
        self.result_label = QLabel(self.result_frame)
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_button = QPushButton(self.tr("打开所在文件夹"), self.result_frame)
        self.folder_button.setObjectName("openFolderButton")
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        rl = QHBoxLayout(self.result_frame)
        rl.addWidget(self.result_label, 1)
        rl.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        self.result_frame.hide()

        self.recent_table = QTableWidget(0, 6, self)
        self.recent_table.setObjectName("recentDocuments")
        self.recent_table.setHorizontalHeaderLabels([self.tr("表格"), self.tr("标题"), self.tr("打印时间"),
                                                     self.tr("打印人"), self.tr("页数"), self.tr("文档编号")])
        self.recent_table.verticalHeader().setVisible(False)
        self.recent_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.recent_table.setAlternatingRowColors(True)
        header = self.recent_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        right = QVBoxLayout()
        right.addWidget(self.form_title)
        right.addWidget(self.form_note)
        right.addWidget(self.student_box, 1)
        right.addWidget(self.period_box)
        right.addWidget(self.class_box)
        right.addLayout(buttons)
        right.addWidget(self.role_note)
        right.addWidget(self.result_frame)
        recent_label = QLabel(self.tr("最近打印的文档"), self)
        recent_label.setStyleSheet("font-weight: bold; margin-top: 6px;")
        right.addWidget(recent_label)
        right.addWidget(self.recent_table, 1)

        refresh = QAction(self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.triggered.connect(self.reload)
        self.addAction(refresh)

        layout = QHBoxLayout(self)
        layout.addWidget(self.form_list)
        layout.addLayout(right, 1)
        first = next((i for i in range(self.form_list.count())
                      if self.form_list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled), 0)
        self.form_list.setCurrentRow(first)
        if not any(may_print(self.actor, key) for key, *_ in FORMS):
            self.role_note.setText(self.tr("您的角色只能查看打印记录和核对纸质件，不能打印表格。"))
            self.role_note.show()
        self.setFocusProxy(self.form_list)

    def _date_edit(self, name: str) -> DateField:
        edit = DateField(self.period_box, name=name)
        edit.date_committed.connect(self._on_period_date_committed)
        return edit

    # -- state --------------------------------------------------------------------------------
    @property
    def current_form(self) -> str:
        item = self.form_list.currentItem()
        return str(item.data(UUID_ROLE)) if item else ""

    def select_form(self, key: str) -> None:
        for i in range(self.form_list.count()):
            if self.form_list.item(i).data(UUID_ROLE) == key:
                self.form_list.setCurrentRow(i)
                return
        raise KeyError(key)

    def selected_student(self) -> str:
        item = self.student_list.currentItem()
        return str(item.data(UUID_ROLE)) if item else ""

    def _on_form_list_current_row_changed(self, _row: int) -> None:
        key = self.current_form
        entry = next((f for f in FORMS if f[0] == key), None)
        if entry is None:
            return
        _key, label, title, note = entry
        self.form_title.setText(f"{label}  {title}")
        self.form_note.setText(note)
        self.student_box.setVisible(key == "waiver_form")
        self.period_box.setVisible(key == "publicity")
        self.class_box.setVisible(key == "summary")
        if self.last_result is not None and self.last_result.form != key:
            self.result_frame.hide()  # what was printed before belongs to the other form
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        key = self.current_form
        ok = bool(key) and may_print(self.actor, key) and (key != "waiver_form" or bool(self.selected_student()))
        busy = self.print_job is not None
        for b in (self.pdf_button, self.xlsx_button, self.print_button):
            b.setEnabled(ok and not busy)
        if key == "waiver_form" and not self.selected_student():
            self.pdf_button.setToolTip(self.tr("先在上面选择一名学生"))
        else:
            self.pdf_button.setToolTip(self.tr("生成 PDF 文件 (Ctrl+S)"))

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the students (for 附件1) and the recent documents again (F5)."""
        candidates, printing = self.candidates, self.printing

        def load(progress, cancel):
            return candidates.rows(), printing.recent()

        self.runner.run(load, on_success=self._on_loaded, on_error=lambda exc: show_error(self, exc))

    def _on_loaded(self, result: object) -> None:
        self._students, recent = result  # type: ignore[misc]
        self._fill_students()
        self._fill_recent(recent)
        waived = sum(1 for r in self._students if r.status == "waived")
        self.all_waivers_button.setText(self.tr("为全部放弃报名的学生各打印一份（%1 人）…").replace("%1", str(waived)))
        self.all_waivers_button.setEnabled(waived > 0 and may_print(self.actor, "waiver_form"))
        keep = self.class_combo.currentData()
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItem(self.tr("全院"), "")
        for name in sorted({r.class_name for r in self._students if r.class_name}):
            self.class_combo.addItem(name, name)
        self.class_combo.setCurrentIndex(max(self.class_combo.findData(keep), 0))
        self.class_combo.blockSignals(False)

    def _fill_students(self) -> None:
        keep = self.selected_student()
        needle = self.student_search.text().strip().upper()
        self.student_list.blockSignals(True)
        self.student_list.clear()
        shown = 0
        for row in self._students:
            if needle and not any(needle in v.upper() for v in (row.student_no or "", row.name, row.id_number)):
                continue
            text = f"{row.student_no}  {row.name}  {mask(row.id_number)}  {row.class_name}  {row.status_label}"
            item = QListWidgetItem(text)
            item.setData(UUID_ROLE, row.student_no or row.id_number)
            self.student_list.addItem(item)
            if item.data(UUID_ROLE) == keep:
                self.student_list.setCurrentItem(item)
            shown += 1
            if shown >= MAX_MATCHES:
                break
        self.student_list.blockSignals(False)
        if self.student_list.currentRow() < 0 and needle and self.student_list.count() == 1:
            self.student_list.setCurrentRow(0)
        self._update_buttons()

    def _fill_recent(self, docs: list) -> None:
        self.recent_table.setRowCount(len(docs))
        for r, d in enumerate(docs):
            when = d.created_at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
            for c, value in enumerate((d.label, d.title, when, d.created_by, str(d.pages), d.short_id)):
                item = QTableWidgetItem(value)
                item.setData(UUID_ROLE, d.doc_uuid)
                item.setToolTip(value)  # the title column takes what is left: a long title is elided
                self.recent_table.setItem(r, c, item)

    def _on_student_search_text_changed(self, _text: str) -> None:
        self._fill_students()

    def _on_student_search_return_pressed(self) -> None:
        if self.student_list.count():
            if self.student_list.currentRow() < 0:
                self.student_list.setCurrentRow(0)
            self.student_list.setFocus()

    def _on_student_list_item_activated(self, _item: QListWidgetItem) -> None:
        self.pdf_button.setFocus()

    # -- publicity dates ------------------------------------------------------------------------
    def _load_settings(self) -> None:
        """The 公示 dates, read on the runner; the two fields wait (disabled) for the answer."""
        settings = self.settings
        self._period_generation = getattr(self, "_period_generation", 0) + 1
        generation = self._period_generation
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(False)

        def read(progress, cancel):
            return settings.get("publicity_start"), settings.get("publicity_end")

        self.runner.run(read, on_success=lambda values: self._on_period_loaded(generation, values),
                        on_error=lambda exc: self._on_period_failed(generation, exc))

    def _on_period_loaded(self, generation: int, values: tuple[object, object]) -> None:
        if generation != self._period_generation:
            return  # a later read (after a save) answers for the fields
        for edit, value in zip((self.start_edit, self.end_edit), values, strict=True):
            edit.set_date(value if isinstance(value, dt.date) else None)
            edit.setEnabled(self._can_set_period)

    def _on_period_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._period_generation:
            for edit in (self.start_edit, self.end_edit):
                edit.setEnabled(self._can_set_period)
            show_error(self, exc)

    def _on_period_date_committed(self, _value: object) -> None:
        start, end = self.start_edit.date(), self.end_edit.date()
        if start and end and end < start:
            self.period_error.setText(self.tr("结束日期不能早于开始日期。"))
            self.period_error.show()
            return
        self.period_error.hide()
        settings, actor = self.settings, self.actor

        def save(progress, cancel):
            changed = {key: value.isoformat() if value else None
                       for key, value in (("publicity_start", start), ("publicity_end", end))
                       if settings.get(key) != value}
            if changed:
                settings.set_many(actor, changed)
            return bool(changed)

        def failed(exc: BaseException) -> None:
            show_error(self, exc)
            self._load_settings()

        self.runner.run(save, on_error=failed)

    # -- printing -----------------------------------------------------------------------------
    def _default_name(self, suffix: str) -> str:
        label = FORM_LABELS.get(self.current_form, "")
        title = next(t for k, _l, t, _n in FORMS if k == self.current_form)
        extra = f"_{self.selected_student()}" if self.current_form == "waiver_form" else ""
        if self.current_form == "summary" and self.class_combo.currentData():
            extra = f"_{self.class_combo.currentData()}"
        return f"{label}_{title}{extra}_{dt.date.today():%Y%m%d}{suffix}"

    def _on_pdf_button_clicked(self) -> None:
        self._checked(lambda: self._save(with_xlsx=False))

    def _on_xlsx_button_clicked(self) -> None:
        self._checked(lambda: self._save(with_xlsx=True))

    def _checked(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the user has seen what is not settled on a form that lists who is
        eligible (and chose to go on); at once for the other forms or when all is settled."""
        form = self.current_form
        if form not in SETTLED_FORMS:
            then()
            return
        printing = self.printing

        def work(progress, cancel):
            return printing.check(form)

        self.runner.run(work, on_success=lambda warnings: self._on_checked(warnings, then),
                        on_error=lambda exc: show_error(self, exc))

    def _on_checked(self, warnings: object, then: Callable[[], None]) -> None:
        if not warnings:
            then()
            return
        if self._used_box is not None:  # the last one, no longer inside its own signal
            self._used_box.deleteLater()
            self._used_box = None
        label = FORM_LABELS.get(self.current_form, "")
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("打印前请注意"),
                          self.tr("%1 的审查结果还没有全部确定：").replace("%1", label), parent=self)
        box.setObjectName("printWarnings")
        box.setInformativeText("\n\n".join(f"• {w}" for w in warnings))  # type: ignore[union-attr]
        go = box.addButton(self.tr("仍然打印"), QMessageBox.ButtonRole.AcceptRole)
        go.setObjectName("printAnyway")
        stop = box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        stop.setObjectName("printCancel")
        box.setDefaultButton(stop)

        def finished(_result: int) -> None:
            self.warning_box = None
            going = box.clickedButton() is go
            self._used_box = box
            if going:  # after the box's own signal has returned: printing may open other dialogs
                QTimer.singleShot(0, then)

        box.finished.connect(finished)
        self.warning_box = box
        box.open()

    def _save(self, *, with_xlsx: bool) -> None:
        out = ask_save_file(self, self.tr("保存为 PDF"), default_path(self._default_name(".pdf")),
                                 self.tr("PDF 文件 (*.pdf)"))
        if not out:
            return
        pdf = Path(out)
        if pdf.suffix.lower() != ".pdf":
            pdf = pdf.with_name(pdf.name + ".pdf")
        self._render(pdf, pdf.with_suffix(".xlsx") if with_xlsx else None, then_print=False)

    def _on_print_button_clicked(self) -> None:
        self._checked(self._print_now)

    def _print_now(self) -> None:
        folder = Path(self.printed_dir)
        # The app's own folder for what goes to the printer; print_form creates no folders.
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            show_error(self, AppError(self.tr("无法建立打印文件夹“%1”：%2").replace("%1", str(folder))
                                      .replace("%2", exc.strerror or str(exc))))
            return
        stamp = dt.datetime.now().strftime("%H%M%S")
        self._render(folder / self._default_name(f"_{stamp}.pdf"), None, then_print=True)

    def _render(self, pdf: Path, xlsx: Path | None, *, then_print: bool) -> None:
        printing, actor, form = self.printing, self.actor, self.current_form
        student = self.selected_student() if form == "waiver_form" else None
        class_name = (self.class_combo.currentData() or None) if form == "summary" else None

        def work(progress, cancel):
            return printing.print_form(actor, form, pdf, xlsx, student=student, class_name=class_name,
                                       progress=progress, cancel=cancel)

        def done(result: object) -> None:
            self._on_rendered(result, then_print)

        run_with_progress(self.runner, self, self.tr("正在生成表格…"), work, on_success=done,
                          on_error=lambda exc: show_error(self, exc))

    def _on_rendered(self, result, then_print: bool) -> None:
        self.last_result = result
        lines = [self.tr("已生成%1《%2》：%3 页，%4 条。").replace("%1", result.label).replace("%2", result.title)
                 .replace("%3", str(result.pages)).replace("%4", str(result.rows)),
                 self.tr("文档编号：%1").replace("%1", result.doc_uuid.split("-")[0].upper()),
                 self.tr("PDF：%1").replace("%1", str(result.pdf))]
        if result.xlsx:
            lines.append(self.tr("Excel：%1").replace("%1", str(result.xlsx)))
        self.result_label.setText("\n".join(lines))
        self.result_frame.show()
        self.document_printed.emit(result.doc_uuid)
        self.reload()
        if then_print:
            self._print_pdf(result.pdf)

    def _print_pdf(self, pdf: Path) -> None:
        from ui.common.pdf_printing import PdfPrintJob, ask_print_dialog

        printer = self.make_printer() if self.make_printer else None
        job = PdfPrintJob(self.runner, pdf, self, printer=printer, ask=self.ask_print or ask_print_dialog)
        job.printed.connect(self._on_job_printed)
        job.failed.connect(self._on_job_failed)
        job.cancelled.connect(self._on_job_cancelled)
        self.print_job = job
        self._update_buttons()
        job.start()

    def _end_job(self) -> None:
        if self.print_job is not None:
            self.print_job.deleteLater()
        self.print_job = None
        self._update_buttons()

    def _on_job_printed(self, pages: int) -> None:
        self.result_label.setText(self.result_label.text() + "\n"
                                  + self.tr("已送往打印机：%1 页。").replace("%1", str(pages)))
        self._end_job()

    def _on_job_failed(self, exc: object) -> None:
        self._end_job()
        show_error(self, exc)  # type: ignore[arg-type]

    def _on_job_cancelled(self) -> None:
        self.result_label.setText(self.result_label.text() + "\n" + self.tr("打印已取消（PDF 已保存）。"))
        self._end_job()

    def _on_all_waivers_button_clicked(self) -> None:
        out = ask_save_file(self, self.tr("保存附件1（全部放弃报名的学生）"),
                                 default_path(self.tr("附件1_全部放弃报名学生_%1.pdf")
                                              .replace("%1", f"{dt.date.today():%Y%m%d}")),
                                 self.tr("PDF 文件 (*.pdf)"))
        if not out:
            return
        pdf = Path(out) if out.lower().endswith(".pdf") else Path(out + ".pdf")
        printing, actor = self.printing, self.actor

        def work(progress, cancel):
            return printing.print_waiver_forms(actor, pdf, progress=progress, cancel=cancel)

        run_with_progress(self.runner, self, self.tr("正在生成附件1…"), work, on_success=self._on_batch_rendered,
                          on_error=lambda exc: show_error(self, exc))

    def _on_batch_rendered(self, batch) -> None:
        self.last_result = batch
        self.result_label.setText(self.tr("已为 %1 名放弃报名的学生生成附件1：共 %2 页，每人一份（各有文档编号）。\nPDF：%3")
                                  .replace("%1", str(batch.documents)).replace("%2", str(batch.pages))
                                  .replace("%3", str(batch.pdf)))
        self.result_frame.show()
        self.reload()

    def _on_folder_button_clicked(self) -> None:
        if self.last_result is None:
            return
        folder = Path(self.last_result.pdf).parent
        if not folder.is_dir() or not self.open_url(QUrl.fromLocalFile(str(folder))):
            show_info(self, self.tr("无法打开文件夹"),
                      self.tr("无法自动打开文件夹（这台电脑可能没有设置文件管理器，或文件夹已被移走）。"
                              "文件保存在：\n%1").replace("%1", str(folder)))


