"""Fingerprint readers: the driver interface, the image a capture returns and the events it reports.

A driver captures one 8-bit grey image of one finger at 500 ppi. While it waits it reports events
(``place``, ``present``, ``lift``, ``retry``) with a Chinese prompt for the student, so the station
can show the same guidance whatever the hardware. ``app.devices.fingerprint.checked`` adds the
quality gate the desk uses; ``app.devices.fingerprint.registry`` chooses the driver by name.

Drivers: ``mock`` (synthetic prints, scriptable faults: the demo and the tests), ``libfprint``
(any reader libfprint supports, Linux), and whatever a vendor package registers under the entry-point
group ``regdesk.fingerprint_drivers``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.devices.base import DeviceError, DeviceInfo
from app.tasks import CancelToken

DEFAULT_PPI = 500
DEFAULT_TIMEOUT_S = 30.0

# on_event(event, message_zh); called in the capturing thread, so a GUI must hop threads itself.
OnEvent = Callable[[str, str], None]

EVENT_PLACE = "place"
EVENT_PRESENT = "present"
EVENT_LIFT = "lift"
EVENT_RETRY = "retry"

MESSAGES = {
    EVENT_PLACE: "请将手指放在采集器上",
    EVENT_PRESENT: "正在采集，请保持手指不动",
    EVENT_LIFT: "采集完成，请抬起手指",
}

# Why a scan has to be repeated. The first four are libfprint's FpDeviceRetry codes.
RETRY_MESSAGES = {
    "general": "未能读取指纹，请重新按压",
    "too_short": "按压时间太短，请重新按压并停留片刻",
    "center_finger": "请将手指放在采集器中央后重新按压",
    "remove_finger": "请抬起手指，再重新按压",
    "poor_quality": "指纹不清晰，请擦干手指、稍用力按压后重试",
}

NO_READER = "未检测到指纹采集器，请检查 USB 连接后重试。"


def no_events(_event: str, _message: str) -> None:
    return None


def retry_message(reason: str) -> str:
    return RETRY_MESSAGES.get(reason, RETRY_MESSAGES["general"])


@dataclass
class FingerprintImage:
    """One captured print: ``pixels`` is a 2-D uint8 array (0 black … 255 white), rows first."""

    pixels: np.ndarray
    ppi: int = DEFAULT_PPI
    device: str = ""
    driver: str = ""
    finger: str = ""
    attempts: int = 1

    def __post_init__(self) -> None:
        if self.pixels.ndim != 2 or self.pixels.dtype != np.uint8:
            raise ValueError(f"fingerprint pixels must be 2-D uint8, not {self.pixels.dtype} {self.pixels.shape}")

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def png(self) -> bytes:
        """The image as an 8-bit grey PNG with its resolution recorded (pHYs)."""
        return encode_png(self.pixels, self.ppi)


def encode_png(pixels: np.ndarray, ppi: int = DEFAULT_PPI) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", np.ascontiguousarray(pixels), [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:
        raise DeviceError("无法把指纹图像编码为 PNG。")
    return _with_phys(buf.tobytes(), ppi)


def _with_phys(png: bytes, ppi: int) -> bytes:
    """Insert a pHYs chunk after IHDR: 500 ppi is part of what the province asks for."""
    import struct
    import zlib

    per_metre = round(ppi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    ihdr_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    return png[:ihdr_end] + chunk + png[ihdr_end:]


class FingerprintDriver(ABC):
    """A fingerprint reader. Not thread-safe: one capture at a time, from one worker thread.

    ``capture`` blocks until a print is taken, the timeout passes (``DeviceTimeout``), ``cancel``
    is set (``Cancelled``), or the reader fails (``NoDevice``, ``Unplugged``, ``DeviceError``).
    Scans the reader itself rejects (too short, off-centre) are retried inside ``capture`` and
    reported as ``retry`` events; judging the image is ``capture_checked``'s job.
    """

    name = ""

    @abstractmethod
    def list_devices(self) -> list[DeviceInfo]: ...

    @abstractmethod
    def open(self, device_id: str = "") -> DeviceInfo:
        """Open a reader (the first one when ``device_id`` is empty) and say which."""

    @abstractmethod
    def capture(self, finger: str, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None,
                on_event: OnEvent = no_events, *, subject: str = "") -> FingerprintImage:
        """Capture ``finger``. ``subject`` names the candidate; only a simulated reader uses it."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> FingerprintDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
