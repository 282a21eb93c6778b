"""The live camera preview: ``CameraPreview`` shows the frames a ``FrameGrabber`` thread reads and
the verdicts an ``Analyser`` thread gives. It paints the frame scaled to fit, an overlay drawn by a
replaceable function (the guidance for the head, the card's outline) and, without a camera, a
large message.

Signals: ``CameraPreview.analysed(object)``, ``CameraPreview.state_changed(str, str)``,
``CameraPreview.frame_shown(int)``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.station.analyser import Analyser
from ui.station.frame_grabber import FrameGrabber
from ui.station.frames import LIVE, NO_CAMERA, OPENING, STOPPED, UNPLUGGED, FrameMapping, Overlay, _t

log = logging.getLogger(__name__)


class CameraPreview(QWidget):
    """The preview widget; ``start`` opens the camera, ``stop`` closes it (waiting for the threads)."""

    analysed = Signal(object)
    state_changed = Signal(str, str)
    frame_shown = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.grabber: FrameGrabber | None = None
        self.analyser: Analyser | None = None
        self.image: QImage | None = None
        self.seq = 0
        self.state = STOPPED
        self.message = _t("摄像头未启动")
        self.overlay: Overlay | None = None
        self.result: Any = None
        self.result_frame: np.ndarray | None = None
        self.result_seq = 0
        self.result_at = 0.0
        self.frames_shown = 0
        self.mapping: FrameMapping | None = None

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    # -- control ----------------------------------------------------------------------------------
    def start(self, camera_factory: Callable[[], Any], analyse: Callable[[np.ndarray], Any], *,
              device_id: str = "0", width: int = 1280, height: int = 720, retry_s: float = 1.5) -> None:
        self.stop()
        self.grabber = FrameGrabber(camera_factory, device_id, width, height, retry_s=retry_s)
        self.grabber.frame_ready.connect(self._on_grabber_frame_ready)
        self.grabber.state_changed.connect(self._on_grabber_state_changed)
        self.analyser = Analyser(self.grabber, analyse)
        self.analyser.analysed.connect(self._on_analyser_analysed)
        self.state, self.message = OPENING, _t("正在打开摄像头…")
        self.grabber.start()
        self.analyser.start()
        self.update()

    def set_analysis(self, analyse: Callable[[np.ndarray], Any], overlay: Overlay | None) -> None:
        """Switch what is checked and drawn (photo ↔ card); the last result is dropped."""
        if self.analyser is not None:
            self.analyser.set_function(analyse)
        self.overlay = overlay
        self.result, self.result_frame, self.result_seq = None, None, 0
        self.update()

    def stop(self) -> None:
        for thread in (self.analyser, self.grabber):
            if thread is not None:
                thread.stop()
        for thread in (self.analyser, self.grabber):
            if thread is not None:
                thread.wait(5000)
                thread.deleteLater()
        if self.grabber is not None:
            self.state, self.message = STOPPED, _t("摄像头未启动")
        self.grabber, self.analyser = None, None
        self.update()

    @property
    def running(self) -> bool:
        return self.grabber is not None

    def latest_frame(self) -> np.ndarray | None:
        latest = self.grabber.latest() if self.grabber else None
        return None if latest is None else latest.frame

    # -- slots ------------------------------------------------------------------------------------
    def _on_grabber_frame_ready(self, image: QImage, seq: int) -> None:
        if self.sender() is not self.grabber:
            return  # a frame of a grabber already stopped
        self.image, self.seq = image, seq
        self.frames_shown += 1
        self.update()
        if self.grabber is not None:
            self.grabber.frame_painted()
        self.frame_shown.emit(seq)

    def _on_grabber_state_changed(self, state: str, message: str) -> None:
        if self.sender() is not self.grabber:
            return
        self.state, self.message = state, message
        if state != LIVE:
            self.result, self.result_frame = None, None
        self.update()
        self.state_changed.emit(state, message)

    def _on_analyser_analysed(self, result: Any, frame: np.ndarray, seq: int, generation: int) -> None:
        if self.sender() is not self.analyser or generation != self.analyser.generation:
            return  # of an analyser stopped, or of the analysis before the last set_analysis
        self.result, self.result_frame, self.result_seq, self.result_at = result, frame, seq, time.monotonic()
        self.update()
        self.analysed.emit(result)

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1e1e"))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.image is not None and self.state == LIVE:
            iw, ih = self.image.width(), self.image.height()
            scale = min(self.width() / iw, self.height() / ih)
            w, h = iw * scale, ih * scale
            m = FrameMapping(scale, (self.width() - w) / 2, (self.height() - h) / 2, iw, ih)
            self.mapping = m
            p.drawImage(QRectF(m.dx, m.dy, w, h), self.image)
            if self.overlay is not None:
                try:
                    self.overlay(p, m, self.result)
                except Exception:
                    log.exception("drawing the overlay failed")
        else:
            self.mapping = None
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.6)
            p.setFont(font)
            p.setPen(QColor("#ffd166") if self.state in (NO_CAMERA, UNPLUGGED) else QColor("#dddddd"))
            p.drawText(self.rect().adjusted(24, 24, -24, -24),
                       int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap), self.message)
        p.end()
