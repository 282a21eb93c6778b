"""Driver registry: built-ins by name, vendor drivers through the ``regdesk.fingerprint_drivers`` group."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from app.devices.base import NoDevice
from app.devices.fingerprint import ENTRY_POINT_GROUP, REGISTRY, create_driver, driver_names
from app.devices.fingerprint.mock import MockFingerprint

VENDOR_MODULE = '''
from app.devices.fingerprint import FingerprintDriver, FingerprintImage
from app.devices.base import DeviceInfo
import numpy as np


class AcmeReader(FingerprintDriver):
    name = "acme"

    def __init__(self, **opts):
        self.opts = opts

    def list_devices(self):
        return [DeviceInfo("acme-1", "Acme FP-500", self.name)]

    def open(self, device_id=""):
        return self.list_devices()[0]

    def capture(self, finger, timeout_s=30.0, cancel=None, on_event=lambda e, m: None, *, subject=""):
        return FingerprintImage(np.full((8, 8), 200, np.uint8), 500, "Acme FP-500", self.name, finger)

    def close(self):
        pass


class NotADriver:
    def __init__(self, **opts):
        pass
'''


@pytest.fixture
def vendor_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed vendor distribution: a module plus a .dist-info with entry_points.txt on sys.path."""
    (tmp_path / "acme_fp_driver.py").write_text(VENDOR_MODULE, encoding="utf-8")
    info = tmp_path / "acme_fp_driver-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-fp-driver\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nacme = acme_fp_driver:AcmeReader\nbogus = acme_fp_driver:NotADriver\n"
        "broken = acme_fp_driver_missing:Nothing\nmock = acme_fp_driver:AcmeReader\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    sys.modules.pop("acme_fp_driver", None)


def test_builtins_are_listed_first() -> None:
    names = driver_names()
    assert names[:2] == ["mock", "libfprint"]


def test_mock_by_name_with_options() -> None:
    driver = create_driver("mock", script="poor", devices=2)
    assert isinstance(driver, MockFingerprint)
    assert [d.id for d in driver.list_devices()] == ["mock-0", "mock-1"]


def test_unknown_driver_names_the_choices() -> None:
    with pytest.raises(NoDevice, match="未知的指纹采集器驱动“nope”。可用的驱动：mock、libfprint"):
        create_driver("nope")


def test_vendor_driver_found_through_entry_points(vendor_package: Path) -> None:
    names = driver_names()
    assert "acme" in names and names.count("mock") == 1
    driver = create_driver("acme", port="COM3")
    assert driver.opts == {"port": "COM3"}
    info = driver.open()
    assert info.name == "Acme FP-500"
    assert driver.capture("right_index").pixels.shape == (8, 8)


def test_builtin_wins_over_a_vendor_entry_point_of_the_same_name(vendor_package: Path) -> None:
    assert isinstance(create_driver("mock"), MockFingerprint)


def test_bad_vendor_entries_fail_with_a_message(vendor_package: Path) -> None:
    with pytest.raises(NoDevice, match="不是有效的驱动"):
        create_driver("bogus")
    with pytest.raises(NoDevice, match="无法加载指纹采集器驱动“broken”"):
        create_driver("broken")


def test_registry_kind_and_group() -> None:
    assert REGISTRY.kind == "fingerprint" and REGISTRY.entry_point_group == "regdesk.fingerprint_drivers"
