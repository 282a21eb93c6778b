"""The ID card side and document pipelines without Qt: found, checked, rectified and stored; a shot
that is no card, or shows no outline, refused with the reason and nothing stored."""

from __future__ import annotations

import numpy as np
import pytest

from app.devices.camera import scenes
from app.devices.idcard.mock import card_for
from app.photo import card as card_geometry
from app.station.card import (
    CaptureRefused,
    NotACard,
    QuadResult,
    analyse_card,
    manual_result,
    store_card_side,
)
from app.station.document import DOCUMENT_NOT_FOUND, analyse_document, store_document


@pytest.fixture
def front_on_desk(candidate):
    return scenes.on_desk(scenes.card_front(card_for(candidate.data)))


def test_a_card_on_the_desk_is_found_rectified_and_stored(container, actor, candidate, front_on_desk):
    result = analyse_card(front_on_desk)
    assert result.ok, result.hints
    info = store_card_side(container.capture, actor, candidate.uuid, "id_front", front_on_desk, result,
                           device="mock")
    assert info.kind == "id_front" and (info.width, info.height) == card_geometry.card_size_px(300)
    assert info.extra["manual"] is False and len(info.extra["corners"]) == 4
    assert container.capture.media_bytes(info)[:2] == b"\xff\xd8"
    assert info.quality, "the checks' figures are kept"


def test_corners_around_a_face_are_no_card_and_nothing_is_stored(container, actor, candidate, exam_shots,
                                                                  media_files):
    shot = exam_shots.good_shot()
    corners = card_geometry.default_corners(shot)
    with pytest.raises(NotACard) as refused:
        store_card_side(container.capture, actor, candidate.uuid, "id_front", shot, manual_result(corners),
                        manual=True)
    assert refused.value.hints and refused.value.message.startswith("未保存：")
    assert refused.value.result.corners is not None and not refused.value.result.ok
    assert container.capture.history(candidate.uuid) == [] and media_files() == []
    kept = store_card_side(container.capture, actor, candidate.uuid, "id_front", shot, manual_result(corners),
                           manual=True, reason="身份证严重磨损")
    assert kept.override_reason == "身份证严重磨损" and kept.extra["manual"] is True


def test_a_failed_check_or_no_outline_is_refused_before_anything_is_stored(container, actor, candidate,
                                                                          front_on_desk, media_files):
    found = analyse_card(front_on_desk)
    glared = QuadResult(found.corners, False, ["反光，请调整角度"], dict(found.figures))
    with pytest.raises(CaptureRefused, match="反光"):
        store_card_side(container.capture, actor, candidate.uuid, "id_back", front_on_desk, glared)
    with pytest.raises(CaptureRefused, match="未找到身份证边缘"):
        store_card_side(container.capture, actor, candidate.uuid, "id_back", front_on_desk,
                        QuadResult(None, False))
    assert container.capture.history(candidate.uuid) == [] and media_files() == []


def test_a_page_is_flattened_and_stored_under_its_kind(container, actor, candidate):
    page = np.full((1400, 1000, 3), 245, np.uint8)
    page[100:1300:60, 80:920] = 40  # lines of print
    frame = scenes.on_desk(page, share=0.4, angle=3.0)
    result = analyse_document(frame)
    assert result.ok
    info = store_document(container.capture, actor, candidate.uuid, "award", frame, result)
    assert (info.kind, info.subkind) == ("document", "award")
    assert max(info.width, info.height) == 2000 and info.height > info.width, "a portrait page stays portrait"
    assert container.capture.current(candidate.uuid)[("document", "award")].uuid == info.uuid


def test_no_page_is_refused_with_the_hint_and_nothing_is_stored(container, actor, candidate, media_files):
    blank = np.full((720, 1280, 3), 128, np.uint8)
    result = analyse_document(blank)
    assert not result.ok and result.hints == [DOCUMENT_NOT_FOUND]
    with pytest.raises(CaptureRefused, match=DOCUMENT_NOT_FOUND):
        store_document(container.capture, actor, candidate.uuid, "other", blank, result)
    with pytest.raises(Exception, match="未知的材料类型"):
        store_document(container.capture, actor, candidate.uuid, "passport", blank, result)
    assert container.capture.history(candidate.uuid) == [] and media_files() == []
