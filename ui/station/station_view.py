"""现场确认: the capture station a counsellor works through, student after student.

One screen: find the student (type or scan the student or ID number and Enter, or read the ID
card's chip; when no number matches exactly, the roster search offers its matches — name, pinyin
such as “zs” for 张三, part of a number — to pick with ↑↓ and Enter), the checklist of steps
(F1 photo, F2/F3 ID card front/back, F4 fingerprints, F5 documents — a chooser asks which: 退役证, 获奖证书 or 其他材料 — F6 chip, F7 the category's data
the roster did not carry, such as a veteran's service dates, in the candidate editor), the live camera
preview with the head guidance (the crop the analysis proposes) and the hints, Space to capture,
F9 to keep a refused capture with a reason, Ctrl+N for the next student. Every capture is stored
at once through the capture pipelines of ``app.station`` (``store_photo``, ``store_card_side``,
``store_document``, ``store_fingerprint``, ``store_chip``: processed, then the file, then the row
and its audit event), on the task runner, never on the GUI thread. Reading the student at the
table (``app.station.student.read_student``: checklist, details, history, the photo for the
thumbnail) and the day's count run on the task runner too: while a student is being read the
message line says so and the keys that need a student wait for it; an answer that belongs to a
student the counsellor has since left is dropped (``_generation``). This screen keeps the widgets,
the keys and the order of the steps.

Signals: ``candidate_loaded(str)`` (student number), ``capture_stored(object)`` (``CaptureInfo``),
``capture_refused(list)`` (the hints), ``message_shown(str)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QHideEvent, QImage, QKeyEvent, QKeySequence, QPixmap, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor
from app.devices.factory import Devices
from app.errors import AppError, NotFoundError
from app.roster.candidates import CandidateRow, CandidateService
from app.settings.service import FINGER_LABELS, SettingsService
from app.station.capture import DOCUMENT_KINDS, INFO, KINDS, NOT_COME, CaptureInfo, CaptureService, Checklist
from app.station.card import (
    CaptureRefused,
    NotACard,
    analyse_card,
    manual_result,
    store_card_side,
)
from app.station.chip import chip_differences, read_chip, store_chip
from app.station.document import analyse_document, store_document
from app.station.fingerprint import capture_fingerprint, store_fingerprint
from app.station.photo import PhotoRefused, analyse_photo, photo_spec, store_photo
from app.station.student import StationStudent, read_student
from ui.common.errors import InlineError, message_for, show_error
from ui.common.tasks import TaskRunner
from ui.roster.candidate_editor_dialog import CandidateEditorDialog
from ui.station.camera_preview import CameraPreview
from ui.station.corner_dialog import CornerDialog
from ui.station.document_kind_dialog import DocumentKindDialog
from ui.station.fingerprint_dialog import FingerprintDialog
from ui.station.frames import LIVE
from ui.station.overlays import check_hints, photo_overlay, quad_overlay
from ui.station.override_dialog import OverrideDialog
from ui.station.student_list_dialog import StudentListDialog

log = logging.getLogger(__name__)

CAMERA_SIZE = (1280, 720)
# A capture uses the analysed frame only while it is this fresh; otherwise the frame is re-analysed.
FRESH_S = 0.6
# Camera steps: the mode the preview is in, its key and what it stores.
CAMERA_MODES = {"photo": "F1", "id_front": "F2", "id_back": "F3", "document": "F5"}
# Matches offered when a typed text is no student or ID number: a short list, not a roster.
MAX_MATCHES = 8
_MATCH_STEPS = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -MAX_MATCHES,
                Qt.Key.Key_PageDown: MAX_MATCHES}


class StationView(QWidget):
    candidate_loaded = Signal(str)
    capture_stored = Signal(object)
    capture_refused = Signal(list)
    message_shown = Signal(str)

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *, capture: CaptureService,
                 candidates: CandidateService, settings: SettingsService, devices: Devices,
                 retry_s: float = 1.5) -> None:
        super().__init__(parent)
        self.setObjectName("stationView")
        self.capture, self.candidates, self.settings = capture, candidates, settings
        self.devices = devices
        self.actor = actor
        self.runner = runner
        self.retry_s = retry_s
        self.checklist: Checklist | None = None
        self.student: StationStudent | None = None  # what was last read of the student at the table
        self._generation = 0  # bumped by every read of a student and by moving on: older answers are dropped
        self._reading = ""  # the key being read, "" when no read is running
        self._after_read: list = []  # what waits for the running read of the student at the table
        self._today_generation = 0
        self.editor: CandidateEditorDialog | None = None
        self.key = ""  # the loaded candidate's UUID
        self.mode = "photo"
        self.document_kind = "other"
        self.waiting_for = ""  # the key of the next step when it is not the camera's (“F4”)
        self.busy = False
        self.refused: tuple[Any, np.ndarray, str] | None = None  # (result, frame, mode) awaiting an override
        self._auto_armed = False
        self._load_settings()
        self._build()
        self._shortcuts()
        self._set_mode("photo")
        self._refresh_today()
        self._show_candidate(None)

    # -- settings --------------------------------------------------------------------------------
    def _load_settings(self) -> None:
        settings = self.settings
        self.spec = photo_spec(settings.get("photo_spec"), fallback=True)
        self.auto_capture = bool(settings.get("photo_auto_capture"))
        self.fp_threshold = int(settings.get("fingerprint_quality_threshold"))  # type: ignore[arg-type]
        self.fp_retries = int(settings.get("fingerprint_retries"))  # type: ignore[arg-type]

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(6)

        top = QHBoxLayout()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        self.search = QLineEdit()
        self.search.setObjectName("stationSearch")
        self.search.setFont(big)
        self.search.setPlaceholderText(self.tr("扫描或输入学号、身份证号（也可输入姓名或拼音），按 Enter"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.installEventFilter(self)
        top.addWidget(self.search, 1)
        self.chip_button = QPushButton(self.tr("读身份证 (F6)"))
        self.chip_button.setObjectName("readChipButton")
        self.chip_button.clicked.connect(self.read_chip)
        top.addWidget(self.chip_button)
        self.next_button = QPushButton(self.tr("下一位 (Ctrl+N)"))
        self.next_button.setObjectName("nextButton")
        self.next_button.clicked.connect(self.next_student)
        top.addWidget(self.next_button)
        self.today = QLabel()
        self.today.setObjectName("todayCount")
        self.today.setFont(big)
        self.today.setStyleSheet("color: #1a5fb4; padding-left: 12px;")
        top.addWidget(self.today)
        root.addLayout(top)
        self.search_error = InlineError()
        root.addWidget(self.search_error)
        # The matches for a text that is no number: focus stays in the scan box (a scanner types
        # there), whose ↑↓ move through the list and Enter picks.
        self.matches_label = QLabel()
        self.matches_label.setObjectName("stationMatchesLabel")
        self.matches_label.setWordWrap(True)
        self.matches_label.hide()
        root.addWidget(self.matches_label)
        self.matches = QListWidget()
        self.matches.setObjectName("stationMatches")
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        match_font = QFont(self.font())
        match_font.setPointSizeF(match_font.pointSizeF() * 1.15)
        self.matches.setFont(match_font)
        self.matches.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.matches.itemActivated.connect(self._on_matches_item_activated)
        self.matches.hide()
        root.addWidget(self.matches)
        self._matches_for = ""

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.setSpacing(6)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("modeLabel")
        mode_font = QFont(self.font())
        mode_font.setBold(True)
        mode_font.setPointSizeF(mode_font.pointSizeF() * 1.2)
        self.mode_label.setFont(mode_font)
        left_lay.addWidget(self.mode_label)
        self.preview = CameraPreview()
        self.preview.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview.analysed.connect(self._on_preview_analysed)
        self.preview.state_changed.connect(self._on_preview_state_changed)
        left_lay.addWidget(self.preview, 1)
        self.hints = QLabel()
        self.hints.setObjectName("stationHints")
        hint_font = QFont(self.font())
        hint_font.setPointSizeF(hint_font.pointSizeF() * 1.9)
        hint_font.setBold(True)
        self.hints.setFont(hint_font)
        self.hints.setWordWrap(True)
        self.hints.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hints.setMinimumHeight(self.hints.fontMetrics().height() * 2 + 12)
        left_lay.addWidget(self.hints)
        buttons = QHBoxLayout()
        self.capture_button = QPushButton(self.tr("拍摄 (空格)"))
        self.capture_button.setObjectName("captureButton")
        self.capture_button.clicked.connect(self.capture_now)
        self.override_button = QPushButton(self.tr("放行并保存… (F9)"))
        self.override_button.setObjectName("overrideButton")
        self.override_button.clicked.connect(self.override)
        self.message = QLabel()
        self.message.setObjectName("stationMessage")
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        buttons.addWidget(self.capture_button)
        buttons.addWidget(self.override_button)
        buttons.addWidget(self.message, 1)
        left_lay.addLayout(buttons)
        split.addWidget(left)

        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(6, 0, 0, 0)
        right_lay.setSpacing(6)
        self.who = QLabel()
        self.who.setObjectName("candidateLabel")
        who_font = QFont(self.font())
        who_font.setPointSizeF(who_font.pointSizeF() * 1.4)
        who_font.setBold(True)
        self.who.setFont(who_font)
        self.who.setWordWrap(True)
        right_lay.addWidget(self.who)
        self.who_detail = QLabel()
        self.who_detail.setWordWrap(True)
        right_lay.addWidget(self.who_detail)
        self.steps = QListWidget()
        self.steps.setObjectName("checklist")
        step_font = QFont(self.font())
        step_font.setPointSizeF(step_font.pointSizeF() * 1.15)
        self.steps.setFont(step_font)
        self.steps.itemActivated.connect(self._on_steps_item_activated)
        self.steps.itemClicked.connect(self._on_steps_item_activated)
        right_lay.addWidget(self.steps, 2)
        self.chip_box = QLabel()
        self.chip_box.setObjectName("chipDifferences")
        self.chip_box.setWordWrap(True)
        self.chip_box.setTextFormat(Qt.TextFormat.PlainText)
        self.chip_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.chip_box.hide()
        right_lay.addWidget(self.chip_box)
        thumbs = QHBoxLayout()
        self.thumb = QLabel()
        self.thumb.setObjectName("photoThumb")
        self.thumb.setFixedSize(96, 128)
        self.thumb.setFrameShape(QFrame.Shape.StyledPanel)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        thumbs.addWidget(self.thumb)
        self.history = QListWidget()
        self.history.setObjectName("captureHistory")
        self.history.setToolTip(self.tr("采集记录（灰色为被重拍替换的旧记录）"))
        # A long line (an override's reason) wraps in the narrow list instead of running off its edge.
        self.history.setWordWrap(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        thumbs.addWidget(self.history, 1)
        right_lay.addLayout(thumbs, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 420])
        root.addWidget(split, 1)
        self.setTabOrder(self.search, self.preview)
        self.setTabOrder(self.preview, self.steps)

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut

        def bind(key: str, slot) -> QShortcut:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(ctx)
            sc.activated.connect(slot)
            return sc

        bind("F1", lambda: self._set_mode("photo"))
        bind("F2", lambda: self._set_mode("id_front"))
        bind("F3", lambda: self._set_mode("id_back"))
        bind("F4", self.capture_fingerprints)
        bind("F5", self.choose_document)
        bind("F6", self.read_chip)
        bind("F7", self.complete_info)
        bind("F8", self.show_unfinished)
        bind("F9", self.override)
        bind("Space", self.capture_now)
        bind("Ctrl+N", self.next_student)
        bind("Ctrl+F", self._focus_search)

    # -- showing --------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.preview.running:
            self.start_camera()
        self.search.setFocus()

    def hideEvent(self, event: QHideEvent) -> None:
        # The camera is released when the counsellor leaves the station (another app may need it).
        self.preview.stop()
        super().hideEvent(event)

    def start_camera(self) -> None:
        devices = self.devices
        self.preview.start(devices.camera, self._analysis_for(self.mode),
                           device_id=str(devices.camera_index()), width=CAMERA_SIZE[0], height=CAMERA_SIZE[1],
                           retry_s=self.retry_s)
        self.preview.overlay = self._overlay_for(self.mode)

    def stop_camera(self) -> None:
        self.preview.stop()

    def _analysis_for(self, mode: str):
        if mode == "photo":
            spec = self.spec
            return lambda frame: analyse_photo(frame, spec)
        return analyse_document if mode == "document" else analyse_card

    def _overlay_for(self, mode: str):
        return photo_overlay(self.spec) if mode == "photo" else quad_overlay

    def choose_document(self) -> None:
        """F5: ask which document (the one the category requires preselected), then photograph it."""
        wanted = self._wanted_document()
        dialog = DocumentKindDialog(DOCUMENT_KINDS, wanted or "other", wanted, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.kind_chosen.connect(lambda kind: self._set_mode("document", kind))
        dialog.finished.connect(self._on_document_dialog_finished)
        self.document_dialog = dialog
        dialog.open()

    def _on_document_dialog_finished(self, _result: int) -> None:
        # Back to the preview, where Space captures (not every platform reactivates the parent).
        self.window().activateWindow()
        self.preview.setFocus()

    def _set_mode(self, mode: str, document_kind: str | None = None) -> None:
        if mode == "document":
            self.document_kind = document_kind or self._wanted_document() or "other"
        self.mode = mode
        self.waiting_for = ""
        self.refused = None
        self.override_button.setEnabled(False)
        label = {"photo": self.tr("F1 照片：请考生正对镜头，头部放在黄色框内"),
                 "id_front": self.tr("F2 身份证正面（人像面）：平放在画面中央"),
                 "id_back": self.tr("F3 身份证背面（国徽面）：平放在画面中央"),
                 "document": self.tr("F5 证明材料（%1）：平放在画面中央")
                 .replace("%1", DOCUMENT_KINDS.get(self.document_kind, ""))}[mode]
        self.mode_label.setText(label)
        self.preview.set_analysis(self._analysis_for(mode), self._overlay_for(mode))
        self.hints.setText("")
        self._select_step(mode)

    def _wanted_document(self) -> str | None:
        if self.checklist is None:
            return None
        return next((s.subkind for s in self.checklist.steps if s.kind == "document"), None)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- candidates ------------------------------------------------------------------------------
    def _on_search_return_pressed(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        if self.matches.isVisible() and text == self._matches_for:
            item = self.matches.currentItem()
            if item is not None:
                self._on_matches_item_activated(item)
            return
        self._hide_matches()
        self._go_to(text, offer_matches=True)

    def _go_to(self, key: str, *, offer_matches: bool = False) -> None:
        """Load ``key``, first asking when the student at the table still has steps missing.

        ``offer_matches``: when nobody has that number, list whom the roster search finds for it.
        """
        def found(student: StationStudent) -> None:
            if student.uuid == self.key or not self._missing_labels():
                self._loaded(student)
            else:  # asked first; read again once the counsellor has confirmed
                self._leave_then(lambda: self.load(key))

        self._read(key, on_found=found, on_missing=(lambda: self._offer_matches(key)) if offer_matches else None)

    def _offer_matches(self, text: str) -> None:
        """After an exact lookup found nobody: what the roster search finds for ``text``, to pick from."""
        candidates = self.candidates
        self.runner.run(lambda progress, cancel: candidates.find(text),
                        on_success=lambda rows: self._show_matches(text, rows),  # type: ignore[arg-type]
                        on_error=lambda exc: log.warning("station search for matches failed: %r", exc))

    def _show_matches(self, text: str, rows: list[CandidateRow]) -> None:
        if not rows or self.search.text().strip() != text:
            return  # nobody (the “not found” message stays), or the counsellor has moved on
        self.search_error.clear_message()
        self.matches.clear()
        for row in rows[:MAX_MATCHES]:
            # Names padded to four characters with ideographic spaces, so the columns line up.
            item = QListWidgetItem(f"{row.name.ljust(4, '　')}　{row.student_no or '-'}　"
                                   + self.tr("身份证 %1").replace("%1", _mask(row.id_number))
                                   + f"　{row.class_name}")
            item.setData(Qt.ItemDataRole.UserRole, row.uuid)
            self.matches.addItem(item)
        self.matches.setCurrentRow(0)
        # As tall as its rows (at most MAX_MATCHES): nothing to scroll.
        self.matches.setFixedHeight(self.matches.sizeHintForRow(0) * self.matches.count()
                                    + 2 * self.matches.frameWidth())
        more = (self.tr("只列出前 %1 人，可再多输入几个字。").replace("%1", str(MAX_MATCHES))
                if len(rows) > MAX_MATCHES else "")
        self.matches_label.setText(
            self.tr("没有学号或身份证号为“%1”的考生。姓名、拼音或号码相符的有 %2 人：↑↓ 选择，Enter 确认，Esc 取消。")
            .replace("%1", text).replace("%2", str(len(rows))) + more)
        self._matches_for = text
        self.matches_label.show()
        self.matches.show()

    def _hide_matches(self) -> None:
        self._matches_for = ""
        self.matches.hide()
        self.matches_label.hide()
        self.matches.clear()

    def _on_matches_item_activated(self, item: QListWidgetItem) -> None:
        self._go_to(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_search_text_changed(self, text: str) -> None:
        if self.matches.isVisible() and text.strip() != self._matches_for:
            self._hide_matches()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The scan box keeps the focus while matches show: its arrow keys move through them.
        if (watched is self.search and event.type() == QEvent.Type.KeyPress and self.matches.isVisible()
                and isinstance(event, QKeyEvent)):
            key = event.key()
            if key in _MATCH_STEPS:
                row = self.matches.currentRow() + _MATCH_STEPS[key]  # type: ignore[index]
                self.matches.setCurrentRow(max(0, min(self.matches.count() - 1, row)))
                return True
            if key == Qt.Key.Key_Escape:
                self._hide_matches()
                self.search.selectAll()
                return True
        return super().eventFilter(watched, event)

    def load(self, key: str, *, then=None, on_missing=None) -> None:
        """Read the candidate ``key`` (student number, ID number or UUID) on the task runner and show
        them; ``then()`` runs once they are shown, ``on_missing()`` if nobody has that key."""
        def found(student: StationStudent) -> None:
            self._loaded(student)
            if then is not None:
                then()

        self._read(key, on_found=found, on_missing=on_missing)

    @property
    def reading(self) -> bool:
        """Whether a student is being read (loaded, or read again after a capture)."""
        return bool(self._reading)

    def _read(self, key: str, *, on_found, on_missing=None) -> None:
        """Read ``key`` on the runner; ``on_found(student)`` on the GUI thread unless the counsellor
        has moved on since. Not found: the scan box says so, then ``on_missing()``."""
        self._generation += 1
        generation = self._generation
        if key != self.key:
            self._after_read.clear()  # what waited for the student at the table no longer applies
            self._say(self.tr("正在读取考生信息…"))
            self.search.selectAll()  # a scan before the answer comes replaces the number, not adds to it
        self._reading = key
        capture, candidates = self.capture, self.candidates

        def work(progress, cancel):
            return read_student(capture, candidates, key)

        def done(student: object) -> None:
            if generation != self._generation:
                return
            self._reading = ""
            assert isinstance(student, StationStudent)
            on_found(student)
            self._run_after_read()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._reading = ""
            if isinstance(exc, NotFoundError):
                self._say("")
                self.search_error.show_message(exc.message)
                self.search.selectAll()
                if on_missing is not None:
                    on_missing()
            else:
                self._say(message_for(exc), error=True)
                show_error(self, exc)
            self._run_after_read()

        self.runner.run(work, on_success=done, on_error=failed)

    def _when_read(self, action) -> None:
        """Run ``action`` now, or once the running read of the student at the table is shown."""
        if self._reading:
            self._after_read.append(action)
        else:
            action()

    def _run_after_read(self) -> None:
        waiting, self._after_read = self._after_read, []
        for action in waiting:
            action()

    def _loaded(self, student: StationStudent) -> None:
        """Show a student just read: the first missing step is where the camera starts."""
        checklist = student.checklist
        self._hide_matches()
        self.search_error.clear_message()
        self.chip_box.hide()
        self.waiting_for = ""
        self.key = checklist.candidate_uuid
        self._auto_armed = True
        self._show_candidate(student)
        self.search.clear()
        self._say(self.tr("已找到 %1，开始采集。").replace("%1", checklist.name))
        first = next((s for s in checklist.steps if not s.done), None)
        if first is not None and first.kind in CAMERA_MODES:
            self._set_mode(first.kind, first.subkind if first.kind == "document" else None)
        else:
            self._set_mode("photo")
            if first is not None:
                self._advance()  # names the key of the next step (F4, F7)
        self.preview.setFocus()
        self.candidate_loaded.emit(checklist.student_no)

    def next_student(self) -> None:
        """Ctrl+N: on to the next student; asks first when this one still has steps missing."""
        self._leave_then(self._clear_student)

    def _leave_then(self, action) -> None:
        """Run ``action`` (moving on to someone else) now, or after the counsellor confirms that
        the student at the table may be left with steps missing."""
        missing = self._missing_labels()
        if not missing:
            action()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("还有未完成的步骤"),
                          self.tr("%1 还缺 %2，确定下一位？").replace("%1", self.checklist.name if self.checklist else "")
                          .replace("%2", "、".join(missing)), QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("leaveBox")
        go = box.addButton(self.tr("确定下一位"), QMessageBox.ButtonRole.AcceptRole)
        stay = box.addButton(self.tr("继续采集"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        go.clicked.connect(action)
        stay.clicked.connect(self.preview.setFocus)
        self.leave_box = box
        box.open()

    def _missing_labels(self) -> list[str]:
        """What the student at the table still lacks, as said at the desk (“身份证背面、指纹”)."""
        if not self.key or self.checklist is None:
            return []
        return self.checklist.missing_labels()

    def _clear_student(self) -> None:
        self._generation += 1  # a read still running is for someone the counsellor has left
        self._reading = ""
        self._after_read.clear()
        self.key = ""
        self.refused = None
        self._show_candidate(None)
        self.chip_box.hide()
        self._set_mode("photo")
        self._refresh_today()
        self._say("")
        self._focus_search()

    def _reload(self, then=None) -> None:
        """Read the student at the table again (after a capture or an edit), on the task runner;
        ``then()`` once shown (also when the read failed, the error said)."""
        if not self.key:
            if then is not None:
                then()
            return
        if then is not None:
            self._after_read.append(then)
        self._read(self.key, on_found=self._show_candidate)

    def _show_candidate(self, student: StationStudent | None) -> None:
        self.student = student
        checklist = self.checklist = student.checklist if student is not None else None
        self.steps.clear()
        self.history.clear()
        self.thumb.clear()
        has = checklist is not None
        for w in (self.capture_button, self.steps):
            w.setEnabled(has)
        if not has:
            self.who.setText(self.tr("请扫描或输入考生学号"))
            self.who_detail.setText(self.tr("也可以按 F6 读取身份证芯片查找考生。"))
            self.thumb.setText(self.tr("照片"))
            return
        assert student is not None
        data = student.detail.data
        self.who.setText(f"{checklist.name}  {checklist.student_no}")
        self.who_detail.setText(self.tr("%1 · %2 · 身份证 %3").replace("%1", data.class_name or "")
                                .replace("%2", data.category or "").replace("%3", _mask(data.id_number)))
        keys = {"photo": "F1", "id_front": "F2", "id_back": "F3", "fingerprint": "F4", "document": "F5", INFO: "F7"}
        for step in checklist.steps:
            mark = "✓" if step.done else "○"
            when = ""
            if step.capture is not None:
                when = step.capture.captured_at.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M")
                if step.capture.override_reason:
                    when += self.tr(" 已放行")
            text = f"{mark}  {keys.get(step.kind, '')}  {step.label}" + (f"  {when}" if when else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (step.kind, step.subkind))
            item.setForeground(Qt.GlobalColor.darkGreen if step.done else Qt.GlobalColor.black)
            self.steps.addItem(item)
        self._select_step(self.mode)
        self._show_history(student)
        if checklist.complete:
            self._say(self.tr("✓ %1 的采集已全部完成。扫描下一位考生，或按 Ctrl+N。").replace("%1", checklist.name))

    def _show_history(self, student: StationStudent) -> None:
        self.history.clear()
        for info in student.history:
            when = info.captured_at.replace(tzinfo=dt.UTC).astimezone().strftime("%m-%d %H:%M:%S")
            text = f"{when} {info.label} · {info.operator}"
            if not info.active:
                text += self.tr("（已被重拍替换）")
            if info.override_reason:
                text += self.tr(" · 放行理由：%1").replace("%1", info.override_reason)
            item = QListWidgetItem(text)
            item.setToolTip(text)
            if not info.active:
                item.setForeground(Qt.GlobalColor.gray)
            self.history.addItem(item)
        photo = student.photo
        image = QImage.fromData(student.photo_bytes) if student.photo_bytes else QImage()
        if photo is not None and image.isNull():
            self.thumb.setText(self.tr("照片无法显示"))
        elif photo is not None:
            self.thumb.setPixmap(QPixmap.fromImage(image).scaled(
                self.thumb.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        else:
            self.thumb.setText(self.tr("未拍照"))

    def _select_step(self, mode: str) -> None:
        for i in range(self.steps.count()):
            kind, _sub = self.steps.item(i).data(Qt.ItemDataRole.UserRole)
            if kind == mode:
                self.steps.setCurrentRow(i)
                return

    def _on_steps_item_activated(self, item: QListWidgetItem) -> None:
        kind, sub = item.data(Qt.ItemDataRole.UserRole)
        if kind == "fingerprint":
            self.capture_fingerprints()
        elif kind == INFO:
            self.complete_info()
        elif kind in CAMERA_MODES:
            self._set_mode(kind, sub if kind == "document" else None)

    def _refresh_today(self) -> None:
        """The day's count at this desk, read on the task runner (the latest read wins)."""
        self._today_generation += 1
        generation, capture = self._today_generation, self.capture

        def shown(n: object) -> None:
            if generation == self._today_generation:
                self.today.setText(self.tr("本桌今日：%1 人").replace("%1", str(n)))

        self.runner.run(lambda progress, cancel: capture.done_today(), on_success=shown,
                        on_error=lambda exc: log.error("counting today's candidates failed: %r", exc))

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c0392b;" if error else "color: #26a269;")
        self.message.setText(text)
        self.message_shown.emit(text)

    # -- preview events --------------------------------------------------------------------------
    def _on_preview_state_changed(self, state: str, message: str) -> None:
        if state == LIVE:
            self.hints.setStyleSheet("")
            self.hints.setText(self.tr("摄像头已连接"))
        else:
            self.hints.setStyleSheet("color: #c0392b;")
            self.hints.setText(message)

    def _on_preview_analysed(self, result: Any) -> None:
        if self.preview.state != LIVE:
            return
        if result is None:
            self.hints.setStyleSheet("color: #c0392b;")
            self.hints.setText(self.tr("画面分析出错，详情见日志"))
            return
        if not self.key:
            self.hints.setStyleSheet("color: #555;")
            self.hints.setText(self.tr("请先扫描或输入考生学号"))
            return
        if self.waiting_for:
            return  # the hint names the next key; the camera has nothing to do until then
        hints = check_hints(result) if self.mode == "photo" else list(getattr(result, "hints", []))
        if result.ok:
            self.hints.setStyleSheet("color: #26a269;")
            self.hints.setText(self.tr("✓ 合格，按空格拍摄") if self.mode == "photo"
                               else self.tr("✓ 已找到，按空格保存"))
        else:
            self.hints.setStyleSheet("color: #c0392b;")
            self.hints.setText("；".join(hints[:2]))
        if (self.mode == "photo" and self.auto_capture and self._auto_armed and result.ok and self.key
                and not self.busy and not self.reading):
            self._auto_armed = False
            self._store_camera("photo", result, self.preview.result_frame, "")

    # -- capture ---------------------------------------------------------------------------------
    def complete_info(self) -> CandidateEditorDialog | None:
        """F7: the candidate editor, to fill in what the category needs and the roster lacked."""
        if not self._need_candidate():
            return None
        if self.editor is not None and self.editor.isVisible():
            self.editor.raise_()
            return self.editor
        try:
            editor = CandidateEditorDialog(self.actor, self.key, self.runner, self, candidates=self.candidates,
                                           capture=self.capture, can_retake=True)
        except Exception as exc:
            show_error(self, exc)
            return None
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.candidate_saved.connect(self._on_editor_candidate_saved)
        editor.retake_requested.connect(self.retake)
        editor.finished.connect(self._on_editor_finished)
        self.editor = editor
        editor.open()
        missing = next((s.subkind for s in (self.checklist.steps if self.checklist else [])
                        if s.kind == INFO and not s.done), "")
        if missing:
            editor.focus_field(missing)
        return editor

    def _on_editor_candidate_saved(self, _uuid: str = "") -> None:
        self._reload()

    def _on_editor_finished(self, _result: int) -> None:
        self.editor = None
        self._focus_search()

    def retake(self, uuid: str, kind: str, subkind: str = "") -> None:
        """Take one capture of ``uuid`` again (from the roster or the editor); the old one stays
        in the history."""
        def start() -> None:
            self.load(uuid, then=retake_now)

        def retake_now() -> None:
            if kind == "fingerprint":
                self.capture_fingerprints(only=[subkind] if subkind else None)
            elif kind in CAMERA_MODES:
                self._set_mode(kind, subkind if kind == "document" else None)
                self._say(self.tr("重拍%1：旧的一份保留在采集记录中。").replace("%1", self._mode_label(kind)))
                self.preview.setFocus()

        if self.key == uuid:
            start()
        else:
            self._leave_then(start)

    def show_unfinished(self) -> None:
        """F8: this desk's unfinished students of today, and who has not come yet."""
        capture, candidates = self.capture, self.candidates

        def work(progress, cancel):
            states = capture.onsite()
            not_come = [r for r in candidates.rows() if states.get(r.uuid) and states[r.uuid].state == NOT_COME]
            return capture.unfinished_today(), not_come

        self.runner.run(work, on_success=self._on_lists_loaded, on_error=lambda exc: show_error(self, exc))

    def _on_lists_loaded(self, result: object) -> None:
        unfinished, not_come = result  # type: ignore[misc]
        dialog = StudentListDialog(unfinished, not_come, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.student_chosen.connect(lambda uuid: self._leave_then(lambda: self.load(uuid)))
        dialog.finished.connect(lambda _r: self.search.setFocus())
        self.list_dialog = dialog
        dialog.open()

    def _need_candidate(self) -> bool:
        if self._reading:  # the student (or what is done) is on the way: the key waits for it
            self._say(self.tr("正在读取考生信息，请稍候。"), error=True)
            return False
        if not self.key:
            self._say(self.tr("请先扫描或输入考生学号。"), error=True)
            self._focus_search()
            return False
        return True

    def capture_now(self) -> None:
        """Space: keep what the camera shows now, if it passes the checks."""
        if not self._need_candidate() or self.busy:
            return
        frame = self.preview.result_frame
        result = self.preview.result
        if frame is None or time.monotonic() - self.preview.result_at > FRESH_S:
            frame = self.preview.latest_frame()
            if frame is None:
                self._say(self.tr("摄像头没有画面，无法拍摄。"), error=True)
                return
            result = self._analysis_for(self.mode)(frame)
        mode = self.mode
        if mode != "photo" and getattr(result, "corners", None) is None:
            self._ask_corners(frame)
            return
        if not result.ok:
            hints = check_hints(result) if mode == "photo" else list(result.hints)
            self.refused = (result, frame, mode)
            self.override_button.setEnabled(True)
            self._say(self.tr("未保存：%1。可调整后重拍，或按 F9 填写理由放行。").replace("%1", "；".join(hints)),
                      error=True)
            self.capture_refused.emit(hints)
            return
        self._store_camera(mode, result, frame, "")

    def override(self) -> None:
        """F9: keep the refused capture; the counsellor gives the reason (audited)."""
        if self.refused is None or not self.key:
            return
        result, frame, mode = self.refused
        failed = check_hints(result) if mode == "photo" else list(result.hints)
        what = self._mode_label(mode)
        dialog = OverrideDialog(what, failed, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reason_given.connect(lambda reason: self._store_camera(mode, result, frame, reason))
        dialog.open()

    def _mode_label(self, mode: str) -> str:
        if mode == "document":
            return DOCUMENT_KINDS.get(self.document_kind, "")
        return KINDS.get(mode, mode)

    def _ask_corners(self, frame: np.ndarray) -> None:
        from app.photo import card

        mode = self.mode
        dialog = CornerDialog(self.tr("手动标出%1的四个角").replace("%1", self._mode_label(mode)), frame,
                              card.default_corners(frame), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.corners_chosen.connect(lambda corners: self._store_manual(mode, frame, corners))
        dialog.rejected.connect(lambda: self._say(self.tr("已取消手动标角，%1未保存。可重新按空格拍摄。")
                                                  .replace("%1", self._mode_label(mode)), error=True))
        dialog.resize(self.window().size() * 0.8)
        dialog.open()
        self.corner_dialog = dialog

    def _store_manual(self, mode: str, frame: np.ndarray, corners: np.ndarray) -> None:
        self._store_camera(mode, manual_result(corners), frame, "", manual=True)

    def _store_camera(self, mode: str, result: Any, frame: np.ndarray, reason: str, *, manual: bool = False) -> None:
        key, actor, spec, capture = self.key, self.actor, self.spec, self.capture
        device = self.devices.driver_name("camera")
        document_kind = self.document_kind

        def work(progress, cancel):
            if mode == "photo":
                return store_photo(capture, actor, key, frame, spec, analysis=result, reason=reason, device=device)
            if mode == "document":
                return store_document(capture, actor, key, document_kind, frame, result, reason=reason,
                                      manual=manual, device=device)
            return store_card_side(capture, actor, key, mode, frame, result, reason=reason, manual=manual,
                                   device=device)

        self.busy = True
        self.capture_button.setEnabled(False)
        self._say(self.tr("正在保存…"))
        self.runner.run(work, on_success=self._on_stored,
                        on_error=lambda exc: self._on_store_failed(exc, frame, mode))

    def _on_stored(self, info: object) -> None:
        self.busy = False
        self.capture_button.setEnabled(bool(self.key))
        self.refused = None
        self.override_button.setEnabled(False)
        assert isinstance(info, CaptureInfo)
        kb = info.size_bytes / 1024
        text = self.tr("已保存%1（%2 KB）").replace("%1", info.label).replace("%2", f"{kb:.1f}")
        if info.override_reason:
            text += self.tr("，放行理由已记录")
        # On to the next step once the checklist has been read again (Space waits for it).
        self._reload(then=lambda: self._after_step(text))
        self._refresh_today()
        self.capture_stored.emit(info)

    def _after_step(self, text: str) -> None:
        """After a step is stored: on to the next missing one, or “全部完成” with the cursor back in
        the scan box, so the next student's 学号 can be scanned straight away."""
        if self.checklist is None:
            return
        if self.checklist.complete:
            self.waiting_for = ""
            self.hints.setStyleSheet("color: #26a269;")
            self.hints.setText(self.tr("✓ 全部完成"))
            self._say(text + self.tr("。全部完成，扫描下一位考生的学号。"))
            self._focus_search()
            return
        self._say(text + "。")
        self._advance()

    def _advance(self) -> None:
        """Go on to the next step still missing: the camera's mode, or the key of a step that is
        not the camera's (fingerprints, the category's data), named where the hints are."""
        assert self.checklist is not None
        for step in self.checklist.steps:
            if step.done:
                continue
            if step.kind in CAMERA_MODES:
                if step.kind != self.mode:
                    self._set_mode(step.kind, step.subkind if step.kind == "document" else None)
                self.preview.setFocus()
                return
            key, what = {"fingerprint": ("F4", self.tr("采集指纹")), INFO: ("F7", self.tr("补填%1")
                                                                             .replace("%1", step.label[2:]))}[step.kind]
            self.waiting_for = key
            self.hints.setStyleSheet("color: #1a5fb4;")
            self.hints.setText(self.tr("下一步：按 %1 %2").replace("%1", key).replace("%2", what))
            self.preview.setFocus()
            return

    def _on_store_failed(self, exc: BaseException, frame: np.ndarray | None = None, mode: str = "") -> None:
        self.busy = False
        self.capture_button.setEnabled(bool(self.key))
        self._auto_armed = True
        if isinstance(exc, CaptureRefused | PhotoRefused) and frame is not None:
            # The pipeline refused what was shot: keep it for F9, as a refusal before storing is kept.
            verdict = exc.analysis if isinstance(exc, PhotoRefused) else exc.result
            self.refused = (verdict, frame, mode)
            self.override_button.setEnabled(True)
            text = (self.tr("未保存：%1。请放好身份证重拍；确是身份证时按 F9 填写理由放行。")
                    if isinstance(exc, NotACard) else self.tr("未保存：%1。可调整后重拍，或按 F9 填写理由放行。"))
            self._say(text.replace("%1", "；".join(exc.hints)), error=True)
            self.capture_refused.emit(list(exc.hints))
            return
        if isinstance(exc, AppError):
            self._say(exc.message, error=True)
        else:
            self._say(message_for(exc), error=True)
            show_error(self, exc)

    # -- fingerprints ----------------------------------------------------------------------------
    def capture_fingerprints(self, only: list[str] | None = None) -> None:
        """F4: every configured finger not yet taken (all of them again when all are done);
        ``only`` names the fingers to take again (a retake from the gallery)."""
        if not self._need_candidate() or self.checklist is None:
            return
        steps = [s for s in self.checklist.steps if s.kind == "fingerprint"]
        if only:
            steps = [s for s in steps if s.subkind in only] or steps
        todo = [s for s in steps if not s.done] or steps
        fingers = [(s.subkind, FINGER_LABELS.get(s.subkind, s.subkind)) for s in todo]
        key, actor, capture, devices = self.key, self.actor, self.capture, self.devices
        threshold, retries = self.fp_threshold, self.fp_retries

        def capture_one(finger: str, progress, cancel):
            checked, opened = capture_fingerprint(
                devices.fingerprint(), finger, threshold=threshold, retries=retries, cancel=cancel,
                on_event=lambda _event, message: progress(0, 0, message), subject=key, raise_on_poor=False)
            if not checked.accepted:
                return None, checked
            return store(finger, checked, "", opened.name), checked

        def store(finger: str, checked, reason: str, device_name: str = "") -> CaptureInfo:
            return store_fingerprint(capture, actor, key, finger, checked, threshold=threshold, reason=reason,
                                     device_name=device_name)

        dialog = FingerprintDialog(fingers, capture_one, lambda finger, checked, reason: store(finger, checked, reason),
                                   self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.captured.connect(self._on_fingerprint_captured)
        dialog.finished.connect(self._on_fingerprint_dialog_finished)
        self.fingerprint_dialog = dialog
        dialog.start()

    def _on_fingerprint_dialog_finished(self, result: int) -> None:
        self.window().activateWindow()
        if result == QDialog.DialogCode.Accepted:
            text = self.message.text().rstrip("。") or self.tr("指纹已采集")
            self._when_read(lambda: self._after_step(text))  # once the last finger's read is shown
        else:
            self._say(self.tr("已取消采集指纹，可按 F4 重新开始。"))
            self.preview.setFocus()

    def _on_fingerprint_captured(self, info: object) -> None:
        assert isinstance(info, CaptureInfo)
        self._reload()
        self._refresh_today()
        self.capture_stored.emit(info)
        self._say(self.tr("已保存%1（质量 %2 分）").replace("%1", info.label)
                  .replace("%2", str(info.quality.get("score", ""))))

    # -- chip ------------------------------------------------------------------------------------
    def read_chip(self) -> None:
        """F6: read the ID card's chip, find the student by its ID number and compare with the roster."""
        devices = self.devices
        # Only a simulated reader uses the subject: it makes the card of the student at the desk.
        subject = self.student.detail.data if self.key and self.student is not None else None

        def work(progress, cancel):
            return read_chip(devices.idcard(), timeout_s=10.0, cancel=cancel, subject=subject)

        self._say(self.tr("请把身份证放在阅读器上…"))
        self.runner.run(work, on_success=self._on_chip_read, on_error=self._on_chip_failed)

    def _on_chip_failed(self, exc: BaseException) -> None:
        self._say(message_for(exc), error=True)
        if not isinstance(exc, AppError):
            show_error(self, exc)

    def _on_chip_read(self, chip: object) -> None:
        number = getattr(chip, "id_number", "")
        self.load(number, then=lambda: self._compare_chip(chip), on_missing=lambda: self._say(
            self.tr("身份证号 %1 不在本校名单中。").replace("%1", _mask(number)), error=True))

    def _compare_chip(self, chip: object) -> None:
        assert self.student is not None
        differences = chip_differences(chip, self.student.detail.data)
        if differences:
            self.chip_box.setStyleSheet("color: #c0392b;")
            self.chip_box.setText(self.tr("身份证芯片与名单不一致：") + "\n"
                                  + "\n".join(f"• {d}" for d in differences))
        else:
            self.chip_box.setStyleSheet("color: #26a269;")
            self.chip_box.setText(self.tr("身份证芯片信息与名单一致。"))
        self.chip_box.show()
        key, actor, capture = self.key, self.actor, self.capture
        device = self.devices.driver_name("idcard")
        self.runner.run(lambda progress, cancel: store_chip(capture, actor, key, chip, differences, device=device),
                        on_success=self._on_chip_stored, on_error=self._on_store_failed)

    def _on_chip_stored(self, info: object) -> None:
        self._reload()
        self._refresh_today()
        self.capture_stored.emit(info)


def _mask(number: str) -> str:
    from app.domain import idnumber

    try:
        return idnumber.mask(number)
    except Exception:
        return number

