"""The desk's quality gate on a fingerprint capture: a print scoring below the threshold is retaken,
up to the configured number of tries (``capture_checked``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.devices.base import PoorQuality
from app.devices.fingerprint.interface import (
    DEFAULT_TIMEOUT_S,
    EVENT_RETRY,
    FingerprintDriver,
    FingerprintImage,
    OnEvent,
    no_events,
    retry_message,
)
from app.devices.fingerprint.quality import QualityReport, assess
from app.tasks import CancelToken


class PoorPrint(PoorQuality):
    """Every try scored below the threshold; ``quality`` holds the best try's figures."""

    def __init__(self, message: str, *, quality: QualityReport, device: str = "") -> None:
        super().__init__(message, device=device)
        self.quality = quality


@dataclass
class CheckedCapture:
    """A print that passed the quality gate (or the last try, when ``accepted`` is false)."""

    image: FingerprintImage
    quality: QualityReport
    attempts: int
    accepted: bool
    rejected_scores: list[int] = field(default_factory=list)


def capture_checked(driver: FingerprintDriver, finger: str, *, threshold: int = 40, retries: int = 3,
                    timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None,
                    on_event: OnEvent = no_events, subject: str = "",
                    raise_on_poor: bool = True) -> CheckedCapture:
    """Capture until a print scores at least ``threshold``, at most ``retries`` times in all.

    After the last poor print: ``PoorQuality`` (carrying the figures), or, with
    ``raise_on_poor=False``, the best poor print so the counsellor can decide to keep it.
    """
    retries = max(1, int(retries))
    best: CheckedCapture | None = None
    scores: list[int] = []
    for attempt in range(1, retries + 1):
        image = driver.capture(finger, timeout_s, cancel, on_event, subject=subject)
        report = assess(image.pixels)
        if report.score >= threshold:
            image.attempts = attempt
            return CheckedCapture(image, report, attempt, True, scores)
        scores.append(report.score)
        if best is None or report.score > best.quality.score:
            best = CheckedCapture(image, report, attempt, False)
        if attempt < retries:
            on_event(EVENT_RETRY, f"{retry_message('poor_quality')}（质量 {report.score} 分，"
                                  f"合格线 {threshold} 分）")
    assert best is not None
    best.attempts = retries
    best.rejected_scores = scores
    best.image.attempts = retries
    if raise_on_poor:
        raise PoorPrint(f"指纹质量不合格：{retries} 次采集的最高分为 {best.quality.score} 分"
                        f"（合格线 {threshold} 分）。{best.quality.advice()}",
                        quality=best.quality, device=best.image.device)
    return best
