"""The exam photo file: 480×640, 20–40 KB, no metadata, and the face where the spec wants it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.errors import AppError
from app.photo.analysis import analyse
from app.photo.process import check_bare_jpeg, encode_jpeg, jpeg_markers, make_exam_photo
from app.photo.spec import PhotoSpec

_spec = importlib.util.spec_from_file_location(
    "exam_shot", Path(__file__).resolve().parents[2] / "fixtures" / "exam_shot.py")
shots = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("exam_shot", shots)
_spec.loader.exec_module(shots)


@pytest.fixture(scope="module")
def photo():
    shot = shots.good_shot()
    return make_exam_photo(shot, analyse(shot))


def test_photo_meets_the_file_spec(photo) -> None:
    spec = PhotoSpec()
    assert (photo.width, photo.height) == (480, 640)
    assert spec.min_bytes <= len(photo.jpeg) <= spec.max_bytes
    image = cv2.imdecode(np.frombuffer(photo.jpeg, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image.shape == (640, 480, 3) and image.dtype == np.uint8  # 24-bit colour
    markers = jpeg_markers(photo.jpeg)
    assert 0xE1 not in markers and 0xFE not in markers  # no EXIF, no comment
    assert photo.figures["bytes"] == len(photo.jpeg) and photo.figures["quality"] == photo.quality


def test_face_is_placed_per_spec_measured_on_the_output(photo) -> None:
    spec = PhotoSpec()
    image = cv2.imdecode(np.frombuffer(photo.jpeg, np.uint8), cv2.IMREAD_COLOR)
    again = analyse(image)
    assert again.ok, again.hints
    x, _, w, _ = again.face
    assert spec.face_width[0] <= w <= spec.face_width[1]
    assert len(again.eyes) == 2
    eye_y = sum(e[1] for e in again.eyes) / 2
    assert spec.eye_line[0] <= eye_y <= spec.eye_line[1]
    assert spec.hair_top[0] <= again.hair_top_y <= spec.hair_top[1]
    assert abs(x + w / 2 - 240) <= spec.centre_tolerance
    # On the finished photo the crop is the whole photo: nothing left to move.
    assert again.crop.scale == pytest.approx(1.0)


def test_quality_is_the_highest_within_the_band() -> None:
    image = cv2.imdecode(np.frombuffer(make_exam_photo(shots.good_shot(), analyse(shots.good_shot())).jpeg,
                                       np.uint8), cv2.IMREAD_COLOR)
    spec = PhotoSpec()
    data, quality = encode_jpeg(image, spec)
    assert len(data) <= spec.max_bytes
    if quality < spec.max_quality:
        _, over = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality + 1, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
        assert len(over.tobytes()) > spec.max_bytes


def test_override_of_a_failed_check_still_crops_to_spec() -> None:
    green = shots.make_shot(background=(0, 200, 0))
    a = analyse(green)
    assert not a.ok
    photo = make_exam_photo(green, a)
    assert (photo.width, photo.height) == (480, 640)
    assert photo.figures["checks"]["background_colour"] is False


def test_no_face_needs_the_centre_crop_override() -> None:
    empty = shots.background_only(shots.good_shot())
    a = analyse(empty)
    with pytest.raises(AppError, match="未检测到人脸"):
        make_exam_photo(empty, a)
    # A flat frame cannot reach 20 KB at any quality: said plainly, not padded.
    with pytest.raises(AppError, match="小于 20 KB"):
        make_exam_photo(empty, a, centre_crop_without_face=True)
    busy = np.random.default_rng(1).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    busy = cv2.GaussianBlur(busy, (0, 0), 2)
    photo = make_exam_photo(busy, analyse(busy), PhotoSpec(max_kb=200), centre_crop_without_face=True)
    assert (photo.width, photo.height) == (480, 640)


def test_metadata_is_refused() -> None:
    _, buf = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))
    data = buf.tobytes()
    check_bare_jpeg(data)
    exif = b"\xff\xe1" + (8).to_bytes(2, "big") + b"Exif\x00\x00"
    with pytest.raises(AppError, match="元数据"):
        check_bare_jpeg(data[:2] + exif + data[2:])
