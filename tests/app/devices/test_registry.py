"""The driver registries: typed by their kind's interface, refusing a driver that is not one."""

from __future__ import annotations

import typing

import pytest

from app.devices import base
from app.devices.base import NoDevice, Registry
from app.devices.camera import CAMERAS, Camera
from app.devices.factory import Devices
from app.devices.fingerprint import REGISTRY as FINGERPRINTS
from app.devices.fingerprint import FingerprintDriver
from app.devices.idcard import REGISTRY as IDCARDS
from app.devices.idcard import IdCardReader


class NotADriver:
    def close(self) -> None:
        pass


def test_every_kind_has_its_interface_and_its_registry() -> None:
    assert (CAMERAS.interface, FINGERPRINTS.interface, IDCARDS.interface) == (Camera, FingerprintDriver, IdCardReader)
    found = base.registries()  # other tests may have added a test kind of their own
    assert {kind: found[kind] for kind in ("camera", "fingerprint", "idcard")} == {
        "camera": CAMERAS, "fingerprint": FINGERPRINTS, "idcard": IDCARDS}


def test_a_registry_with_an_interface_refuses_another_class() -> None:
    reg: Registry[Camera] = Registry("test-kind", {"odd": f"{__name__}:NotADriver"}, label="测试设备",
                                     interface=Camera)
    try:
        with pytest.raises(NoDevice, match="测试设备驱动“odd”不是有效的驱动（NotADriver）"):
            reg.create("odd")
    finally:
        base._REGISTRIES.pop("test-kind", None)


def test_the_factory_returns_the_interfaces() -> None:
    returns = {name: typing.get_type_hints(getattr(Devices, name), globalns={
        "Camera": Camera, "FingerprintDriver": FingerprintDriver, "IdCardReader": IdCardReader})["return"]
        for name in ("camera", "fingerprint", "idcard")}
    assert returns == {"camera": Camera, "fingerprint": FingerprintDriver, "idcard": IdCardReader}


def test_mock_drivers_are_their_interfaces(container) -> None:
    devices = Devices(container.settings.get, mock=True)
    assert isinstance(devices.camera(), Camera)
    assert isinstance(devices.fingerprint(), FingerprintDriver)
    assert isinstance(devices.idcard(), IdCardReader)
    devices.close()
