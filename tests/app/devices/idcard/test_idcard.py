"""The ID-card reader interface, its registry and the mock driver's cards and faults."""

from __future__ import annotations

import datetime as dt
import threading
import time

import cv2
import numpy as np
import pytest

from app.devices import base
from app.devices.base import DeviceError, DeviceTimeout, NoDevice, Unplugged
from app.devices.idcard import REGISTRY, ChipData, IdCardReader, NoCard, create_reader, driver_names
from app.devices.idcard.mock import MockIdCardReader, card_for, face_jpeg, validity_for
from app.domain import candidate, idnumber
from app.domain.chip_check import compare
from app.errors import Cancelled, ValidationError
from app.tasks import CancelToken

TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def record(make_candidate_raw) -> candidate.CandidateData:
    result = candidate.check(make_candidate_raw(3))
    assert result.data is not None
    return result.data


def opened(*script, **opts) -> MockIdCardReader:
    reader = MockIdCardReader(script, today=TODAY, **opts)
    reader.open()
    return reader


def test_registry_has_the_mock_and_creates_it() -> None:
    assert "mock" in driver_names()
    assert base.registries()["idcard"] is REGISTRY
    reader = create_reader("mock")
    assert isinstance(reader, MockIdCardReader) and isinstance(reader, IdCardReader)
    with pytest.raises(NoDevice, match="未知的身份证阅读器驱动"):
        create_reader("no-such-reader")


def test_a_generated_card_matches_its_roster_record(record) -> None:
    card = card_for(record, today=TODAY)
    assert (card.name, card.gender, card.id_number, card.birth_date) == (
        record.name, record.gender, record.id_number, record.birth_date)
    assert card.ethnicity == "汉"  # the chip says 汉, the roster 汉族: the same
    assert card.address.startswith("河南省")
    assert not card.expired(TODAY) and card.valid_from <= TODAY
    assert compare(card, record, today=TODAY) == []
    assert card_for(record, today=TODAY) == card  # deterministic


def test_a_generated_card_with_differences(record) -> None:
    card = card_for(record, today=TODAY, name="某某", ethnicity="回")
    assert [d.field for d in compare(card, record, today=TODAY)] == ["name", "ethnicity"]
    with pytest.raises(ValueError):
        card_for(record, colour="red")


def test_the_chip_photo_is_a_small_face_like_jpeg(record) -> None:
    card = card_for(record, today=TODAY)
    img = cv2.imdecode(np.frombuffer(card.photo_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (126, 102, 3)
    assert len(card.photo_jpeg) < 10_000
    # A head on a white background: bright corners, darker centre.
    assert img[2, 2].min() > 240 and img[55, 51].mean() < 220
    assert face_jpeg("a") != face_jpeg("b") and face_jpeg("a") == face_jpeg("a")


def test_validity_follows_the_age_at_issue() -> None:
    birth = dt.date(2000, 2, 29)
    assert validity_for(birth, dt.date(2010, 1, 1)) == (dt.date(2010, 1, 1), dt.date(2015, 1, 1))
    assert validity_for(birth, dt.date(2016, 3, 1)) == (dt.date(2016, 3, 1), dt.date(2026, 3, 1))
    assert validity_for(birth, dt.date(2030, 1, 1))[1] == dt.date(2050, 1, 1)
    assert validity_for(birth, dt.date(2050, 1, 1))[1] is None


def test_chip_data_round_trips_through_json(record) -> None:
    card = card_for(record, today=TODAY)
    back = ChipData.from_dict(card.to_dict(), photo_jpeg=card.photo_jpeg)
    assert back == card
    long_term = ChipData("王五", "男", "汉", dt.date(1970, 1, 1), "", idnumber.make("410102", dt.date(1970, 1, 1), 11),
                         dt.date(2020, 1, 2), None)
    assert long_term.validity_text == "2020.01.02-长期"
    assert ChipData.from_dict(long_term.to_dict()) == long_term
    assert card.validity_text == f"{card.valid_from:%Y.%m.%d}-{card.valid_to:%Y.%m.%d}"


def test_scripted_cards_are_read_in_order(record) -> None:
    first, second = card_for(record, today=TODAY), card_for(record, today=TODAY, name="李四")
    reader = opened(first, second)
    assert reader.read(timeout_s=0.1) == first
    assert reader.read(timeout_s=0.1) == second
    assert reader.reads == 2
    with pytest.raises(NoCard):
        reader.read(timeout_s=0.05)


def test_the_subject_s_own_card_when_nothing_is_scripted(record) -> None:
    reader = opened()
    card = reader.read(timeout_s=0.1, subject=record)
    assert compare(card, record, today=TODAY) == []
    queued = reader.insert_candidate(record, gender="女")
    assert reader.read(timeout_s=0.1, subject=record) == queued


def test_fault_no_card_waits_for_the_timeout() -> None:
    reader = opened("no_card")
    start = time.monotonic()
    with pytest.raises(NoCard, match="没有身份证") as caught:
        reader.read(timeout_s=0.15)
    assert time.monotonic() - start >= 0.14
    assert isinstance(caught.value, DeviceTimeout)
    assert caught.value.device == "模拟身份证阅读器"


def test_fault_timeout() -> None:
    reader = opened("timeout")
    with pytest.raises(DeviceTimeout, match="没有响应") as caught:
        reader.read(timeout_s=0.05)
    assert not isinstance(caught.value, NoCard)


def test_fault_unplugged_and_replug(record) -> None:
    reader = opened("unplugged", card_for(record, today=TODAY))
    with pytest.raises(Unplugged, match="已断开"):
        reader.read(timeout_s=0.1)
    assert reader.list_devices() == []
    with pytest.raises(Unplugged):
        reader.read(timeout_s=0.1)
    with pytest.raises(NoDevice, match="未检测到身份证阅读器"):
        reader.open()
    reader.replug()
    assert [d.id for d in reader.list_devices()] == ["mock-idcard-0"]
    reader.open()
    assert reader.read(timeout_s=0.1).id_number == record.id_number


def test_unplugged_while_waiting_for_a_card() -> None:
    reader = opened()
    threading.Timer(0.05, reader.unplug).start()
    with pytest.raises(Unplugged):
        reader.read(timeout_s=2.0)


def test_a_card_inserted_from_another_thread_is_read_at_once(record) -> None:
    reader = opened()
    card = card_for(record, today=TODAY)
    threading.Timer(0.05, reader.insert, args=(card,)).start()
    start = time.monotonic()
    assert reader.read(timeout_s=5.0) == card
    assert time.monotonic() - start < 1.0


def test_cancel_stops_a_waiting_read() -> None:
    reader = opened()
    token = CancelToken()
    threading.Timer(0.05, token.cancel).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        reader.read(timeout_s=5.0, cancel=token)
    assert time.monotonic() - start < 1.0


def test_open_and_devices() -> None:
    reader = MockIdCardReader(devices=2)
    with pytest.raises(DeviceError, match="尚未打开"):
        reader.read(timeout_s=0.01)
    assert reader.open("mock-idcard-1").name == "模拟身份证阅读器 2"
    with pytest.raises(NoDevice, match="找不到身份证阅读器"):
        reader.open("elsewhere")
    with pytest.raises(NoDevice):
        MockIdCardReader(devices=0).open()
    with MockIdCardReader() as r:
        r.open()
    with pytest.raises(DeviceError):
        r.read(timeout_s=0.01)


def test_bad_script_steps_are_refused() -> None:
    with pytest.raises(ValidationError, match="步骤"):
        MockIdCardReader(["jam"])
    reader = MockIdCardReader()
    with pytest.raises(ValidationError):
        reader.insert("jam")
    reader.script(["timeout", "no_card"])
    assert reader.pending() == 2


# -- a card lying on the reader (the demo's “放上身份证”) --------------------------------------------
def test_a_placed_card_is_read_until_it_is_taken_away(record) -> None:
    reader: IdCardReader = opened()
    card = reader.place_candidate(record)
    assert reader.card_on_reader == card
    assert reader.read(timeout_s=0.1) == card
    assert reader.read(timeout_s=0.1) == card  # still lying there
    assert reader.remove() == card and reader.card_on_reader is None
    with pytest.raises(NoCard):
        reader.read(timeout_s=0.05)
    assert reader.remove() is None


def test_the_card_on_the_reader_is_read_rather_than_the_subject_s_but_after_a_script(record, make_candidate_raw) -> None:
    other = candidate.check(make_candidate_raw(4)).data
    reader = opened()
    placed = reader.place_candidate(other)
    assert reader.read(timeout_s=0.1, subject=record) == placed  # whoever's card lies there
    reader.insert("no_card")
    with pytest.raises(NoCard):
        reader.read(timeout_s=0.05, subject=record)
    assert reader.read(timeout_s=0.1) == placed


def test_a_read_waiting_for_a_card_takes_one_placed_from_another_thread(record) -> None:
    reader = opened()
    card = card_for(record, today=TODAY)
    threading.Timer(0.05, reader.place, args=(card,)).start()
    assert reader.read(timeout_s=30.0) == card


def test_a_card_taken_away_while_it_is_being_read_fails_that_read(record) -> None:
    reader = opened(read_delay_s=30.0)
    reader.place_candidate(record)
    threading.Timer(0.05, reader.remove).start()
    with pytest.raises(DeviceError, match="读取身份证失败") as caught:
        reader.read(timeout_s=60.0)
    assert not isinstance(caught.value, (NoCard, Unplugged))
    assert reader.reads == 0


def test_unplugging_leaves_the_card_where_it_lies(record) -> None:
    reader = opened()
    card = reader.place_candidate(record, name="王五")
    reader.unplug()
    assert reader.unplugged
    with pytest.raises(Unplugged):
        reader.read(timeout_s=0.05)
    reader.replug()
    reader.open()
    assert not reader.unplugged and reader.read(timeout_s=0.1) == card
    assert [d.field for d in compare(card, record, today=TODAY)] == ["name"]


def test_only_a_card_can_be_placed() -> None:
    with pytest.raises(ValidationError):
        opened().place("no_card")
