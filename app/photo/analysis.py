"""Checks a camera frame against the exam photo spec and finds the 3:4 crop that would meet it.

``analyse(frame, spec)`` finds the face (OpenCV Haar cascades), the eyes and the hair's top, then
chooses the crop (scale and position) that best puts the face where the spec wants it while staying
inside the frame, and evaluates every check on that would-be crop. Each check carries a Chinese
hint for the student. The preview calls it several times a second, so it works on a downscaled
copy (detection at ≤ 640 px), looks for eyes only inside the face, and loads the cascades once.

Left and right in the hints are the student's own, for unmirrored camera frames: a face on the
image's left is on the student's right-hand side, so the student should move to their left.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from app.photo.spec import PhotoSpec

DETECT_MAX_SIDE = 640  # frames are shrunk to this for the face detector and the cheap measures
SHARPNESS_WIDTH = 160  # the face is measured for sharpness at this width, whatever its size

CHECK_LABELS = {
    "face": "人脸",
    "exposure": "光线",
    "face_width": "脸部大小",
    "hair_top": "头顶位置",
    "eye_line": "眼睛位置",
    "centred": "左右居中",
    "sharp": "清晰度",
    "background_even": "背景均匀",
    "background_colour": "背景颜色",
    "glasses": "眼镜",
}

HINT_NO_FACE = "未检测到人脸，请正对镜头"
HINT_MANY_FACES = "画面中有多个人，请只留考生一人"
HINT_CLOSER = "请靠近一点"
HINT_FARTHER = "请离远一点"
HINT_HEAD_UP = "请把头抬高一点"
HINT_HEAD_DOWN = "请把头放低一点"
HINT_MOVE_LEFT = "请向左移动一点"
HINT_MOVE_RIGHT = "请向右移动一点"
HINT_BLURRED = "画面模糊，请保持不动"
HINT_DARK = "光线太暗"
HINT_BRIGHT = "光线太亮"
HINT_UNEVEN = "背景不均匀"
HINT_GLASSES = "请摘下眼镜"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    hint_zh: str  # empty when the check passes
    value: Any = None  # the measured figure, for the record and the CLI

    @property
    def label(self) -> str:
        return CHECK_LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class Crop:
    """The photo's rectangle in frame pixels (floats) and the scale from frame to photo."""

    x: float
    y: float
    width: float
    height: float
    scale: float


@dataclass
class Analysis:
    checks: list[Check]
    face: tuple[int, int, int, int] | None = None  # x, y, w, h in frame pixels
    eyes: list[tuple[int, int]] = field(default_factory=list)  # eye centres in frame pixels
    eye_y: float | None = None  # the eye line in frame pixels (estimated when no eye was found)
    hair_top_y: float | None = None  # frame pixels
    crop: Crop | None = None
    figures: dict[str, Any] = field(default_factory=dict)  # the measures in photo pixels
    frame_size: tuple[int, int] = (0, 0)  # width, height

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def hints(self) -> list[str]:
        """The failed checks' hints, most important first, each once."""
        out: list[str] = []
        for check in self.checks:
            if not check.ok and check.hint_zh and check.hint_zh not in out:
                out.append(check.hint_zh)
        return out

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [{"name": c.name, "label": c.label, "ok": c.ok, "hint": c.hint_zh, "value": c.value}
                       for c in self.checks],
            "face": list(self.face) if self.face else None,
            "eyes": [list(e) for e in self.eyes],
            "crop": None if self.crop is None else {
                "x": round(self.crop.x, 1), "y": round(self.crop.y, 1), "width": round(self.crop.width, 1),
                "height": round(self.crop.height, 1), "scale": round(self.crop.scale, 4)},
            "figures": self.figures,
        }


class _Cascades:
    """The Haar cascades, loaded once per process; detectMultiScale is not safe across threads."""

    _lock = threading.Lock()
    _local = threading.local()

    @classmethod
    def get(cls) -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier, cv2.CascadeClassifier]:
        found = getattr(cls._local, "cascades", None)
        if found is None:
            with cls._lock:
                found = tuple(cls._load(name) for name in (
                    "haarcascade_frontalface_default.xml", "haarcascade_eye.xml",
                    "haarcascade_eye_tree_eyeglasses.xml"))
            cls._local.cascades = found
        return found  # type: ignore[return-value]

    @staticmethod
    def _load(name: str) -> cv2.CascadeClassifier:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        if cascade.empty():
            raise RuntimeError(f"OpenCV Haar cascade {name} is missing (opencv-python-headless<5 ships it)")
        return cascade


def analyse(frame: np.ndarray, spec: PhotoSpec | None = None) -> Analysis:
    """Every check of ``spec`` on a BGR frame, and the crop that the photo would be."""
    spec = spec or PhotoSpec()
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    height, width = frame.shape[:2]
    ds = min(1.0, DETECT_MAX_SIDE / max(width, height))
    small = frame if ds == 1.0 else cv2.resize(frame, (round(width * ds), round(height * ds)),
                                               interpolation=cv2.INTER_AREA)
    grey_small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    face_cascade, eye_cascade, glasses_cascade = _Cascades.get()

    # No histogram equalisation: on an even background it multiplies the candidate windows (3× slower)
    # and makes the face box less steady. A face under a tenth of the frame's height is out of reach.
    min_face = max(24, round(min(grey_small.shape) / 10))
    found = face_cascade.detectMultiScale(grey_small, scaleFactor=1.15, minNeighbors=6,
                                          minSize=(min_face, min_face))
    faces = sorted((tuple(int(v) for v in f) for f in found), key=lambda f: f[2] * f[3], reverse=True)
    # Haar's false alarms are small and scattered; another person is about as large as the student.
    people = [f for f in faces if f[2] >= 0.5 * faces[0][2]] if faces else []
    result = Analysis(checks=[], frame_size=(width, height))
    if len(people) != 1:
        result.checks.append(Check("face", False, HINT_MANY_FACES if people else HINT_NO_FACE, len(people)))
        result.checks.append(_exposure(float(grey_small.mean()), spec))
        return result
    result.checks.append(Check("face", True, "", 1))

    sx, sy, sw, sh = people[0]
    fx, fy, fw, fh = (round(v / ds) for v in (sx, sy, sw, sh))
    result.face = (fx, fy, fw, fh)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)

    # The plain eye cascade misses many eyes behind spectacles; the eyeglasses one is the fallback.
    eyes = _find_eyes(grey, result.face, eye_cascade) or _find_eyes(grey, result.face, glasses_cascade)
    result.eyes = eyes
    # Without both eyes, the Haar box's proportions place the eye line well enough for guidance.
    eye_y = float(np.mean([e[1] for e in eyes])) if len(eyes) == 2 else fy + 0.40 * fh
    result.eye_y = eye_y
    hair = _hair_top(small, (sx, sy, sw, sh))
    hair_top_y = hair / ds if hair is not None else 0.0
    result.hair_top_y = hair_top_y

    face_cx = fx + fw / 2
    crop, fig = _best_crop(spec, width, height, fw, face_cx, eye_y, hair_top_y)
    result.crop = crop
    result.figures.update(fig)

    face_patch = grey[fy + fh // 5: fy + fh * 4 // 5, fx + fw // 5: fx + fw * 4 // 5]
    brightness = float(face_patch.mean())
    result.checks.append(_exposure(brightness, spec))

    # Face size: the photo's face width, and whether the crop had to be enlarged too much for it.
    face_out = fig["face_width"]
    lo, hi = spec.face_width
    if crop.scale > spec.max_upscale + 1e-6 or face_out < lo:
        result.checks.append(Check("face_width", False, HINT_CLOSER, round(face_out)))
    elif face_out > hi:
        result.checks.append(Check("face_width", False, HINT_FARTHER, round(face_out)))
    else:
        result.checks.append(Check("face_width", True, "", round(face_out)))

    hair_out, eye_out = fig["hair_top"], fig["eye_line"]
    if hair_out > spec.hair_top[1] and eye_out < spec.eye_line[0]:
        size_hint = HINT_CLOSER  # the head is too short for both bands: no position fixes that
    elif hair_out < spec.hair_top[0] and eye_out > spec.eye_line[1]:
        size_hint = HINT_FARTHER
    else:
        size_hint = ""
    for name, band in (("hair_top", spec.hair_top), ("eye_line", spec.eye_line)):
        value = fig[name]
        if band[0] <= value <= band[1]:
            result.checks.append(Check(name, True, "", round(value)))
        else:
            hint = size_hint or (HINT_HEAD_DOWN if value < band[0] else HINT_HEAD_UP)
            result.checks.append(Check(name, False, hint, round(value)))

    offset = fig["centre_offset"]
    if abs(offset) <= spec.centre_tolerance:
        result.checks.append(Check("centred", True, "", round(offset)))
    else:
        result.checks.append(Check("centred", False, HINT_MOVE_LEFT if offset < 0 else HINT_MOVE_RIGHT,
                                   round(offset)))

    face_grey = grey[fy:fy + fh, fx:fx + fw]
    sharp_w = SHARPNESS_WIDTH
    sharp_h = max(1, round(fh * sharp_w / fw))
    face_norm = cv2.resize(face_grey, (sharp_w, sharp_h),
                           interpolation=cv2.INTER_AREA if fw > sharp_w else cv2.INTER_LINEAR)
    # Contrast-normalised, so a dim face is not also called blurred.
    face_norm = face_norm.astype(np.float32) * (50.0 / max(float(face_norm.std()), 1.0))
    sharpness = float(cv2.Laplacian(face_norm, cv2.CV_32F).var())
    result.figures["sharpness"] = round(sharpness, 1)
    result.figures["brightness"] = round(brightness, 1)
    result.checks.append(Check("sharp", sharpness >= spec.min_sharpness,
                               "" if sharpness >= spec.min_sharpness else HINT_BLURRED, round(sharpness, 1)))

    result.checks.extend(_background(small, ds, crop, spec, fig, result.figures))

    if spec.check_glasses:
        wearing = _glasses(grey, result.face, eyes)
        result.checks.append(Check("glasses", not wearing, HINT_GLASSES if wearing else "", wearing))
    return result


def _exposure(brightness: float, spec: PhotoSpec) -> Check:
    lo, hi = spec.brightness
    if brightness < lo:
        return Check("exposure", False, HINT_DARK, round(brightness, 1))
    if brightness > hi:
        return Check("exposure", False, HINT_BRIGHT, round(brightness, 1))
    return Check("exposure", True, "", round(brightness, 1))


def _find_eyes(grey: np.ndarray, face: tuple[int, int, int, int],
               cascade: cv2.CascadeClassifier) -> list[tuple[int, int]]:
    """Two eye centres (left then right in the image), or none when the pair is not convincing."""
    fx, fy, fw, fh = face
    top, bottom = fy + fh // 6, fy + fh * 3 // 5
    roi = grey[top:bottom, fx:fx + fw]
    # Eyes are detected at a fixed face size: fast for a large face, findable for a small one.
    k = 200 / fw
    roi = cv2.resize(roi, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    found = cascade.detectMultiScale(roi, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24), maxSize=(80, 80))
    centres = [(fx + (x + w / 2) / k, top + (y + h / 2) / k) for x, y, w, h in found]
    mid = fx + fw / 2
    left = [c for c in centres if c[0] < mid]
    right = [c for c in centres if c[0] >= mid]
    if not left or not right:
        return []
    # The pair nearest to level, a plausible distance apart.
    best = min(((a, b) for a in left for b in right if 0.25 * fw <= b[0] - a[0] <= 0.7 * fw),
               key=lambda p: abs(p[0][1] - p[1][1]), default=None)
    if best is None or abs(best[0][1] - best[1][1]) > 0.12 * fh:
        return []
    return [(round(best[0][0]), round(best[0][1])), (round(best[1][0]), round(best[1][1]))]


def _hair_top(small: np.ndarray, face: tuple[int, int, int, int]) -> float | None:
    """The top of the head in ``small``'s pixels: where the column above the face meets the background.

    The background's colour is sampled beside the head (well outside the face's sides, above the
    eyes); rows above the face are scanned upwards until they stop differing from it. None when
    the head reaches the frame's top edge (or no background beside it could be sampled).
    """
    x, y, w, h = face
    img = small.astype(np.int16)
    rows = slice(max(0, int(y - 0.6 * h)), max(1, int(y + 0.2 * h)))
    # Hair reaches about a third of the face's width beyond its sides; a finished photo leaves
    # only a strip of background there, hence the clipping.
    left = img[rows, max(0, int(x - 0.9 * w)): max(0, int(x - 0.55 * w))]
    right = img[rows, int(x + 1.55 * w): int(x + 1.9 * w)]
    sample = np.concatenate([left.reshape(-1, 3), right.reshape(-1, 3)])
    if len(sample) < 20:
        return None
    bg = np.median(sample, axis=0)
    spread = float(np.linalg.norm(sample.std(axis=0)))
    threshold = max(30.0, 3.0 * spread)
    band = img[: y + h // 4, int(x + 0.3 * w): int(x + 0.7 * w)]
    if band.size == 0:
        return None
    differs = np.linalg.norm(band - bg, axis=2) > threshold
    frac = differs.mean(axis=1)
    run = 0
    for row in range(len(frac) - 1, -1, -1):
        if frac[row] < 0.4:
            run += 1
            if run >= 3:  # three background rows in a row: the head ended just below them
                return float(row + 3)
        else:
            run = 0
    return None


def _best_crop(spec: PhotoSpec, width: int, height: int, face_w: float, face_cx: float, eye_y: float,
               hair_y: float) -> tuple[Crop, dict[str, float]]:
    """The crop (inside the frame) that best meets the face width, eye and hair bands and centring.

    Candidate scales are tried together (numpy); each is placed vertically in the middle of what
    both bands allow and centred on the face, then pushed back inside the frame. The winner breaks
    the fewest pixels of the bands (enlarging beyond ``max_upscale`` counts as breaking the face
    width) and, among equals, keeps the largest margin.
    """
    out_w, out_h = spec.width, spec.height
    s_min = max(out_w / width, out_h / height)  # the crop cannot be larger than the frame
    s_max = max(s_min, spec.face_width[1] * 1.5 / face_w, spec.max_upscale * 1.5)
    s = np.unique(np.concatenate([np.geomspace(s_min, s_max, 96), [s_min]]))

    e_lo, e_hi = spec.eye_line
    h_lo, h_hi = spec.hair_top
    # Photo top (frame pixels) for which the eye line / hair top sits in its band.
    top_lo = np.maximum(eye_y - e_hi / s, hair_y - h_hi / s)
    top_hi = np.minimum(eye_y - e_lo / s, hair_y - h_lo / s)
    wanted_top = np.where(top_lo <= top_hi, (top_lo + top_hi) / 2,
                          (eye_y - (e_lo + e_hi) / 2 / s + hair_y - (h_lo + h_hi) / 2 / s) / 2)
    top = np.clip(wanted_top, 0, height - out_h / s)
    left = np.clip(face_cx - out_w / 2 / s, 0, width - out_w / s)

    face_out = face_w * s
    eye_out = (eye_y - top) * s
    hair_out = (hair_y - top) * s
    offset = (face_cx - left) * s - out_w / 2

    def outside(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return np.maximum(lo - v, 0) + np.maximum(v - hi, 0)

    def margin(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return np.minimum(v - lo, hi - v) / (hi - lo)

    fw_lo, fw_hi = spec.face_width
    over_enlarged = np.maximum(s / spec.max_upscale - 1, 0) * (fw_lo + fw_hi) / 2
    # Size counts double: a wrong size shows as a wrong position too, and the hint should name the cause.
    broken = (2 * (outside(face_out, fw_lo, fw_hi) + over_enlarged) + outside(eye_out, e_lo, e_hi)
              + outside(hair_out, h_lo, h_hi) + np.maximum(np.abs(offset) - spec.centre_tolerance, 0))
    room = np.minimum.reduce([margin(face_out, fw_lo, fw_hi), margin(eye_out, e_lo, e_hi),
                              margin(hair_out, h_lo, h_hi)])
    best = int(np.lexsort((-room, np.round(broken, 1)))[0])
    sc = float(s[best])
    crop = Crop(float(left[best]), float(top[best]), out_w / sc, out_h / sc, sc)
    figures = {"face_width": round(float(face_out[best]), 1), "eye_line": round(float(eye_out[best]), 1),
               "hair_top": round(float(hair_out[best]), 1), "centre_offset": round(float(offset[best]), 1),
               "scale": round(sc, 4)}
    return crop, figures


def _background(small: np.ndarray, ds: float, crop: Crop, spec: PhotoSpec, fig: dict[str, float],
                figures: dict[str, Any]) -> list[Check]:
    """Evenness and colour of the background beside and above the head, in the would-be photo."""
    out_w = spec.width
    face_w = fig["face_width"]
    hair = fig["hair_top"]
    eye = fig["eye_line"]
    cx = out_w / 2 + fig["centre_offset"]
    margin = 8
    regions_out = []  # (x0, y0, x1, y1) in photo pixels
    if hair - 12 > margin + 8:
        regions_out.append((margin, margin, out_w - margin, hair - 12))
    side_top, side_bottom = max(margin, hair), max(margin + 8, eye)
    left_x1 = cx - 0.95 * face_w
    right_x0 = cx + 0.95 * face_w
    if left_x1 - margin >= 12:
        regions_out.append((margin, side_top, left_x1, side_bottom))
    if out_w - margin - right_x0 >= 12:
        regions_out.append((right_x0, side_top, out_w - margin, side_bottom))

    k = ds / crop.scale  # photo pixels → small-frame pixels
    patches = []
    for x0, y0, x1, y1 in regions_out:
        sx0, sy0 = int(crop.x * ds + x0 * k), int(crop.y * ds + y0 * k)
        sx1, sy1 = int(np.ceil(crop.x * ds + x1 * k)), int(np.ceil(crop.y * ds + y1 * k))
        patch = small[max(sy0, 0):max(sy1, 0), max(sx0, 0):max(sx1, 0)].reshape(-1, 3)
        if len(patch) >= 16:
            patches.append(patch.astype(np.float32))
    if not patches:
        # The head fills the photo: nothing to judge the background by, which is itself wrong.
        return [Check("background_even", False, HINT_FARTHER, None)]

    means = [p.mean(axis=0) for p in patches]
    stds = [float(cv2.cvtColor(p.reshape(-1, 1, 3).astype(np.uint8), cv2.COLOR_BGR2GRAY).std())
            for p in patches]
    spread = max((float(np.linalg.norm(a - b)) for i, a in enumerate(means) for b in means[i + 1:]),
                 default=0.0)
    worst_std = max(stds)
    even = worst_std <= spec.background_max_std and spread <= spec.background_max_spread
    mean_bgr = np.concatenate(patches).mean(axis=0)
    rgb = mean_bgr[::-1]
    distances = {name: float(np.linalg.norm(rgb - np.array(colour, np.float32)))
                 for name, colour in spec.backgrounds.items()}
    nearest = min(distances, key=distances.__getitem__)
    colour_ok = distances[nearest] <= spec.background_tolerance
    figures["background_rgb"] = [round(float(c)) for c in rgb]
    figures["background_std"] = round(worst_std, 1)
    figures["background_spread"] = round(spread, 1)
    figures["background_nearest"] = nearest
    figures["background_distance"] = round(distances[nearest], 1)
    return [
        Check("background_even", even, "" if even else HINT_UNEVEN,
              {"std": round(worst_std, 1), "spread": round(spread, 1)}),
        Check("background_colour", colour_ok,
              "" if colour_ok else f"背景颜色不符合要求（应为{spec.background_names()}）",
              {"rgb": figures["background_rgb"], "nearest": nearest, "distance": round(distances[nearest], 1)}),
    ]


def _glasses(grey: np.ndarray, face: tuple[int, int, int, int], eyes: list[tuple[int, int]]) -> bool:
    """Spectacles, by the frame's bridge: strong horizontal edges between the eyes, at eye height.

    A bare nose bridge is smooth skin; a spectacle frame draws a dark bar across it. The band is
    measured at a fixed face size so the threshold does not depend on distance.
    """
    fx, fy, fw, fh = face
    if len(eyes) == 2:
        (lx, ly), (rx, ry) = eyes
    else:
        lx, rx, ly = fx + 0.3 * fw, fx + 0.7 * fw, fy + 0.4 * fh
        ry = ly
    ey = (ly + ry) / 2
    x0, x1 = int(lx + 0.3 * (rx - lx)), int(rx - 0.3 * (rx - lx))
    y0, y1 = int(ey - 0.12 * fh), int(ey + 0.05 * fh)
    band = grey[max(y0, 0):y1, max(x0, 0):x1]
    if band.size == 0:
        return False
    k = 200 / fw
    band = cv2.resize(band, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    dy = np.abs(cv2.Sobel(band, cv2.CV_32F, 0, 1, ksize=3))
    # A frame's bar spans the bridge: some row is strongly edged all the way across.
    return float(dy.mean(axis=1).max()) > 60.0
