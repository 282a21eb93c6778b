"""ID-card capture: synthetic desk scenes with a card put down at a known pose.

Each scene draws an ID-1 card (10 px per mm, rounded corners, text, a photo box, a guilloche-like
pattern) and projects it through a pinhole camera onto a wood-grain desk, so the true corners are
known exactly; then noise and blur as a webcam adds them.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from app.photo import card as c

PX_PER_MM = 10
CARD_W, CARD_H = round(c.CARD_WIDTH_MM * PX_PER_MM), round(c.CARD_HEIGHT_MM * PX_PER_MM)


def make_card(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:CARD_H, 0:CARD_W].astype(np.float32)
    base = np.dstack([
        215 + 15 * np.sin(xx / 37.0) * np.cos(yy / 23.0),
        212 + 10 * np.cos(xx / 51.0 + yy / 70.0),
        200 + 12 * np.sin((xx + yy) / 45.0),
    ])
    img = np.clip(base, 0, 245).astype(np.uint8)
    for k in range(12):  # a guilloche-like band of sine curves
        pts = [(x, int(300 + 40 * math.sin(x / 60.0 + k * 0.5) + k * 6)) for x in range(0, CARD_W, 8)]
        cv2.polylines(img, [np.array(pts, np.int32)], False, (180, 170, 150), 1, cv2.LINE_AA)
    cv2.rectangle(img, (570, 90), (800, 380), (170, 170, 175), -1)  # the holder's photo
    cv2.ellipse(img, (685, 215), (70, 90), 0, 0, 360, (120, 140, 170), -1)
    cv2.ellipse(img, (685, 400), (130, 90), 0, 180, 360, (60, 60, 70), -1)
    for i, text in enumerate(["NAME ZHANG SAN", "SEX M  NATION HAN", "BORN 2003 05 01",
                              "ADDRESS ZHENGZHOU HENAN", "NO 410102200305011234"]):
        cv2.putText(img, text, (40, 80 + i * 70), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (40, 40, 40), 2, cv2.LINE_AA)
    noise = rng.normal(0, 2.0, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def card_mask() -> np.ndarray:
    """White inside the card's rounded outline (corner radius 3.18 mm)."""
    r = round(3.18 * PX_PER_MM)
    mask = np.zeros((CARD_H, CARD_W), np.uint8)
    cv2.rectangle(mask, (r, 0), (CARD_W - 1 - r, CARD_H - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (CARD_W - 1, CARD_H - 1 - r), 255, -1)
    for cx, cy in ((r, r), (CARD_W - 1 - r, r), (CARD_W - 1 - r, CARD_H - 1 - r), (r, CARD_H - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


def make_desk(width: int = 1280, height: int = 720, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    low = cv2.resize(rng.normal(0, 1, (9, 16)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    grain = np.sin(yy / 3.0 + 6 * np.sin(xx / 150.0) + 2 * low) * 10 + low * 12
    desk = np.dstack([55 + grain * 0.5, 95 + grain * 0.8, 140 + grain])
    return np.clip(desk + rng.normal(0, 3, desk.shape), 0, 255).astype(np.uint8)


def pose_homography(rot_deg: float, tilt_x: float, tilt_y: float, distance: float,
                    shift=(0.0, 0.0), size=(1280, 720), focal: float = 1000.0) -> np.ndarray:
    """The homography from card pixels to the frame for a card at the given pose (card units: mm)."""
    a, b, g = (math.radians(v) for v in (tilt_x, tilt_y, rot_deg))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]])
    rot = rz @ ry @ rx
    k = np.array([[focal, 0, size[0] / 2], [0, focal, size[1] / 2], [0, 0, 1]])
    t = np.array([shift[0], shift[1], distance])
    plane_to_cam = np.column_stack([rot[:, 0], rot[:, 1], t])
    card_to_plane = np.array([[1 / PX_PER_MM, 0, -c.CARD_WIDTH_MM / 2],
                              [0, 1 / PX_PER_MM, -c.CARD_HEIGHT_MM / 2], [0, 0, 1]])
    return k @ plane_to_cam @ card_to_plane


def project(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), h).reshape(-1, 2)


def true_corners(h: np.ndarray) -> np.ndarray:
    # Outer corners of the card's first and last pixels (pixel centres at integers).
    box = np.array([[-0.5, -0.5], [CARD_W - 0.5, -0.5], [CARD_W - 0.5, CARD_H - 0.5], [-0.5, CARD_H - 0.5]])
    return project(h, box)


def make_scene(h: np.ndarray, *, card: np.ndarray | None = None, blur: float = 0.8, noise: float = 3.0,
               desk: np.ndarray | None = None, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    desk = make_desk() if desk is None else desk
    size = (desk.shape[1], desk.shape[0])
    card = make_card() if card is None else card
    warped = cv2.warpPerspective(card, h, size, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(card_mask(), h, size, flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255
    scene = desk.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    if blur:
        scene = cv2.GaussianBlur(scene, (0, 0), blur)
    scene = scene + rng.normal(0, noise, scene.shape)
    return np.clip(scene, 0, 255).astype(np.uint8)


def ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64)
    b = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / math.sqrt((a * a).sum() * (b * b).sum()))


POSES = {
    "flat": dict(rot_deg=0, tilt_x=0, tilt_y=0, distance=140),
    "rotated": dict(rot_deg=17, tilt_x=0, tilt_y=0, distance=150),
    "tilted": dict(rot_deg=-8, tilt_x=22, tilt_y=-10, distance=140, shift=(10, 5)),
    "rotated_tilted": dict(rot_deg=35, tilt_x=-15, tilt_y=18, distance=160, shift=(-15, 8)),
    "far_off_centre": dict(rot_deg=5, tilt_x=10, tilt_y=0, distance=230, shift=(-40, -15)),
}


@pytest.mark.parametrize("pose", list(POSES))
def test_find_card_recovers_the_corners(pose: str) -> None:
    h = pose_homography(**POSES[pose])
    frame = make_scene(h)
    found = c.find_card(frame)
    assert found is not None
    assert found.shape == (4, 2)
    error = np.linalg.norm(found - true_corners(h), axis=1)
    assert error.max() < 3.0, error


@pytest.mark.parametrize("pose", ["flat", "rotated_tilted"])
def test_rectify_gives_the_card_at_300_dpi(pose: str) -> None:
    h = pose_homography(**POSES[pose])
    card = make_card()
    frame = make_scene(h, card=card)
    found = c.find_card(frame)
    assert found is not None
    flat = c.rectify(frame, found)
    assert flat.shape == (637, 1011, 3)
    expected = cv2.resize(card, (1011, 637), interpolation=cv2.INTER_AREA)
    # Rounded corners show desk; compare the card inside them.
    assert ncc(flat[30:-30, 30:-30], expected[30:-30, 30:-30]) > 0.85
    # A card put down the other way round is not this card: the measure can tell.
    assert ncc(cv2.flip(flat, -1)[30:-30, 30:-30], expected[30:-30, 30:-30]) < 0.5


def test_rectify_sizes_follow_the_dpi() -> None:
    assert c.card_size_px(300) == (1011, 637)
    assert c.card_size_px(600) == (2022, 1275)
    frame = make_desk()
    assert c.rectify(frame, c.default_corners(frame), dpi=150).shape[:2] == (318, 505)
    with pytest.raises(ValueError):
        c.rectify(frame, c.default_corners(frame), dpi=0)


def test_rectify_with_corners_given_by_hand() -> None:
    h = pose_homography(**POSES["tilted"])
    card = make_card()
    frame = make_scene(h, card=card)
    # A counsellor's drag is a few pixels off; the card still comes out recognisable.
    corners = true_corners(h) + np.array([[2, -1], [-2, 2], [1, 2], [-2, -1]])
    flat = c.rectify(frame, corners.astype(np.float32))
    expected = cv2.resize(card, (1011, 637), interpolation=cv2.INTER_AREA)
    assert ncc(flat[30:-30, 30:-30], expected[30:-30, 30:-30]) > 0.8


def test_card_held_upright_comes_out_landscape() -> None:
    h = pose_homography(rot_deg=80, tilt_x=5, tilt_y=0, distance=170)
    found = c.find_card(make_scene(h))
    assert found is not None
    top, left = np.linalg.norm(found[1] - found[0]), np.linalg.norm(found[3] - found[0])
    assert top > 1.4 * left


def test_no_card_on_the_desk() -> None:
    assert c.find_card(make_desk()) is None
    assert c.find_card(np.full((480, 640, 3), 128, np.uint8)) is None


def test_a_square_or_a_sliver_is_not_a_card() -> None:
    for w, hgt in ((300, 300), (600, 120)):
        frame = make_desk()
        cv2.rectangle(frame, (400, 200), (400 + w, 200 + hgt), (225, 225, 220), -1)
        assert c.find_card(frame) is None, (w, hgt)


def test_a_tiny_card_is_not_found() -> None:
    h = pose_homography(rot_deg=0, tilt_x=0, tilt_y=0, distance=900)
    assert c.find_card(make_scene(h)) is None


def test_card_cut_off_by_the_frame_is_not_found() -> None:
    h = pose_homography(rot_deg=0, tilt_x=0, tilt_y=0, distance=140, shift=(-70, 0))
    assert c.find_card(make_scene(h)) is None


def test_order_corners_any_start_and_rotation() -> None:
    square = np.array([[10, 10], [110, 20], [100, 120], [0, 110]], np.float32)
    for shift in range(4):
        for flip in (False, True):
            pts = np.roll(square, shift, axis=0)
            pts = pts[::-1] if flip else pts
            assert np.array_equal(c.order_corners(pts), square)
    with pytest.raises(ValueError):
        c.order_corners(square[:3])


def test_default_corners_are_a_centred_id1_rectangle() -> None:
    frame = np.zeros((720, 1280, 3), np.uint8)
    corners = c.default_corners(frame)
    assert c.quad_aspect(corners) == pytest.approx(c.CARD_ASPECT, rel=1e-4)
    assert corners.mean(axis=0) == pytest.approx([640, 360])
    assert corners[:, 1].min() >= 0 and corners[:, 1].max() <= 720
    tall = c.default_corners(np.zeros((1000, 400, 3), np.uint8))
    assert tall[:, 0].min() >= 0 and tall[:, 0].max() <= 400


def test_quality_of_a_good_shot() -> None:
    h = pose_homography(**POSES["rotated"])
    frame = make_scene(h)
    q = c.card_quality(frame, c.find_card(frame))
    assert q.ok, q.checks
    assert q.hints == []
    assert set(q.figures()) == {"sharpness", "glare_share", "tilt", "width_px", "ok"}


def test_quality_hints() -> None:
    h = pose_homography(**POSES["flat"])
    frame = make_scene(h)
    corners = c.find_card(frame)
    assert corners is not None

    blurred = cv2.GaussianBlur(frame, (0, 0), 4)
    assert c.card_quality(blurred, corners).hints == [c.HINT_BLUR]

    glare = frame.copy()
    centre = tuple(int(v) for v in corners.mean(axis=0))
    cv2.circle(glare, centre, 90, (255, 255, 255), -1)
    assert c.card_quality(glare, corners).hints == [c.HINT_GLARE]

    steep = pose_homography(rot_deg=0, tilt_x=0, tilt_y=35, distance=140)
    steep_frame = make_scene(steep)
    q = c.card_quality(steep_frame, true_corners(steep).astype(np.float32))
    assert c.HINT_FLAT in q.hints

    far = pose_homography(rot_deg=0, tilt_x=0, tilt_y=0, distance=300)
    far_frame = make_scene(far)
    assert c.HINT_CLOSER in c.card_quality(far_frame, c.find_card(far_frame)).hints

    assert c.card_quality(frame, None).hints == [c.HINT_NOT_FOUND]


def test_the_card_beside_a_sheet_of_paper() -> None:
    desk = make_desk()
    cv2.rectangle(desk, (30, 60), (30 + 420, 60 + 594), (240, 240, 240), -1)  # A4 proportions, larger
    h = pose_homography(rot_deg=10, tilt_x=5, tilt_y=0, distance=180, shift=(30, 0))
    found = c.find_card(make_scene(h, desk=desk))
    assert found is not None
    assert np.linalg.norm(found - true_corners(h), axis=1).max() < 3.0


def test_a_pale_card_on_a_pale_desk() -> None:
    rng = np.random.default_rng(11)
    desk = np.clip(np.full((720, 1280, 3), 235.0) + rng.normal(0, 4, (720, 1280, 3)), 0, 255).astype(np.uint8)
    h = pose_homography(rot_deg=-20, tilt_x=10, tilt_y=-8, distance=170)
    found = c.find_card(make_scene(h, desk=desk))
    assert found is not None
    assert np.linalg.norm(found - true_corners(h), axis=1).max() < 3.0


def _exam_shot() -> np.ndarray:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "fixtures" / "exam_shot.py"
    spec = importlib.util.spec_from_file_location("exam_shot_for_card", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_shot()


def test_a_card_looks_like_a_card_and_a_face_does_not() -> None:
    h = pose_homography(**POSES["tilted"])
    frame = make_scene(h, card=make_card())
    corners = true_corners(h).astype(np.float32)
    content = c.card_content(c.rectify(frame, corners), corners)
    assert content.ok and content.text_rows >= 4, content
    # A portrait photo held up with the corners dragged around the face: no lines of print.
    shot = _exam_shot()
    around = c.default_corners(shot)
    face = c.card_content(c.rectify(shot, around), around)
    assert not face.ok and face.hints == [c.HINT_NO_TEXT]
    # Corners dragged into a square: not a card's shape, whatever is inside.
    square = np.float32([[500, 100], [800, 100], [800, 400], [500, 400]])
    squared = c.card_content(c.rectify(frame, square), square)
    assert any("长宽比 1.00" in hint for hint in squared.hints)
    blank = c.card_content(np.full((637, 1011, 3), 210, np.uint8), corners)
    assert blank.text_rows == 0 and not blank.ok
