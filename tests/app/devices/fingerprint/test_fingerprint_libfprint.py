"""The libfprint driver against libfprint's own ``virtual_image`` device.

libfprint reads ``FP_VIRTUAL_IMAGE`` when it first looks for devices, so each case runs the driver
in a child process started with that variable; the test plays the finger: it writes an image
(``<i4 width, <i4 height, width*height grey bytes``) or a command (negative width) to the device's
socket when the driver asks for a finger, and compares what the driver returns.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from app.devices.fingerprint import MESSAGES, RETRY_MESSAGES
from app.devices.fingerprint.mock import synthetic_print

CHILD = r"""
import hashlib, json, sys, threading
from app.devices.fingerprint.libfprint import LibfprintDriver
from app.errors import AppError
from app.tasks import CancelToken

def say(**kw):
    print(json.dumps(kw, ensure_ascii=False), flush=True)

cancel = CancelToken()
def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "cancel":
            cancel.cancel()
threading.Thread(target=watch_stdin, daemon=True).start()

driver = LibfprintDriver()
try:
    say(devices=[d.to_dict() for d in driver.list_devices()])
    say(opened=driver.open().to_dict())
    try:
        image = driver.capture("right_index", float(sys.argv[1]), cancel, lambda e, m: say(event=e, message=m))
        say(ok=True, width=image.width, height=image.height, ppi=image.ppi, driver=image.driver,
            device=image.device, finger=image.finger,
            sha256=hashlib.sha256(image.pixels.tobytes()).hexdigest())
    except AppError as exc:
        say(ok=False, error=type(exc).__name__, message=exc.message)
finally:
    driver.close()
say(closed=True)
"""

RETRY_TOO_SHORT = 1  # FpDeviceRetry.TOO_SHORT


def _libfprint_problem() -> str:
    probe = ("import gi; gi.require_version('FPrint', '2.0'); from gi.repository import FPrint; "
             "FPrint.Context")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    return "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]


@pytest.fixture(scope="module")
def libfprint() -> None:
    problem = _libfprint_problem()
    if not problem:
        return
    reason = (f"libfprint/PyGObject cannot be imported ({problem}); scripts/setup.sh installs "
              "libfprint-2-2, gir1.2-fprint-2.0 and the 'fingerprint' extra")
    if os.environ.get("CI") and sys.platform.startswith("linux"):
        pytest.fail(f"CI must run the libfprint driver test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def socket_path() -> Iterator[Path]:
    # AF_UNIX paths are limited to ~107 bytes; pytest's tmp_path can be longer.
    folder = Path(tempfile.mkdtemp(prefix="regdesk-fp-"))
    yield folder / "virtual_image.sock"
    shutil.rmtree(folder, ignore_errors=True)


class VirtualFinger:
    """Writes images and commands to the virtual_image device's socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock: socket.socket | None = None

    def _send(self, data: bytes) -> None:
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(str(self.path))
        self.sock.sendall(data)

    def image(self, pixels: np.ndarray) -> None:
        h, w = pixels.shape
        self._send(struct.pack("<ii", w, h) + np.ascontiguousarray(pixels, np.uint8).tobytes())

    def retry(self, code: int) -> None:
        self._send(struct.pack("<ii", -1, code))

    def unplug(self) -> None:
        self._send(struct.pack("<ii", -5, 0))

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


def run_driver(path: Path, timeout_s: float,
               on_place: Callable[[int, VirtualFinger, subprocess.Popen], None]) -> tuple[list[dict], str]:
    """Run the driver in a child; call ``on_place(n, finger, child)`` at its n-th "place" prompt."""
    env = {**os.environ, "FP_VIRTUAL_IMAGE": str(path)}
    with subprocess.Popen([sys.executable, "-c", CHILD, str(timeout_s)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                          encoding="utf-8", cwd=Path(__file__).resolve().parents[4]) as child:
        lines: queue.Queue[str | None] = queue.Queue()
        errors: list[str] = []

        def pump() -> None:
            for line in child.stdout:
                lines.put(line)
            lines.put(None)

        def pump_errors() -> None:
            errors.append(child.stderr.read())

        readers = [threading.Thread(target=pump, daemon=True), threading.Thread(target=pump_errors, daemon=True)]
        for reader in readers:
            reader.start()
        finger = VirtualFinger(path)
        messages: list[dict] = []
        places = 0
        deadline = time.monotonic() + 60
        try:
            while True:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                if line is None:
                    break
                message = json.loads(line)
                messages.append(message)
                if message.get("event") == "place":
                    places += 1
                    on_place(places, finger, child)
            child.wait(timeout=30)
        finally:
            finger.close()
            if child.poll() is None:
                child.kill()
            for reader in readers:
                reader.join(timeout=10)
    stderr = "".join(errors)
    assert child.returncode == 0, stderr
    return messages, stderr


def _result(messages: list[dict]) -> dict:
    return next(m for m in messages if "ok" in m)


def _events(messages: list[dict]) -> list[str]:
    return [m["event"] for m in messages if "event" in m]


def _clean(stderr: str) -> None:
    assert "CRITICAL" not in stderr and "Warning" not in stderr, stderr


def test_lists_opens_and_captures_the_image_sent(libfprint: None, socket_path: Path) -> None:
    pixels = synthetic_print("2021001", "right_index")
    messages, stderr = run_driver(socket_path, 20, lambda n, finger, _child: finger.image(pixels))
    devices = next(m["devices"] for m in messages if "devices" in m)
    assert devices == [{"id": "virtual_image:0", "name": "Virtual image device for debugging",
                        "driver": "libfprint"}]
    result = _result(messages)
    assert result["ok"], result
    assert (result["width"], result["height"], result["ppi"]) == (300, 400, 500)
    assert result["sha256"] == hashlib.sha256(pixels.tobytes()).hexdigest()
    assert result["driver"] == "libfprint" and result["finger"] == "right_index"
    assert result["device"] == "Virtual image device for debugging"
    assert _events(messages) == ["place", "present", "lift"]
    assert next(m["message"] for m in messages if m.get("event") == "place") == MESSAGES["place"]
    assert messages[-1] == {"closed": True}
    _clean(stderr)


def test_a_rejected_scan_is_retried_with_the_reason(libfprint: None, socket_path: Path) -> None:
    pixels = synthetic_print("2021002", "right_middle")

    def place(n: int, finger: VirtualFinger, _child: subprocess.Popen) -> None:
        if n == 1:
            finger.retry(RETRY_TOO_SHORT)
        elif n == 2:
            finger.image(pixels)

    messages, stderr = run_driver(socket_path, 20, place)
    result = _result(messages)
    assert result["ok"] and result["sha256"] == hashlib.sha256(pixels.tobytes()).hexdigest()
    assert _events(messages) == ["place", "retry", "place", "present", "lift"]
    assert next(m["message"] for m in messages if m.get("event") == "retry") == RETRY_MESSAGES["too_short"]
    _clean(stderr)


def test_endless_rejections_end_in_poor_quality(libfprint: None, socket_path: Path) -> None:
    messages, _stderr = run_driver(socket_path, 20, lambda n, finger, _child: finger.retry(RETRY_TOO_SHORT))
    result = _result(messages)
    assert result["ok"] is False and result["error"] == "PoorQuality" and "连续 5 次" in result["message"]
    assert _events(messages).count("retry") == 4


def test_no_finger_times_out(libfprint: None, socket_path: Path) -> None:
    start = time.monotonic()
    messages, stderr = run_driver(socket_path, 1.0, lambda *_: None)
    result = _result(messages)
    assert result == {"ok": False, "error": "DeviceTimeout", "message": "1 秒内没有检测到手指，请重新采集。"}
    assert time.monotonic() - start < 20
    _clean(stderr)


def test_unplugged_mid_capture(libfprint: None, socket_path: Path) -> None:
    messages, _stderr = run_driver(socket_path, 20, lambda n, finger, _child: finger.unplug())
    result = _result(messages)
    assert result["ok"] is False and result["error"] == "Unplugged" and "已断开" in result["message"]


def test_cancel_while_waiting(libfprint: None, socket_path: Path) -> None:
    def place(_n: int, _finger: VirtualFinger, child: subprocess.Popen) -> None:
        child.stdin.write("cancel\n")
        child.stdin.flush()

    messages, stderr = run_driver(socket_path, 30, place)
    assert _result(messages) == {"ok": False, "error": "Cancelled", "message": "已取消指纹采集。"}
    _clean(stderr)
