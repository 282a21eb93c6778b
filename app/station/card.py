"""An ID card side at the table (F2 the portrait side, F3 the national-emblem side): the card found in
the frame and checked, rectified to ISO/IEC 7810 ID-1 at 300 dpi, and stored.

Corners a counsellor drags by hand around a photo or another card would make a “card” of anything:
what was rectified must show a card's shape and lines of print (``NotACard`` otherwise, nothing
stored) unless the counsellor gives a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.errors import AppError, ValidationError

if TYPE_CHECKING:
    from app.auth import Actor
    from app.station.capture import CaptureInfo, CaptureService

SIDES = ("id_front", "id_back")
NO_OUTLINE = "未找到身份证边缘，请手动标出四个角"


@dataclass
class QuadResult:
    """The card/document finder's verdict on one frame (what the station's quad overlay draws)."""

    corners: np.ndarray | None
    checks_ok: bool
    hints: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.corners is not None and self.checks_ok


class CaptureRefused(ValidationError):
    """A card or document shot failed its checks; ``result`` holds the verdict (nothing was stored)."""

    def __init__(self, result: QuadResult, message: str) -> None:
        super().__init__(message, "capture")
        self.result = result

    @property
    def hints(self) -> list[str]:
        return list(self.result.hints)


class NotACard(CaptureRefused):
    """What was rectified does not look like an ID card."""


def manual_result(corners: np.ndarray) -> QuadResult:
    """The verdict for corners the counsellor placed by hand (no finder, no checks of the outline)."""
    return QuadResult(np.asarray(corners, dtype=np.float32), True, [], {"manual": True})


def analyse_card(frame: np.ndarray) -> QuadResult:
    from app.photo import card

    corners = card.find_card(frame)
    quality = card.card_quality(frame, corners)
    return QuadResult(corners, quality.ok, quality.hints, quality.figures())


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise AppError("无法编码图像。")
    return buf.tobytes()


def _refused_message(hints: list[str]) -> str:
    return "未保存：" + "；".join(hints) + "。可调整后重拍，或填写理由放行。"


def store_card_side(capture: CaptureService, actor: Actor, key: str, side: str, frame: np.ndarray,
                    result: QuadResult, *, reason: str = "", manual: bool = False,
                    device: str = "") -> CaptureInfo:
    """Rectify the card ``result`` found in ``frame`` and store it as ``key``'s ``side``.

    Refused (``CaptureRefused``; ``NotACard`` when the rectified picture is no card), nothing
    stored, when a check fails and no ``reason`` is given.
    """
    from app.photo import card

    if side not in SIDES:
        raise ValidationError(f"未知的身份证面“{side}”。", "side")
    if result.corners is None:
        raise CaptureRefused(QuadResult(None, False, [NO_OUTLINE]), NO_OUTLINE + "。")
    reason = reason.strip()
    if not result.ok and not reason:
        raise CaptureRefused(result, _refused_message(list(result.hints)))
    corners = np.asarray(result.corners, dtype=np.float32)
    quality = dict(result.figures or {})
    image = card.rectify(frame, card.landscape_corners(corners), dpi=300)
    content = card.card_content(image, corners)
    quality.update(content.figures())
    if not content.ok and not reason:
        refused = QuadResult(corners, False, list(content.hints), quality)
        raise NotACard(refused, "未保存：" + "；".join(content.hints)
                       + "。请放好身份证重拍；确是身份证时填写理由放行。")
    data = encode_jpeg(image, 90)
    extra = {"corners": np.round(corners, 1).tolist(), "manual": manual}
    return capture.record(actor, key, side, data, "jpg", quality=quality, device=device,
                          width=int(image.shape[1]), height=int(image.shape[0]), override_reason=reason,
                          extra=extra)
