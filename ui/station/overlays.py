"""The station's preview overlays: callables ``(painter, mapping, result)`` the preview calls while
painting — the photo guidance (the crop the analysis proposes with the spec's bands inside it,
or a fixed centred guide while no face is found; ``photo_guide`` computes it) and the card or
document outline (``quad_overlay``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPainterPath,
    QPolygonF,
)

from ui.station.frames import FrameMapping, pen


def guide_rect(frame_w: int, frame_h: int, spec: Any, share: float = 0.92) -> tuple[float, float, float, float]:
    """The part of the frame that becomes the photo when the head sits where the guide shows.

    The guide is the largest spec-shaped (3:4) rectangle covering ``share`` of the frame's height,
    centred: the student fills it the way the finished photo must be filled.
    """
    h = frame_h * share
    w = h * spec.width / spec.height
    if w > frame_w * share:
        w = frame_w * share
        h = w * spec.height / spec.width
    return (frame_w - w) / 2, (frame_h - h) / 2, w, h


@dataclass(frozen=True)
class PhotoGuide:
    """What the photo overlay draws, in frame pixels.

    ``crop`` (x, y, w, h) is the photo's rectangle: the analysis's proposed crop when a face was
    found (``follows_face``), else the fixed centred guide. The bands are (top, bottom) rows inside
    that crop; ``head`` (x, y, w, h) is the oval the head should fill.
    """

    crop: tuple[float, float, float, float]
    eye_band: tuple[float, float]
    hair_band: tuple[float, float]
    eye_y: float
    head: tuple[float, float, float, float]
    follows_face: bool


def _clamp_rect(x: float, y: float, w: float, h: float, frame_w: int, frame_h: int
                ) -> tuple[float, float, float, float]:
    x0, y0 = min(max(x, 0.0), float(frame_w)), min(max(y, 0.0), float(frame_h))
    x1, y1 = min(max(x + w, x0), float(frame_w)), min(max(y + h, y0), float(frame_h))
    return x0, y0, x1 - x0, y1 - y0


def photo_guide(result: Any, spec: Any, frame_w: int, frame_h: int) -> PhotoGuide:
    """The overlay's geometry for one analysis of a ``frame_w`` × ``frame_h`` frame.

    The crop comes from the analysis only when it judged a frame of this size (a result left over
    from another camera mode or resolution would be drawn in the wrong place).
    """
    crop = getattr(result, "crop", None)
    size = tuple(getattr(result, "frame_size", (0, 0)) or (0, 0))
    follows = (crop is not None and face_box(result) is not None and size == (frame_w, frame_h)
               and crop.width > 0 and crop.height > 0)
    if follows:
        gx, gy, gw, gh = _clamp_rect(crop.x, crop.y, crop.width, crop.height, frame_w, frame_h)
        if gw <= 0 or gh <= 0:
            follows = False
    if not follows:
        gx, gy, gw, gh = guide_rect(frame_w, frame_h, spec)
    s = gh / spec.height  # frame pixels per photo pixel

    def rows(band: tuple[float, float]) -> tuple[float, float]:
        return min(gy + band[0] * s, gy + gh), min(gy + band[1] * s, gy + gh)

    eye_band, hair_band = rows(spec.eye_line), rows(spec.hair_top)
    # The head: an oval as wide as the middle of the allowed face widths, from the middle of the hair
    # band down to as far below the eyes as the eyes are below the hair, kept inside the crop.
    face_w = min((spec.face_width[0] + spec.face_width[1]) / 2 * s, gw)
    top = (hair_band[0] + hair_band[1]) / 2
    eyes = (eye_band[0] + eye_band[1]) / 2
    bottom = min(eyes + (eyes - top) * 1.25, gy + gh)
    head = (gx + (gw - face_w) / 2, top, face_w, bottom - top)
    return PhotoGuide((gx, gy, gw, gh), eye_band, hair_band, eyes, head, follows)


class PhotoOverlay:
    """Draws the photo guidance: the crop the photo would be (the analysis's when it found a face),
    the hair and eye bands inside it, the head oval and the face that was found.

    ``last_guide`` (frame pixels) and ``last_rect`` (widget pixels) record the crop last drawn.
    """

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.last_guide: PhotoGuide | None = None
        self.last_rect: QRectF | None = None

    def __call__(self, p: QPainter, m: FrameMapping, result: Any) -> None:
        g = photo_guide(result, self.spec, m.frame_w, m.frame_h)
        full = m.rect(0, 0, m.frame_w, m.frame_h)
        guide = m.rect(*g.crop)
        self.last_guide, self.last_rect = g, guide
        p.save()
        p.setClipRect(full)  # nothing spills onto the letterbox bars around the frame
        # Dim what will be cropped away.
        outside = QPainterPath()
        outside.addRect(full)
        inside = QPainterPath()
        inside.addRect(guide)
        p.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 90))
        gx, _gy, gw, _gh = g.crop
        p.fillRect(m.rect(gx, g.hair_band[0], gw, g.hair_band[1] - g.hair_band[0]), QColor(102, 204, 255, 50))
        p.fillRect(m.rect(gx, g.eye_band[0], gw, g.eye_band[1] - g.eye_band[0]), QColor(255, 209, 102, 60))
        ok = bool(getattr(result, "ok", False))
        if g.follows_face:
            p.setPen(pen("#2ec27e" if ok else "#ffffff", 3 if ok else 2, dashed=not ok))
        else:
            p.setPen(pen("#ffffff", 2, dashed=True))
        p.drawRect(guide)
        p.setPen(pen("#ffd166", 3))
        p.drawEllipse(m.rect(*g.head))
        p.setPen(pen("#ffd166", 1, dashed=True))
        p.drawLine(m.point(gx, g.eye_y), m.point(gx + gw, g.eye_y))
        face = face_box(result)
        if face is not None:
            p.setPen(pen("#2ec27e" if ok else "#e01b24", 3))
            p.drawRect(m.rect(*face))
        p.restore()


def photo_overlay(spec: Any) -> PhotoOverlay:
    """The photo guidance overlay for ``spec`` (see ``PhotoOverlay``)."""
    return PhotoOverlay(spec)


def face_box(result: Any) -> tuple[float, float, float, float] | None:
    """The face rectangle (x, y, w, h in frame pixels) of a photo analysis, if one was found."""
    if result is None:
        return None
    for name in ("face", "face_box", "face_rect"):
        box = getattr(result, name, None)
        if box is not None:
            values = [getattr(box, k) for k in ("x", "y", "w", "h")] if hasattr(box, "w") else list(box)
            if len(values) == 4:
                return tuple(float(v) for v in values)  # type: ignore[return-value]
    return None


def check_hints(result: Any) -> list[str]:
    """The hints of the failed checks, in the analysis's order, without repeats."""
    out: list[str] = []
    for check in getattr(result, "checks", None) or []:
        hint = getattr(check, "hint_zh", "") or getattr(check, "hint", "")
        if not check.ok and hint and hint not in out:
            out.append(hint)
    return out


def quad_overlay(p: QPainter, m: FrameMapping, result: Any) -> None:
    """The card (or document) outline found in the frame: green when good enough to keep."""
    corners = getattr(result, "corners", None)
    if corners is None:
        return
    ok = bool(getattr(result, "ok", False))
    poly = QPolygonF([m.point(float(x), float(y)) for x, y in np.asarray(corners).reshape(4, 2)])
    p.setPen(pen("#2ec27e" if ok else "#ffd166", 3))
    p.drawPolygon(poly)
