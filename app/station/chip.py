"""The ID card's chip at the table (F6): read from the reader, compared with the roster, and stored
with the differences, so the record shows what the card said when the student stood there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.devices.idcard.interface import DEFAULT_TIMEOUT_S

if TYPE_CHECKING:
    from app.auth import Actor
    from app.devices.idcard.interface import ChipData, IdCardReader
    from app.station.capture import CaptureInfo, CaptureService
    from app.tasks import CancelToken

CHIP_FIELDS = ("name", "gender", "ethnicity", "birth_date", "address", "id_number", "valid_from", "valid_to")


def read_chip(reader: IdCardReader, *, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None,
              subject: object = None) -> ChipData:
    """Open ``reader``, read the card on it and close it again (also when the read fails).
    ``subject`` (the roster record of the student at the desk) is used by a simulated reader only."""
    reader.open()
    try:
        return reader.read(timeout_s, cancel, subject=subject)
    finally:
        reader.close()


def chip_differences(chip: object, record: object) -> list[str]:
    """Each way the chip disagrees with the roster ``record``, in Chinese (``app.domain.chip_check`` decides)."""
    from app.domain import chip_check

    return [getattr(d, "message", None) or str(d) for d in chip_check.compare(chip, record)]


def chip_record(chip: object) -> dict:
    """The chip's fields as stored with the capture (dates as ISO text)."""
    out = {}
    for name in CHIP_FIELDS:
        value = getattr(chip, name, None)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def store_chip(capture: CaptureService, actor: Actor, key: str, chip: object, differences: list[str], *,
               device: str = "") -> CaptureInfo:
    """Store what the chip of ``key``'s card holds (its photo as the file) and how it differs from the roster."""
    extra = chip_record(chip)
    extra["differences"] = list(differences)
    photo = getattr(chip, "photo_jpeg", b"") or b""
    return capture.record(actor, key, "id_chip", photo, "jpg" if photo else "", device=device, extra=extra)
