"""A simulated ID-card reader: scripted cards, cards made from a roster record, scriptable faults.

The reader holds a queue of steps, one consumed per read: a ``ChipData`` (that card is put on the
reader), ``"no_card"`` (nobody puts a card down until the timeout), ``"timeout"`` (the reader stops
answering) or ``"unplugged"`` (the cable is pulled; ``replug()`` brings it back). With the queue
empty a read takes the card lying on the reader (``place``; it stays there, read again by every
read, until ``remove``: the demo's “放上身份证 / 拿走身份证” buttons), else, given a ``subject``,
that candidate's own card, as when the student at the desk hands it over, else it waits for a card
to be placed or inserted from another thread until the timeout. A card taken away while it is
being read (``read_delay_s``) fails that read, as on a real reader.

``card_for`` makes a card from a roster record, matching it or with scripted differences, with a
deterministic address, validity and photo derived from the ID number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import deque
from collections.abc import Iterable

import cv2
import numpy as np

from app.devices.base import DeviceError, DeviceInfo, DeviceTimeout, NoDevice, Unplugged
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
from app.domain import idnumber
from app.domain.chip_check import field_value, norm_ethnicity
from app.errors import Cancelled, ValidationError
from app.tasks import CancelToken

FAULTS = ("no_card", "timeout", "unplugged")
MOCK_DEVICE_ID = "mock-idcard-0"
MOCK_DEVICE_NAME = "模拟身份证阅读器"
PHOTO_SIZE = (102, 126)  # width, height of the chip's photo

_PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
_STREETS = ("建设路", "人民路", "文化路", "解放路", "中原路", "花园路", "工业路", "新华街")


Step = ChipData | str


def _check_step(step: object) -> Step:
    if isinstance(step, ChipData) or step in FAULTS:
        return step  # type: ignore[return-value]
    raise ValidationError(f"模拟身份证阅读器的步骤“{step}”无效，可用：身份证数据或 {'、'.join(FAULTS)}。", "script")


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity_for(birth: dt.date, issued: dt.date) -> tuple[dt.date, dt.date | None]:
    """Validity by age at issue (居民身份证法 §5): under 16 five years, 16–25 ten, 26–45 twenty, then long-term."""
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    if age < 16:
        return issued, _add_years(issued, 5)
    if age <= 25:
        return issued, _add_years(issued, 10)
    if age <= 45:
        return issued, _add_years(issued, 20)
    return issued, None


def face_jpeg(seed_text: str) -> bytes:
    """A small, deterministic, face-like portrait (head, hair, eyes, mouth, shoulders) as JPEG."""
    rng = np.random.default_rng(_seed(seed_text))
    w, h = PHOTO_SIZE
    img = np.full((h, w, 3), 255, np.uint8)
    skin = tuple(int(v) for v in (rng.integers(120, 170), rng.integers(160, 195), rng.integers(200, 235)))
    hair = tuple(int(v) for v in rng.integers(10, 50, 3))
    cv2.ellipse(img, (w // 2, h + 8), (48, 38), 0, 180, 360, tuple(int(v) for v in rng.integers(20, 90, 3)), -1)
    cv2.rectangle(img, (w // 2 - 10, 78), (w // 2 + 10, 98), skin, -1)  # neck
    cv2.ellipse(img, (w // 2, 52), (30, 38), 0, 0, 360, skin, -1)
    cv2.ellipse(img, (w // 2, 36), (33, 26), 0, 180, 360, hair, -1)
    eye_y, dx = 50 + int(rng.integers(-2, 3)), 12 + int(rng.integers(-1, 2))
    for x in (w // 2 - dx, w // 2 + dx):
        cv2.ellipse(img, (x, eye_y), (5, 3), 0, 0, 360, (255, 255, 255), -1)
        cv2.circle(img, (x, eye_y), 2, (30, 25, 20), -1)
    cv2.line(img, (w // 2, 56), (w // 2 - 2, 66), tuple(max(0, v - 40) for v in skin), 1, cv2.LINE_AA)
    cv2.ellipse(img, (w // 2, 74), (9, 3), 0, 0, 180, (90, 90, 170), 2, cv2.LINE_AA)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise DeviceError("无法生成模拟身份证照片。")
    return buf.tobytes()


def card_for(record: object, *, today: dt.date | None = None, **differences: object) -> ChipData:
    """The card of the candidate ``record`` (a roster record), with ``differences`` replacing fields.

    ``card_for(c)`` matches the roster; ``card_for(c, name="张三", ethnicity="回")`` is a card whose
    chip disagrees on those fields. Birth date and gender come from the ID number, as on a real
    card; the address, the issue date and the photo are derived from the ID number.
    """
    number = idnumber.normalise(field_value(record, "id_number"))
    info = idnumber.parse(number)
    rng = np.random.default_rng(_seed(number))
    today = today or dt.date.today()
    sixteen = _add_years(info.birth_date, 16)
    # Students first get an adult card at 16; one issued within the last ten years is still valid.
    latest = today - dt.timedelta(days=30)
    earliest = max(sixteen, _add_years(today, -9))
    span = (latest - earliest).days
    issued = earliest + dt.timedelta(days=int(rng.integers(0, span + 1))) if span > 0 else min(sixteen, latest)
    valid_from, valid_to = validity_for(info.birth_date, issued)
    province = _PROVINCES.get(number[:2], "")
    address = f"{province}模拟市{_STREETS[int(rng.integers(len(_STREETS)))]}{int(rng.integers(1, 300))}号"
    values: dict[str, object] = {
        "name": str(field_value(record, "name") or ""),
        "gender": info.gender,
        "ethnicity": norm_ethnicity(field_value(record, "ethnicity")) or "汉",
        "birth_date": info.birth_date,
        "address": address,
        "id_number": number,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "photo_jpeg": face_jpeg(number),
        "issuer": "模拟市公安局",
    }
    unknown = set(differences) - set(values)
    if unknown:
        raise ValueError(f"ChipData has no field {sorted(unknown)}")
    values.update(differences)
    return ChipData(**values)  # type: ignore[arg-type]


class MockIdCardReader(IdCardReader):
    """A complete ID-card reader driver with no hardware.

    ``insert``, ``script``, ``unplug`` and ``replug`` may be called from any thread (the demo's
    controls); ``read`` runs on one worker thread at a time.
    """

    name = "mock"

    def __init__(self, script: Iterable[Step] = (), *, devices: int = 1, read_delay_s: float = 0.0,
                 today: dt.date | None = None) -> None:
        self._steps: deque[Step] = deque(_check_step(s) for s in script)
        self._cond = threading.Condition()
        self._devices = max(0, int(devices))
        self._unplugged = False
        self._placed: ChipData | None = None  # the card lying on the reader
        self._open: DeviceInfo | None = None
        self.read_delay_s = float(read_delay_s)
        self.today = today
        self.reads = 0  # completed reads (tests count them)

    # -- script control ----------------------------------------------------------------------------
    def script(self, steps: Iterable[Step]) -> None:
        """Replace the queue of steps."""
        checked = [_check_step(s) for s in steps]
        with self._cond:
            self._steps = deque(checked)
            self._cond.notify_all()

    def insert(self, card: ChipData | str) -> None:
        """Add a card (or a fault) to the queue; a read waiting for a card takes it at once."""
        step = _check_step(card)
        with self._cond:
            self._steps.append(step)
            self._cond.notify_all()

    def insert_candidate(self, record: object, **differences: object) -> ChipData:
        """Queue ``record``'s card (see ``card_for``) and return it."""
        card = card_for(record, today=self.today, **differences)
        self.insert(card)
        return card

    def place(self, card: ChipData) -> None:
        """Put ``card`` on the reader (replacing one lying there); a read waiting for a card takes it."""
        if not isinstance(card, ChipData):
            raise ValidationError("只能把身份证（芯片数据）放在模拟阅读器上。", "card")
        with self._cond:
            self._placed = card
            self._cond.notify_all()

    def place_candidate(self, record: object, **differences: object) -> ChipData:
        """Put ``record``'s card (see ``card_for``) on the reader and return it."""
        card = card_for(record, today=self.today, **differences)
        self.place(card)
        return card

    def remove(self) -> ChipData | None:
        """Take the card off the reader; returns it (None when there was none)."""
        with self._cond:
            card, self._placed = self._placed, None
            self._cond.notify_all()
            return card

    @property
    def card_on_reader(self) -> ChipData | None:
        with self._cond:
            return self._placed

    @property
    def unplugged(self) -> bool:
        with self._cond:
            return self._unplugged

    def pending(self) -> int:
        with self._cond:
            return len(self._steps)

    def unplug(self) -> None:
        with self._cond:
            self._unplugged = True
            self._cond.notify_all()

    def replug(self) -> None:
        with self._cond:
            self._unplugged = False

    # -- driver ------------------------------------------------------------------------------------
    def list_devices(self) -> list[DeviceInfo]:
        if self._unplugged:
            return []
        return [DeviceInfo(MOCK_DEVICE_ID if i == 0 else f"mock-idcard-{i}",
                           MOCK_DEVICE_NAME if i == 0 else f"{MOCK_DEVICE_NAME} {i + 1}", self.name)
                for i in range(self._devices)]

    def open(self, device_id: str = "") -> DeviceInfo:
        devices = self.list_devices()
        if not devices:
            raise NoDevice(NO_READER, device=device_id)
        for info in devices:
            if not device_id or info.id == device_id:
                self._open = info
                return info
        raise NoDevice(f"找不到身份证阅读器“{device_id}”，请检查连接或在设置中重新选择。", device=device_id)

    def close(self) -> None:
        self._open = None

    def read(self, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None, *,
             subject: object = None) -> ChipData:
        if self._open is None:
            raise DeviceError("身份证阅读器尚未打开。")
        device = self._open.name
        deadline = time.monotonic() + float(timeout_s)
        step, placed = self._next_step(deadline, cancel, subject)
        if step is None:
            raise NoCard(NO_CARD, device=device)
        if step == "unplugged":
            self.unplug()
            raise Unplugged(UNPLUGGED, device=device)
        if isinstance(step, ChipData):
            lifted = self._sleep_until(min(deadline, time.monotonic() + self.read_delay_s), cancel,
                                       card=step if placed else None)
            if lifted:
                raise DeviceError(READ_FAILED, device=device)
        else:
            self._sleep_until(deadline, cancel)
        if self._unplugged:  # pulled while the reader was busy
            raise Unplugged(UNPLUGGED, device=device)
        if step == "no_card":
            raise NoCard(NO_CARD, device=device)
        if step == "timeout":
            raise DeviceTimeout("身份证阅读器没有响应，请拔插 USB 线后重试。", device=device)
        assert isinstance(step, ChipData)
        self.reads += 1
        return step

    def _next_step(self, deadline: float, cancel: CancelToken | None,
                   subject: object) -> tuple[Step | None, bool]:
        """The next queued step, else the card on the reader, else the subject's own card, else a wait
        for ``place``/``insert``; and whether it is the placed card."""
        with self._cond:
            while True:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if self._unplugged:
                    return "unplugged", False
                if self._steps:
                    return self._steps.popleft(), False
                if self._placed is not None:
                    return self._placed, True
                if subject is not None:
                    return card_for(subject, today=self.today), False
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, False
                # Short waits so that a cancel set from another thread is noticed promptly.
                self._cond.wait(min(left, 0.05))

    def _sleep_until(self, deadline: float, cancel: CancelToken | None, *, card: ChipData | None = None) -> bool:
        """Wait until ``deadline`` (the reader busy); True when ``card`` was taken off meanwhile."""
        with self._cond:
            while True:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if self._unplugged:
                    return False
                if card is not None and self._placed is not card:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
