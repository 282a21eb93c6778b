"""设备设置, driven like a user from the main window's menu: choosing drivers, seeing the devices they
find, testing them, saving (audited, devices rebuilt), refusing what cannot work, and who may open it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from app.devices.camera.mock import MockCamera
from ui.common.tasks import TaskRunner
from ui.settings.device_settings_dialog import DeviceSettingsDialog
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def open_dialog(qtbot, w: MainWindow) -> DeviceSettingsDialog:
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "设置(&S)")
    assert w.device_settings_action in menu.actions()
    w.device_settings_action.trigger()
    dlg = w.device_settings_dialog
    qtbot.waitExposed(dlg)
    return dlg


def toggle_finger(qtbot, dlg: DeviceSettingsDialog, label: str) -> None:
    fingers = dlg.fingers
    row = next(i for i in range(fingers.count()) if fingers.item(i).text() == label)
    fingers.setFocus()
    fingers.setCurrentRow(row)
    QTest.keyClick(fingers, Qt.Key.Key_Space)


def setting_events(container) -> list:
    return [e for e in container.audit_log.entries(limit=1000) if e.action == "setting.set"]


def test_admin_chooses_the_mock_camera_tests_it_and_saves(qtbot, gui, make_window, container, actor, qsettings):
    container.settings.set(actor, "fingerprint_driver", "mock")
    old_fingerprint = container.devices.fingerprint()
    before = len(setting_events(container))
    w = make_window(container, actor, qsettings)
    dlg = open_dialog(qtbot, w)
    assert dlg.windowTitle() == "设备设置"
    labels = [dlg.driver_combo["camera"].itemText(i) for i in range(dlg.driver_combo["camera"].count())]
    assert "USB 摄像头（OpenCV）" in labels and "模拟设备（演示、练习用）" in labels
    assert dlg.driver_combo["idcard"].currentText() == "未配置"
    assert not dlg.test_button["idcard"].isEnabled()

    gui.pick(dlg.driver_combo["camera"], "mock")
    assert dlg.device_combo["camera"].currentText() == "模拟摄像头"
    assert dlg.device_combo["camera"].isEnabled()
    gui.click(dlg.test_button["camera"])
    assert "摄像头工作正常" in dlg.result_label["camera"].text()
    pixmap = dlg.thumbnail.pixmap()
    assert not pixmap.isNull() and 0 < pixmap.width() <= 192

    gui.click(dlg.test_button["fingerprint"])
    assert dlg.result_label["fingerprint"].text().startswith("连接正常：")

    gui.pick(dlg.driver_combo["idcard"], "mock")
    gui.click(dlg.test_button["idcard"])
    assert dlg.result_label["idcard"].text().startswith("连接正常：")

    qtbot.mouseClick(dlg.auto_capture, Qt.MouseButton.LeftButton)
    toggle_finger(qtbot, dlg, "右手拇指")
    toggle_finger(qtbot, dlg, "右手中指")
    dlg.threshold.selectAll()
    qtbot.keyClicks(dlg.threshold, "55")
    dlg.retries.selectAll()
    qtbot.keyClicks(dlg.retries, "5")

    with qtbot.waitSignal(dlg.settings_saved) as saved:
        gui.click(dlg.save_button)
    assert set(saved.args[0]) == {"camera_driver", "idcard_driver", "photo_auto_capture", "fingerprint_fingers",
                                  "fingerprint_quality_threshold", "fingerprint_retries"}
    s = container.settings
    assert s.get("camera_driver") == "mock" and s.get("idcard_driver") == "mock"
    assert s.get("photo_auto_capture") is True
    assert s.get("fingerprint_fingers") == ["right_thumb", "right_index"]
    assert s.get("fingerprint_quality_threshold") == 55 and s.get("fingerprint_retries") == 5
    events = setting_events(container)
    assert len(events) - before == 6 and all(e.actor == "admin" for e in events[:6])
    assert any(e.summary == "摄像头驱动：mock" for e in events)
    # The station's drivers are rebuilt from the new settings.
    assert isinstance(container.devices.camera(), MockCamera)
    assert container.devices.fingerprint() is not old_fingerprint
    assert w.statusBar().currentMessage() == "设备设置已保存。"


def test_a_camera_that_is_not_there_says_so(qtbot, gui, container, actor, monkeypatch):
    container.settings.set(actor, "camera_driver", "mock")
    container.settings.set(actor, "fingerprint_driver", "mock")
    monkeypatch.setattr(MockCamera, "list_devices", lambda self: [])
    dlg = DeviceSettingsDialog(actor, TaskRunner(synchronous=True), settings=container.settings,
                               devices=container.devices)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.device_combo["camera"].currentText() == "（未检测到设备）"
    monkeypatch.setattr(MockCamera, "_is_plugged", lambda self: False)
    gui.click(dlg.test_button["camera"])
    assert dlg.error_label["camera"].text() == "测试失败：未检测到摄像头，请检查连接"
    assert dlg.thumbnail.pixmap().isNull()


def test_an_unusable_driver_or_no_finger_is_refused_and_nothing_is_saved(qtbot, gui, make_window, container, actor, qsettings):
    container.settings.set(actor, "camera_driver", "mock")
    container.settings.set(actor, "fingerprint_driver", "nosuch")  # e.g. a vendor package since removed
    before = len(setting_events(container))
    w = make_window(container, actor, qsettings)
    dlg = open_dialog(qtbot, w)
    assert dlg.driver_combo["fingerprint"].currentText() == "nosuch"
    assert "未知的指纹采集器驱动“nosuch”" in dlg.error_label["fingerprint"].text()
    assert not dlg.test_button["fingerprint"].isEnabled()

    gui.click(dlg.save_button)
    assert dlg.form_error.text() == "所选驱动无法使用，请改选其他驱动。" and dlg.isVisible()

    gui.pick(dlg.driver_combo["fingerprint"], "mock")
    assert dlg.error_label["fingerprint"].isHidden()
    toggle_finger(qtbot, dlg, "右手食指")
    toggle_finger(qtbot, dlg, "右手中指")
    assert dlg.checked_fingers() == []
    gui.click(dlg.save_button)
    assert dlg.fingers_error.text() == "至少要采集一个手指。" and dlg.isVisible()
    assert len(setting_events(container)) == before, "nothing is written while anything is wrong"
    assert container.settings.get("fingerprint_driver") == "nosuch"

    QTest.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible()
    assert len(setting_events(container)) == before


@pytest.mark.parametrize(("role", "allowed"), [("counsellor", False), ("secretary", True)])
def test_only_admin_and_secretary_have_the_menu_action(qtbot, make_window, container, actor, qsettings, role, allowed):
    container.setup.create_user(actor, "u01", "李红", role, "Passw0rd9")
    user = container.setup.login("u01", "Passw0rd9")
    w = make_window(container, user, qsettings)
    menus = [a.text() for a in w.menuBar().actions()]
    assert ("设置(&S)" in menus) is allowed
    assert (w.device_settings_action is not None) is allowed


def test_the_station_camera_pauses_while_the_settings_are_open(qtbot, make_window, container, actor, qsettings):
    from app.devices.factory import Devices

    container.devices = Devices(container.settings.get, drivers={"camera": MockCamera()})
    w = make_window(container, actor, qsettings)
    station = w.show_page("station")
    qtbot.waitUntil(lambda: station.preview.running and station.preview.frames_shown > 0, timeout=10_000)
    dlg = open_dialog(qtbot, w)
    assert not station.preview.running
    QTest.keyClick(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: station.preview.running, timeout=5_000)


def test_a_test_message_neither_resizes_the_dialog_nor_covers_the_preview(qtbot, gui, make_window, container, actor, qsettings,
                                                                          monkeypatch):
    """The camera's test says what went wrong in a place of its own: the preview and the auto-capture
    checkbox stay where they were, apart, and the dialog keeps its size (also when the devices found
    have long names)."""
    from PySide6.QtCore import QPoint, QRect

    from app.devices.base import DeviceError, DeviceInfo

    container.settings.set(actor, "camera_driver", "mock")
    container.settings.set(actor, "fingerprint_driver", "mock")
    w = make_window(container, actor, qsettings)
    dlg = open_dialog(qtbot, w)

    def rect(widget) -> QRect:
        return QRect(widget.mapTo(dlg, QPoint(0, 0)), widget.size())

    size = dlg.size()
    preview, checkbox = rect(dlg.thumbnail), rect(dlg.auto_capture)
    messages = dlg.findChild(QWidget, "cameraMessages")
    long_error = "无法打开摄像头 0：设备正被其他程序（如视频会议软件）占用，请关闭那个程序后再试；仍不行请重新插拔 USB 线。"

    def fail(self, *_a):
        raise DeviceError(long_error)

    monkeypatch.setattr(MockCamera, "open", fail)
    gui.click(dlg.test_button["camera"])
    error = dlg.error_label["camera"]
    assert error.isVisible() and long_error in error.text()
    assert dlg.size() == size
    assert rect(dlg.thumbnail) == preview and rect(dlg.auto_capture) == checkbox
    assert not preview.intersects(checkbox)
    # The message is whole in its place, which is above the preview, not over it.
    assert error.heightForWidth(messages.width()) <= messages.height()
    assert not rect(messages).intersects(preview)
    monkeypatch.undo()

    # A working test: the picture appears where the placeholder was; nothing moves.
    gui.click(dlg.test_button["camera"])
    assert "摄像头工作正常" in dlg.result_label["camera"].text()
    assert dlg.size() == size and rect(dlg.thumbnail) == preview and rect(dlg.auto_capture) == checkbox

    # A device with a long name: the list is shown, the dialog does not grow for it.
    long_name = "Integrated Webcam HD: Integrated Camera (usb-0000:00:14.0-8) 1080p 30fps"
    monkeypatch.setattr(MockCamera, "list_devices", lambda self: [DeviceInfo("0", long_name, "mock")])
    gui.pick(dlg.driver_combo["camera"], "opencv")
    gui.pick(dlg.driver_combo["camera"], "mock")
    combo = dlg.device_combo["camera"]
    assert combo.currentText() == long_name and combo.toolTip() == long_name
    assert dlg.size() == size
