"""模拟设备: the demo's hands on the simulated devices, a strip docked at the bottom of the main window.

With the mock ID-card reader it puts a student's card on the reader (or takes it away, or pulls
the reader's USB cable), so F6 at the station reads that card; the card can be made to disagree
with the roster (name, ethnicity, expired) to show the chip check. With the mock camera it chooses
what lies in front of the lens: the student, the student's ID card (either side, or with a lamp's
glare that the station refuses, so F9 can be tried) or a printed page whose QR code the camera
check (打印与核验 → 拍照核验) reads. The pictures are drawn by ``app.devices.camera.scenes``.

The panel acts on the desk's own drivers (the container's ``devices``): the very reader and camera the
station and the camera check use. It follows the student loaded at the station unless told not to.

Signals: ``card_changed(str)`` (what lies on the reader, as shown), ``scene_changed(str)`` (the
camera scene's key once it is in front of the camera).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.demo.service import DemoService
from app.devices.base import DeviceError
from app.devices.factory import Devices
from app.errors import AppError
from app.roster.candidates import CandidateService
from ui.common.errors import message_for
from ui.common.tasks import TaskRunner

log = logging.getLogger(__name__)

FACE, FRONT, BACK, GLARE, PAGE = "face", "id_front", "id_back", "id_front_glare", "page"
SCENES = (FACE, FRONT, BACK, GLARE, PAGE)
SAME, NAME, ETHNICITY, EXPIRED = "same", "name", "ethnicity", "expired"


def chip_differences(choice: str, record: Any, today: dt.date | None = None) -> dict[str, object]:
    """The fields a card of kind ``choice`` has that the roster record does not (``card_for``'s keywords)."""
    from app.demo.samples import misspelt

    today = today or dt.date.today()
    if choice == NAME:
        return {"name": misspelt(str(getattr(record, "name", "") or ""))}
    if choice == ETHNICITY:
        roster = str(getattr(record, "ethnicity", "") or "")
        return {"ethnicity": "回" if roster.startswith("汉") else "汉"}
    if choice == EXPIRED:
        end = today - dt.timedelta(days=40)
        return {"valid_from": end.replace(year=end.year - 10), "valid_to": end}
    return {}


class DemoDevicePanel(QWidget):
    card_changed = Signal(str)
    scene_changed = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None, *, demo: DemoService,
                 candidates: CandidateService, devices: Devices) -> None:
        super().__init__(parent)
        self.setObjectName("demoDevicePanel")
        self.setWindowTitle(self.tr("模拟设备"))
        self.demo, self.candidates = demo, candidates
        self.devices = devices
        self.runner = runner
        self.scene = FACE
        self._scene_request = 0
        self._station = None
        self._focus_before: QWidget | None = None  # where the keyboard was before a click here
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)

        # -- the student ------------------------------------------------------------------------
        self.student_combo = QComboBox(self)
        self.student_combo.setObjectName("demoStudent")
        self.student_combo.setEditable(True)
        self.student_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.student_combo.lineEdit().setPlaceholderText(self.tr("输入姓名或学号选择考生"))
        completer = QCompleter(self.student_combo.model(), self.student_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.student_combo.setCompleter(completer)
        self.student_combo.setMinimumContentsLength(16)
        self.student_combo.currentIndexChanged.connect(self._on_student_combo_changed)
        self.student_combo.activated.connect(lambda _i: self._return_focus())
        # Enter after typing part of a name or number takes the first student it fits, as the list shows.
        self.student_combo.lineEdit().returnPressed.connect(self._on_student_text_entered)
        self.follow_check = QCheckBox(self.tr("跟随现场确认中的考生"), self)
        self.follow_check.setObjectName("demoFollow")
        self.follow_check.setChecked(True)

        # -- the reader ----------------------------------------------------------------------------
        self.reader_group = QGroupBox(self.tr("身份证阅读器"), self)
        self.card_label = QLabel(self.reader_group)
        self.card_label.setObjectName("demoCardState")
        self.card_label.setWordWrap(True)
        self.chip_combo = QComboBox(self.reader_group)
        self.chip_combo.setObjectName("demoChipKind")
        for key, text in ((SAME, self.tr("与名单一致")), (NAME, self.tr("姓名与名单不同")),
                          (ETHNICITY, self.tr("民族与名单不同")), (EXPIRED, self.tr("已过期的身份证"))):
            self.chip_combo.addItem(text, key)
        self.place_button = QPushButton(self.tr("放上身份证"), self.reader_group)
        self.place_button.setObjectName("demoPlaceCard")
        self.place_button.clicked.connect(self._on_place_clicked)
        self.remove_button = QPushButton(self.tr("拿走"), self.reader_group)
        self.remove_button.setObjectName("demoRemoveCard")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.plug_button = QPushButton(self.tr("拔出 USB"), self.reader_group)
        self.plug_button.setObjectName("demoPlugReader")
        self.plug_button.setToolTip(self.tr("模拟阅读器的 USB 线被拔出 / 插回"))
        self.plug_button.clicked.connect(self._on_plug_clicked)
        reader_buttons = QHBoxLayout()
        reader_buttons.addWidget(QLabel(self.tr("芯片："), self.reader_group))
        reader_buttons.addWidget(self.chip_combo, 1)
        for b in (self.place_button, self.remove_button, self.plug_button):
            reader_buttons.addWidget(b)
        reader_lay = QVBoxLayout(self.reader_group)
        reader_lay.addWidget(self.card_label)
        reader_lay.addLayout(reader_buttons)
        reader_lay.addStretch(1)

        # -- the camera ----------------------------------------------------------------------------
        self.camera_group = QGroupBox(self.tr("摄像头前"), self)
        self.scene_buttons = QButtonGroup(self)
        self.scene_radio: dict[str, QRadioButton] = {}
        grid = QGridLayout()
        labels = {FACE: self.tr("考生本人"), FRONT: self.tr("身份证人像面"), BACK: self.tr("身份证国徽面"),
                  GLARE: self.tr("人像面（反光）"), PAGE: self.tr("打印的表格页")}
        for i, key in enumerate(SCENES):
            radio = QRadioButton(labels[key], self.camera_group)
            radio.setObjectName(f"demoScene_{key}")
            self.scene_buttons.addButton(radio, i)
            self.scene_radio[key] = radio
            grid.addWidget(radio, i // 3, i % 3)
        self.scene_radio[FACE].setChecked(True)
        self.scene_buttons.idClicked.connect(self._on_scene_clicked)
        self.camera_label = QLabel(self.camera_group)
        self.camera_label.setObjectName("demoCameraState")
        self.camera_label.setWordWrap(True)
        camera_lay = QVBoxLayout(self.camera_group)
        camera_lay.addLayout(grid)
        camera_lay.addWidget(self.camera_label)
        camera_lay.addStretch(1)

        self.setToolTip(self.tr("放上身份证后在现场确认页按 F6 读卡；摄像头前放身份证时按 F2/F3 拍摄，"
                                "反光的会被拒收，可按 F9 填写理由放行；打印的表格页用于“打印与核验 → 拍照核验”。"))

        self.student_group = QGroupBox(self.tr("考生"), self)
        student_lay = QVBoxLayout(self.student_group)
        student_lay.addWidget(self.student_combo)
        student_lay.addWidget(self.follow_check)
        student_lay.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 0, 6, 4)
        lay.addWidget(self.student_group, 3)
        lay.addWidget(self.reader_group, 4)
        lay.addWidget(self.camera_group, 5)

        self._fill_students()
        self._check_drivers()
        self._show_card_state()

    def _return_focus(self) -> None:
        """Hand the keyboard back to the page it came from (the station): the next key is F2, F6 or
        Space there, not here. The panel only helps; the work happens at the station."""
        target = self._focus_before
        self._focus_before = None
        if target is not None and target.isVisible():
            target.window().activateWindow()
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.isAncestorOf(new) and old is not None and not self.isAncestorOf(old):
            self._focus_before = old

    # -- the drivers ---------------------------------------------------------------------------------
    def reader(self):
        """The desk's ID-card reader if it is the simulated one, else None."""
        from app.devices.idcard.mock import MockIdCardReader

        try:
            reader = self.devices.idcard()
        except AppError:
            return None
        return reader if isinstance(reader, MockIdCardReader) else None

    def camera(self):
        """The desk's camera if it is the simulated one, else None."""
        from app.devices.camera.mock import MockCamera

        try:
            camera = self.devices.camera()
        except AppError:
            return None
        return camera if isinstance(camera, MockCamera) else None

    def _check_drivers(self) -> None:
        has_reader, has_camera = self.reader() is not None, self.camera() is not None
        for w in (self.chip_combo, self.place_button, self.remove_button, self.plug_button):
            w.setEnabled(has_reader)
        for radio in self.scene_radio.values():
            radio.setEnabled(has_camera)
        if not self.demo.is_demo():
            self.scene_radio[PAGE].setEnabled(False)
            self.scene_radio[PAGE].setToolTip(self.tr("只在演示数据中可用（需要演示数据打印的样例页）"))
        if not has_camera:
            self.camera_label.setText(self.tr("本机摄像头不是模拟驱动（设置 → 设备设置）。"))
        if not has_reader:
            self.card_label.setText(self.tr("本机身份证阅读器不是模拟驱动（设置 → 设备设置）。"))

    def refresh(self) -> None:
        """After the device settings changed: the drivers are new, so put the scene back in front of them."""
        self._check_drivers()
        self._show_card_state()
        if self.camera() is not None:
            self._apply_scene()

    # -- the student ---------------------------------------------------------------------------------
    def _fill_students(self) -> None:
        self.student_combo.blockSignals(True)
        self.student_combo.clear()
        for row in self.candidates.rows():
            self.student_combo.addItem(f"{row.name}  {row.student_no}", row.uuid)
        self.student_combo.blockSignals(False)
        if self.student_combo.count():
            self.student_combo.setCurrentIndex(0)

    def student_uuid(self) -> str:
        return str(self.student_combo.currentData() or "")

    def select_student(self, key: str) -> bool:
        """Choose the student ``key`` (UUID or student number); False if not in the list."""
        index = self.student_combo.findData(key)
        if index < 0:
            index = next((i for i in range(self.student_combo.count())
                          if self.student_combo.itemText(i).endswith(f"  {key}")), -1)
        if index < 0:
            return False
        self.student_combo.setCurrentIndex(index)
        return True

    def _on_student_text_entered(self) -> None:
        typed = self.student_combo.lineEdit().text().strip().lower()
        if not typed:
            return
        texts = [self.student_combo.itemText(i) for i in range(self.student_combo.count())]
        index = next((i for i, t in enumerate(texts) if t.lower() == typed),
                     next((i for i, t in enumerate(texts) if typed in t.lower()), -1))
        if index < 0:
            self.card_label.setText(self.tr("没有找到“%1”，请换个姓名或学号。").replace("%1", typed))
            return
        self.student_combo.setCurrentIndex(index)
        self.student_combo.setEditText(texts[index])
        self._return_focus()

    def follow(self, station) -> None:
        """Follow the station's loaded student (while “跟随” is ticked)."""
        self._station = station
        station.candidate_loaded.connect(self._on_station_candidate_loaded)

    def _on_station_candidate_loaded(self, student_no: str) -> None:
        if self.follow_check.isChecked():
            key = getattr(self._station, "key", "") or student_no
            self.select_student(key)

    def _on_student_combo_changed(self, _index: int) -> None:
        if self.scene in (FRONT, BACK, GLARE):
            self._apply_scene()  # the card in front of the camera is the chosen student's

    def _record(self):
        uuid = self.student_uuid()
        if not uuid:
            raise AppError(self.tr("请先选择考生。"))
        return self.candidates.get(uuid).data

    def _card(self):
        from app.devices.idcard.mock import card_for

        record = self._record()
        reader = self.reader()
        today = getattr(reader, "today", None)
        return card_for(record, today=today, **chip_differences(str(self.chip_combo.currentData()), record, today))

    # -- the reader ----------------------------------------------------------------------------------
    def _on_place_clicked(self) -> None:
        reader = self.reader()
        if reader is None:
            return
        try:
            reader.place(self._card())
        except AppError as exc:
            self.card_label.setText(message_for(exc))
            return
        self._show_card_state()
        self._return_focus()

    def _on_remove_clicked(self) -> None:
        reader = self.reader()
        if reader is not None:
            reader.remove()
            self._show_card_state()
            self._return_focus()

    def _on_plug_clicked(self) -> None:
        reader = self.reader()
        if reader is None:
            return
        if reader.unplugged:
            reader.replug()
        else:
            reader.unplug()
        self._show_card_state()
        self._return_focus()

    def _show_card_state(self) -> None:
        reader = self.reader()
        if reader is None:
            return
        from app.domain import idnumber

        card = reader.card_on_reader
        if reader.unplugged:
            text = self.tr("阅读器的 USB 线已拔出。")
        elif card is None:
            text = self.tr("阅读器上没有身份证。按 F6 时读取现场确认中考生本人的身份证。")
        else:
            text = self.tr("阅读器上：%1（%2）").replace("%1", card.name).replace("%2", idnumber.mask(card.id_number))
        self.plug_button.setText(self.tr("插回 USB") if reader.unplugged else self.tr("拔出 USB"))
        self.remove_button.setEnabled(card is not None)
        self.card_label.setText(text)
        self.card_changed.emit(text)

    # -- the camera ----------------------------------------------------------------------------------
    def _on_scene_clicked(self, index: int) -> None:
        self.scene = SCENES[index]
        self._apply_scene()
        self._return_focus()

    def choose_scene(self, key: str) -> None:
        """As a click on the scene's radio button."""
        self.scene_radio[key].click()

    def _apply_scene(self) -> None:
        camera = self.camera()
        if camera is None:
            return
        scene = self.scene
        self._scene_request += 1
        request = self._scene_request
        if scene == FACE:
            camera.show(None)
            self._scene_shown(request, scene, None)
            return
        try:
            card = self._card() if scene != PAGE else None
        except AppError as exc:
            self.camera_label.setText(message_for(exc))
            return
        demo = self.demo
        self.camera_label.setText(self.tr("正在准备打印的样例页…") if scene == PAGE else self.tr("正在准备画面…"))

        def work(progress, cancel):
            from app.devices.camera import scenes as camera_scenes

            if scene == PAGE:
                return camera_scenes.page_on_desk(demo.sample_page(progress=progress, cancel=cancel))
            side = camera_scenes.card_back(card) if scene == BACK else camera_scenes.card_front(card)
            if scene == GLARE:
                side = camera_scenes.glare(side)
            return camera_scenes.on_desk(side)

        self.runner.run(work, on_success=lambda frame: self._scene_shown(request, scene, frame, card),
                        on_error=self._on_scene_failed)

    def _scene_shown(self, request: int, scene: str, frame, card=None) -> None:
        if request != self._scene_request:
            return  # another scene was chosen meanwhile
        camera = self.camera()
        if camera is None:
            return
        if frame is not None:
            camera.show(frame)
        texts = {FACE: self.tr("摄像头前：考生本人（按 F1 拍照）。"),
                 FRONT: self.tr("摄像头前：%1 的身份证人像面（按 F2 拍摄）。"),
                 BACK: self.tr("摄像头前：%1 的身份证国徽面（按 F3 拍摄）。"),
                 GLARE: self.tr("摄像头前：%1 的身份证人像面，有反光（拍摄会被拒收，可按 F9 放行）。"),
                 PAGE: self.tr("摄像头前：打印的附件3 第 1 页（在“打印与核验 → 拍照核验”中拍照）。")}
        self.camera_label.setText(texts[scene].replace("%1", getattr(card, "name", "") or ""))
        self.scene_changed.emit(scene)

    def _on_scene_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, (AppError, DeviceError)):
            log.error("preparing a demo camera scene failed", exc_info=exc)
        self.camera_label.setText(self.tr("无法准备画面：%1").replace("%1", message_for(exc)))
