"""The demo camera's scenes: an ID card on a desk that the station's card finder accepts (and refuses
with glare), and a printed page whose QR code the camera check reads."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from app.auth import Actor
from app.container import Container
from app.demo.service import generate
from app.devices.camera import scenes
from app.devices.idcard.mock import card_for
from app.photo import card as c


@pytest.fixture(scope="module")
def chip():
    return card_for(generate(3).records[1], today=dt.date(2026, 12, 1))


@pytest.mark.parametrize("side", [scenes.card_front, scenes.card_back])
def test_a_card_on_the_desk_is_found_and_passes_the_shot_checks(chip, side) -> None:
    card = side(chip)
    assert card.shape == (540, 856, 3)
    frame = scenes.on_desk(card)
    corners = c.find_card(frame)
    assert corners is not None
    quality = c.card_quality(frame, corners)
    assert quality.ok, quality.hints
    # The corners found are the card's: the rectified shot looks like the drawn card.
    flat = c.rectify(frame, corners, dpi=100)
    drawn = c.rectify(card, np.array([[0, 0], [856, 0], [856, 540], [0, 540]], np.float32), dpi=100)
    assert np.abs(flat.astype(int) - drawn.astype(int)).mean() < 25


def test_the_sides_differ_and_carry_the_chip_s_data(chip) -> None:
    front, back = scenes.card_front(chip), scenes.card_back(chip)
    assert np.abs(front.astype(int) - back.astype(int)).mean() > 10
    other = card_for(generate(3).records[2], today=dt.date(2026, 12, 1))
    assert not np.array_equal(scenes.card_front(other), front)  # another person, another card
    assert np.array_equal(scenes.card_front(chip), front)  # deterministic


def test_glare_is_refused_so_the_override_can_be_tried(chip) -> None:
    frame = scenes.on_desk(scenes.glare(scenes.card_front(chip)))
    quality = c.card_quality(frame, c.find_card(frame))
    assert not quality.ok and quality.hints == [c.HINT_GLARE]


def test_a_printed_page_on_the_desk_is_checked_by_its_qr_code(tmp_path) -> None:
    demo = Container.open(tmp_path)
    try:
        demo.demo.setup_demo_install(Actor("t", "测试", "admin"), 40, samples=False)
        frame = scenes.page_on_desk(demo.demo.sample_page())
        assert frame.shape == (720, 1280, 3)
        check = demo.printing.verify_image(frame, "摄像头")
        assert check.status == "match", check.message
    finally:
        demo.close()
