"""ID-card (chip) readers: the driver interface and chip data (``interface``), the simulated reader
(``mock``) and the registry (``registry``). A real reader's driver subclasses ``IdCardReader`` and
registers under the entry-point group ``regdesk.idcard_drivers``.

Importing the package defines the registry; drivers and their SDKs load only when created.
"""

from app.devices.idcard.interface import (
    DEFAULT_TIMEOUT_S,
    NO_CARD,
    NO_READER,
    READ_FAILED,
    UNPLUGGED,
    ChipData,
    IdCardReader,
    NoCard,
)
from app.devices.idcard.registry import ENTRY_POINT_GROUP, REGISTRY, create_reader, driver_names

__all__ = [
    "DEFAULT_TIMEOUT_S", "ENTRY_POINT_GROUP", "NO_CARD", "NO_READER", "READ_FAILED", "REGISTRY", "UNPLUGGED",
    "ChipData", "IdCardReader", "NoCard", "create_reader", "driver_names",
]
