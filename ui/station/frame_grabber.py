"""``FrameGrabber`` opens the camera on its own thread, reads frames at the camera's rate and hands
each to the GUI as a ``QImage`` built in the worker. It keeps at most one frame in flight: while
the GUI has not painted the last one, newer frames replace the "latest" slot but are not sent, so
the preview never lags behind the camera. When the camera is missing or unplugged it says so and
retries opening every ``retry_s`` seconds, so plugging it back in recovers without a click.

Signals: ``FrameGrabber.frame_ready(QImage, int)``, ``FrameGrabber.state_changed(str, str)`` (state, message).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from app.devices.base import DeviceError, Unplugged
from ui.station.frames import LIVE, NO_CAMERA, OPENING, STOPPED, UNPLUGGED, Latest, _t, to_qimage

log = logging.getLogger(__name__)


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
