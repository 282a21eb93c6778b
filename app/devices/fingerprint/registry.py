"""The fingerprint driver registry: ``mock`` (synthetic prints, scriptable faults: the demo and the
tests), ``libfprint`` (Linux) and whatever a vendor package registers under the entry-point group
``regdesk.fingerprint_drivers``. A driver's module (and its SDK) is imported only when it is created."""

from __future__ import annotations

from app.devices.base import Registry
from app.devices.fingerprint.interface import FingerprintDriver

ENTRY_POINT_GROUP = "regdesk.fingerprint_drivers"

REGISTRY: Registry[FingerprintDriver] = Registry(
    "fingerprint",
    {"mock": "app.devices.fingerprint.mock:MockFingerprint",
     "libfprint": "app.devices.fingerprint.libfprint:LibfprintDriver"},
    ENTRY_POINT_GROUP,
    interface=FingerprintDriver,
)


def driver_names() -> list[str]:
    return REGISTRY.names()


def create_driver(name: str, **opts: object) -> FingerprintDriver:
    """The driver ``name``; ``NoDevice`` when it is unknown, cannot load or is no ``FingerprintDriver``."""
    return REGISTRY.create(name, **opts)
