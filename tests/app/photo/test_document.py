"""Certificate capture: synthetic pages photographed at known poses through a pinhole camera."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from app.photo import document as d

PX_PER_MM = 4
SIZE = (1280, 720)
FOCAL = 1000.0


def make_page(width_mm: float, height_mm: float, seed: int = 4) -> np.ndarray:
    """A certificate: cream paper, a double border, a title, lines of text and a red seal."""
    rng = np.random.default_rng(seed)
    w, h = round(width_mm * PX_PER_MM), round(height_mm * PX_PER_MM)
    page = np.full((h, w, 3), (215, 235, 245), np.uint8)
    cv2.rectangle(page, (20, 20), (w - 21, h - 21), (40, 90, 160), 6)
    cv2.rectangle(page, (34, 34), (w - 35, h - 35), (40, 90, 160), 2)
    cv2.putText(page, "CERTIFICATE", (w // 2 - 230, 140), cv2.FONT_HERSHEY_TRIPLEX, 2.0, (30, 30, 150), 3,
                cv2.LINE_AA)
    y = 230
    while y < h - 200:
        words = "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ "), 28))
        cv2.putText(page, words, (80, y), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (30, 30, 30), 2, cv2.LINE_AA)
        y += 70
    cv2.circle(page, (w - 200, h - 170), 90, (40, 40, 200), 6, cv2.LINE_AA)
    cv2.putText(page, "SEAL", (w - 255, h - 155), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (40, 40, 200), 3, cv2.LINE_AA)
    return page


def make_desk(seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIZE[1], 0:SIZE[0]].astype(np.float32)
    grain = np.sin(yy / 4.0 + 5 * np.sin(xx / 170.0)) * 9
    desk = np.dstack([50 + grain * 0.5, 85 + grain * 0.8, 125 + grain])
    return np.clip(desk + rng.normal(0, 3, desk.shape), 0, 255).astype(np.uint8)


def homography(page_shape: tuple[int, int], rot: float, tilt_x: float, tilt_y: float, distance: float,
               shift=(0.0, 0.0)) -> np.ndarray:
    h_px, w_px = page_shape
    a, b, g = (math.radians(v) for v in (tilt_x, tilt_y, rot))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]])
    r = rz @ ry @ rx
    k = np.array([[FOCAL, 0, SIZE[0] / 2], [0, FOCAL, SIZE[1] / 2], [0, 0, 1]])
    to_plane = np.array([[1 / PX_PER_MM, 0, -w_px / PX_PER_MM / 2], [0, 1 / PX_PER_MM, -h_px / PX_PER_MM / 2],
                         [0, 0, 1]])
    return k @ np.column_stack([r[:, 0], r[:, 1], [shift[0], shift[1], distance]]) @ to_plane


def scene(page: np.ndarray, h: np.ndarray, *, light: bool = False, seed: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    warped = cv2.warpPerspective(page, h, SIZE, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(page.shape[:2], 255, np.uint8), h, SIZE, flags=cv2.INTER_LINEAR)
    alpha = mask.astype(np.float32)[..., None] / 255
    out = make_desk().astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    if light:  # a lamp on one side: the far side of the page a third darker
        ramp = np.clip(np.linspace(1.6, 0.2, SIZE[0], dtype=np.float32), 0.5, 1.0)[None, :, None]
        out = out * ramp
    out = cv2.GaussianBlur(out, (0, 0), 0.8) + rng.normal(0, 3, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def corners_of(page: np.ndarray, h: np.ndarray) -> np.ndarray:
    ph, pw = page.shape[:2]
    box = np.array([[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5], [-0.5, ph - 0.5]])
    return cv2.perspectiveTransform(box.reshape(-1, 1, 2), h).reshape(-1, 2)


def ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64)
    b = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / math.sqrt((a * a).sum() * (b * b).sum()))


def similarity(flat: np.ndarray, page: np.ndarray) -> float:
    """NCC at about the resolution the camera saw the page (≈ 420 px across): finer detail than that
    was never in the frame, so comparing it would measure the camera, not the rectification."""
    scale = 420 / flat.shape[1]
    size = (420, round(flat.shape[0] * scale))
    a = cv2.GaussianBlur(cv2.resize(flat, size, interpolation=cv2.INTER_AREA), (0, 0), 1.5)
    b = cv2.GaussianBlur(cv2.resize(page, size, interpolation=cv2.INTER_AREA), (0, 0), 1.5)
    return ncc(a[10:-10, 10:-10], b[10:-10, 10:-10])


A4 = make_page(210, 297)
POSES = {
    "facing": dict(rot=0, tilt_x=0, tilt_y=0, distance=480),
    "rotated": dict(rot=12, tilt_x=0, tilt_y=0, distance=500),
    "tilted": dict(rot=-6, tilt_x=18, tilt_y=-12, distance=470, shift=(20, 10)),
    "steep": dict(rot=20, tilt_x=-25, tilt_y=20, distance=600, shift=(-20, 0)),
}


@pytest.mark.parametrize("pose", list(POSES))
def test_find_page_and_its_a4_aspect(pose: str) -> None:
    h = homography(A4.shape[:2], **POSES[pose])
    frame = scene(A4, h)
    found = d.find_page(frame)
    assert found is not None
    assert np.linalg.norm(found - corners_of(A4, h), axis=1).max() < 3.0
    raw = d.page_aspect(found, SIZE, snap=False)
    assert raw == pytest.approx(210 / 297, rel=0.03)
    assert d.page_aspect(found, SIZE) == 1 / d.A_SERIES


def test_the_aspect_comes_from_the_perspective_not_the_outline() -> None:
    # Tilted 30° about the vertical axis the outline is far narrower than the page.
    page = make_page(240, 180)
    h = homography(page.shape[:2], rot=5, tilt_x=0, tilt_y=30, distance=480)
    corners = corners_of(page, h)
    side = lambda i: np.linalg.norm(corners[(i + 1) % 4] - corners[i])  # noqa: E731
    naive = (side(0) + side(2)) / (side(1) + side(3))
    assert abs(naive / (4 / 3) - 1) > 0.08
    assert d.page_aspect(corners, SIZE) == pytest.approx(4 / 3, rel=0.02)


def test_rectified_page_matches_the_original() -> None:
    h = homography(A4.shape[:2], **POSES["tilted"])
    frame = scene(A4, h)
    flat = d.rectify_page(frame, d.find_page(frame), width=A4.shape[1])
    assert flat.shape == A4.shape
    assert similarity(flat, A4) > 0.93
    assert similarity(cv2.flip(flat, 0), A4) < 0.6


def test_rectify_page_with_a_given_aspect_and_width() -> None:
    h = homography(A4.shape[:2], **POSES["rotated"])
    frame = scene(A4, h)
    corners = corners_of(A4, h).astype(np.float32)
    assert d.rectify_page(frame, corners, 1000).shape[:2] == (1414, 1000)
    assert d.rectify_page(frame, corners, 600, aspect=2.0).shape[:2] == (300, 600)
    with pytest.raises(ValueError):
        d.rectify_page(frame, corners, 0)


def test_landscape_certificate() -> None:
    page = make_page(297, 210)
    h = homography(page.shape[:2], rot=-8, tilt_x=15, tilt_y=0, distance=560)
    frame = scene(page, h)
    found = d.find_page(frame)
    assert found is not None
    flat = d.rectify_page(frame, found, width=page.shape[1])
    assert flat.shape[:2] == (round(page.shape[1] / d.A_SERIES), page.shape[1])
    expected = cv2.resize(page, (flat.shape[1], flat.shape[0]), interpolation=cv2.INTER_AREA)
    assert similarity(flat, expected) > 0.93


def test_no_page() -> None:
    assert d.find_page(make_desk()) is None
    assert d.page_quality(make_desk(), None).hints == [d.HINT_NOT_FOUND]


def test_default_page_corners() -> None:
    corners = d.default_page_corners(np.zeros((720, 1280, 3), np.uint8))
    w, h = corners[1, 0] - corners[0, 0], corners[3, 1] - corners[0, 1]
    assert w / h == pytest.approx(1 / d.A_SERIES) and h == pytest.approx(0.85 * 720)
    assert corners.mean(axis=0) == pytest.approx([640, 360])


def test_scan_look_evens_the_light_and_keeps_the_print() -> None:
    h = homography(A4.shape[:2], **POSES["facing"])
    frame = scene(A4, h, light=True)
    flat = d.rectify_page(frame, d.find_page(frame), width=A4.shape[1])
    scanned = d.scan_look(flat)
    assert scanned.shape == flat.shape and scanned.dtype == np.uint8
    # Bare paper, left and right of the text block, well inside the border.
    paper = (slice(900, 1000), slice(45, 75)), (slice(900, 1000), slice(770, 800))
    before = [cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY)[p].mean() for p in paper]
    after = [cv2.cvtColor(scanned, cv2.COLOR_BGR2GRAY)[p].mean() for p in paper]
    assert abs(before[0] - before[1]) > 40
    assert abs(after[0] - after[1]) < 10 and min(after) > 230
    text = cv2.cvtColor(scanned, cv2.COLOR_BGR2GRAY) < 100
    assert 0.005 < text.mean() < 0.2  # the print survives as dark strokes
    seal = scanned[A4.shape[0] - 170, A4.shape[1] - 290 - 0: A4.shape[1] - 110]
    assert (seal[:, 2].astype(int) - seal[:, 0].astype(int)).max() > 80  # the red seal is still red
    half = d.scan_look(flat, strength=0.5)
    assert np.abs(half.astype(int) - (flat.astype(int) + scanned.astype(int)) / 2).max() <= 1.0


def test_encode_jpeg_within_the_cap() -> None:
    rng = np.random.default_rng(1)
    img = cv2.GaussianBlur(rng.integers(0, 255, (1200, 900, 3), dtype=np.uint8), (0, 0), 1.2)
    big = d.encode_jpeg(img, max_bytes=10_000_000)
    assert big.quality == 92 and (big.width, big.height) == (900, 1200)
    capped = d.encode_jpeg(img, max_bytes=300_000)
    assert len(capped.data) <= 300_000 and 50 <= capped.quality < 92
    assert (capped.width, capped.height) == (900, 1200)
    # One step of quality more would not have fitted: the search found the best.
    ok, more = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, capped.quality + 1])
    assert ok and len(more) > 300_000
    tiny = d.encode_jpeg(img, max_bytes=40_000)
    assert len(tiny.data) <= 40_000 and tiny.width < 900
    decoded = cv2.imdecode(np.frombuffer(tiny.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (tiny.height, tiny.width, 3)
    assert tiny.data[:4] == b"\xff\xd8\xff\xe0" and b"Exif" not in tiny.data[:200]
    with pytest.raises(ValueError):
        d.encode_jpeg(img, max_bytes=100)


def test_page_quality() -> None:
    h = homography(A4.shape[:2], **POSES["rotated"])
    frame = scene(A4, h)
    corners = d.find_page(frame)
    good = d.page_quality(frame, corners)
    assert good.ok, good.checks
    assert d.page_quality(cv2.GaussianBlur(frame, (0, 0), 4), corners).hints == [d.HINT_BLUR]
    far = homography(A4.shape[:2], rot=0, tilt_x=0, tilt_y=0, distance=1100)
    far_frame = scene(A4, far)
    assert d.HINT_CLOSER in d.page_quality(far_frame, d.find_page(far_frame, min_area_share=0.05)).hints
