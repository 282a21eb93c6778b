"""A certificate at the table (F5: 退役证, 获奖证书 or another document): the page found in the frame,
flattened to 2000 px on its long side, and stored under its kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.errors import ValidationError
from app.station.card import CaptureRefused, QuadResult, encode_jpeg

if TYPE_CHECKING:
    from app.auth import Actor
    from app.station.capture import CaptureInfo, CaptureService

DOCUMENT_NOT_FOUND = "未找到材料边缘，请把材料平放在画面中央"
LONG_PX = 2000  # the flattened page's long side


def analyse_document(frame: np.ndarray) -> QuadResult:
    """The largest four-sided outline covering at least 15% of the frame."""
    from app.photo import card

    quads = card.find_quads(frame, min_area_share=0.15)
    corners = card.order_corners(max(quads, key=lambda q: q.area_share).corners) if quads else None
    hints = [] if corners is not None else [DOCUMENT_NOT_FOUND]
    return QuadResult(corners, corners is not None, hints)


def flatten(frame: np.ndarray, corners: np.ndarray, long_px: int = LONG_PX) -> np.ndarray:
    """The page within ``corners``, warped flat with its own aspect, ``long_px`` on its long side."""
    from app.photo import card

    corners = np.asarray(corners, dtype=np.float32)
    aspect = card.quad_aspect(corners)
    pts = card.order_corners(corners)
    wide = np.linalg.norm(pts[1] - pts[0]) >= np.linalg.norm(pts[3] - pts[0])
    w, h = (long_px, round(long_px / aspect)) if wide else (round(long_px / aspect), long_px)
    return card.warp(frame, pts, w, h)


def store_document(capture: CaptureService, actor: Actor, key: str, kind: str, frame: np.ndarray,
                   result: QuadResult, *, reason: str = "", manual: bool = False,
                   device: str = "") -> CaptureInfo:
    """Flatten the page ``result`` found and store it as ``key``'s document of ``kind``
    (``DOCUMENT_KINDS``). Refused, nothing stored, without an outline."""
    from app.station.capture import DOCUMENT_KINDS

    if kind not in DOCUMENT_KINDS:
        raise ValidationError(f"未知的材料类型“{kind}”。", "subkind")
    if result.corners is None:
        raise CaptureRefused(QuadResult(None, False, [DOCUMENT_NOT_FOUND]), DOCUMENT_NOT_FOUND + "。")
    reason = reason.strip()
    if not result.ok and not reason:
        raise CaptureRefused(result, "未保存：" + "；".join(result.hints) + "。")
    corners = np.asarray(result.corners, dtype=np.float32)
    image = flatten(frame, corners)
    data = encode_jpeg(image, 90)
    extra = {"corners": np.round(corners, 1).tolist(), "manual": manual}
    return capture.record(actor, key, "document", data, "jpg", subkind=kind, quality=dict(result.figures or {}),
                          device=device, width=int(image.shape[1]), height=int(image.shape[0]),
                          override_reason=reason, extra=extra)
