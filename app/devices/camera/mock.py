"""A camera without hardware for the demo and the tests: image files, a video or a generated scene,
with scriptable unplugging and pictures held in front of it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

from app.devices.base import DeviceInfo, NoDevice, Unplugged
from app.devices.camera.interface import MSG_NO_CAMERA, MSG_UNPLUGGED, Camera


class MockCamera(Camera):
    """A complete camera without hardware: image files, a video file or a generated scene.

    ``source``: None for the generated head-and-shoulders scene; an image path or a list of them
    (cycled); a video path (looped); or a callable ``(index, width, height) -> frame``. Frames are
    fitted into the opened size (the border pixels repeated where the aspect differs). ``read`` is
    paced to ``fps`` like a real camera unless ``paced=False``.

    Scripting: ``unplug_after`` frames the camera goes away (``read`` raises ``Unplugged``, then
    ``open`` raises ``NoDevice`` and ``list_devices`` is empty) until ``replug()`` — or, with
    ``replug_after`` seconds, by itself. ``unplug()`` does the same at any moment, from any thread.
    ``show(picture)`` puts a picture in front of the camera (the demo's ID card on a desk, a printed
    page: ``app.devices.camera.scenes``) until ``show(None)``, also from any thread.
    """

    driver_name = "mock"
    DEVICE = DeviceInfo("mock0", "模拟摄像头", "mock")

    def __init__(self, source: str | os.PathLike | Sequence[str | os.PathLike]
                 | Callable[[int, int, int], np.ndarray] | None = None, *, fps: float = 30.0,
                 paced: bool = True, unplug_after: int | None = None, replug_after: float | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._source = source
        self._fps = float(fps)
        self.paced = paced
        self.unplug_after = unplug_after
        self.replug_after = replug_after
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._plugged = True
        self._unplugged_at = 0.0
        self._open = False
        self._stale = False  # unplugged while open: this handle stays dead even after a replug
        self._images: list[np.ndarray] = []
        self._video: cv2.VideoCapture | None = None
        self._scene: np.ndarray | None = None
        self._shown: np.ndarray | None = None  # a picture held in front of the camera
        self._shown_fitted: np.ndarray | None = None
        self.frames_read = 0
        self._next_at = 0.0
        self.frame_size = (0, 0)

    # scripting
    def unplug(self) -> None:
        with self._lock:
            self._plugged = False
            self._unplugged_at = self._clock()
            self._stale = self._open

    def replug(self) -> None:
        with self._lock:
            self._plugged = True

    def show(self, picture: np.ndarray | None) -> None:
        """Hold ``picture`` (BGR) in front of the camera; ``None`` takes it away (the source shows again)."""
        if picture is not None and (not isinstance(picture, np.ndarray) or picture.ndim not in (2, 3)
                                    or picture.size == 0):
            raise ValueError("show() takes a BGR image or None")
        with self._lock:
            self._shown = None if picture is None else np.ascontiguousarray(picture)
            self._shown_fitted = None

    @property
    def showing(self) -> bool:
        with self._lock:
            return self._shown is not None

    def _is_plugged(self) -> bool:
        with self._lock:
            if not self._plugged and self.replug_after is not None \
                    and self._clock() - self._unplugged_at >= self.replug_after:
                self._plugged = True
            return self._plugged

    # Camera
    def list_devices(self) -> list[DeviceInfo]:
        return [self.DEVICE] if self._is_plugged() else []

    def open(self, device_id: str = "mock0", width: int = 1280, height: int = 720) -> None:
        self.close()
        if not self._is_plugged():
            raise NoDevice(MSG_NO_CAMERA, device=device_id)
        self.frame_size = (int(width), int(height))
        self._load()
        with self._lock:
            self._open, self._stale = True, False
        self.frames_read = 0
        self._next_at = self._clock()

    def _load(self) -> None:
        src = self._source
        self._images, self._video, self._scene = [], None, None
        if src is None or callable(src):
            return
        paths = [src] if isinstance(src, str | os.PathLike) else list(src)
        if not paths:
            raise NoDevice("模拟摄像头没有可播放的画面。")
        for path in paths:
            image = _imread(Path(path))
            if image is None and len(paths) == 1:
                video = cv2.VideoCapture(str(path))
                # FFmpeg "opens" many a non-video; only a frame read proves it plays.
                if video.isOpened() and video.read()[0]:
                    video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    self._video = video
                    return
                video.release()
            if image is None:
                raise NoDevice(f"模拟摄像头无法读取文件：{path}")
            self._images.append(_fit(image, *self.frame_size))

    def read(self) -> np.ndarray:
        with self._lock:
            if not self._open:
                raise NoDevice(MSG_NO_CAMERA, device=self.DEVICE.id)
            stale = self._stale
        if stale or not self._is_plugged():
            with self._lock:
                self._stale = True
            raise Unplugged(MSG_UNPLUGGED, device=self.DEVICE.id)
        if self.unplug_after is not None and self.frames_read >= self.unplug_after:
            self.unplug_after = None
            self.unplug()
            raise Unplugged(MSG_UNPLUGGED, device=self.DEVICE.id)
        if self.paced:
            now = self._clock()
            if self._next_at > now:
                self._sleep(self._next_at - now)
            # Late frames do not bunch up: the schedule restarts from now.
            self._next_at = max(self._next_at, now) + 1.0 / self._fps
        frame = self._frame(self.frames_read)
        self.frames_read += 1
        return frame

    def _frame(self, index: int) -> np.ndarray:
        width, height = self.frame_size
        with self._lock:
            if self._shown is not None:
                if self._shown_fitted is None or self._shown_fitted.shape[:2] != (height, width):
                    self._shown_fitted = _fit(self._shown, width, height)
                return self._shown_fitted.copy()
        if callable(self._source):
            return _fit(self._source(index, width, height), width, height)
        if self._video is not None:
            ok, frame = self._video.read()
            if not ok:
                self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._video.read()
                if not ok:
                    raise Unplugged("模拟摄像头的视频无法播放。", device=self.DEVICE.id)
            return _fit(frame, width, height)
        if self._images:
            return self._images[index % len(self._images)].copy()
        if self._scene is None:
            self._scene = generated_scene(width, height)
        # A gentle sway, so that the preview visibly moves.
        dx = round(6 * np.sin(index / 15))
        return np.roll(self._scene, dx, axis=1)

    def close(self) -> None:
        with self._lock:
            self._open = False
        if self._video is not None:
            self._video.release()
            self._video = None

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def is_open(self) -> bool:
        return self._open


def _imread(path: Path) -> np.ndarray | None:
    """cv2.imread cannot open non-ASCII paths on Windows; decoding the bytes always works."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def _fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` scaled to fit ``width × height``, the rest filled by repeating its border."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    k = min(width / w, height / h)
    nw, nh = max(1, round(w * k)), max(1, round(h * k))
    image = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    left, top = (width - nw) // 2, (height - nh) // 2
    return cv2.copyMakeBorder(image, top, height - nh - top, left, width - nw - left, cv2.BORDER_REPLICATE)


def generated_scene(width: int = 1280, height: int = 720) -> np.ndarray:
    """A drawn head and shoulders before a light-blue wall, for the demo without a camera.

    Drawn so that the face detector finds the face and the exam checks pass, with a fixed film of
    sensor-like noise: a flat drawing would not even fill a 20 KB JPEG.
    """
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = (255, 197, 100)  # light blue, BGR
    cx, k = width // 2, height / 720
    skin, hair, shirt = (150, 180, 225), (40, 50, 60), (90, 60, 40)
    cv2.ellipse(frame, (cx, int(760 * k)), (int(330 * k), int(260 * k)), 0, 180, 360, shirt, -1)
    cv2.rectangle(frame, (cx - int(45 * k), int(380 * k)), (cx + int(45 * k), int(520 * k)), skin, -1)
    cv2.ellipse(frame, (cx, int(250 * k)), (int(125 * k), int(160 * k)), 0, 0, 360, hair, -1)
    cv2.ellipse(frame, (cx, int(290 * k)), (int(105 * k), int(135 * k)), 0, 0, 360, skin, -1)
    for side in (-1, 1):
        cv2.ellipse(frame, (cx + side * int(42 * k), int(268 * k)), (int(16 * k), int(8 * k)), 0, 0, 360,
                    (60, 50, 50), -1)
    cv2.ellipse(frame, (cx, int(350 * k)), (int(35 * k), int(12 * k)), 0, 0, 180, (80, 80, 170), 3)
    noise = np.random.default_rng(0).normal(0, 3.0, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)
