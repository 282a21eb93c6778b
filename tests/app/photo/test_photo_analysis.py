"""The exam-photo checks on scikit-image's astronaut: refused as she stands, accepted as an exam shot,
and each spoiled version refused with the right hint. The shots are made by tests/fixtures/exam_shot.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.photo import analysis as an
from app.photo.analysis import analyse
from app.photo.spec import PhotoSpec

_spec = importlib.util.spec_from_file_location(
    "exam_shot", Path(__file__).resolve().parents[2] / "fixtures" / "exam_shot.py")
shots = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("exam_shot", shots)
_spec.loader.exec_module(shots)


def test_astronaut_as_she_stands_is_refused() -> None:
    a = analyse(shots.astronaut_bgr())
    assert not a.ok
    assert a.check("face").ok
    assert 85 <= a.face[2] <= 110  # her face is about 95 px wide
    width = a.check("face_width")
    assert not width.ok and width.hint_zh == an.HINT_CLOSER
    assert not a.check("background_even").ok  # the flag and the shuttle model behind her
    assert a.hints[0] == an.HINT_CLOSER


def test_exam_shot_is_accepted_with_the_crop_per_spec() -> None:
    shot = shots.good_shot()
    a = analyse(shot)
    assert a.ok, a.hints
    assert a.hints == []
    spec = PhotoSpec()
    crop = a.crop
    assert crop is not None
    assert crop.width / crop.height == pytest.approx(3 / 4)
    assert crop.x >= 0 and crop.x + crop.width <= shot.shape[1] + 1e-6
    assert crop.y >= 0 and crop.y + crop.height <= shot.shape[0] + 1e-6
    assert spec.face_width[0] <= a.figures["face_width"] <= spec.face_width[1]
    assert spec.eye_line[0] <= a.figures["eye_line"] <= spec.eye_line[1]
    assert spec.hair_top[0] <= a.figures["hair_top"] <= spec.hair_top[1]
    assert len(a.eyes) == 2
    # The hair's top was laid at y=110 (plus the feathered edge): the estimate finds it.
    assert abs(a.hair_top_y - 110) <= 12


@pytest.mark.parametrize("background", [(255, 255, 255), (240, 240, 240)])
def test_other_allowed_backgrounds_are_accepted(background: tuple[int, int, int]) -> None:
    a = analyse(shots.make_shot(background=background))
    assert a.ok, a.hints


def _variant(name: str) -> np.ndarray:
    good = shots.good_shot()
    return {
        "no_face": lambda: shots.background_only(good),
        "two_faces": lambda: shots.make_shot(face_x=[330, 950]),
        "blurred": lambda: shots.blurred(good),
        "too_dark": lambda: shots.darkened(good),
        "off_centre_left": lambda: shots.make_shot(face_x=[150]),
        "off_centre_right": lambda: shots.make_shot(face_x=[1130]),
        "green_background": lambda: shots.make_shot(background=(0, 200, 0)),
        "too_far": lambda: shots.make_shot(zoom=0.9),
        "too_near": lambda: shots.make_shot(zoom=3.5, hair_y=20),
        "head_too_low": lambda: shots.make_shot(hair_y=300),
    }[name]()


@pytest.mark.parametrize(("name", "check", "hint"), [
    ("no_face", "face", an.HINT_NO_FACE),
    ("two_faces", "face", an.HINT_MANY_FACES),
    ("blurred", "sharp", an.HINT_BLURRED),
    ("too_dark", "exposure", an.HINT_DARK),
    ("off_centre_left", "centred", an.HINT_MOVE_LEFT),
    ("off_centre_right", "centred", an.HINT_MOVE_RIGHT),
    ("green_background", "background_colour", "背景颜色不符合要求（应为白色、浅蓝色、浅灰色）"),
    ("too_far", "face_width", an.HINT_CLOSER),
    ("too_near", "face_width", an.HINT_FARTHER),
    ("head_too_low", "eye_line", an.HINT_HEAD_UP),
])
def test_spoiled_shots_are_refused_with_the_right_hint(name: str, check: str, hint: str) -> None:
    a = analyse(_variant(name))
    assert not a.ok
    failed = a.check(check)
    assert failed is not None and not failed.ok, a.checks
    assert failed.hint_zh == hint
    assert a.hints[0] == hint  # the most important hint is the one the student sees first


def test_too_bright() -> None:
    bright = np.clip(shots.good_shot().astype(np.int16) + 90, 0, 255).astype(np.uint8)
    a = analyse(bright)
    assert a.check("exposure").hint_zh == an.HINT_BRIGHT and not a.ok


def test_uneven_background() -> None:
    shot = shots.good_shot().copy()
    shot[:, :400] = (shot[:, :400] * 0.6).astype(np.uint8)  # a shadow over the left of the wall
    a = analyse(shot)
    assert not a.check("background_even").ok and an.HINT_UNEVEN in a.hints


def test_glasses_hint_only_when_configured() -> None:
    good = shots.good_shot()
    plain = analyse(good)
    assert plain.check("glasses") is None
    spec = PhotoSpec(check_glasses=True)
    assert analyse(good, spec).check("glasses").ok
    wearing = shots.with_glasses(good, plain.eyes, plain.face[2])
    a = analyse(wearing, spec)
    assert not a.check("glasses").ok and an.HINT_GLASSES in a.hints
    assert analyse(wearing).ok  # not configured: no hint about glasses


def test_grey_frames_and_spec_bands_are_honoured() -> None:
    grey = cv2.cvtColor(shots.good_shot(), cv2.COLOR_BGR2GRAY)
    assert analyse(grey).check("face").ok
    # A province that wants the eyes higher than this shot can deliver within the frame.
    strict = PhotoSpec(eye_line=(200, 220), hair_top=(90, 110))
    assert not analyse(shots.good_shot(), strict).ok


def test_to_dict_is_json_ready() -> None:
    import json

    d = analyse(shots.good_shot()).to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False))["ok"] is True
    assert {c["name"] for c in d["checks"]} >= {"face", "face_width", "eye_line", "hair_top", "centred",
                                                 "sharp", "exposure", "background_even", "background_colour"}


def test_mock_cameras_generated_scene_is_accepted() -> None:
    """The demo without a photo: the drawn scene must pass, and its JPEG reach the size band."""
    from app.devices.camera.mock import MockCamera
    from app.photo.process import make_exam_photo

    cam = MockCamera(paced=False)
    cam.open(width=1280, height=720)
    frame = cam.read()
    a = analyse(frame)
    assert a.ok, a.hints
    assert 20 * 1024 <= len(make_exam_photo(frame, a).jpeg) <= 40_000
