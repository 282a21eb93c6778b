"""ID cards through the webcam: find the card's outline, correct the perspective, judge the shot.

The resident identity card is an ISO/IEC 7810 ID-1 card, 85.60 × 53.98 mm with rounded corners.
``find_card`` returns the four corners of the card's outline (the sharp corners the rounded ones
stand in for, so the rectified image has the card's true size); ``rectify`` turns any four corners,
found or dragged by the counsellor, into an image of exactly 85.60 × 53.98 mm at a given dpi.

The quadrilateral search (``find_quads``, ``refine_corners``, ``warp``) is shared with
``app.photo.document``, which does the same for certificates of any aspect.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

CARD_WIDTH_MM = 85.60
CARD_HEIGHT_MM = 53.98
CARD_ASPECT = CARD_WIDTH_MM / CARD_HEIGHT_MM  # 1.5858
MM_PER_INCH = 25.4

HINT_FLAT = "请把身份证放平"
HINT_GLARE = "反光太强"
HINT_BLUR = "画面模糊"
HINT_CLOSER = "请把身份证靠近一点"
HINT_NOT_FOUND = "未找到身份证，请把身份证放在画面中央"

# Detection works on a copy no wider than this: enough for a card filling a third of the frame,
# and fast enough to run several times a second next to the live preview.
_WORK_WIDTH = 800


def card_size_px(dpi: float = 300) -> tuple[int, int]:
    """Width and height in pixels of an ID-1 card at ``dpi`` (1011 × 637 at 300 dpi)."""
    return _mm_to_px(CARD_WIDTH_MM, dpi), _mm_to_px(CARD_HEIGHT_MM, dpi)


def _mm_to_px(mm: float, dpi: float) -> int:
    # Whole pixels that fit inside the card: 53.98 mm at 300 dpi is 637.56 px, so 637.
    return math.floor(mm / MM_PER_INCH * dpi + 1e-6)


# -- corners ---------------------------------------------------------------------------------------
def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as float32 (4, 2) in the order top-left, top-right, bottom-right, bottom-left.

    The points are put in clockwise order around their centre, starting at the one nearest the
    frame's top-left (smallest x + y); this holds for any convex quadrilateral, tilted or not.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if pts.shape != (4, 2):
        raise ValueError(f"need four corner points, got {pts.shape[0]}")
    centre = pts.mean(axis=0)
    # Image y grows downwards, so increasing atan2 goes clockwise on screen.
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0).astype(np.float32)


def landscape_corners(corners: np.ndarray) -> np.ndarray:
    """The same quadrilateral, re-ordered so that TL→TR runs along a long side, the higher one.

    A card is wider than tall; when it lies rotated by up to ±90° in the frame this keeps the
    rectified image landscape and the right way up for rotations below 90°.
    """
    pts = order_corners(corners).astype(np.float64)
    lengths = [np.linalg.norm(pts[(i + 1) % 4] - pts[i]) for i in range(4)]
    long_first = (lengths[0] + lengths[2]) >= (lengths[1] + lengths[3])
    options = (0, 2) if long_first else (1, 3)
    # Of the two long sides, the one whose midpoint is higher on screen is the card's top.
    start = min(options, key=lambda i: (pts[i][1] + pts[(i + 1) % 4][1]))
    return np.roll(pts, -start, axis=0).astype(np.float32)


def default_corners(frame: np.ndarray, share: float = 0.7) -> np.ndarray:
    """A centred ID-1 rectangle covering ``share`` of the frame's limiting side.

    The starting outline the counsellor drags into place when detection fails.
    """
    h, w = frame.shape[:2]
    cw = w * share
    ch = cw / CARD_ASPECT
    if ch > h * share:
        ch = h * share
        cw = ch * CARD_ASPECT
    x0, y0 = (w - cw) / 2, (h - ch) / 2
    return np.array([[x0, y0], [x0 + cw, y0], [x0 + cw, y0 + ch], [x0, y0 + ch]], dtype=np.float32)


def quad_aspect(corners: np.ndarray) -> float:
    """Long over short side of a quadrilateral, each the mean of its two opposite sides."""
    pts = np.asarray(corners, dtype=np.float64).reshape(4, 2)
    s = [np.linalg.norm(pts[(i + 1) % 4] - pts[i]) for i in range(4)]
    a, b = (s[0] + s[2]) / 2, (s[1] + s[3]) / 2
    return max(a, b) / max(min(a, b), 1e-9)


def corner_angles(pts: np.ndarray) -> list[float]:
    out = []
    for i in range(4):
        u = pts[i - 1] - pts[i]
        v = pts[(i + 1) % 4] - pts[i]
        cos = float(np.dot(u, v) / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-9))
        out.append(math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    return out


def _grey(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


# -- finding quadrilaterals ------------------------------------------------------------------------
def _binary_views(small: np.ndarray) -> Iterator[np.ndarray]:
    """Several binary images in which an object's outline may appear as a closed contour.

    No single one works for every desk: edges find a card on a textured desk, thresholds find
    one whose edge is soft, and saturation separates a pale card from a coloured desk of the
    same brightness.
    """
    grey = _grey(small)
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    median = float(np.median(blurred))
    low, high = max(10.0, 0.5 * median), min(255.0, max(40.0, 1.2 * median))
    edges = cv2.Canny(blurred, low, high)
    yield cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=1)
    edges = cv2.Canny(blurred, 20, 60)
    yield cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    _, otsu = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield otsu
    yield 255 - otsu
    block = max(31, (min(grey.shape) // 8) | 1)
    adaptive = cv2.adaptiveThreshold(blurred, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -5)
    yield cv2.morphologyEx(adaptive, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if small.ndim == 3 and small.shape[2] >= 3:
        sat = cv2.GaussianBlur(cv2.cvtColor(small[:, :, :3], cv2.COLOR_BGR2HSV)[:, :, 1], (5, 5), 0)
        if float(sat.std()) > 8:
            _, s_otsu = cv2.threshold(sat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            yield s_otsu
            yield 255 - s_otsu


@dataclass
class Quad:
    corners: np.ndarray  # (4, 2) float32, TL TR BR BL, in the caller's frame coordinates
    contour: np.ndarray  # the outline it came from, in the caller's frame coordinates
    area_share: float


def find_quads(frame: np.ndarray, *, min_area_share: float = 0.05, max_area_share: float = 0.98,
               min_angle: float = 45.0, border: int = 2) -> list[Quad]:
    """Convex quadrilaterals in ``frame`` large enough to be a card or a page, best first by area.

    Quadrilaterals touching the frame's border are left out: an object cut off by the frame
    cannot be rectified, and the frame's own border is not an object.
    """
    h, w = frame.shape[:2]
    scale = min(1.0, _WORK_WIDTH / w)
    small = cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) \
        if scale < 1 else frame
    sh, sw = small.shape[:2]
    frame_area = float(sh * sw)
    found: list[Quad] = []
    for binary in _binary_views(small):
        contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
        for contour in contours:
            area = cv2.contourArea(contour)
            if not (min_area_share * frame_area <= area <= max_area_share * frame_area):
                continue
            hull = cv2.convexHull(contour)
            if area < 0.85 * cv2.contourArea(hull):
                continue  # a ragged blob (shadows, texture), not a flat object's outline
            peri = cv2.arcLength(hull, True)
            approx = None
            for eps in (0.02, 0.03, 0.045):
                candidate = cv2.approxPolyDP(hull, eps * peri, True)
                if len(candidate) == 4:
                    approx = candidate
                    break
            if approx is None or not cv2.isContourConvex(approx):
                continue
            pts = approx.reshape(4, 2).astype(np.float64)
            if (pts[:, 0].min() <= border or pts[:, 1].min() <= border
                    or pts[:, 0].max() >= sw - 1 - border or pts[:, 1].max() >= sh - 1 - border):
                continue
            ordered = order_corners(pts).astype(np.float64)
            if min(corner_angles(ordered)) < min_angle:
                continue
            refined = refine_corners(contour.reshape(-1, 2).astype(np.float64), ordered)
            if refined is None:
                continue
            found.append(Quad(corners=(refined / scale).astype(np.float32),
                              contour=(contour.reshape(-1, 2) / scale).astype(np.float32),
                              area_share=float(area / frame_area)))
    return _dedupe(found)


def _dedupe(quads: list[Quad]) -> list[Quad]:
    """The same outline comes out of several binary views; keep each once, the largest first."""
    quads = sorted(quads, key=lambda q: -q.area_share)
    kept: list[Quad] = []
    for q in quads:
        size = math.sqrt(cv2.contourArea(q.corners))
        if all(np.abs(q.corners - k.corners).max() > 0.03 * size for k in kept):
            kept.append(q)
    return kept


def refine_corners(contour: np.ndarray, corners: np.ndarray) -> np.ndarray | None:
    """Corners as the intersections of straight lines fitted to the middle of each side.

    The polygon approximation puts a vertex somewhere on a rounded corner's arc; a card's true
    (virtual) corner lies outside it, by about 0.4 × the radius (9 px for a card 600 px wide).
    Fitting each side away from the corners and intersecting the lines finds it, to sub-pixel
    precision on a clean edge.
    """
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 8:
            return None
        u = d / length
        n = np.array([-u[1], u[0]])
        rel = contour - a
        t = rel @ u
        dist = np.abs(rel @ n)
        keep = (t > 0.15 * length) & (t < 0.85 * length) & (dist < max(3.0, 0.04 * length))
        pts = contour[keep]
        if len(pts) < 5:
            lines.append((a, u))
            continue
        vx, vy, x0, y0 = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    out = np.zeros((4, 2), dtype=np.float64)
    for i in range(4):
        p = _intersect(lines[i - 1], lines[i])
        if p is None or np.linalg.norm(p - corners[i]) > 0.25 * np.linalg.norm(corners[(i + 1) % 4] - corners[i]):
            return None
        out[i] = p
    return out


def fit_outline(frame: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, float]:
    """Corners moved onto the edges near each side, measured at full resolution, and the edge support.

    The outline found in a shrunk, binarised copy is off by a pixel or two (binarisation puts the
    contour on one side of the edge, shrinking multiplies the error). Each side is re-measured
    along its normal in the original frame, to sub-pixel precision, and the lines re-intersected.

    The support (0…1) is the share of places along the weakest side where a clear edge was found:
    an object's outline has one all along; a ring that an adaptive threshold draws around a pale
    card on a pale desk, or a patch of wood grain, does not. Where a side cannot be measured the
    corners come back unchanged with support 0.
    """
    pts = order_corners(corners).astype(np.float64)
    grey = cv2.GaussianBlur(_grey(frame).astype(np.float32), (0, 0), 1.0)
    h, w = grey.shape
    lines = []
    support = 1.0
    for i in range(4):
        a, b = pts[i], pts[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        u = d / max(length, 1e-9)
        n = np.array([-u[1], u[0]])
        reach = max(5.0, 0.012 * length)
        offsets = np.arange(-reach, reach + 0.25, 0.5)
        ts = np.linspace(0.12, 0.88, 48)
        base = a[None, :] + ts[:, None] * d[None, :]
        samples = base[:, None, :] + offsets[None, :, None] * n[None, None, :]
        map_x = samples[..., 0].astype(np.float32)
        map_y = samples[..., 1].astype(np.float32)
        if map_x.min() < 0 or map_y.min() < 0 or map_x.max() > w - 1 or map_y.max() > h - 1:
            return pts.astype(np.float32), 0.0
        profile = cv2.remap(grey, map_x, map_y, cv2.INTER_LINEAR)
        deriv = np.abs(np.gradient(profile, axis=1))
        deriv[:, :2] = 0
        deriv[:, -2:] = 0
        peak = deriv.argmax(axis=1)
        strength = deriv[np.arange(len(ts)), peak]
        # 3 grey levels per half pixel after the blur: a contrast of about 15 levels across the
        # edge, far above sensor noise, well below a card on any desk a person can see it on.
        clear = (strength >= 3.0) & (strength > 0.4 * float(np.median(strength)))
        support = min(support, float(clear.mean()))
        if clear.sum() < 8:
            return pts.astype(np.float32), 0.0
        rows, k = np.nonzero(clear)[0], peak[clear]
        left, mid, right = deriv[rows, k - 1], deriv[rows, k], deriv[rows, k + 1]
        denom = left - 2 * mid + right
        sub = np.where(np.abs(denom) > 1e-9, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
        off = offsets[k] + np.clip(sub, -0.5, 0.5) * 0.5
        edge = base[rows] + off[:, None] * n[None, :]
        vx, vy, x0, y0 = cv2.fitLine(edge.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    out = np.zeros((4, 2), dtype=np.float64)
    for i in range(4):
        p = _intersect(lines[i - 1], lines[i])
        if p is None or np.linalg.norm(p - pts[i]) > 0.1 * np.linalg.norm(pts[(i + 1) % 4] - pts[i]):
            return pts.astype(np.float32), 0.0
        out[i] = p
    return out.astype(np.float32), support


def _intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    (p, r), (q, s) = l1, l2
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / cross
    return p + t * r


# -- the card --------------------------------------------------------------------------------------
def find_card(frame: np.ndarray, *, min_area_share: float = 0.05,
              aspect_range: tuple[float, float] = (1.25, 2.05), min_support: float = 0.6) -> np.ndarray | None:
    """The ID card's corners (float32 (4, 2), TL TR BR BL, TL→TR a long side) or ``None``.

    A candidate must be a convex quadrilateral covering at least ``min_area_share`` of the frame
    whose long/short ratio lies in ``aspect_range`` (ID-1 is 1.586; tilting the card towards the
    camera shortens one direction, hence the wide band). Of several, the one closest to the ID-1
    shape wins, larger ones breaking near-ties. Its outline must lie on a clear edge along at
    least ``min_support`` of every side (see ``fit_outline``).
    """
    if frame is None or frame.size == 0:
        return None
    best, best_score = None, -math.inf
    for quad in find_quads(frame, min_area_share=min_area_share):
        aspect = quad_aspect(quad.corners)
        if not (aspect_range[0] <= aspect <= aspect_range[1]):
            continue
        if _side_ratio(quad.corners) < 0.6:
            continue  # one side far shorter than its opposite: steeper than anyone holds a card
        corners, support = fit_outline(frame, quad.corners)
        if support < min_support:
            continue
        shape = abs(math.log(quad_aspect(corners) / CARD_ASPECT))
        score = -shape * 10 + math.log(quad.area_share) + support
        if score > best_score:
            best, best_score = corners, score
    return None if best is None else landscape_corners(best)


def _side_ratio(corners: np.ndarray) -> float:
    pts = np.asarray(corners, dtype=np.float64).reshape(4, 2)
    s = [np.linalg.norm(pts[(i + 1) % 4] - pts[i]) for i in range(4)]
    return min(min(s[0], s[2]) / max(s[0], s[2], 1e-9), min(s[1], s[3]) / max(s[1], s[3], 1e-9))


def warp(frame: np.ndarray, corners: np.ndarray, width: int, height: int) -> np.ndarray:
    """The quadrilateral ``corners`` (TL TR BR BL) mapped onto a ``width`` × ``height`` image.

    The corners are the outline's outer corners, so they map to the outer corners of the first and
    last pixels (pixel centres are at integer coordinates). A large source is shrunk with area
    averaging first, which ``warpPerspective`` alone would alias.
    """
    src = np.asarray(corners, dtype=np.float64).reshape(4, 2)
    s = [np.linalg.norm(src[(i + 1) % 4] - src[i]) for i in range(4)]
    shrink = min(1.0, 1.5 * max(width / max(s[0], s[2], 1), height / max(s[1], s[3], 1)))
    if shrink < 0.75:
        h, w = frame.shape[:2]
        frame = cv2.resize(frame, (max(1, round(w * shrink)), max(1, round(h * shrink))),
                           interpolation=cv2.INTER_AREA)
        src = src * np.array([frame.shape[1] / w, frame.shape[0] / h])
    src = src - 0.5
    dst = np.array([[-0.5, -0.5], [width - 0.5, -0.5], [width - 0.5, height - 0.5], [-0.5, height - 0.5]])
    matrix = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
    return cv2.warpPerspective(frame, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def rectify(frame: np.ndarray, corners: np.ndarray, dpi: float = 300) -> np.ndarray:
    """The card flattened to exactly 85.60 × 53.98 mm at ``dpi`` (1011 × 637 px at 300 dpi).

    ``corners`` are TL, TR, BR, BL of the card as it should appear (from ``find_card`` or dragged
    by the counsellor); TL→TR becomes the card's top edge.
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    width, height = card_size_px(dpi)
    return warp(frame, corners, width, height)


# -- quality ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShotCheck:
    name: str  # found | flat | size | sharp | glare
    ok: bool
    hint_zh: str
    value: float


@dataclass
class ShotQuality:
    """How good a card shot is, with the hints to show the student."""

    checks: list[ShotCheck] = field(default_factory=list)
    sharpness: float = 0.0
    glare_share: float = 0.0
    tilt: float = 0.0  # degrees, estimated from the corners' angles and the visible aspect
    width_px: float = 0.0  # the card's long side in the frame

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def hints(self) -> list[str]:
        return [c.hint_zh for c in self.checks if not c.ok]

    def figures(self) -> dict[str, float | bool]:
        """Plain numbers for the capture record."""
        return {"sharpness": round(self.sharpness, 1), "glare_share": round(self.glare_share, 4),
                "tilt": round(self.tilt, 1), "width_px": round(self.width_px, 1), "ok": self.ok}


@dataclass(frozen=True)
class QualityLimits:
    min_sharpness: float = 60.0  # variance of the Laplacian of the card at 100 dpi
    max_glare_share: float = 0.02  # share of the card's pixels blown out to white
    max_tilt: float = 20.0  # degrees the card may lean away from facing the camera
    min_width_px: float = 420.0  # the card's long side in the frame; below this text is unreadable


def sharpness_and_glare(image: np.ndarray, margin: int = 6) -> tuple[float, float]:
    """Variance of the Laplacian, and the share of pixels blown out to white, of a rectified shot.

    The margin leaves out the outline, a strong edge even in a blurred shot.
    """
    inner = image[margin:-margin, margin:-margin]
    sharpness = float(cv2.Laplacian(_grey(inner), cv2.CV_64F).var())
    blown = inner[:, :, :3].min(axis=2) >= 250 if inner.ndim == 3 else inner >= 250
    return sharpness, float(blown.mean())


def card_quality(frame: np.ndarray, corners: np.ndarray | None,
                 limits: QualityLimits = QualityLimits()) -> ShotQuality:
    """Sharpness, glare and tilt of the card in ``frame``; ``corners=None`` means not found."""
    if corners is None:
        return ShotQuality(checks=[ShotCheck("found", False, HINT_NOT_FOUND, 0.0)])
    pts = np.asarray(corners, dtype=np.float64).reshape(4, 2)
    # Tilting the card away from the camera shows two ways: the corners stop being right angles
    # (tilt off the camera's axis) and the visible aspect shrinks by the cosine of the tilt.
    skew = max(abs(a - 90.0) for a in corner_angles(pts))
    aspect = quad_aspect(pts)
    squeeze = min(aspect, CARD_ASPECT) / max(aspect, CARD_ASPECT)
    tilt = max(skew, math.degrees(math.acos(squeeze)))
    sides = [np.linalg.norm(pts[(i + 1) % 4] - pts[i]) for i in range(4)]
    width_px = max((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
    sharpness, glare = sharpness_and_glare(rectify(frame, pts, dpi=100))
    checks = [
        ShotCheck("found", True, "", 1.0),
        ShotCheck("flat", tilt <= limits.max_tilt, HINT_FLAT, tilt),
        ShotCheck("size", width_px >= limits.min_width_px, HINT_CLOSER, width_px),
        ShotCheck("sharp", sharpness >= limits.min_sharpness, HINT_BLUR, sharpness),
        ShotCheck("glare", glare <= limits.max_glare_share, HINT_GLARE, glare),
    ]
    return ShotQuality(checks=checks, sharpness=sharpness, glare_share=glare, tilt=tilt, width_px=width_px)


# -- does it look like an ID card? -----------------------------------------------------------------
HINT_NOT_CARD_SHAPE = "标出的四边形不像身份证（长宽比 {aspect:.2f}，身份证约为 1.59），请重新标角或确认放的是身份证"
HINT_NO_TEXT = "画面中看不到身份证上的文字行，可能不是身份证（例如照片或其他卡片）"
_ASPECT_RANGE = (1.3, 1.95)  # what a card photographed at a slant can show; a portrait photo is far off
_MIN_TEXT_ROWS = 2  # both sides carry at least two lines of print (name, address … / 签发机关, 有效期限)


@dataclass(frozen=True)
class CardContent:
    """Whether a rectified capture looks like an ID-1 card: the outline's aspect and its lines of print."""

    aspect: float
    text_rows: int
    hints: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.hints

    def figures(self) -> dict[str, float | int | bool]:
        return {"aspect": round(self.aspect, 3), "text_rows": self.text_rows, "looks_like_card": self.ok}


def text_rows(image: np.ndarray) -> int:
    """Rows of print on a rectified card (300 dpi): dark strokes merged along the line into wide,
    low blobs, counted once per row. A face or a blank sheet has none."""
    grey = _grey(image)
    h, w = grey.shape
    inner = grey[int(h * 0.04):int(h * 0.96), int(w * 0.03):int(w * 0.97)]
    ink = cv2.adaptiveThreshold(inner, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, w // 40), 3))
    merged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel)
    count, _labels, stats, _centres = cv2.connectedComponentsWithStats(merged)
    centres = []
    for i in range(1, count):
        _x, y, bw, bh, area = stats[i]
        if bw >= 0.12 * w and 0.015 * h <= bh <= 0.12 * h and bw >= 3 * bh and area >= 0.25 * bw * bh:
            centres.append(y + bh / 2)
    rows: list[float] = []
    for c in sorted(centres):
        if not rows or c - rows[-1] > 0.03 * h:
            rows.append(c)
    return len(rows)


def card_content(image: np.ndarray, corners: np.ndarray) -> CardContent:
    """``image``: the card rectified from ``corners`` (as ``rectify`` makes it)."""
    aspect = quad_aspect(corners)
    rows = text_rows(image)
    hints = []
    if not _ASPECT_RANGE[0] <= aspect <= _ASPECT_RANGE[1]:
        hints.append(HINT_NOT_CARD_SHAPE.format(aspect=aspect))
    if rows < _MIN_TEXT_ROWS:
        hints.append(HINT_NO_TEXT)
    return CardContent(aspect, rows, hints)
