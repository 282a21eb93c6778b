"""设备设置: choose this desk's camera, fingerprint reader and ID-card reader, see what each driver
finds attached, test it, and set the capture options (auto-capture, fingers, quality, retries).

Listing devices and testing them run in the TaskRunner (OpenCV probes every video node, which can
take a second). Saving writes through ``SettingsService.set`` (audited, only what changed) and then
``Devices.reset()``, so the station builds its drivers from the new settings.

Signals: ``settings_saved(list)`` with the keys that changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.auth import Actor
from app.devices.base import DeviceError, DeviceInfo, registries
from app.devices.factory import Devices
from app.errors import AppError, ValidationError
from app.settings.service import DEFINITIONS, FINGER_LABELS, FINGERS, SettingsService
from ui.common.errors import InlineError, message_for, show_error
from ui.common.tasks import TaskRunner
from ui.station.frames import to_qimage

log = logging.getLogger(__name__)

KINDS = ("camera", "fingerprint", "idcard")
DRIVER_KEYS = {"camera": "camera_driver", "fingerprint": "fingerprint_driver", "idcard": "idcard_driver"}
THUMB = QSize(192, 108)
TEST_SIZE = (640, 480)


@dataclass
class Listing:
    """What the worker found for one driver: its devices, or why it could not look."""

    driver: str
    devices: list[DeviceInfo] = field(default_factory=list)
    error: str = ""
    loadable: bool = True  # False: the driver itself is unknown or broken (saving it is refused)


@dataclass
class TestResult:
    message: str
    image: QImage | None = None


def _close(driver: Any) -> None:
    try:
        driver.close()
    except Exception:
        log.exception("closing a driver after a test failed")


def list_devices(registry: Any, name: str) -> Listing:
    """Load ``name`` from ``registry`` and ask it what is attached (Qt-free; runs in a worker)."""
    try:
        registry.load(name)
    except DeviceError as exc:
        return Listing(name, error=exc.message, loadable=False)
    try:
        driver = registry.create(name)
    except DeviceError as exc:
        return Listing(name, error=exc.message)
    try:
        return Listing(name, devices=list(driver.list_devices()))
    except DeviceError as exc:
        return Listing(name, error=exc.message)
    finally:
        _close(driver)


class DeviceSettingsDialog(QDialog):
    settings_saved = Signal(list)

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *, settings: SettingsService,
                 devices: Devices | None, driver_registries: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.devices = devices  # rebuilt from the new settings once they are saved
        self.actor = actor
        self.runner = runner
        self.registries = driver_registries if driver_registries is not None else registries()
        self.setObjectName("deviceSettingsDialog")
        self.setWindowTitle(self.tr("设备设置"))
        self.initial = settings.all()
        self.listings: dict[str, Listing | None] = dict.fromkeys(KINDS)
        self._request = dict.fromkeys(KINDS, 0)

        self.driver_combo: dict[str, QComboBox] = {}
        self.device_combo: dict[str, QComboBox] = {}
        self.test_button: dict[str, QPushButton] = {}
        self.result_label: dict[str, QLabel] = {}
        self.error_label: dict[str, InlineError] = {}

        titles = {"camera": self.tr("摄像头"), "fingerprint": self.tr("指纹采集器"),
                  "idcard": self.tr("身份证阅读器")}
        groups = {kind: self._device_group(kind, titles[kind]) for kind in KINDS}

        # Camera extras: the test thumbnail and auto-capture.
        self.thumbnail = QLabel()
        self.thumbnail.setObjectName("cameraThumbnail")
        self.thumbnail.setFixedSize(THUMB)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setStyleSheet("background: #f0f2f5; border: 1px solid #c8c8c8; color: #77767b;")
        self.thumbnail.setText(self.tr("测试后显示画面"))
        self.auto_capture = QCheckBox(self.tr("照片合格时自动拍摄"))
        self.auto_capture.setChecked(bool(self.initial["photo_auto_capture"]))
        cam_form: QFormLayout = groups["camera"].layout()
        cam_form.addRow(self.tr("画面："), self.thumbnail)
        cam_form.addRow("", self.auto_capture)

        # Fingerprint extras.
        self.fingers = QListWidget()
        self.fingers.setObjectName("fingerList")
        chosen = set(self.initial["fingerprint_fingers"])  # type: ignore[arg-type]
        for key in FINGERS:
            item = QListWidgetItem(FINGER_LABELS[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.fingers.addItem(item)
        # All ten visible at once: a scrolled-away finger is easily forgotten.
        self.fingers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fingers.setFixedHeight(self.fingers.sizeHintForRow(0) * len(FINGERS)
                                    + 2 * self.fingers.frameWidth() + 4)
        self.fingers_error = InlineError()
        self.fingers_error.setObjectName("fingersError")
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 100)
        self.threshold.setSuffix(self.tr(" 分"))
        self.threshold.setValue(int(self.initial["fingerprint_quality_threshold"]))  # type: ignore[arg-type]
        self.retries = QSpinBox()
        self.retries.setRange(1, 10)
        self.retries.setSuffix(self.tr(" 次"))
        self.retries.setValue(int(self.initial["fingerprint_retries"]))  # type: ignore[arg-type]
        fp_form: QFormLayout = groups["fingerprint"].layout()
        fp_form.addRow(self.tr("采集手指："), self.fingers)
        fp_form.addRow("", self.fingers_error)
        fp_form.addRow(self.tr("质量合格线："), self.threshold)
        fp_form.addRow(self.tr("最多采集次数："), self.retries)

        self.form_error = InlineError()
        self.form_error.setObjectName("formError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.save_button.clicked.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self._on_save_clicked)

        left = QVBoxLayout()
        left.addWidget(groups["camera"])
        left.addWidget(groups["idcard"])
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(groups["fingerprint"], 1, Qt.AlignmentFlag.AlignTop)
        outer = QVBoxLayout(self)
        outer.addLayout(columns)
        outer.addWidget(self.form_error)
        outer.addWidget(self.buttons)

        for kind in KINDS:
            self._fill_drivers(kind)
            self.driver_combo[kind].currentIndexChanged.connect(
                lambda _i, k=kind: self._on_driver_changed(k))
        for kind in KINDS:
            self._on_driver_changed(kind)
        self.driver_combo["camera"].setFocus()
        # Its full size from the start (a window shown without a size is given less than its hint
        # when a label in it wraps); with the messages' places fixed, a test never resizes it.
        self.resize(self.sizeHint())

    # -- building ----------------------------------------------------------------------
    def _device_group(self, kind: str, title: str) -> QGroupBox:
        box = QGroupBox(title)
        box.setObjectName(f"{kind}Group")
        form = QFormLayout(box)
        driver = QComboBox()
        driver.setObjectName(f"{kind}Driver")
        device = QComboBox()
        device.setObjectName(f"{kind}Device")
        # Not as wide as the longest name found: the dialog keeps its size when the list arrives
        # (a long name is shown in full in the list that drops down, and as the tooltip).
        device.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        device.setMinimumContentsLength(12)
        device.currentTextChanged.connect(device.setToolTip)
        test = QPushButton(self.tr("测试"))
        test.setObjectName(f"{kind}Test")
        test.clicked.connect(lambda _c=False, k=kind: self._on_test_clicked(k))
        result = QLabel()
        result.setObjectName(f"{kind}Result")
        result.setWordWrap(True)
        result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error = InlineError()
        error.setObjectName(f"{kind}Error")
        error.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(device, 1)
        row.addWidget(test)
        form.addRow(self.tr("驱动："), driver)
        form.addRow(self.tr("设备："), row)
        # The test's message gets a place of its own, three lines high whether empty or not: a
        # message arriving neither resizes the dialog nor pushes the rows below over each other
        # (a wrapping label in a form is given less height than it needs).
        messages = QWidget()
        messages.setObjectName(f"{kind}Messages")
        lines = QVBoxLayout(messages)
        lines.setContentsMargins(0, 0, 0, 0)
        lines.setSpacing(0)
        for label in (error, result):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            lines.addWidget(label)
        lines.addStretch(1)
        messages.setFixedHeight(3 * result.fontMetrics().lineSpacing() + 4)
        messages.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        form.addRow("", messages)
        self.driver_combo[kind], self.device_combo[kind] = driver, device
        self.test_button[kind], self.result_label[kind], self.error_label[kind] = test, result, error
        return box

    def driver_label(self, name: str) -> str:
        labels = {
            "opencv": self.tr("USB 摄像头（OpenCV）"),
            "mock": self.tr("模拟设备（演示、练习用）"),
            "libfprint": self.tr("指纹采集器（libfprint）"),
        }
        return labels.get(name, name)

    def _fill_drivers(self, kind: str) -> None:
        combo = self.driver_combo[kind]
        registry = self.registries.get(kind)
        names = list(registry.names()) if registry is not None else []
        current = str(self.initial[DRIVER_KEYS[kind]] or "")
        if kind == "idcard":
            # No reader is a real choice for a desk; it must be said, not left blank.
            combo.addItem(self.tr("未配置"), "")
        if current and current not in names:
            names.append(current)  # set through the CLI, or a vendor package since removed
        for name in names:
            combo.addItem(self.driver_label(name), name)
        combo.setCurrentIndex(max(0, combo.findData(current)))

    # -- listing -----------------------------------------------------------------------
    def selected_driver(self, kind: str) -> str:
        return str(self.driver_combo[kind].currentData() or "")

    def selected_device(self, kind: str) -> str:
        return str(self.device_combo[kind].currentData() or "")

    def _on_driver_changed(self, kind: str) -> None:
        name = self.selected_driver(kind)
        device = self.device_combo[kind]
        device.clear()
        self.error_label[kind].clear_message()
        self.result_label[kind].clear()
        if kind == "camera":
            self._clear_thumbnail()
        self._request[kind] += 1
        if not name:
            self.listings[kind] = Listing("")
            device.setEnabled(False)
            self.test_button[kind].setEnabled(False)
            return
        self.listings[kind] = None
        device.setEnabled(False)
        device.addItem(self.tr("正在查找设备…"))
        self.test_button[kind].setEnabled(False)
        registry = self.registries.get(kind)
        request = self._request[kind]
        if registry is None:
            self._on_listing(kind, request, Listing(name, error=self.tr("该类设备的驱动模块无法加载，详情见日志。"),
                                                   loadable=False))
            return
        self.runner.run(lambda progress, cancel: list_devices(registry, name),
                        on_success=lambda result, k=kind, r=request: self._on_listing(k, r, result),
                        on_error=lambda exc, k=kind, r=request: self._on_listing(
                            k, r, Listing(name, error=self._unexpected(exc))))

    def _unexpected(self, exc: BaseException) -> str:
        if not isinstance(exc, AppError):
            log.error("device listing failed", exc_info=exc)
        return message_for(exc)

    def _on_listing(self, kind: str, request: int, listing: Listing) -> None:
        if request != self._request[kind]:
            return  # the user has chosen another driver since
        self.listings[kind] = listing
        combo = self.device_combo[kind]
        combo.clear()
        for info in listing.devices:
            combo.addItem(info.name, info.id)
        if listing.devices:
            if kind == "camera":
                combo.setCurrentIndex(max(0, combo.findData(str(self.initial["camera_index"]))))
            combo.setEnabled(True)
        else:
            combo.addItem(self.tr("（未检测到设备）"), "")
            combo.setEnabled(False)
        self.test_button[kind].setEnabled(listing.loadable)
        if listing.error:
            self.error_label[kind].show_message(listing.error)

    # -- testing -----------------------------------------------------------------------
    def _clear_thumbnail(self) -> None:
        self.thumbnail.setPixmap(QPixmap())
        self.thumbnail.setText(self.tr("测试后显示画面"))

    def _on_test_clicked(self, kind: str) -> None:
        name, device_id = self.selected_driver(kind), self.selected_device(kind)
        registry = self.registries[kind]
        self.error_label[kind].clear_message()
        self.result_label[kind].setText(self.tr("正在测试…"))
        self.test_button[kind].setEnabled(False)
        work = {"camera": self._test_camera, "fingerprint": self._test_reader, "idcard": self._test_reader}[kind]
        request = self._request[kind]
        self.runner.run(lambda progress, cancel: work(kind, registry, name, device_id),
                        on_success=lambda result, k=kind, r=request: self._on_tested(k, r, result, None),
                        on_error=lambda exc, k=kind, r=request: self._on_tested(k, r, None, exc))

    def _test_camera(self, kind: str, registry: Any, name: str, device_id: str) -> TestResult:
        camera = registry.create(name)
        try:
            camera.open(device_id or "0", *TEST_SIZE)
            frame = camera.read()
        finally:
            _close(camera)
        h, w = frame.shape[:2]
        image = to_qimage(frame).scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
        return TestResult(self.tr("摄像头工作正常，画面 %1×%2。").replace("%1", str(w)).replace("%2", str(h)), image)

    def _test_reader(self, kind: str, registry: Any, name: str, device_id: str) -> TestResult:
        reader = registry.create(name)
        try:
            reader.list_devices()  # a driver that cannot enumerate says so here, before open
            info = reader.open(device_id)
        finally:
            _close(reader)
        return TestResult(self.tr("连接正常：%1").replace("%1", info.name))

    def _on_tested(self, kind: str, request: int, result: TestResult | None, exc: BaseException | None) -> None:
        if request != self._request[kind]:
            return
        self.test_button[kind].setEnabled(True)
        if result is None:
            self.result_label[kind].clear()
            self.error_label[kind].show_message(self.tr("测试失败：%1").replace("%1", self._unexpected(exc)))
            if kind == "camera":
                self._clear_thumbnail()
            return
        self.result_label[kind].setText(result.message)
        if result.image is not None:
            self.thumbnail.setPixmap(QPixmap.fromImage(result.image))

    # -- saving ------------------------------------------------------------------------
    def checked_fingers(self) -> list[str]:
        out = []
        for i in range(self.fingers.count()):
            item = self.fingers.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {DRIVER_KEYS[kind]: self.selected_driver(kind) for kind in KINDS}
        device = self.selected_device("camera")
        if device.isdigit():  # a mock or a stream has no index; the index setting stays as it is
            out["camera_index"] = int(device)
        out["photo_auto_capture"] = self.auto_capture.isChecked()
        out["fingerprint_fingers"] = self.checked_fingers()
        out["fingerprint_quality_threshold"] = self.threshold.value()
        out["fingerprint_retries"] = self.retries.value()
        return out

    def _problem(self) -> str:
        """Why the chosen combination cannot be saved, or ""."""
        for kind in KINDS:
            listing = self.listings[kind]
            if listing is None:
                return self.tr("仍在查找设备，请稍候再保存。")
            if not listing.loadable:
                self.error_label[kind].show_message(listing.error)
                return self.tr("所选驱动无法使用，请改选其他驱动。")
        return ""

    def _on_save_clicked(self) -> None:
        self.form_error.clear_message()
        self.fingers_error.clear_message()
        problem = self._problem()
        if problem:
            self.form_error.show_message(problem)
            return
        values = self.values()
        changed = {k: v for k, v in values.items() if v != self.initial[k]}
        try:
            # Check everything before writing anything: half a configuration is worse than none.
            for key, value in changed.items():
                if value != "":
                    DEFINITIONS[key].parse(value)
        except ValidationError as exc:
            target = self.fingers_error if exc.field == "fingerprint_fingers" else self.form_error
            target.show_message(exc.message)
            return
        try:
            self.settings.set_many(self.actor, changed)  # one transaction
        except AppError as exc:
            show_error(self, exc, self.tr("无法保存设置"))
            return
        if changed and self.devices is not None:
            self.devices.reset()
        log.info("device settings saved by %s: %s", self.actor.username, sorted(changed))
        self.settings_saved.emit(sorted(changed))
        self.accept()
