"""Cameras: the mock (images, video, generated frames, pacing, unplug/replug), the OpenCV driver on a
video file and with no camera, and the driver registry."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.devices import base
from app.devices.base import DeviceError, DeviceInfo, NoDevice, Registry, Unplugged
from app.devices.camera import CAMERAS, MSG_NO_CAMERA
from app.devices.camera.mock import MockCamera, generated_scene
from app.devices.camera.opencv import OpenCVCamera


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    out = []
    for i, colour in enumerate([(0, 0, 255), (0, 255, 0)]):
        img = np.zeros((300, 400, 3), np.uint8)
        img[:] = colour
        path = tmp_path / f"帧{i}.png"  # a non-ASCII name, as on a Chinese desktop
        assert cv2.imencode(".png", img)[1].tofile(str(path)) is None
        out.append(path)
    return out


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    assert writer.isOpened()
    for i in range(5):
        frame = np.full((240, 320, 3), i * 50, np.uint8)
        writer.write(frame)
    writer.release()
    return path


def test_generated_frames() -> None:
    cam = MockCamera(paced=False)
    assert cam.list_devices() == [DeviceInfo("mock0", "模拟摄像头", "mock")]
    with cam:
        cam.open("mock0", 640, 360)
        assert cam.is_open and cam.frame_size == (640, 360)
        a = cam.read()
        cam.read()
        assert a.shape == (360, 640, 3) and a.dtype == np.uint8
        assert cam.frames_read == 2
    assert not cam.is_open
    with pytest.raises(NoDevice):
        cam.read()
    assert generated_scene(320, 180).shape == (180, 320, 3)


def test_image_files_are_cycled_and_fitted(images: list[Path]) -> None:
    cam = MockCamera(images, paced=False)
    cam.open(width=800, height=450)
    frames = [cam.read() for _ in range(3)]
    assert all(f.shape == (450, 800, 3) for f in frames)
    assert tuple(frames[0][225, 400]) == (0, 0, 255) and tuple(frames[1][225, 400]) == (0, 255, 0)
    assert np.array_equal(frames[0], frames[2])
    # The aspect differs (4:3 into 16:9): the sides repeat the border instead of black bars.
    assert tuple(frames[0][225, 5]) == (0, 0, 255)


def test_video_file_loops(video: Path) -> None:
    cam = MockCamera(video, paced=False)
    cam.open(width=320, height=240)
    levels = [int(cam.read().mean()) for _ in range(7)]
    assert levels[0] < levels[4] and abs(levels[5] - levels[0]) <= 3  # back to the start


def test_bad_source_is_no_device(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(NoDevice, match="无法读取"):
        MockCamera(bad).open()


def test_frames_are_paced_to_the_fps() -> None:
    clock = FakeClock()
    cam = MockCamera(fps=25, clock=clock, sleep=clock.sleep)
    cam.open(width=160, height=90)
    start = clock.now
    for _ in range(26):
        cam.read()
    assert clock.now - start == pytest.approx(1.0, abs=1e-6)  # 25 intervals after the first frame


def test_unplug_after_frames_then_replug() -> None:
    cam = MockCamera(paced=False, unplug_after=3)
    cam.open(width=160, height=90)
    for _ in range(3):
        cam.read()
    with pytest.raises(Unplugged) as err:
        cam.read()
    assert "摄像头已断开" in err.value.message and isinstance(err.value, DeviceError)
    assert cam.list_devices() == []
    cam.replug()
    with pytest.raises(Unplugged):
        cam.read()  # the old handle stays dead, as a real one does: the UI reopens
    cam.unplug()
    with pytest.raises(NoDevice) as no:
        cam.open()
    assert no.value.message == MSG_NO_CAMERA
    cam.replug()
    assert cam.list_devices()
    cam.open(width=160, height=90)
    assert cam.read().shape == (90, 160, 3)


def test_replug_after_seconds_and_unplug_from_another_thread() -> None:
    clock = FakeClock()
    cam = MockCamera(paced=False, replug_after=2.0, clock=clock)
    cam.open(width=160, height=90)
    cam.read()
    import threading

    t = threading.Thread(target=cam.unplug)
    t.start()
    t.join()
    with pytest.raises(Unplugged):
        cam.read()
    clock.now += 1.0
    assert cam.list_devices() == []
    clock.now += 1.5
    assert cam.list_devices()
    cam.open(width=160, height=90)
    cam.read()


def test_opencv_camera_without_a_camera_says_so_in_chinese() -> None:
    cam = OpenCVCamera()
    started = time.monotonic()
    found = cam.list_devices()
    assert isinstance(found, list) and time.monotonic() - started < 10
    with pytest.raises(NoDevice) as err:
        cam.open("63", 1280, 720)
    assert err.value.message == "未检测到摄像头，请检查连接"
    with pytest.raises(NoDevice):
        cam.read()


def test_opencv_camera_reads_a_stream_then_reports_it_gone(video: Path) -> None:
    cam = OpenCVCamera()
    cam.open(str(video), 1280, 720)
    assert cam.is_open and cam.frame_size == (320, 240) and cam.fps == pytest.approx(10)
    frames = [cam.read() for _ in range(5)]
    assert all(f.shape == (240, 320, 3) for f in frames)
    with pytest.raises(Unplugged) as err:
        cam.read()
    assert err.value.message.startswith("摄像头已断开")
    assert not cam.is_open


def test_registry() -> None:
    assert CAMERAS.names()[:2] == ["opencv", "mock"]
    assert isinstance(CAMERAS.create("mock", paced=False), MockCamera)
    assert isinstance(CAMERAS.create("opencv"), OpenCVCamera)
    with pytest.raises(NoDevice, match="未知的摄像头驱动“nope”"):
        CAMERAS.create("nope")
    assert base.registries()["camera"] is CAMERAS


def test_registry_reports_a_broken_builtin() -> None:
    reg = Registry("test-kind", {"gone": "app.devices.no_such_module:Driver"}, label="测试设备")
    try:
        with pytest.raises(NoDevice, match="无法加载测试设备驱动“gone”"):
            reg.create("gone")
    finally:
        base._REGISTRIES.pop("test-kind", None)


def test_device_errors_have_chinese_defaults() -> None:
    for cls in (base.NoDevice, base.DeviceTimeout, base.Unplugged, base.PoorQuality):
        err = cls()
        assert err.message and not err.message.isascii()


def test_a_picture_shown_to_the_mock_is_what_it_films_until_taken_away() -> None:
    camera = MockCamera(paced=False)
    camera.open(width=640, height=360)
    first = camera.read()
    card = np.full((540, 856, 3), (200, 210, 220), np.uint8)
    camera.show(card)
    assert camera.showing
    shown = camera.read()
    assert shown.shape == (360, 640, 3) and np.abs(shown.astype(int) - (200, 210, 220)).max() <= 1
    shown[:] = 0  # a caller scribbling on its frame does not change the next one
    assert camera.read().mean() > 150
    camera.show(None)
    assert not camera.showing
    back = camera.read()
    assert back.shape == first.shape and back.std() > 20  # the drawn face again, not the flat card
    with pytest.raises(ValueError):
        camera.show(np.zeros((0, 0, 3), np.uint8))


def test_a_shown_picture_survives_unplug_and_reopen_at_another_size() -> None:
    camera = MockCamera(paced=False)
    camera.show(np.full((100, 100, 3), 77, np.uint8))
    camera.open(width=320, height=240)
    camera.unplug()
    with pytest.raises(Unplugged):
        camera.read()
    camera.replug()
    camera.open(width=160, height=90)
    assert camera.read().shape == (90, 160, 3) and int(camera.read().mean()) == 77
