"""The ``Camera`` interface every camera driver implements (``opencv``: webcams; ``mock``: the demo and tests).

A camera delivers BGR uint8 frames from ``read()``. A camera that goes away raises ``Unplugged``
from ``read()``; one that is not there raises ``NoDevice`` from ``open()``. The UI recovers by
reopening when ``list_devices()`` shows the camera again. Drivers are chosen by name (setting
``camera_driver``) through ``CAMERAS`` (``app.devices.camera.registry``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from app.devices.base import DeviceInfo

if TYPE_CHECKING:
    import numpy as np

MSG_NO_CAMERA = "未检测到摄像头，请检查连接"
MSG_UNPLUGGED = "摄像头已断开，请检查连接，重新连接后会自动恢复"


class Camera(ABC):
    """One camera. Not thread-safe: one thread opens, reads and closes it."""

    driver_name = ""  # the driver's registry name

    @abstractmethod
    def list_devices(self) -> list[DeviceInfo]:
        """The cameras this driver can open now (may take a moment: it probes)."""

    @abstractmethod
    def open(self, device_id: str = "0", width: int = 1280, height: int = 720) -> None:
        """Start the camera; raises ``NoDevice``. The frame size is a request: check ``frame_size``."""

    @abstractmethod
    def read(self) -> np.ndarray:
        """The next frame (BGR uint8), waiting for it; raises ``Unplugged`` or ``NoDevice``."""

    @abstractmethod
    def close(self) -> None:
        """Release the camera; safe to call twice."""

    @property
    @abstractmethod
    def fps(self) -> float:
        """Frames per second the camera delivers (its claim, or the mock's pace)."""

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    frame_size: tuple[int, int] = (0, 0)  # width, height of the frames read() returns

    def __enter__(self) -> Camera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
