"""拍照核验: photograph a printed page with the desk's camera and check it against the data.

The dialog shows the live preview with the QR code outlined once OpenCV finds one; Space (or
the button) takes the latest frame, which ``VerifyView.verify_image`` then checks exactly like a
scanned page.

Signals: none; ``exec()`` returns Accepted with ``frame`` set to the BGR image taken.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPainter, QPolygonF
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.devices.factory import Devices
from ui.station.camera_preview import CameraPreview
from ui.station.frames import FrameMapping, pen

CAMERA_SIZE = (1280, 720)


def find_qr(frame: np.ndarray) -> np.ndarray | None:
    """The corners of a QR code in the frame (detection only: decoding waits for the photo)."""
    import cv2

    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    found, points = cv2.QRCodeDetector().detect(grey)
    return points.reshape(-1, 2) if found and points is not None else None


def draw_qr(painter: QPainter, m: FrameMapping, corners: Any) -> None:
    if corners is None:
        return
    painter.setPen(pen("#2ec27e", 3))
    painter.drawPolygon(QPolygonF([m.point(float(x), float(y)) for x, y in corners]))


class CameraVerifyDialog(QDialog):
    def __init__(self, devices: Devices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraVerifyDialog")
        self.setWindowTitle(self.tr("拍照核验"))
        self.devices = devices
        self.frame: np.ndarray | None = None
        self.preview = CameraPreview(self)
        self.preview.setMinimumSize(640, 400)
        self.preview.overlay = draw_qr
        self.preview.analysed.connect(self._on_preview_analysed)
        self.hint = QLabel(self.tr("把打印页放在摄像头下，让左下角的二维码完整、清晰地出现在画面中。"), self)
        self.hint.setWordWrap(True)
        self.take_button = QPushButton(self.tr("拍照并核验（空格）"), self)
        self.take_button.setObjectName("takeButton")
        self.take_button.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.take_button.clicked.connect(self._on_take_button_clicked)
        cancel = QPushButton(self.tr("取消"), self)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.take_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self.resize(900, 620)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        devices = self.devices
        self.preview.start(devices.camera, find_qr, device_id=str(devices.camera_index()),
                           width=CAMERA_SIZE[0], height=CAMERA_SIZE[1])

    def done(self, result: int) -> None:
        self.preview.stop()
        super().done(result)

    def _on_preview_analysed(self, corners: object) -> None:
        self.hint.setText(self.tr("已找到二维码，按空格拍照核验。") if corners is not None
                          else self.tr("把打印页放在摄像头下，让左下角的二维码完整、清晰地出现在画面中。"))

    def _on_take_button_clicked(self) -> None:
        frame = self.preview.latest_frame()
        if frame is None:
            self.hint.setText(self.tr("还没有摄像头画面，请检查摄像头。"))
            return
        self.frame = frame.copy()
        self.accept()

