"""Fingerprint readers: the driver interface (``interface``), the drivers (``mock``, ``libfprint``),
their registry (``registry``), the image quality measures (``quality``) and the desk's quality gate
(``checked``). A vendor driver subclasses ``FingerprintDriver`` and registers under the entry-point
group ``regdesk.fingerprint_drivers``.

Importing the package defines the registry; drivers and their SDKs load only when created.
"""

from app.devices.fingerprint.checked import CheckedCapture, PoorPrint, capture_checked
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
    encode_png,
    no_events,
    retry_message,
)
from app.devices.fingerprint.registry import ENTRY_POINT_GROUP, REGISTRY, create_driver, driver_names

__all__ = [
    "DEFAULT_PPI", "DEFAULT_TIMEOUT_S", "ENTRY_POINT_GROUP", "EVENT_LIFT", "EVENT_PLACE", "EVENT_PRESENT",
    "EVENT_RETRY", "MESSAGES", "NO_READER", "REGISTRY", "RETRY_MESSAGES", "CheckedCapture", "FingerprintDriver",
    "FingerprintImage", "OnEvent", "PoorPrint", "capture_checked", "create_driver", "driver_names", "encode_png",
    "no_events", "retry_message",
]
