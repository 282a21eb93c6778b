"""The live camera preview: a frame-grabbing thread, an analysis thread and the widget that shows both.

``FrameGrabber`` opens the camera on its own thread, reads frames at the camera's rate and hands
each to the GUI as a ``QImage`` built in the worker. It keeps at most one frame in flight: while
the GUI has not painted the last one, newer frames replace the "latest" slot but are not sent, so
the preview never lags behind the camera. When the camera is missing or unplugged it says so and
retries opening every ``retry_s`` seconds, so plugging it back in recovers without a click.

``Analyser`` takes the latest frame whenever it is free (several times a second), runs a Qt-free
analysis function on it (the photo checks, or the ID-card finder) and sends the result together
with the frame it judged, so a capture stores exactly the frame whose checks were shown.

``CameraPreview`` is the widget: it paints the frame scaled to fit, an overlay drawn by a
replaceable function (the guidance for the head, the card's outline) and, without a camera, a
large message.

Signals:
- ``FrameGrabber.frame_ready(QImage, int)``, ``FrameGrabber.state_changed(str, str)`` (state, message);
- ``Analyser.analysed(object, object, int, int)`` (result, frame, frame number, analysis generation);
- ``CameraPreview.analysed(object)``, ``CameraPreview.state_changed(str, str)``,
  ``CameraPreview.frame_shown(int)``.

States: ``opening``, ``live``, ``no_camera``, ``unplugged``, ``stopped``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, QThread, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.devices.base import DeviceError, Unplugged

log = logging.getLogger(__name__)

OPENING, LIVE, NO_CAMERA, UNPLUGGED, STOPPED = "opening", "live", "no_camera", "unplugged", "stopped"


def to_qimage(frame: np.ndarray) -> QImage:
    """A deep-copied QImage of a BGR (or grey) uint8 frame; safe to build on a worker thread."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


def _t(text: str) -> str:
    return QCoreApplication.translate("CameraPreview", text)


@dataclass
class Latest:
    frame: np.ndarray
    seq: int
    at: float


class FrameGrabber(QThread):
    """Reads the camera on its own thread. ``camera_factory()`` is called on that thread."""

    frame_ready = Signal(QImage, int)
    state_changed = Signal(str, str)

    def __init__(self, camera_factory: Callable[[], Any], device_id: str = "0", width: int = 1280,
                 height: int = 720, *, retry_s: float = 1.5, parent=None) -> None:
        super().__init__(parent)
        self.camera_factory = camera_factory
        self.device_id, self.width, self.height = device_id, width, height
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._latest: Latest | None = None
        self._gui_free = threading.Event()
        self._gui_free.set()
        self.frames_read = 0
        self.frames_sent = 0
        self.state = OPENING

    # -- called from the GUI thread ---------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def frame_painted(self) -> None:
        """The GUI has shown the last frame: the next one may be sent."""
        self._gui_free.set()

    # -- any thread -------------------------------------------------------------------------------
    def latest(self) -> Latest | None:
        with self._cond:
            return self._latest

    def wait_newer(self, seq: int, timeout: float) -> Latest | None:
        """The latest frame once it is newer than ``seq`` (None on timeout or stop)."""
        with self._cond:
            self._cond.wait_for(lambda: self._stop.is_set() or (self._latest is not None
                                                                  and self._latest.seq > seq), timeout)
            if self._stop.is_set() or self._latest is None or self._latest.seq <= seq:
                return None
            return self._latest

    # -- the worker -------------------------------------------------------------------------------
    def _set_state(self, state: str, message: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state, message)

    def run(self) -> None:
        camera = None
        seq = 0
        while not self._stop.is_set():
            if camera is None:
                try:
                    camera = self.camera_factory()
                    camera.open(self.device_id, self.width, self.height)
                except DeviceError as exc:
                    camera = self._drop(camera)
                    self._set_state(UNPLUGGED if self.state in (LIVE, UNPLUGGED) else NO_CAMERA,
                                    exc.message + _t("（正在自动重试…）"))
                    self._stop.wait(self.retry_s)
                    continue
                except Exception as exc:  # a driver bug: keep retrying, but leave a trace
                    log.exception("opening the camera failed")
                    camera = self._drop(camera)
                    self._set_state(NO_CAMERA, _t("摄像头无法打开：%1（正在自动重试…）").replace("%1", str(exc)))
                    self._stop.wait(self.retry_s)
                    continue
            period = 1.0 / max(1.0, float(getattr(camera, "fps", 30) or 30))
            started = time.perf_counter()
            try:
                frame = camera.read()
            except DeviceError as exc:
                camera = self._drop(camera)
                message = exc.message if isinstance(exc, Unplugged) else _t("摄像头出错：%1").replace("%1", exc.message)
                self._set_state(UNPLUGGED, message + _t("（接回后会自动恢复）"))
                self._stop.wait(self.retry_s)
                continue
            except Exception:
                log.exception("reading the camera failed")
                camera = self._drop(camera)
                self._set_state(UNPLUGGED, _t("摄像头读取失败（正在自动重试…）"))
                self._stop.wait(self.retry_s)
                continue
            if frame is None:
                continue
            seq += 1
            self.frames_read += 1
            with self._cond:
                self._latest = Latest(frame, seq, time.monotonic())
                self._cond.notify_all()
            self._set_state(LIVE, "")
            if self._gui_free.is_set():
                self._gui_free.clear()
                self.frames_sent += 1
                self.frame_ready.emit(to_qimage(frame), seq)
            # A driver that returns at once (a mock, a file) is paced to its nominal rate.
            rest = period - (time.perf_counter() - started)
            if rest > 0:
                self._stop.wait(rest)
        self._drop(camera)
        self._set_state(STOPPED, "")

    @staticmethod
    def _drop(camera: Any) -> None:
        if camera is not None:
            try:
                camera.close()
            except Exception:
                log.exception("closing the camera failed")
        return None


class Analyser(QThread):
    """Runs ``fn(frame)`` on the latest frame, at most ``max_rate`` times a second."""

    analysed = Signal(object, object, int, int)  # result, frame, frame number, analysis generation

    def __init__(self, grabber: FrameGrabber, fn: Callable[[np.ndarray], Any], *, max_rate: float = 12.0,
                 parent=None) -> None:
        super().__init__(parent)
        self.grabber = grabber
        self._fn = fn
        self._generation = 0  # bumped by set_function: a result of an older function is dropped
        self._fn_lock = threading.Lock()
        self.max_rate = max_rate
        self._stop = threading.Event()
        self.count = 0

    @property
    def generation(self) -> int:
        with self._fn_lock:
            return self._generation

    def set_function(self, fn: Callable[[np.ndarray], Any]) -> None:
        with self._fn_lock:
            self._fn = fn
            self._generation += 1

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            latest = self.grabber.wait_newer(seq, 0.25)
            if latest is None:
                continue
            seq = latest.seq
            started = time.perf_counter()
            with self._fn_lock:
                fn, generation = self._fn, self._generation
            try:
                result = fn(latest.frame)
            except Exception:
                log.exception("frame analysis failed")
                result = None
            self.count += 1
            with self._fn_lock:
                stale = generation != self._generation
            if stale:
                # The mode changed while this frame was analysed (F2 pressed during a photo check):
                # a photo verdict must not stand for the card the station now looks for.
                continue
            self.analysed.emit(result, latest.frame, latest.seq, generation)
            rest = 1.0 / self.max_rate - (time.perf_counter() - started)
            if rest > 0:
                self._stop.wait(rest)


# Draws on top of the frame: painter, frame→widget mapping, frame size, the latest analysis.
Overlay = Callable[[QPainter, "FrameMapping", Any], None]


@dataclass
class FrameMapping:
    """Where the frame sits in the widget: widget = offset + frame × scale."""

    scale: float
    dx: float
    dy: float
    frame_w: int
    frame_h: int

    def point(self, x: float, y: float) -> QPointF:
        return QPointF(self.dx + x * self.scale, self.dy + y * self.scale)

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self.dx + x * self.scale, self.dy + y * self.scale, w * self.scale, h * self.scale)

    def to_frame(self, px: float, py: float) -> tuple[float, float]:
        return (px - self.dx) / self.scale, (py - self.dy) / self.scale


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


def pen(colour: str, width: float = 2.0, dashed: bool = False) -> QPen:
    out = QPen(QColor(colour))
    out.setWidthF(width)
    if dashed:
        out.setStyle(Qt.PenStyle.DashLine)
    return out
