"""Captured materials seen again (roster row menu, the editor's tab) and a retake from there."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from ui.common.tasks import TaskRunner
from ui.roster.roster_view import RosterView
from ui.shell.main_window import MainWindow
from ui.station.capture_gallery import CaptureGallery

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _jpeg(h: int, w: int) -> bytes:
    image = np.full((h, w, 3), 200, np.uint8)
    cv2.circle(image, (w // 2, h // 2), min(h, w) // 4, (60, 90, 160), -1)
    return cv2.imencode(".jpg", image)[1].tobytes()


@pytest.fixture
def student(container, actor, make_candidate_raw):
    c = container.candidates.create(actor, make_candidate_raw(1))
    container.capture.record(actor, c.uuid, "photo", _jpeg(640, 480), "jpg", width=480, height=640,
                             quality={"face_width": 236, "sharpness": 88.5})
    container.capture.record(actor, c.uuid, "fingerprint", cv2.imencode(".png", np.full((400, 300), 128, np.uint8))[1]
                             .tobytes(), "png", subkind="right_index", quality={"score": 71, "attempts": 2,
                                                                               "threshold": 40})
    container.capture.record(actor, c.uuid, "photo", _jpeg(640, 480), "jpg", width=480, height=640)  # a retake
    return c


def tile_texts(gallery: CaptureGallery) -> dict[str, str]:
    return {t.findChild(QLabel, "title").text(): t.findChild(QLabel, "figures").text() for t in gallery.tiles}


def test_roster_row_menu_shows_the_materials_with_their_figures(qtbot, container, actor, student):
    view = RosterView(actor, TaskRunner(synchronous=True), candidates=container.candidates, capture=container.capture,
                      roster=container.roster, waivers=container.waivers, settings=container.settings,
                      printing=container.printing, printed_dir=container.printed_dir)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.total_count == 1)
    menu = view.context_menu_for(0)
    action = next(a for a in menu.actions() if a.text() == "查看采集材料…")
    action.trigger()
    dialog = view.gallery_dialog
    assert dialog.isVisible()
    texts = tile_texts(dialog.gallery)
    assert set(texts) == {"照片", "指纹（右手食指）"}
    assert "质量 71分" in texts["指纹（右手食指）"] and "采集次数 2" in texts["指纹（右手食指）"]
    assert not dialog.gallery.tiles[0].findChild(QLabel, "picture").pixmap().isNull()
    history = [dialog.gallery.history.item(i).text() for i in range(dialog.gallery.history.count())]
    assert sum("已被重拍替换" in t for t in history) == 1 and len(history) == 3
    assert "还缺：身份证正面、身份证背面" in dialog.gallery.summary.text()
    # 重拍 asks for the station with this student and this step.
    tile = next(t for t in dialog.gallery.tiles if t.info.kind == "fingerprint")
    with qtbot.waitSignal(view.retake_requested) as asked:
        qtbot.mouseClick(tile.findChild(QPushButton, "retakeButton"), Qt.MouseButton.LeftButton)
    assert asked.args == [student.uuid, "fingerprint", "right_index"]


def test_retake_from_the_editor_opens_the_station_at_that_step(qtbot, container, actor, student, tmp_path):
    from PySide6.QtCore import QSettings

    container.settings.set(actor, "camera_driver", "mock")
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(container, actor, TaskRunner(synchronous=True), settings=settings)
    qtbot.addWidget(window)
    window.show_initial()
    qtbot.waitExposed(window)
    editor = window.roster_view.open_editor(student.uuid)
    editor.tabs.setCurrentIndex(editor.gallery_tab)
    gallery = editor.gallery
    assert gallery is not None and {t.info.kind for t in gallery.tiles} == {"photo", "fingerprint"}
    photo = next(t for t in gallery.tiles if t.info.kind == "photo")
    qtbot.mouseClick(photo.findChild(QPushButton, "retakeButton"), Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    station = window.station_view
    assert window.stack.currentWidget() is station
    assert station.key == student.uuid and station.mode == "photo"
    assert "旧的一份保留在采集记录中" in station.message.text()
    station.stop_camera()
