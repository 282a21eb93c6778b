"""Quality figures: good synthetic prints pass, poor, partial, empty and noise fail, in that order."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.devices.base import PoorQuality
from app.devices.fingerprint import EVENT_RETRY, capture_checked
from app.devices.fingerprint.mock import MockFingerprint, synthetic_print
from app.devices.fingerprint.quality import assess

SUBJECTS = [f"20210{i:02d}" for i in range(8)]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_good_prints_score_high_and_poor_ones_low(subject: str) -> None:
    good = assess(synthetic_print(subject, "right_index"))
    poor = assess(synthetic_print(subject, "right_index", poor=True))
    assert good.score >= 80, good
    assert poor.score < 20, poor
    assert good.coherence > poor.coherence
    assert good.contrast > poor.contrast
    assert good.sharpness > poor.sharpness


def test_quality_falls_as_the_print_degrades() -> None:
    good = synthetic_print("2021001", "right_middle")
    blurred = cv2.GaussianBlur(good, (0, 0), 2.2)
    faint = (235 - (235 - good.astype(np.float32)) * 0.3).astype(np.uint8)
    partial = np.where(np.arange(good.shape[1])[None, :] < 100, good, 236).astype(np.uint8)
    rng = np.random.default_rng(7)
    noise = np.clip(rng.normal(128, 40, good.shape), 0, 255).astype(np.uint8)
    empty = np.full(good.shape, 236, np.uint8)
    scores = {name: assess(img).score for name, img in
              {"good": good, "blurred": blurred, "faint": faint, "partial": partial, "noise": noise,
               "empty": empty}.items()}
    assert scores["good"] > max(scores["blurred"], scores["faint"], scores["partial"]), scores
    assert scores["noise"] < 20 and scores["empty"] == 0, scores
    assert assess(partial).foreground < assess(good).foreground
    assert assess(noise).coherence < 0.2


def test_figures_and_advice() -> None:
    report = assess(np.full((400, 300), 230, np.uint8))
    assert report.to_dict()["score"] == 0 and report.width == 300 and report.height == 400
    assert "中央" in report.advice()


def test_capture_checked_retakes_a_poor_print() -> None:
    driver = MockFingerprint("poor,ok")
    driver.open()
    events: list[str] = []
    result = capture_checked(driver, "right_index", threshold=40, retries=3, on_event=lambda e, m: events.append(m),
                             subject="2021001")
    assert result.accepted and result.attempts == 2 and result.image.attempts == 2
    assert result.quality.score >= 40 and len(result.rejected_scores) == 1
    assert any("指纹不清晰" in m for m in events)


def test_capture_checked_gives_up_after_the_retries() -> None:
    driver = MockFingerprint("poor,poor,poor,ok")
    driver.open()
    kinds: list[str] = []
    with pytest.raises(PoorQuality, match="3 次采集的最高分") as caught:
        capture_checked(driver, "right_index", threshold=40, retries=3, on_event=lambda e, m: kinds.append(e))
    assert caught.value.quality.score < 40
    assert kinds.count(EVENT_RETRY) == 2  # no "try again" after the last try
    assert driver.scans == 3


def test_capture_checked_can_hand_back_the_best_poor_print() -> None:
    driver = MockFingerprint("poor,poor")
    driver.open()
    result = capture_checked(driver, "right_index", threshold=40, retries=2, raise_on_poor=False)
    assert not result.accepted and result.attempts == 2 and len(result.rejected_scores) == 2
