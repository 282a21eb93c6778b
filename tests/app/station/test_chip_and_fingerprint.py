"""The chip and fingerprint pipelines without Qt: the chip read and compared with the roster (a
mismatch named, stored with the capture); a print taken through the quality gate and stored, a poor
one kept only with a reason."""

from __future__ import annotations

import pytest

from app.devices.base import Unplugged
from app.devices.fingerprint.mock import MockFingerprint
from app.devices.idcard.interface import NoCard
from app.devices.idcard.mock import MockIdCardReader, card_for
from app.errors import ValidationError
from app.station.chip import chip_differences, chip_record, read_chip, store_chip
from app.station.fingerprint import capture_fingerprint, store_fingerprint


class CountingReader(MockIdCardReader):
    """The mock reader, counting opens and closes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opens = self.closes = 0

    def open(self, device_id: str = ""):
        self.opens += 1
        return super().open(device_id)

    def close(self) -> None:
        self.closes += 1
        super().close()


def test_a_matching_chip_has_no_differences_and_is_stored(container, actor, candidate):
    reader = CountingReader([card_for(candidate.data)])
    chip = read_chip(reader, timeout_s=1.0)
    assert (reader.opens, reader.closes) == (1, 1)
    assert chip.id_number == candidate.data.id_number
    assert chip_differences(chip, candidate.data) == []
    info = store_chip(container.capture, actor, candidate.uuid, chip, [], device="mock")
    assert info.kind == "id_chip" and info.extra["differences"] == []
    assert info.extra["id_number"] == candidate.data.id_number
    assert info.extra["birth_date"] == chip.birth_date.isoformat()
    assert container.capture.media_bytes(info) == chip.photo_jpeg, "the chip's photo is the capture's file"


def test_a_chip_that_disagrees_with_the_roster_is_named_and_stored_with_the_differences(container, actor,
                                                                                         candidate):
    chip = read_chip(MockIdCardReader([card_for(candidate.data, name="王小明", ethnicity="回")]), timeout_s=1.0)
    differences = chip_differences(chip, candidate.data)
    assert len(differences) == 2
    assert any("姓名" in d and "王小明" in d and candidate.data.name in d for d in differences)
    assert any("民族" in d for d in differences)
    info = store_chip(container.capture, actor, candidate.uuid, chip, differences)
    assert info.extra["differences"] == differences and info.extra["name"] == "王小明"
    assert chip_record(chip)["name"] == "王小明"


def test_the_reader_is_closed_when_the_read_fails(container):
    reader = CountingReader(["unplugged"])
    with pytest.raises(Unplugged):
        read_chip(reader, timeout_s=0.1)
    assert (reader.opens, reader.closes) == (1, 1)
    reader = CountingReader(["no_card"])
    with pytest.raises(NoCard):
        read_chip(reader, timeout_s=0.05)
    assert reader.closes == 1


def test_a_good_print_is_taken_and_stored_with_its_quality(container, actor, candidate):
    events: list[str] = []
    checked, opened = capture_fingerprint(MockFingerprint(), "right_index", threshold=40, retries=3,
                                          subject=candidate.uuid, on_event=lambda event, _m: events.append(event))
    assert checked.accepted and opened.name == "模拟指纹采集器" and "place" in events
    info = store_fingerprint(container.capture, actor, candidate.uuid, "right_index", checked, threshold=40,
                             device_name=opened.name)
    assert (info.kind, info.subkind, info.ext) == ("fingerprint", "right_index", "png")
    assert info.quality["score"] >= 40 and info.quality["threshold"] == 40 and info.quality["attempts"] == 1
    assert info.device.startswith("mock:")
    assert container.capture.media_bytes(info)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_poor_print_is_kept_only_with_a_reason(container, actor, candidate, media_files):
    checked, _opened = capture_fingerprint(MockFingerprint("poor,poor"), "right_index", threshold=40, retries=2,
                                           subject=candidate.uuid, raise_on_poor=False)
    assert not checked.accepted and checked.attempts == 2 and len(checked.rejected_scores) == 2
    with pytest.raises(ValidationError, match="指纹质量不合格"):
        store_fingerprint(container.capture, actor, candidate.uuid, "right_index", checked, threshold=40)
    assert container.capture.history(candidate.uuid) == [] and media_files() == []
    info = store_fingerprint(container.capture, actor, candidate.uuid, "right_index", checked, threshold=40,
                             reason="手指有伤")
    assert info.override_reason == "手指有伤" and info.quality["rejected_scores"] == checked.rejected_scores


def test_a_poor_print_raises_by_default_and_the_reader_is_closed():
    from app.devices.base import PoorQuality

    driver = MockFingerprint("poor")
    with pytest.raises(PoorQuality):
        capture_fingerprint(driver, "right_index", threshold=40, retries=1)
    assert driver._open is None, "closed after the failure"
