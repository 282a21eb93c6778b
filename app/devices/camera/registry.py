"""The camera driver registry: ``opencv`` and ``mock`` built in, more through the entry-point group
``regdesk.camera_drivers``. Each driver's module is imported only when that driver is created."""

from __future__ import annotations

from app.devices.base import Registry
from app.devices.camera.interface import Camera

ENTRY_POINT_GROUP = "regdesk.camera_drivers"

CAMERAS: Registry[Camera] = Registry(
    "camera", {"opencv": "app.devices.camera.opencv:OpenCVCamera", "mock": "app.devices.camera.mock:MockCamera"},
    ENTRY_POINT_GROUP, interface=Camera)


def driver_names() -> list[str]:
    return CAMERAS.names()


def create_camera(name: str, **opts: object) -> Camera:
    return CAMERAS.create(name, **opts)
