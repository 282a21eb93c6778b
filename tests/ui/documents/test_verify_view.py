"""纸质核验, driven like a user: choose or drop a scan, read the verdict per page."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.documents import raster
from db.models import Candidate
from ui.common.tasks import TaskRunner
from ui.documents.verify_view import VerifyView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def printed(container, actor, make_candidate_raw, tmp_path: Path):
    for i in range(40):
        container.candidates.create(actor, make_candidate_raw(i))
    result = container.printing.print_form(actor, "附件3", tmp_path / "附件3.pdf")
    page1 = next(raster.render_pages(result.pdf, 150))
    scan = tmp_path / "扫描 第1页.png"
    cv2.imencode(".png", page1[:, :, ::-1])[1].tofile(str(scan))
    with container.db.read() as s:
        first = s.scalars(select(Candidate).order_by(Candidate.class_name, Candidate.student_no)).first()
        uuid, name, phone = first.uuid, first.name, first.phone
    return result, scan, uuid, name, phone


def make_view(qtbot, container) -> VerifyView:
    view = VerifyView(TaskRunner(synchronous=True), printing=container.printing, devices=container.devices)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return view


def test_a_changed_row_shows_red_with_old_and_new(qtbot, file_dialogs, container, printed) -> None:
    _result, scan, uuid, name, phone = printed
    with container.db.transaction() as s:
        s.scalar(select(Candidate).where(Candidate.uuid == uuid)).phone = "13700000000"
    view = make_view(qtbot, container)
    assert view.empty.isVisible()
    file_dialogs.open_answer = lambda _proposed: str(scan)
    with qtbot.waitSignal(view.verified) as sig:
        qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    (check,) = sig.args[0]
    assert check.status == "differs"
    assert view.page_list.count() == 1 and "与电子数据不一致" in view.page_list.item(0).text()
    assert "与电子数据不一致" in view.verdict.text() and "b71c1c" in view.verdict.styleSheet()
    assert view.differences.isVisible() and view.differences.item(0, 0).text() == name
    assert f"联系电话：{phone} → 13700000000" in view.differences.item(0, 1).text()
    assert view.thumb.pixmap() is not None and not view.thumb.pixmap().isNull()
    assert view.advice.isVisible()


def test_a_whole_pdf_is_checked_page_by_page(qtbot, file_dialogs, container, printed) -> None:
    result, *_ = printed
    view = make_view(qtbot, container)
    file_dialogs.open_answer = lambda _proposed: str(result.pdf)
    with qtbot.waitSignal(view.verified):
        qtbot.keyClick(view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert view.page_list.count() == result.pages
    assert view.summary.text() == f"全部 {result.pages} 页与电子数据一致。"
    assert "与电子数据一致" in view.verdict.text() and not view.differences.isVisible()


def test_dropped_image_without_code_and_camera_frame(qtbot, container, printed, tmp_path: Path) -> None:
    _result, scan, *_ = printed
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 300, 3), 255, np.uint8))
    view = make_view(qtbot, container)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(blank))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(view.verified) as sig:
        view.dropEvent(drop)  # QApplication drops a Drop event sent outside a real drag
    assert sig.args[0][0].status == "no_code"
    assert "没有读到二维码" in view.verdict.text() and "二维码" in view.advice.text()

    frame = cv2.imdecode(np.fromfile(str(scan), np.uint8), cv2.IMREAD_COLOR)
    with qtbot.waitSignal(view.verified) as sig:
        view.verify_image(frame)
    assert sig.args[0][0].status == "match" and "摄像头画面" in view.page_list.item(0).text()


def test_a_bad_file_is_reported(qtbot, file_dialogs, container, tmp_path: Path) -> None:
    junk = tmp_path / "坏.pdf"
    junk.write_bytes(b"%PDF-broken")
    view = make_view(qtbot, container)
    file_dialogs.open_answer = lambda _proposed: str(junk)
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()))
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert "坏.pdf" in box.text()
    box.close()


def test_a_page_photographed_with_the_desk_camera(qtbot, container, printed, tmp_path: Path) -> None:
    """拍照核验: the camera looks at the page's QR corner; Space takes the frame and checks it."""
    from PySide6.QtCore import QTimer

    from app.devices.camera.mock import MockCamera
    from app.devices.factory import Devices

    _result, scan, uuid, name, _phone = printed
    page = cv2.imdecode(np.fromfile(str(scan), dtype=np.uint8), cv2.IMREAD_COLOR)
    h, w = page.shape[:2]
    corner = tmp_path / "camera-view.png"  # what a webcam held over the bottom-left corner sees
    cv2.imencode(".png", page[h * 3 // 5:, : w // 2])[1].tofile(str(corner))
    container.devices = Devices(container.settings.get, drivers={"camera": MockCamera(str(corner))})
    with container.db.transaction() as s:
        s.scalar(select(Candidate).where(Candidate.uuid == uuid)).phone = "13700000000"
    view = make_view(qtbot, container)

    def take_photo() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "cameraVerifyDialog"
        qtbot.waitUntil(lambda: dialog.preview.result is not None, timeout=10_000)
        assert "已找到二维码" in dialog.hint.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Space)

    QTimer.singleShot(0, take_photo)
    with qtbot.waitSignal(view.verified, timeout=20_000) as sig:
        qtbot.mouseClick(view.camera_button, Qt.MouseButton.LeftButton)
    (check,) = sig.args[0]
    assert check.status == "differs"
    assert view.differences.item(0, 0).text() == name
