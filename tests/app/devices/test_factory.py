"""Devices: drivers chosen from the settings through the registries, made lazily and once."""

from __future__ import annotations

import pytest

from app.devices.base import NoDevice, Registry
from app.devices.factory import Devices


class Thing:
    made = 0

    def __init__(self) -> None:
        Thing.made += 1
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_drivers_come_from_settings_lazily_and_once():
    Thing.made = 0
    settings = {"camera_driver": "fake", "fingerprint_driver": "fake", "idcard_driver": "", "camera_index": 2}
    registry = Registry("test-kind", {"fake": f"{__name__}:Thing"})
    devices = Devices(settings.get, registry_for=lambda kind: registry)
    assert Thing.made == 0, "nothing is made before it is asked for"
    cam = devices.camera()
    assert devices.camera() is cam and Thing.made == 1
    assert devices.camera_index() == 2
    assert devices.driver_name("camera") == "Thing"
    assert not devices.has("idcard")
    with pytest.raises(NoDevice, match="未设置身份证阅读器驱动"):
        devices.idcard()
    fp = devices.fingerprint()
    devices.close()
    assert cam.closed and fp.closed


def test_mock_uses_the_real_mock_fingerprint_driver_whatever_the_settings(container):
    from app.devices.fingerprint.mock import MockFingerprint

    devices = Devices(container.settings.get, mock=True)
    assert isinstance(devices.fingerprint(), MockFingerprint)
    assert devices.driver_name("camera") == "mock"


def test_unknown_driver_is_a_clear_error(container, actor):
    container.settings.set(actor, "fingerprint_driver", "nosuch")
    with pytest.raises(NoDevice, match="未知的指纹"):
        container.devices.fingerprint()


def test_container_has_devices_from_settings(container, actor):
    from app.devices.fingerprint.mock import MockFingerprint

    container.settings.set(actor, "fingerprint_driver", "mock")
    assert isinstance(container.devices.fingerprint(), MockFingerprint)


def test_demo_install_selects_the_mock_devices(tmp_path):
    from app.container import Container

    c = Container.open(tmp_path)
    try:
        c.demo.setup_demo_install(n=5)
        assert [c.settings.get(k) for k in ("camera_driver", "fingerprint_driver", "idcard_driver")] == ["mock"] * 3
    finally:
        c.close()


def test_reset_closes_made_drivers_and_builds_from_the_new_settings(container, actor):
    from app.devices.camera.mock import MockCamera

    class Handed:
        closed = False

        def close(self) -> None:
            self.closed = True

    handed = Handed()
    container.settings.set(actor, "fingerprint_driver", "mock")
    devices = Devices(container.settings.get, drivers={"camera": handed})
    fp = devices.fingerprint()
    assert devices.camera() is handed
    container.settings.set(actor, "camera_driver", "mock")
    devices.reset()
    assert handed.closed, "a driver handed in is closed on reset"
    assert isinstance(devices.camera(), MockCamera), "the camera is rebuilt from the settings"
    assert devices.fingerprint() is not fp, "every made driver is forgotten"
