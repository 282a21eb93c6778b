"""模拟设备 in the demo, used like a new user trying the demo: put a student's card on the simulated
reader and press F6 at the station; put the card (or its glare) or a printed page in front of the
simulated camera and take it at the station or in the camera check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QToolButton

from app.auth import Actor
from app.container import Container
from app.demo.service import DEMO_PASSWORD
from ui.common.tasks import TaskRunner
from ui.shell.demo_device_panel import DemoDevicePanel
from ui.shell.main_window import MainWindow
from ui.station.frames import LIVE
from ui.station.override_dialog import OverrideDialog

# The offscreen platform cannot raise or grab for the name completer's popup.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                                       r"This plugin does not support raise\(\)",
                                       "This plugin does not support grabbing the keyboard")


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo install (40 students, the mock devices), made once for the module."""
    folder = tmp_path_factory.mktemp("demo-panel")
    c = Container.open(folder)
    try:
        c.demo.setup_demo_install(Actor("setup", "演示", "admin"), 40, samples=False)
    finally:
        c.close()
    return folder


@pytest.fixture
def demo(_demo_template: Path, tmp_path: Path) -> Iterator[Container]:
    import shutil

    shutil.copytree(_demo_template, tmp_path / "demo")
    c = Container.open(tmp_path / "demo")
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def window(qtbot, demo, tmp_path) -> Iterator[MainWindow]:
    actor = demo.setup.login("admin", DEMO_PASSWORD)
    w = MainWindow(demo, actor, TaskRunner(synchronous=True),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    if w.station_view is not None:
        w.station_view.stop_camera()


def open_station(qtbot, w: MainWindow):
    w.show_page("station")
    station = w.station_view
    qtbot.waitUntil(lambda: station.preview.state == LIVE, timeout=8000)
    return station


def scan(qtbot, station, text: str) -> None:
    station.search.setFocus()
    qtbot.keyClicks(station.search, text)
    qtbot.keyClick(station.search, Qt.Key.Key_Return)


def press(qtbot, key: Qt.Key) -> None:
    """A key as the user presses it: into whatever has the keyboard now."""
    qtbot.keyClick(QApplication.focusWidget(), key)


def choose_student(gui, panel: DemoDevicePanel, student_no: str) -> None:
    """Type the student number into the panel's student box and take the suggestion."""
    combo = panel.student_combo
    gui.click(combo.lineEdit())
    combo.lineEdit().selectAll()
    gui.qtbot.keyClicks(combo.lineEdit(), student_no)
    gui.qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert combo.currentText().endswith(student_no)


# -- where the panel is --------------------------------------------------------------------------
def test_the_demo_shows_the_panel_at_the_station_and_the_status_bar_brings_it_back(qtbot, window):
    button = window.statusBar().findChild(QToolButton, "demoPanelButton")
    assert button is not None and button.isVisible() and button.text() == "模拟设备"
    assert window.demo_panel is None
    open_station(qtbot, window)
    panel = window.demo_panel
    assert panel is not None and panel.isVisible()
    assert window.demo_dock.isVisible()
    window.demo_dock.close()
    assert not panel.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.isVisible() and window.demo_panel is panel


def test_a_real_desk_with_its_real_devices_has_no_panel(qtbot, container, actor, tmp_path):
    w = MainWindow(container, actor, TaskRunner(synchronous=True),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    button = w.statusBar().findChild(QToolButton, "demoPanelButton")
    assert button is not None and not button.isVisible()
    assert not w.demo_panel_action.isVisible()


# -- the ID-card reader ------------------------------------------------------------------------------
def test_a_card_put_on_the_reader_is_read_with_f6(qtbot, gui, window, demo):
    station = open_station(qtbot, window)
    panel = window.demo_panel
    people = sorted(demo.candidates.rows(), key=lambda r: r.student_no)
    first, second = people[0], people[1]

    station.search.setFocus()
    choose_student(gui, panel, second.student_no)
    gui.click(panel.place_button)
    assert second.name in panel.card_label.text()
    assert station.isAncestorOf(QApplication.focusWidget())  # the keyboard is back at the station
    press(qtbot, Qt.Key.Key_F6)
    assert second.student_no in station.who.text()
    assert station.chip_box.isVisible() and "一致" in station.chip_box.text()
    assert len(demo.capture.history(second.student_no, "id_chip")) == 1

    # A card whose chip disagrees with the roster.
    choose_student(gui, panel, first.student_no)
    panel.chip_combo.setCurrentIndex(panel.chip_combo.findData("name"))
    gui.click(panel.place_button)
    press(qtbot, Qt.Key.Key_F6)
    assert first.student_no in station.who.text()
    assert "姓名不一致" in station.chip_box.text()

    # Taken away: nothing lies on the reader any more.
    gui.click(panel.remove_button)
    assert "没有身份证" in panel.card_label.text() and not panel.remove_button.isEnabled()
    assert panel.reader().card_on_reader is None


def test_the_readers_usb_pulled_and_put_back(qtbot, gui, window, demo):
    station = open_station(qtbot, window)
    panel = window.demo_panel
    gui.click(panel.place_button)
    station.search.setFocus()
    gui.click(panel.plug_button)
    assert "拔出" in panel.card_label.text() and panel.plug_button.text() == "插回 USB"
    press(qtbot, Qt.Key.Key_F6)
    assert "未检测到身份证阅读器" in station.message.text()
    gui.click(panel.plug_button)
    press(qtbot, Qt.Key.Key_F6)
    assert station.chip_box.isVisible()  # the card still lay there


def test_the_panel_follows_the_student_loaded_at_the_station(qtbot, gui, window, demo):
    station = open_station(qtbot, window)
    panel = window.demo_panel
    last = sorted(demo.candidates.rows(), key=lambda r: r.student_no)[-1]
    scan(qtbot, station, last.student_no)
    assert panel.student_combo.currentText().endswith(last.student_no)
    gui.click(panel.follow_check)
    assert not panel.follow_check.isChecked()
    other = sorted(demo.candidates.rows(), key=lambda r: r.student_no)[0]
    scan(qtbot, station, other.student_no)
    assert panel.student_combo.currentText().endswith(last.student_no)


# -- the camera ------------------------------------------------------------------------------------
def card_found(station, ok: bool = True) -> bool:
    """The station has judged a card in front of the camera (not a photo result still in flight)."""
    result = station.preview.result
    return getattr(result, "corners", None) is not None and bool(result.ok) == ok

def test_the_students_card_in_front_of_the_camera_is_found_and_saved(qtbot, gui, window, demo):
    station = open_station(qtbot, window)
    panel = window.demo_panel
    student = sorted(demo.candidates.rows(), key=lambda r: r.student_no)[3]
    scan(qtbot, station, student.student_no)
    gui.click(panel.scene_radio["id_front"])
    assert student.name in panel.camera_label.text()
    press(qtbot, Qt.Key.Key_F2)
    assert station.mode == "id_front"
    qtbot.waitUntil(lambda: card_found(station), timeout=10_000)
    assert "已找到" in station.hints.text()
    with qtbot.waitSignal(station.capture_stored, timeout=8000) as stored:
        press(qtbot, Qt.Key.Key_Space)
    info = stored.args[0]
    assert info.kind == "id_front" and not info.extra["manual"] and not info.override_reason

    # The back, then the glare the station refuses and F9 keeps with a reason.
    gui.click(panel.scene_radio["id_front_glare"])
    press(qtbot, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: card_found(station, ok=False) and "反光太强" in station.hints.text(), timeout=10_000)
    with qtbot.waitSignal(station.capture_refused, timeout=5000) as refused:
        press(qtbot, Qt.Key.Key_Space)
    assert "反光太强" in refused.args[0]
    press(qtbot, Qt.Key.Key_F9)
    dialog = station.findChild(OverrideDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "lamp reflection, card checked by hand")
    with qtbot.waitSignal(station.capture_stored, timeout=8000) as stored:
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert stored.args[0].override_reason == "lamp reflection, card checked by hand"

    gui.click(panel.scene_radio["face"])
    assert not panel.camera().showing


def test_a_printed_page_in_front_of_the_camera_passes_the_camera_check(qtbot, gui, window, demo):
    panel = window.show_demo_panel()
    gui.click(panel.scene_radio["page"])
    assert "附件3" in panel.camera_label.text()
    assert (demo.data_dir / "样例打印").is_dir()
    documents = window.show_page("documents")
    view = documents.verify_view
    documents.setCurrentWidget(view)

    def take_photo() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "cameraVerifyDialog":
            QTimer.singleShot(20, take_photo)
            return
        qtbot.waitUntil(lambda: dialog.preview.result is not None, timeout=10_000)
        assert "已找到二维码" in dialog.hint.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Space)

    QTimer.singleShot(0, take_photo)
    with qtbot.waitSignal(view.verified, timeout=30_000) as sig:
        qtbot.mouseClick(view.camera_button, Qt.MouseButton.LeftButton)
    (check,) = sig.args[0]
    assert check.status == "match", check.message


def test_the_scene_stays_in_front_of_the_camera_after_the_device_settings_are_saved(qtbot, gui, window, demo):
    open_station(qtbot, window)
    panel = window.demo_panel
    gui.click(panel.scene_radio["id_back"])
    before = panel.camera()
    assert before.showing
    window.device_settings_action.trigger()
    dialog = window.device_settings_dialog
    qtbot.waitUntil(lambda: all(dialog.listings.values()), timeout=5000)
    gui.click(dialog.auto_capture)
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        gui.click(dialog.save_button)
    after = panel.camera()
    assert after is not before and after.showing  # the rebuilt camera shows the card too
    assert panel.scene_radio["id_back"].isChecked()


def test_a_practice_desk_with_the_mock_devices_gets_the_panel_but_no_demo_print(qtbot, container, actor, tmp_path):
    for key in ("camera_driver", "idcard_driver"):
        container.settings.set(actor, key, "mock")
    w = MainWindow(container, actor, TaskRunner(synchronous=True),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    assert w.statusBar().findChild(QToolButton, "demoPanelButton").isVisible()
    assert w.statusBar().findChild(QLabel, "demoMarker") is None  # practice, not a demo
    panel = w.show_demo_panel()
    assert panel.place_button.isEnabled() and panel.scene_radio["id_front"].isEnabled()
    assert not panel.scene_radio["page"].isEnabled()  # the demo's sample print exists only in a demo
