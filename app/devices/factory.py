"""The desk's devices, built from the settings through the driver registries, lazily and once.

``Devices`` is what the composition root hands to the station screen: ``camera()``,
``fingerprint()`` and ``idcard()`` each create their driver the first time they are asked (so a
desk without a fingerprint reader starts as fast as one with) and return the same object after
that. ``mock=True`` (``--demo``, tests) uses the ``"mock"`` driver of every kind whatever the
settings say; ``drivers=`` hands in ready-made driver objects (tests script them).

Drivers are created, not opened: the caller opens them where the work runs (the preview worker
opens the camera on its own thread).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from app.devices.base import NoDevice, Registry, registries

if TYPE_CHECKING:  # the interfaces only: a driver's module (and its SDK) loads when it is made
    from app.devices.camera.interface import Camera
    from app.devices.fingerprint.interface import FingerprintDriver
    from app.devices.idcard.interface import IdCardReader

log = logging.getLogger("regdesk.devices")

MOCK = "mock"
KINDS = ("camera", "fingerprint", "idcard")
# The setting that names each kind's driver.
DRIVER_SETTING = {"camera": "camera_driver", "fingerprint": "fingerprint_driver", "idcard": "idcard_driver"}


class Devices:
    """Camera, fingerprint reader and ID-card reader of this desk."""

    def __init__(self, setting: Callable[[str], object], *, mock: bool = False,
                 drivers: dict[str, Any] | None = None,
                 registry_for: Callable[[str], Registry[Any]] | None = None) -> None:
        """``setting(key)`` reads a typed setting (``SettingsService.get``)."""
        self._setting = setting
        self.mock = mock
        self._made: dict[str, Any] = dict(drivers or {})
        self._registry_for = registry_for or _registry
        self._lock = threading.Lock()

    def driver_name(self, kind: str) -> str:
        """The driver this desk uses for ``kind`` ("" when none is configured)."""
        if kind not in KINDS:
            raise ValueError(kind)
        if kind in self._made:
            return getattr(self._made[kind], "driver_name", "") or type(self._made[kind]).__name__
        if self.mock:
            return MOCK
        return str(self._setting(DRIVER_SETTING[kind]) or "")

    def _get(self, kind: str) -> Any:
        # Views ask from the GUI thread and workers from theirs: create each driver exactly once.
        with self._lock:
            if kind not in self._made:
                name = MOCK if self.mock else str(self._setting(DRIVER_SETTING[kind]) or "")
                if not name:
                    raise NoDevice(f"未设置{_LABELS[kind]}驱动，请在设置中选择（{DRIVER_SETTING[kind]}）。")
                log.info("creating %s driver %r", kind, name)
                self._made[kind] = self._registry_for(kind).create(name)
            return self._made[kind]

    def camera(self) -> Camera:
        return cast("Camera", self._get("camera"))

    def camera_index(self) -> int:
        """The camera device to open (a mock ignores it)."""
        try:
            return int(self._setting("camera_index") or 0)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0

    def fingerprint(self) -> FingerprintDriver:
        return cast("FingerprintDriver", self._get("fingerprint"))

    def idcard(self) -> IdCardReader:
        """The chip reader; ``NoDevice`` when none is configured (the default on a real desk)."""
        return cast("IdCardReader", self._get("idcard"))

    def has(self, kind: str) -> bool:
        """Whether a driver is configured (or made) for ``kind``, without creating it."""
        return kind in self._made or self.mock or bool(self._setting(DRIVER_SETTING[kind]))

    def reset(self) -> None:
        """Close and forget every driver made so far: the next request builds from the settings as they
        are now (after 设备设置 is saved). Drivers handed in with ``drivers=`` are forgotten too."""
        self.close()

    def close(self) -> None:
        """Close every driver made so far; a driver that fails to close is logged, not raised."""
        with self._lock:
            made, self._made = self._made, {}
        for kind, driver in made.items():
            close = getattr(driver, "close", None)
            if close is None:
                continue
            try:
                close()
            except Exception:
                log.exception("closing the %s driver failed", kind)


_LABELS = {"camera": "摄像头", "fingerprint": "指纹采集器", "idcard": "身份证阅读器"}


def _registry(kind: str) -> Registry[Any]:
    found = registries().get(kind)
    if found is None:
        raise NoDevice(f"{_LABELS[kind]}驱动模块无法加载，详情见日志。")
    return found
