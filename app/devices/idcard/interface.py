"""ID-card (chip) readers: the driver interface and the data a card's chip holds.

The resident identity card carries the holder's name, gender, ethnicity, birth date, address, ID
number, issuing authority, validity and a small photo in its contactless chip; the readers the
province uses at the confirmation table return exactly that. The desk compares it with the roster
(``app.domain.chip_check``).

Drivers: ``mock`` (scripted or generated cards, scriptable faults: the demo and the tests). A real
reader's driver wraps its vendor SDK; it registers under the entry-point group
``regdesk.idcard_drivers`` from its own package (or ``REGISTRY.add`` in a build that ships it:
``app.devices.idcard.registry``) and
imports the SDK lazily in its module, like every real driver. None ships yet: RegDesk has no
reader SDK to build one against, and a driver that was not run against a reader would be a guess.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass

from app.devices.base import DeviceInfo, DeviceTimeout
from app.tasks import CancelToken

DEFAULT_TIMEOUT_S = 10.0

NO_READER = "未检测到身份证阅读器，请检查 USB 连接后重试。"
NO_CARD = "阅读器上没有身份证，请把身份证平放在阅读器感应区。"
READ_FAILED = "读取身份证失败，请把身份证拿开后重新放好。"
UNPLUGGED = "身份证阅读器已断开，请重新插好 USB 线后重试。"


class NoCard(DeviceTimeout):
    """No card came onto the reader within the timeout (the reader itself answered)."""

    default_message = NO_CARD


@dataclass(frozen=True)
class ChipData:
    """What a resident identity card's chip holds.

    ``ethnicity`` is as the chip says it, without “族” (“汉”, “蒙古”); ``valid_to`` is ``None`` for a
    long-term card (长期, issued from age 46). ``photo_jpeg`` is the chip's photo as JPEG (the chip
    holds 102 × 126 px).
    """

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    address: str
    id_number: str
    valid_from: dt.date
    valid_to: dt.date | None
    photo_jpeg: bytes = b""
    issuer: str = ""

    @property
    def validity_text(self) -> str:
        """The validity as the card prints it: ``2019.09.01-2029.09.01`` or ``2020.01.02-长期``."""
        end = "长期" if self.valid_to is None else f"{self.valid_to:%Y.%m.%d}"
        return f"{self.valid_from:%Y.%m.%d}-{end}"

    def expired(self, today: dt.date | None = None) -> bool:
        return self.valid_to is not None and self.valid_to < (today or dt.date.today())

    def to_dict(self) -> dict[str, str]:
        """JSON-ready, without the photo (stored as its own file): the capture record's ``extra``."""
        return {
            "name": self.name, "gender": self.gender, "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(), "address": self.address,
            "id_number": self.id_number, "issuer": self.issuer,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": "" if self.valid_to is None else self.valid_to.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict, photo_jpeg: bytes = b"") -> ChipData:
        valid_to = data.get("valid_to") or ""
        return cls(
            name=str(data["name"]), gender=str(data["gender"]), ethnicity=str(data.get("ethnicity", "")),
            birth_date=dt.date.fromisoformat(data["birth_date"]), address=str(data.get("address", "")),
            id_number=str(data["id_number"]), valid_from=dt.date.fromisoformat(data["valid_from"]),
            valid_to=dt.date.fromisoformat(valid_to) if valid_to else None,
            photo_jpeg=photo_jpeg, issuer=str(data.get("issuer", "")),
        )


class IdCardReader(ABC):
    """An ID-card chip reader. Not thread-safe: one read at a time, from one worker thread.

    ``read`` blocks until a card is read, the timeout passes with no card (``NoCard``) or with the
    reader not answering (``DeviceTimeout``), ``cancel`` is set (``Cancelled``), or the reader fails
    (``NoDevice``, ``Unplugged``, ``DeviceError``).
    """

    name = ""

    @abstractmethod
    def list_devices(self) -> list[DeviceInfo]: ...

    @abstractmethod
    def open(self, device_id: str = "") -> DeviceInfo:
        """Open a reader (the first one when ``device_id`` is empty) and say which."""

    @abstractmethod
    def read(self, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None, *,
             subject: object = None) -> ChipData:
        """Read the card on the reader. ``subject`` is the candidate expected at the desk (a roster
        record); only a simulated reader uses it, to make that candidate's card."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> IdCardReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
