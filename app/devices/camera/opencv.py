"""The OpenCV camera driver: webcams through DirectShow/MSMF (Windows) or V4L2 (Linux)."""

from __future__ import annotations

import glob
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from app.devices.base import DeviceInfo, NoDevice, Unplugged
from app.devices.camera.interface import MSG_NO_CAMERA, MSG_UNPLUGGED, Camera


def _backends() -> list[int]:
    if sys.platform.startswith("win"):
        # DirectShow opens most USB webcams fastest and honours MJPG; Media Foundation is the fallback.
        return [cv2.CAP_DSHOW, cv2.CAP_MSMF]
    if sys.platform.startswith("linux"):
        return [cv2.CAP_V4L2]
    if sys.platform == "darwin":
        return [cv2.CAP_AVFOUNDATION]
    return [cv2.CAP_ANY]


class OpenCVCamera(Camera):
    """A webcam through ``cv2.VideoCapture``; ``device_id`` is an index ("0") or a stream/file path.

    A path or URL (an IP camera, or a video file in tests) goes through the very same code as a
    webcam; for a file, the end of the file reads as the camera going away.
    """

    driver_name = "opencv"
    MAX_INDEX = 5
    READ_RETRIES = 3  # a USB hiccup drops a frame or two; more than this is an unplugged camera

    def __init__(self, backends: Sequence[int] | None = None) -> None:
        self._backends = list(backends) if backends is not None else _backends()
        self._cap: cv2.VideoCapture | None = None
        self._device = ""
        self._fps = 0.0
        self._first: np.ndarray | None = None  # the frame open() read to prove the camera works
        self.frame_size = (0, 0)

    def list_devices(self) -> list[DeviceInfo]:
        out: list[DeviceInfo] = []
        for index in self._candidate_indexes():
            cap = self._try_open(str(index), probe=True)
            if cap is not None:
                cap.release()
                out.append(DeviceInfo(str(index), self._device_name(index), self.driver_name))
        return out

    def _candidate_indexes(self) -> list[int]:
        if sys.platform.startswith("linux"):
            # Opening a missing index costs time; V4L2 shows its nodes (metadata nodes are weeded
            # out by the probe, which reads a frame).
            nodes = sorted(int(p.removeprefix("/dev/video")) for p in glob.glob("/dev/video*")
                           if p.removeprefix("/dev/video").isdigit())
            return [n for n in nodes if n <= 63]
        return list(range(self.MAX_INDEX + 1))

    @staticmethod
    def _device_name(index: int) -> str:
        sysfs = Path(f"/sys/class/video4linux/video{index}/name")
        try:
            return f"{sysfs.read_text(encoding='utf-8').strip()}（{index}）"
        except OSError:
            return f"摄像头 {index}"

    def _try_open(self, device_id: str, probe: bool = False, width: int = 0,
                  height: int = 0) -> cv2.VideoCapture | None:
        source: int | str = int(device_id) if device_id.isdigit() else device_id
        backends = self._backends if isinstance(source, int) else [cv2.CAP_ANY]
        for backend in backends:
            cap = cv2.VideoCapture(source, backend)
            if not cap.isOpened():
                cap.release()
                continue
            if width and height and isinstance(source, int):
                # MJPG first: uncompressed 720p does not fit USB 2 at full frame rate.
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
                cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of stale ones
            ok, frame = cap.read()
            if ok and frame is not None:
                if not probe:
                    self._first = frame
                return cap
            cap.release()
        return None

    def open(self, device_id: str = "0", width: int = 1280, height: int = 720) -> None:
        self.close()
        cap = self._try_open(str(device_id), width=width, height=height)
        if cap is None:
            raise NoDevice(MSG_NO_CAMERA, device=str(device_id))
        self._cap = cap
        self._device = str(device_id)
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = float(fps) if fps and 1 <= fps <= 240 else 30.0
        h, w = self._first.shape[:2]
        self.frame_size = (w, h)

    def read(self) -> np.ndarray:
        if self._cap is None:
            raise NoDevice(MSG_NO_CAMERA, device=self._device)
        first = getattr(self, "_first", None)
        if first is not None:
            self._first = None
            return first
        for attempt in range(self.READ_RETRIES):
            ok, frame = self._cap.read()
            if ok and frame is not None:
                return frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
            if attempt + 1 < self.READ_RETRIES:
                time.sleep(0.02)
        self.close()
        raise Unplugged(MSG_UNPLUGGED, device=self._device)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._first = None

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def is_open(self) -> bool:
        return self._cap is not None
