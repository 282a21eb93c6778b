"""A simulated fingerprint reader: synthetic prints per candidate and finger, and scriptable faults.

The prints are made the way synthetic-fingerprint generators do it: an orientation field from
singular points (cores and deltas, giving arches, loops and whorls), then noise grown into ridges
by repeated Gabor filtering along that field, inside an elliptical finger mask, at 500 ppi. The same
(subject, finger) always gives the same print, so tests and the demo can compare images.

Faults are a script of steps, one consumed per scan: ``ok``, ``poor`` (low contrast, smudged),
``no_finger`` (nobody touches the reader until the timeout), ``timeout`` (the reader stops
answering), ``unplugged`` (the cable is pulled; ``replug()`` brings it back) and ``retry:<reason>``
(the reader rejects the scan, e.g. ``retry:too_short``, and the capture goes on with the next
step, as libfprint does). After the script the reader behaves well.
"""

from __future__ import annotations

import hashlib
import threading
import time
from functools import lru_cache

import numpy as np

from app.devices.base import DeviceError, DeviceInfo, DeviceTimeout, NoDevice, Unplugged
from app.devices.fingerprint.interface import (
    DEFAULT_PPI,
    DEFAULT_TIMEOUT_S,
    EVENT_LIFT,
    EVENT_PLACE,
    EVENT_PRESENT,
    EVENT_RETRY,
    MESSAGES,
    NO_READER,
    RETRY_MESSAGES,
    FingerprintDriver,
    FingerprintImage,
    OnEvent,
    no_events,
    retry_message,
)
from app.errors import Cancelled, ValidationError
from app.tasks import CancelToken

WIDTH, HEIGHT = 300, 400  # 15.2 × 20.3 mm at 500 ppi: a typical optical reader's window
TERMINAL_STEPS = ("ok", "poor", "no_finger", "timeout", "unplugged")
MOCK_DEVICE_ID = "mock-0"
MOCK_DEVICE_NAME = "模拟指纹采集器"


def parse_script(script: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """``"retry:too_short, ok, poor"`` or a list of the same steps, checked."""
    if script is None:
        return []
    items = script.replace("，", ",").split(",") if isinstance(script, str) else list(script)
    steps = [str(s).strip() for s in items if str(s).strip()]
    for step in steps:
        kind, _, reason = step.partition(":")
        if kind == "retry" and reason in RETRY_MESSAGES:
            continue
        if step not in TERMINAL_STEPS:
            allowed = "、".join([*TERMINAL_STEPS, *(f"retry:{r}" for r in RETRY_MESSAGES)])
            raise ValidationError(f"模拟指纹采集器的步骤“{step}”无效，可用：{allowed}。", "script")
    return steps


class MockFingerprint(FingerprintDriver):
    """A complete fingerprint driver with no hardware. Thread-safe only for ``replug``/``script``."""

    name = "mock"

    def __init__(self, script: str | list[str] | None = None, *, devices: int = 1,
                 finger_delay_s: float = 0.0, subject: str = "") -> None:
        self._script = parse_script(script)
        self._lock = threading.Lock()
        self._devices = max(0, int(devices))
        self._unplugged = False
        self._open: DeviceInfo | None = None
        self.finger_delay_s = float(finger_delay_s)
        self.subject = subject
        self.scans = 0  # how many scans the reader made (tests count them)

    # -- script control (the demo may change it from the GUI thread) ------------------------------
    def script(self, steps: str | list[str]) -> None:
        parsed = parse_script(steps)
        with self._lock:
            self._script = parsed

    def unplug(self) -> None:
        with self._lock:
            self._unplugged = True

    def replug(self) -> None:
        with self._lock:
            self._unplugged = False

    def _next_step(self) -> str:
        with self._lock:
            return self._script.pop(0) if self._script else "ok"

    # -- driver --------------------------------------------------------------------------------
    def list_devices(self) -> list[DeviceInfo]:
        if self._unplugged:
            return []
        return [DeviceInfo(f"mock-{i}", MOCK_DEVICE_NAME if i == 0 else f"{MOCK_DEVICE_NAME} {i + 1}",
                           self.name) for i in range(self._devices)]

    def open(self, device_id: str = "") -> DeviceInfo:
        devices = self.list_devices()
        if not devices:
            raise NoDevice(NO_READER, device=device_id)
        for info in devices:
            if not device_id or info.id == device_id:
                self._open = info
                return info
        raise NoDevice(f"找不到指纹采集器“{device_id}”，请检查连接或在设置中重新选择。", device=device_id)

    def close(self) -> None:
        self._open = None

    def capture(self, finger: str, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None,
                on_event: OnEvent = no_events, *, subject: str = "") -> FingerprintImage:
        if self._open is None:
            raise DeviceError("指纹采集器尚未打开。")
        device = self._open.name
        deadline = time.monotonic() + float(timeout_s)
        while True:
            if self._unplugged:
                raise Unplugged("指纹采集器已断开，请重新插好 USB 线后重试。", device=device)
            on_event(EVENT_PLACE, MESSAGES[EVENT_PLACE])
            step = self._next_step()
            if step == "unplugged":
                self.unplug()
                raise Unplugged("指纹采集器已断开，请重新插好 USB 线后重试。", device=device)
            if step == "no_finger":
                self._wait(deadline - time.monotonic(), cancel)
                raise DeviceTimeout(f"{timeout_s:g} 秒内没有检测到手指，请重新采集。", device=device)
            if step == "timeout":
                self._wait(deadline - time.monotonic(), cancel)
                raise DeviceTimeout("指纹采集器没有响应，请拔插 USB 线后重试。", device=device)
            left = deadline - time.monotonic()
            self._wait(min(self.finger_delay_s, left), cancel)
            if self.finger_delay_s > left:
                raise DeviceTimeout(f"{timeout_s:g} 秒内没有检测到手指，请重新采集。", device=device)
            self.scans += 1
            on_event(EVENT_PRESENT, MESSAGES[EVENT_PRESENT])
            if step.startswith("retry:"):
                reason = step.partition(":")[2]
                on_event(EVENT_RETRY, retry_message(reason))
                continue
            pixels = synthetic_print(subject or self.subject, finger, poor=step == "poor")
            on_event(EVENT_LIFT, MESSAGES[EVENT_LIFT])
            return FingerprintImage(pixels, DEFAULT_PPI, device, self.name, finger)

    @staticmethod
    def _wait(seconds: float, cancel: CancelToken | None) -> None:
        """Sleep ``seconds`` in small steps, giving up at once when ``cancel`` is set."""
        end = time.monotonic() + max(0.0, seconds)
        while (left := end - time.monotonic()) > 0:
            if cancel is not None and cancel.cancelled:
                raise Cancelled("已取消指纹采集。")
            time.sleep(min(0.02, left))
        if cancel is not None and cancel.cancelled:
            raise Cancelled("已取消指纹采集。")


# -- synthesis -----------------------------------------------------------------------------------
def _seed(subject: str, finger: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{subject}\x00{finger}".encode()).digest()[:8], "little")


def _orientation(rng: np.random.Generator, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, str]:
    """Ridge direction (radians, mod π) from a pattern class chosen by the seed."""
    kind = rng.choice(["loop_left", "loop_right", "whorl", "arch", "tented_arch"], p=[.3, .3, .25, .07, .08])
    jx, jy = rng.normal(0, 12, size=2)
    cx, cy = WIDTH / 2 + jx, HEIGHT * 0.42 + jy
    z = xs + 1j * ys
    cores: list[complex] = []
    deltas: list[complex] = []
    if kind == "loop_left":
        cores = [complex(cx + 10, cy)]
        deltas = [complex(cx - 85 + rng.normal(0, 8), cy + 120 + rng.normal(0, 10))]
    elif kind == "loop_right":
        cores = [complex(cx - 10, cy)]
        deltas = [complex(cx + 85 + rng.normal(0, 8), cy + 120 + rng.normal(0, 10))]
    elif kind == "whorl":
        cores = [complex(cx, cy - 18), complex(cx + rng.normal(0, 4), cy + 18)]
        deltas = [complex(cx - 110, cy + 125 + rng.normal(0, 8)), complex(cx + 110, cy + 125 + rng.normal(0, 8))]
    elif kind == "tented_arch":
        cores = [complex(cx, cy)]
        deltas = [complex(cx, cy + 70)]
    if cores:
        theta = np.zeros(xs.shape)
        for c in cores:
            theta += 0.5 * np.angle(z - c)
        for d in deltas:
            theta -= 0.5 * np.angle(z - d)
    else:  # plain arch: ridges flow across and bow upwards in the middle
        bow = rng.uniform(0.8, 1.4)
        theta = np.arctan(bow * (xs - cx) / WIDTH * 2.2 * np.exp(-(((ys - cy) / (HEIGHT * 0.5)) ** 2)))
    return np.mod(theta + rng.normal(0, 0.05), np.pi), str(kind)


def _gabor_bank(period: float, bins: int) -> list[np.ndarray]:
    import cv2

    sigma = period * 0.55
    size = round(sigma * 3) * 2 + 1
    bank = []
    for i in range(bins):
        ridge = np.pi * i / bins
        kernel = cv2.getGaborKernel((size, size), sigma, ridge + np.pi / 2, period, 1.0, 0, ktype=cv2.CV_32F)
        kernel -= kernel.mean()
        bank.append(kernel / np.abs(kernel).sum())
    return bank


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Slowly varying noise in [-1, 1] (pressure, skin condition)."""
    import cv2

    small = rng.normal(0, 1, size=(max(2, int(shape[0] / scale)), max(2, int(shape[1] / scale))))
    big = cv2.resize(small.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return np.clip(big / (np.abs(big).max() + 1e-6), -1, 1)


@lru_cache(maxsize=64)
def _ridges(subject: str, finger: str) -> tuple[np.ndarray, np.ndarray]:
    """Ridge pattern in [-1, 1] and the finger mask in [0, 1] for one (subject, finger)."""
    import cv2

    rng = np.random.default_rng(_seed(subject, finger))
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    theta, _kind = _orientation(rng, xs, ys)
    period = rng.uniform(8.5, 10.0)  # ridge spacing ≈ 0.45 mm at 500 ppi
    bins = 16
    bank = _gabor_bank(period, bins)
    index = (np.round(theta / np.pi * bins).astype(np.int64) % bins)[None]
    img = rng.normal(0, 1, size=(HEIGHT, WIDTH)).astype(np.float32)
    for _ in range(6):
        responses = np.stack([cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT) for k in bank])
        img = np.take_along_axis(responses, index, axis=0)[0]
        img = np.clip(img / (img.std() + 1e-6) * 1.6, -1, 1)

    cx = WIDTH / 2 + rng.normal(0, 6)
    cy = HEIGHT / 2 + rng.normal(0, 8) + 10
    ax, ay = WIDTH * rng.uniform(0.40, 0.46), HEIGHT * rng.uniform(0.44, 0.50)
    r = np.sqrt(((xs - cx) / ax) ** 2 + ((ys - cy) / ay) ** 2)
    edge = 1 + 0.04 * _smooth_field(rng, (HEIGHT, WIDTH), 60)
    mask = np.clip((edge - r) / 0.08, 0, 1)
    img.setflags(write=False)
    mask.setflags(write=False)
    return img, mask


def synthetic_print(subject: str, finger: str, *, poor: bool = False) -> np.ndarray:
    """A 300×400, 8-bit grey, 500 ppi print: dark ridges on a light background.

    ``poor`` renders the same finger as a bad scan: faint, smudged and noisy.
    """
    import cv2

    ridges, mask = _ridges(subject, finger)
    rng = np.random.default_rng(_seed(subject, finger) ^ (0x5EED if poor else 0x600D))
    pressure = 0.85 + 0.15 * _smooth_field(rng, ridges.shape, 50)
    ink = (ridges + 1) / 2 * mask * pressure  # 1 = ridge touching the glass
    if poor:
        ink = cv2.GaussianBlur(ink.astype(np.float32), (0, 0), 2.6)
        ink *= 0.5 + 0.5 * (_smooth_field(rng, ridges.shape, 40) > -0.2)
        background, depth, noise = 205.0, 70.0, 10.0
    else:
        ink = cv2.GaussianBlur(ink.astype(np.float32), (0, 0), 0.7)
        background, depth, noise = 238.0, 185.0, 5.0
    shade = background + 6 * _smooth_field(rng, ridges.shape, 120)
    grey = shade - depth * ink + rng.normal(0, noise, size=ridges.shape)
    return np.clip(np.round(grey), 0, 255).astype(np.uint8)
