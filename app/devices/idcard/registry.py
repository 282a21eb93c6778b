"""The ID-card reader registry: ``mock`` built in, real readers through the entry-point group
``regdesk.idcard_drivers``. A driver's module (and its SDK) is imported only when it is created."""

from __future__ import annotations

from app.devices.base import Registry
from app.devices.idcard.interface import IdCardReader

ENTRY_POINT_GROUP = "regdesk.idcard_drivers"

REGISTRY: Registry[IdCardReader] = Registry("idcard", {"mock": "app.devices.idcard.mock:MockIdCardReader"},
                                            ENTRY_POINT_GROUP, interface=IdCardReader)


def driver_names() -> list[str]:
    return REGISTRY.names()


def create_reader(name: str, **opts: object) -> IdCardReader:
    """The reader ``name``; ``NoDevice`` when it is unknown, cannot load or is no ``IdCardReader``."""
    return REGISTRY.create(name, **opts)
