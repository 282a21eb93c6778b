"""What the station reads of the student at the table in one go (off the GUI thread)."""

from __future__ import annotations

import pytest

from app.errors import NotFoundError
from app.station.photo import photo_spec, store_photo
from app.station.student import read_student


def test_a_student_without_captures(container, candidate):
    student = read_student(container.capture, container.candidates, candidate.data.student_no)
    assert student.uuid == candidate.uuid and student.detail.data.name == candidate.data.name
    assert student.history == [] and student.photo is None and student.photo_bytes is None
    assert not student.checklist.complete


def test_the_active_photo_comes_with_its_bytes_and_a_lost_file_is_no_failure(container, actor, candidate,
                                                                              exam_shots):
    spec = photo_spec(container.settings.get("photo_spec"), fallback=True)
    store_photo(container.capture, actor, candidate.uuid, exam_shots.good_shot(), spec, device="mock")
    info = store_photo(container.capture, actor, candidate.uuid, exam_shots.good_shot(), spec, device="mock")
    student = read_student(container.capture, container.candidates, candidate.uuid)
    assert [h.active for h in student.history] == [True, False]
    assert student.photo == info and student.photo_bytes == container.capture.media_bytes(info)
    for path in container.capture.media.root.rglob("*"):
        if path.is_file():
            path.unlink()
    student = read_student(container.capture, container.candidates, candidate.uuid)
    assert student.photo == info and student.photo_bytes is None


def test_nobody(container):
    with pytest.raises(NotFoundError):
        read_student(container.capture, container.candidates, "9999")
