"""Fingerprints at the table (F4): one finger captured through the quality gate, and stored with its
quality figures. ``regdesk-cli fingerprint capture`` takes a print the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.devices.fingerprint.checked import CheckedCapture, capture_checked
from app.devices.fingerprint.interface import DEFAULT_TIMEOUT_S, OnEvent, no_events

if TYPE_CHECKING:
    from app.auth import Actor
    from app.devices.base import DeviceInfo
    from app.devices.fingerprint.interface import FingerprintDriver
    from app.station.capture import CaptureInfo, CaptureService
    from app.tasks import CancelToken


def capture_fingerprint(driver: FingerprintDriver, finger: str, *, threshold: int, retries: int,
                        device_id: str = "", timeout_s: float = DEFAULT_TIMEOUT_S,
                        cancel: CancelToken | None = None, on_event: OnEvent = no_events, subject: str = "",
                        raise_on_poor: bool = True) -> tuple[CheckedCapture, DeviceInfo]:
    """Open the reader (``device_id``, or the first), take ``finger`` until a print scores
    ``threshold`` (at most ``retries`` tries), close the reader; the print and the reader used.

    After the last poor print: ``PoorQuality``, or with ``raise_on_poor=False`` the best poor print
    (``accepted`` false) for the counsellor to keep with a reason or retake.
    """
    opened = driver.open(device_id)
    try:
        checked = capture_checked(driver, finger, threshold=threshold, retries=retries, timeout_s=timeout_s,
                                  cancel=cancel, on_event=on_event, subject=subject, raise_on_poor=raise_on_poor)
    finally:
        driver.close()
    return checked, opened


def store_fingerprint(capture: CaptureService, actor: Actor, key: str, finger: str, checked: CheckedCapture, *,
                      threshold: int, reason: str = "", device_name: str = "") -> CaptureInfo:
    """Store ``checked`` as ``key``'s print of ``finger`` with its quality figures; a print below the
    threshold is stored only with the counsellor's ``reason``."""
    from app.errors import ValidationError

    reason = reason.strip()
    if not checked.accepted and not reason:
        raise ValidationError(f"指纹质量不合格（{checked.quality.score} 分，合格线 {threshold} 分），"
                              "未保存。请重新采集，或填写理由放行。", "quality")
    image = checked.image
    quality = {**checked.quality.to_dict(), "attempts": checked.attempts, "threshold": threshold,
               "rejected_scores": list(checked.rejected_scores)}
    return capture.record(actor, key, "fingerprint", image.png(), "png", subkind=finger, quality=quality,
                          device=f"{image.driver}:{image.device or device_name}", width=image.width,
                          height=image.height, override_reason=reason)
