"""Supporting documents through the webcam: certificates (退役证, award certificates) flattened and filed.

The same steps as the ID card (``app.photo.card``) for a page of any size: find its outline,
correct the perspective to the page's own proportions at a chosen width, optionally make it look
scanned (even white paper, dark print, colours such as red seals kept), and encode it as a JPEG
no larger than a cap.

A page's true proportions cannot be read off its outline in the frame (tilting it changes them),
so ``page_aspect`` recovers them from the perspective itself, the way whiteboard scanners do:
the four corners of a rectangle fix the camera's focal length and the rectangle's aspect
(Zhang & He, "Whiteboard scanning and image enhancement", 2007). Close to an A-series page
(A4, A5: 1 : √2) the result snaps to it exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from app.photo.card import (
    HINT_BLUR,
    HINT_GLARE,
    ShotCheck,
    ShotQuality,
    corner_angles,
    find_quads,
    fit_outline,
    order_corners,
    sharpness_and_glare,
    warp,
)

HINT_FLAT = "请把证书放平"
HINT_CLOSER = "请把证书靠近一点"
HINT_NOT_FOUND = "未找到证书，请把证书整页放在画面中"

A_SERIES = math.sqrt(2)  # A4, A5, A3: long side over short side
DEFAULT_WIDTH = 1654  # A4 portrait at 200 dpi; plenty for reading a certificate, ~0.5 MB as JPEG
DEFAULT_MAX_BYTES = 800_000


def find_page(frame: np.ndarray, *, min_area_share: float = 0.15, min_support: float = 0.6) -> np.ndarray | None:
    """The largest page-like quadrilateral's corners (float32 (4, 2), TL TR BR BL as in the frame) or None.

    Any proportions are accepted; the page must cover ``min_area_share`` of the frame, lie wholly
    inside it, and its outline must be a clear edge along most of every side.
    """
    if frame is None or frame.size == 0:
        return None
    for quad in find_quads(frame, min_area_share=min_area_share):
        corners, support = fit_outline(frame, quad.corners)
        if support >= min_support:
            return order_corners(corners)
    return None


def default_page_corners(frame: np.ndarray, share: float = 0.85, aspect: float = 1 / A_SERIES) -> np.ndarray:
    """A centred rectangle of width/height ``aspect`` (A4 portrait by default) to drag into place."""
    h, w = frame.shape[:2]
    ph = h * share
    pw = ph * aspect
    if pw > w * share:
        pw = w * share
        ph = pw / aspect
    x0, y0 = (w - pw) / 2, (h - ph) / 2
    return np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]], dtype=np.float32)


def page_aspect(corners: np.ndarray, frame_size: tuple[int, int], *, snap: bool = True,
                snap_tolerance: float = 0.04) -> float:
    """Width over height (TL→TR over TL→BL) of the real page whose outline ``corners`` shows.

    ``frame_size`` is (width, height); the camera's principal point is taken at the frame's
    centre. Where the perspective is too weak to fix the focal length (a page facing the camera)
    a typical webcam's is used; the aspect hardly depends on it then.
    """
    tl, tr, br, bl = (np.array([p[0], p[1], 1.0]) for p in np.asarray(corners, dtype=np.float64).reshape(4, 2))
    u0, v0 = frame_size[0] / 2.0, frame_size[1] / 2.0
    m1, m2, m3, m4 = tl, tr, bl, br
    k2 = np.dot(np.cross(m1, m4), m3) / np.dot(np.cross(m2, m4), m3)
    k3 = np.dot(np.cross(m1, m4), m2) / np.dot(np.cross(m3, m4), m2)
    n2 = k2 * m2 - m1
    n3 = k3 * m3 - m1
    size = float(max(frame_size))
    # A webcam's focal length in pixels (about 64° across); used when the perspective cannot fix it.
    focal = 0.8 * size
    # The focal length follows from both vanishing points (where the page's opposite sides meet);
    # when either lies far outside the frame (sides nearly parallel) it is lost in the noise.
    near2 = abs(n2[2]) * size > 0.1 * math.hypot(n2[0], n2[1])
    near3 = abs(n3[2]) * size > 0.1 * math.hypot(n3[0], n3[1])
    if near2 and near3:
        f2 = -((n2[0] - u0 * n2[2]) * (n3[0] - u0 * n3[2]) + (n2[1] - v0 * n2[2]) * (n3[1] - v0 * n3[2])) \
            / (n2[2] * n3[2])
        if f2 > 0 and 0.3 * size <= math.sqrt(f2) <= 4 * size:
            focal = math.sqrt(f2)
    a_inv = np.linalg.inv(np.array([[focal, 0, u0], [0, focal, v0], [0, 0, 1.0]]))
    w2, h2 = a_inv @ n2, a_inv @ n3
    aspect = math.sqrt(float(w2 @ w2) / float(h2 @ h2))
    if snap:
        for known in (A_SERIES, 1 / A_SERIES):
            if abs(aspect / known - 1) <= snap_tolerance:
                return known
    return aspect


def rectify_page(frame: np.ndarray, corners: np.ndarray, width: int = DEFAULT_WIDTH, *,
                 aspect: float | None = None, snap: bool = True) -> np.ndarray:
    """The page flattened to ``width`` pixels across, its height from its own proportions.

    ``aspect`` (width/height) overrides the estimate from the perspective, for a page of known size.
    """
    if width <= 0:
        raise ValueError("width must be positive")
    pts = np.asarray(corners, dtype=np.float32).reshape(4, 2)
    if aspect is None:
        aspect = page_aspect(pts, (frame.shape[1], frame.shape[0]), snap=snap)
    return warp(frame, pts, int(width), max(1, round(width / aspect)))


def scan_look(image: np.ndarray, *, strength: float = 1.0) -> np.ndarray:
    """Even white paper and crisp print, as from a flatbed scanner; colours (red seals) are kept.

    Each channel is divided by an estimate of the paper under it (the print removed by a maximum
    filter, then smoothed), which takes out uneven light and shadows, then the levels are stretched
    so the paper is white. ``strength`` (0…1) blends with the original.
    """
    img = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    img = img[:, :, :3]
    h, w = img.shape[:2]
    # The paper varies slowly: estimate it on a quarter-size copy, which is also 16× faster.
    small = cv2.resize(img, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(5, (min(small.shape[:2]) // 40) | 1)
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.medianBlur(paper, 2 * k + 1)
    paper = cv2.GaussianBlur(paper, (0, 0), k / 4)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    flat = img.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0) * 255.0
    sample = flat[::4, ::4]  # the levels from every 16th pixel: the same figures, far faster
    low = float(np.percentile(sample, 1))
    high = min(255.0, float(np.percentile(sample, 60)))
    stretched = (flat - low) / max(high - low, 1.0) * 255.0
    out = np.clip(stretched, 0, 255)
    if strength < 1:
        out = strength * out + (1 - strength) * img.astype(np.float32)
    return out.astype(np.uint8)


def page_quality(frame: np.ndarray, corners: np.ndarray | None, *, min_sharpness: float = 40.0,
                 max_glare_share: float = 0.02, max_skew: float = 15.0,
                 min_area_share: float = 0.2) -> ShotQuality:
    """Sharpness, glare, skew and size of a page shot, with hints for the student."""
    if corners is None:
        return ShotQuality(checks=[ShotCheck("found", False, HINT_NOT_FOUND, 0.0)])
    pts = order_corners(corners).astype(np.float64)
    skew = max(abs(a - 90.0) for a in corner_angles(pts))
    share = float(cv2.contourArea(pts.astype(np.float32))) / float(frame.shape[0] * frame.shape[1])
    sharpness, glare = sharpness_and_glare(rectify_page(frame, pts, 800))
    sides = [np.linalg.norm(pts[(i + 1) % 4] - pts[i]) for i in range(4)]
    checks = [
        ShotCheck("found", True, "", 1.0),
        ShotCheck("flat", skew <= max_skew, HINT_FLAT, skew),
        ShotCheck("size", share >= min_area_share, HINT_CLOSER, share),
        ShotCheck("sharp", sharpness >= min_sharpness, HINT_BLUR, sharpness),
        ShotCheck("glare", glare <= max_glare_share, HINT_GLARE, glare),
    ]
    return ShotQuality(checks=checks, sharpness=sharpness, glare_share=glare, tilt=skew,
                       width_px=max((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2))


@dataclass(frozen=True)
class EncodedJpeg:
    data: bytes
    width: int
    height: int
    quality: int


def encode_jpeg(image: np.ndarray, max_bytes: int = DEFAULT_MAX_BYTES, *, max_quality: int = 92,
                min_quality: int = 50) -> EncodedJpeg:
    """The image as a baseline JPEG (no metadata) of at most ``max_bytes``.

    The highest quality in ``min_quality…max_quality`` that fits is found by bisection; when
    even the lowest is too big the image is scaled down until it fits.
    """
    if max_bytes < 2_000:
        raise ValueError("max_bytes below 2000 cannot hold a readable image")
    img = np.ascontiguousarray(image)
    for _ in range(12):
        best: tuple[int, bytes] | None = None
        lo, hi = min_quality, max_quality
        while lo <= hi:
            q = (lo + hi) // 2
            data = _jpeg(img, q)
            if len(data) <= max_bytes:
                best, lo = (q, data), q + 1
            else:
                hi = q - 1
        if best is not None:
            return EncodedJpeg(best[1], img.shape[1], img.shape[0], best[0])
        size = len(_jpeg(img, min_quality))
        scale = max(0.3, min(0.9, math.sqrt(max_bytes / size) * 0.95))
        img = cv2.resize(img, (max(8, round(img.shape[1] * scale)), max(8, round(img.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA)
    raise ValueError("image cannot be encoded within max_bytes")


def _jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()
