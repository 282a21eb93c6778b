"""The photo pipeline without Qt: a frame processed to the exam spec and stored; a frame that fails
the spec refused with its hints and nothing stored; the counsellor's override kept with its reason."""

from __future__ import annotations

import numpy as np
import pytest

from app.domain.status import StatusError
from app.errors import BadFileError, NotFoundError, ValidationError
from app.photo.spec import PhotoSpec
from app.station.photo import PhotoRefused, check_photo, photo_spec, read_image, store_photo


def test_a_good_frame_is_processed_to_the_spec_and_stored(container, actor, candidate, exam_shots, media_files):
    spec = PhotoSpec()
    info = store_photo(container.capture, actor, candidate.uuid, exam_shots.good_shot(), spec, device="mock")
    assert (info.kind, info.ext, info.device) == ("photo", "jpg", "mock")
    assert (info.width, info.height) == (spec.width, spec.height)
    data = container.capture.media_bytes(info)
    assert data[:2] == b"\xff\xd8" and len(data) == info.size_bytes
    assert spec.min_kb * 1024 <= len(data) <= spec.max_kb * 1024
    assert info.quality["analysis"]["ok"] is True and info.override_reason == ""
    assert len(media_files()) == 1
    steps = {s.kind: s.done for s in container.capture.checklist(candidate.uuid).steps}
    assert steps["photo"] is True


def test_a_frame_failing_the_spec_is_refused_with_its_hints_and_nothing_is_stored(
        container, actor, candidate, exam_shots, media_files):
    wall = exam_shots.background_only(exam_shots.good_shot())
    with pytest.raises(PhotoRefused) as refused:
        store_photo(container.capture, actor, candidate.uuid, wall, PhotoSpec())
    assert refused.value.hints and "人脸" in refused.value.message
    assert refused.value.message.startswith("照片不合格：") and not refused.value.analysis.ok
    assert isinstance(refused.value, ValidationError), "an error the counsellor can act on"
    assert container.capture.history(candidate.uuid) == []
    assert media_files() == []
    assert [e.action for e in container.candidates.history(candidate.uuid)
            if e.action.startswith("capture")] == []


def test_an_override_keeps_the_refused_frame_with_the_reason(container, actor, candidate, exam_shots):
    dark = exam_shots.darkened(exam_shots.good_shot())
    spec = PhotoSpec()
    with pytest.raises(PhotoRefused):
        store_photo(container.capture, actor, candidate.uuid, dark, spec)
    info = store_photo(container.capture, actor, candidate.uuid, dark, spec, reason="  考生视力障碍，光线无法改善 ")
    assert info.override_reason == "考生视力障碍，光线无法改善"
    assert (info.width, info.height) == (spec.width, spec.height)
    assert container.candidates.history(candidate.uuid)[0].action == "capture.override"


def test_a_locked_candidate_is_refused_and_nothing_is_recorded(container, actor, candidate, exam_shots):
    from sqlalchemy import update

    from db.models import Candidate

    with container.db.transaction() as s:
        s.execute(update(Candidate).where(Candidate.uuid == candidate.uuid).values(status="locked"))
    with pytest.raises(StatusError, match="已锁定"):
        store_photo(container.capture, actor, candidate.uuid, exam_shots.good_shot(), PhotoSpec())
    assert container.capture.history(candidate.uuid) == []


def test_check_photo_makes_the_photo_only_when_asked_and_passed(exam_shots):
    shot = exam_shots.good_shot()
    checked = check_photo(shot, PhotoSpec())
    assert checked.ok and checked.photo is not None and checked.photo.width == 480
    assert check_photo(shot, PhotoSpec(), make=False).photo is None
    refused = check_photo(exam_shots.blurred(shot, 9.0), PhotoSpec())
    assert not refused.ok and refused.photo is None and refused.analysis.hints


def test_read_image_names_the_file_it_cannot_read(tmp_path):
    with pytest.raises(NotFoundError, match="找不到文件"):
        read_image(tmp_path / "none.jpg")
    bad = tmp_path / "坏.jpg"
    bad.write_bytes(b"not a picture")
    with pytest.raises(BadFileError, match="无法读取图片"):
        read_image(bad)
    import cv2

    good = tmp_path / "好.png"
    good.write_bytes(cv2.imencode(".png", np.full((8, 6, 3), 200, np.uint8))[1].tobytes())
    assert read_image(good).shape == (8, 6, 3)


def test_the_spec_setting_falls_back_only_when_asked():
    assert photo_spec(None) == PhotoSpec()
    with pytest.raises(ValidationError):
        photo_spec({"width": -1})
    assert photo_spec({"width": -1}, fallback=True) == PhotoSpec()
