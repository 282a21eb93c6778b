"""The simulated reader: deterministic prints per (candidate, finger) and each scripted fault."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.devices.base import DeviceError, DeviceTimeout, NoDevice, Unplugged
from app.devices.fingerprint import MESSAGES, RETRY_MESSAGES, FingerprintImage
from app.devices.fingerprint.mock import MockFingerprint, parse_script, synthetic_print
from app.devices.fingerprint.quality import assess
from app.errors import Cancelled, ValidationError
from app.tasks import CancelToken


def _capture(driver: MockFingerprint, finger: str = "right_index", subject: str = "2021001", **kw):
    events: list[tuple[str, str]] = []
    image = driver.capture(finger, kw.pop("timeout_s", 5.0), kw.pop("cancel", None),
                           lambda e, m: events.append((e, m)), subject=subject)
    return image, events


def test_same_candidate_and_finger_give_the_same_print() -> None:
    a = synthetic_print("2021001", "right_index")
    b = synthetic_print("2021001", "right_index")
    assert np.array_equal(a, b)
    assert a.shape == (400, 300) and a.dtype == np.uint8


def test_prints_differ_between_fingers_and_candidates() -> None:
    base = synthetic_print("2021001", "right_index").astype(np.int16)
    for other in (synthetic_print("2021001", "right_middle"), synthetic_print("2021002", "right_index")):
        diff = np.abs(base - other.astype(np.int16))
        assert diff.mean() > 30  # different ridges, not a little noise


def test_print_looks_like_a_finger_on_glass() -> None:
    pixels = synthetic_print("410105200001011234", "right_middle")
    h, w = pixels.shape
    # Corners are empty glass (light, flat); the centre holds dark ridges and light valleys.
    corner = pixels[:20, :20]
    centre = pixels[h // 2 - 40:h // 2 + 40, w // 2 - 40:w // 2 + 40]
    assert corner.mean() > 215 and corner.std() < 12
    assert centre.std() > 45 and centre.min() < 90 and centre.max() > 180


def test_good_capture_reports_events_and_metadata() -> None:
    driver = MockFingerprint()
    info = driver.open()
    assert info.driver == "mock" and driver.list_devices() == [info]
    image, events = _capture(driver)
    assert isinstance(image, FingerprintImage)
    assert (image.width, image.height, image.ppi) == (300, 400, 500)
    assert image.driver == "mock" and image.device == info.name and image.finger == "right_index"
    assert [e for e, _ in events] == ["place", "present", "lift"]
    assert events[0][1] == MESSAGES["place"] == "请将手指放在采集器上"
    assert np.array_equal(image.pixels, synthetic_print("2021001", "right_index"))


def test_capture_before_open_is_an_error() -> None:
    with pytest.raises(DeviceError, match="尚未打开"):
        _capture(MockFingerprint())


def test_retry_once_then_ok() -> None:
    driver = MockFingerprint(["retry:too_short", "retry:center_finger", "ok"])
    driver.open()
    image, events = _capture(driver)
    kinds = [e for e, _ in events]
    assert kinds == ["place", "present", "retry", "place", "present", "retry", "place", "present", "lift"]
    retries = [m for e, m in events if e == "retry"]
    assert retries == [RETRY_MESSAGES["too_short"], RETRY_MESSAGES["center_finger"]]
    assert driver.scans == 3
    assert assess(image.pixels).score >= 80


def test_no_finger_times_out() -> None:
    driver = MockFingerprint("no_finger")
    driver.open()
    start = time.monotonic()
    with pytest.raises(DeviceTimeout, match="没有检测到手指"):
        _capture(driver, timeout_s=0.2)
    assert 0.15 < time.monotonic() - start < 2
    _capture(driver)  # the script moved on: the next scan is fine


def test_reader_timeout() -> None:
    driver = MockFingerprint("timeout")
    driver.open()
    with pytest.raises(DeviceTimeout, match="没有响应"):
        _capture(driver, timeout_s=0.1)


def test_poor_quality_print_scores_low() -> None:
    driver = MockFingerprint("poor,ok")
    driver.open()
    poor, _ = _capture(driver)
    good, _ = _capture(driver)
    assert assess(poor.pixels).score < 20 <= 80 <= assess(good.pixels).score


def test_unplugged_until_replugged() -> None:
    driver = MockFingerprint("unplugged")
    driver.open()
    with pytest.raises(Unplugged, match="已断开"):
        _capture(driver)
    with pytest.raises(Unplugged):
        _capture(driver)
    assert driver.list_devices() == []
    with pytest.raises(NoDevice, match="未检测到指纹采集器"):
        driver.open()
    driver.replug()
    driver.open()
    image, _ = _capture(driver)
    assert image.width == 300


def test_no_device_and_unknown_device() -> None:
    with pytest.raises(NoDevice, match="未检测到指纹采集器"):
        MockFingerprint(devices=0).open()
    with pytest.raises(NoDevice, match="找不到指纹采集器“mock-9”"):
        MockFingerprint(devices=2).open("mock-9")
    assert MockFingerprint(devices=2).open("mock-1").id == "mock-1"


def test_cancel_while_waiting_for_a_finger() -> None:
    driver = MockFingerprint("no_finger")
    driver.open()
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        _capture(driver, timeout_s=10, cancel=cancel)
    assert time.monotonic() - start < 2


def test_finger_delay_beyond_the_timeout_is_a_timeout() -> None:
    driver = MockFingerprint(finger_delay_s=5)
    driver.open()
    with pytest.raises(DeviceTimeout):
        _capture(driver, timeout_s=0.1)


def test_script_is_checked() -> None:
    assert parse_script("retry:too_short， ok ,poor") == ["retry:too_short", "ok", "poor"]
    with pytest.raises(ValidationError, match="步骤“explode”无效"):
        parse_script("ok,explode")
    with pytest.raises(ValidationError):
        parse_script("retry:sneeze")


def test_png_is_8_bit_grey_at_500_ppi() -> None:
    import cv2

    driver = MockFingerprint()
    driver.open()
    image, _ = _capture(driver)
    data = image.png()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR" and data[24] == 8 and data[25] == 0  # bit depth 8, colour type grey
    phys = data.index(b"pHYs")
    per_metre = int.from_bytes(data[phys + 4:phys + 8], "big")
    assert round(per_metre * 0.0254) == 500
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(decoded, image.pixels)
