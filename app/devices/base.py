"""What every device driver shares: the error family, a device's description and the driver registry.

A driver is chosen by name from the settings (``camera_driver`` …). Built-in drivers are named
``"module:Class"`` strings so that a driver's SDK is imported only when that driver is created; a
vendor package can add drivers through a Python entry-point group without touching RegDesk.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Generic, TypeVar

from app.errors import AppError

log = logging.getLogger("regdesk.devices")


class DeviceError(AppError):
    """A device could not do what was asked. The message says what the counsellor should do."""

    default_message = "设备出错，请检查设备连接后重试。"

    def __init__(self, message: str = "", *, device: str = "") -> None:
        super().__init__(message or self.default_message)
        self.device = device


class NoDevice(DeviceError):
    default_message = "未检测到设备，请检查连接。"


class DeviceTimeout(DeviceError):
    default_message = "设备没有在规定时间内响应，请重试。"


class Unplugged(DeviceError):
    default_message = "设备已断开，请重新连接后重试。"


class PoorQuality(DeviceError):
    default_message = "采集质量不合格，请重新采集。"


@dataclass(frozen=True)
class DeviceInfo:
    """One attached device as a driver sees it. ``id`` is what ``open`` takes back."""

    id: str
    name: str
    driver: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "driver": self.driver}


KIND_LABELS = {"camera": "摄像头", "fingerprint": "指纹采集器", "idcard": "身份证阅读器"}
_REGISTRIES: dict[str, Registry[Any]] = {}

D = TypeVar("D")


class Registry(Generic[D]):
    """Driver names → driver classes for one kind of device (``camera``, ``fingerprint``, ``idcard``).

    ``builtins`` maps a name to ``"package.module:Class"``; entry points in ``entry_point_group``
    (if given) add more names, each loading to a class. Built-ins win on a clash so an installed
    package cannot silently replace the mock the tests rely on. ``interface`` (the kind's ABC) is
    what ``create`` returns: a loaded class whose objects are not one is refused with ``NoDevice``.
    """

    def __init__(self, kind: str, builtins: dict[str, str], entry_point_group: str = "", *,
                 label: str = "", interface: type[D] | None = None) -> None:
        self.kind = kind
        self.label = label or KIND_LABELS.get(kind, kind)
        self._builtins = dict(builtins)
        self.entry_point_group = entry_point_group
        self.interface = interface
        _REGISTRIES[kind] = self

    def _entry_points(self) -> dict[str, metadata.EntryPoint]:
        if not self.entry_point_group:
            return {}
        try:
            found = metadata.entry_points(group=self.entry_point_group)
        except Exception:  # a broken installed distribution must not take the desk down
            log.exception("cannot list entry points of %s", self.entry_point_group)
            return {}
        return {ep.name: ep for ep in found if ep.name not in self._builtins}

    def names(self) -> list[str]:
        return [*self._builtins, *sorted(self._entry_points())]

    def add(self, name: str, target: str) -> None:
        """Register another built-in driver (``"module:Class"``)."""
        self._builtins[name] = target

    def load(self, name: str) -> type[D]:
        if name in self._builtins:
            module_name, _, attr = self._builtins[name].partition(":")
            try:
                return getattr(importlib.import_module(module_name), attr)
            except (ImportError, AttributeError) as exc:
                raise NoDevice(f"无法加载{self.label}驱动“{name}”：{exc}") from exc
        ep = self._entry_points().get(name)
        if ep is None:
            choices = "、".join(self.names()) or "（无）"
            raise NoDevice(f"未知的{self.label}驱动“{name}”。可用的驱动：{choices}。")
        try:
            return ep.load()
        except Exception as exc:
            raise NoDevice(f"无法加载{self.label}驱动“{name}”：{exc}") from exc

    def create(self, name: str, **opts: Any) -> D:
        driver = self.load(name)(**opts)
        if self.interface is not None and not isinstance(driver, self.interface):
            raise NoDevice(f"{self.label}驱动“{name}”不是有效的驱动（{type(driver).__name__}）。")
        return driver


def registries() -> dict[str, Registry[Any]]:
    """Every device kind's registry, importing the device modules that define them.

    A device module that fails to import (a missing optional dependency) is logged and skipped:
    one broken kind must not hide the others.
    """
    from app.devices import DEVICE_MODULES

    for module_name in DEVICE_MODULES:
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                log.warning("device module %s cannot be imported: %s", module_name, exc)
        except Exception:
            log.exception("device module %s cannot be imported", module_name)
    return dict(_REGISTRIES)
