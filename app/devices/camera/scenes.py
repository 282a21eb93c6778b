"""What the demo's mock camera can be shown: a resident ID card (either side) or a printed page, lying
on a desk, drawn in code (OpenCV for shapes, Pillow with the CJK font for text).

``card_front``/``card_back`` draw an ID-1 card (85.60 × 53.98 mm at ``PX_PER_MM``, rounded corners)
from a card's chip data, laid out like the real one: the holder's data and photo on the portrait
side, the emblem, “中华人民共和国 居民身份证”, the issuing authority and validity on the other.
The emblem is a plain stand-in (a red disc with gold stars), not the national emblem.
``on_desk`` puts such a card (or any picture) on a wood-grain desk, slightly turned, with a soft
shadow and webcam-like noise; ``page_on_desk`` does the same for a printed page, close enough that
the QR code at the page's lower left can be read, as a counsellor holds a page to the camera.
``glare`` adds the blown-out patch of a desk lamp reflected in the card's laminate.

All functions are pure and deterministic (the same inputs give the same pixels).
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

PX_PER_MM = 10
CARD_MM = (85.60, 53.98)
CARD_PX = (round(CARD_MM[0] * PX_PER_MM), round(CARD_MM[1] * PX_PER_MM))  # 856 × 540
_CORNER_PX = round(3.18 * PX_PER_MM)
_LABEL = (150, 110, 40)  # BGR: the blue-grey of the card's printed labels
_INK = (30, 30, 30)


@functools.cache
def _font_file() -> tuple[str, int] | None:
    from app.documents.fonts import candidates

    for path, index in candidates():
        if path.is_file():
            return str(path), index
    return None


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    found = _font_file()
    if found is None:
        return ImageFont.load_default()
    try:
        return ImageFont.truetype(found[0], size, index=found[1])
    except OSError:
        return ImageFont.load_default()


def _text(img: np.ndarray, items: list[tuple[tuple[int, int], str, int, tuple[int, int, int]]]) -> np.ndarray:
    """Draw ``(position, text, size, BGR colour)`` items on a BGR image (Pillow, for the CJK glyphs)."""
    from PIL import Image, ImageDraw

    pil = Image.fromarray(img[:, :, ::-1])
    draw = ImageDraw.Draw(pil)
    for (x, y), text, size, (b, g, r) in items:
        draw.text((x, y), text, font=_font(size), fill=(r, g, b))
    return np.ascontiguousarray(np.asarray(pil)[:, :, ::-1])


def _card_base(seed: int, tint: tuple[float, float, float]) -> np.ndarray:
    """The card's printed background: a pale gradient with guilloche-like waves (never blown out)."""
    w, h = CARD_PX
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    b, g, r = tint
    base = np.dstack([b + 6 * np.sin(xx / 41.0) * np.cos(yy / 29.0),
                      g + 5 * np.cos(xx / 57.0 + yy / 73.0),
                      r + 6 * np.sin((xx + yy) / 47.0)])
    img = np.clip(base, 0, 242).astype(np.uint8)
    rng = np.random.default_rng(seed)
    for k in range(14):
        phase = float(rng.uniform(0, math.tau))
        pts = [(x, int(h * 0.62 + 36 * math.sin(x / 70.0 + phase) + k * 7)) for x in range(0, w + 8, 8)]
        cv2.polylines(img, [np.array(pts, np.int32)], False, (205, 200, 185), 1, cv2.LINE_AA)
    return img


def _field(value: object) -> str:
    return "" if value is None else str(value)


def card_front(chip: object) -> np.ndarray:
    """The portrait side (人像面) of ``chip``'s card (a ``ChipData`` or alike), BGR, ``CARD_PX``."""
    img = _card_base(7, (236, 233, 226))
    # The holder's photo, as the chip holds it, on the right.
    photo = getattr(chip, "photo_jpeg", b"") or b""
    face = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR) if photo else None
    box = (590, 80, 260, 320)  # x, y, w, h
    if face is not None:
        # Printed on the card, the photo's white background is the card's pale print, not paper white.
        face = cv2.resize(face, box[2:], interpolation=cv2.INTER_CUBIC).astype(np.float32) * 0.93
        img[box[1]:box[1] + box[3], box[0]:box[0] + box[2]] = face.astype(np.uint8)
    else:
        cv2.rectangle(img, box[:2], (box[0] + box[2], box[1] + box[3]), (200, 200, 205), -1)
    birth = getattr(chip, "birth_date", None)
    born = f"{birth.year}   年 {birth.month:>2} 月 {birth.day:>2} 日" if birth is not None else ""
    address = _field(getattr(chip, "address", ""))
    lines = [address[i:i + 13] for i in range(0, len(address), 13)][:3] or [""]
    items = [((50, 58), "姓 名", 26, _LABEL), ((150, 52), _field(getattr(chip, "name", "")), 36, _INK),
             ((50, 128), "性 别", 26, _LABEL), ((150, 124), _field(getattr(chip, "gender", "")), 30, _INK),
             ((260, 128), "民 族", 26, _LABEL), ((360, 124), _field(getattr(chip, "ethnicity", "")), 30, _INK),
             ((50, 194), "出 生", 26, _LABEL), ((150, 190), born, 30, _INK),
             ((50, 260), "住 址", 26, _LABEL)]
    items += [((150, 256 + 42 * i), line, 30, _INK) for i, line in enumerate(lines)]
    items += [((50, 452), "公民身份号码", 26, _LABEL),
              ((250, 444), _field(getattr(chip, "id_number", "")), 38, _INK)]
    return _text(img, items)


def _star(img: np.ndarray, centre: tuple[float, float], radius: float, colour: tuple[int, int, int],
          turn: float = -math.pi / 2) -> None:
    pts = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.42
        a = turn + i * math.pi / 5
        pts.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)))
    cv2.fillPoly(img, [np.round(np.array(pts) * 16).astype(np.int32)], colour, cv2.LINE_AA, shift=4)


def card_back(chip: object) -> np.ndarray:
    """The emblem side (国徽面) of ``chip``'s card, BGR, ``CARD_PX``."""
    img = _card_base(11, (232, 236, 236))
    red, gold = (40, 40, 200), (40, 190, 240)
    cx, cy, r = 130, 125, 80
    cv2.circle(img, (cx, cy), r, gold, 6, cv2.LINE_AA)
    cv2.circle(img, (cx, cy), r - 8, red, -1, cv2.LINE_AA)
    _star(img, (cx - 28, cy - 18), 26, gold)
    for k, (dx, dy) in enumerate(((14, -48), (30, -30), (32, -6), (16, 14))):
        _star(img, (cx + dx, cy + dy), 9, gold, turn=-math.pi / 2 + 0.4 * (k - 1.5))
    cv2.ellipse(img, (cx, cy + 44), (58, 22), 0, 0, 180, gold, 5, cv2.LINE_AA)
    valid_from = getattr(chip, "valid_from", None)
    validity = getattr(chip, "validity_text", "") or (f"{valid_from:%Y.%m.%d}-" if valid_from else "")
    items = [((300, 70), "中华人民共和国", 48, _INK),
             ((290, 170), "居民身份证", 78, _INK),
             ((120, 380), "签发机关", 26, _LABEL), ((260, 374), _field(getattr(chip, "issuer", "")), 30, _INK),
             ((120, 440), "有效期限", 26, _LABEL), ((260, 434), validity, 30, _INK)]
    return _text(img, items)


def glare(image: np.ndarray, where: tuple[float, float] = (0.38, 0.42), share: float = 0.06) -> np.ndarray:
    """``image`` with a lamp's reflection: a blown-out oval covering about ``share`` of it."""
    h, w = image.shape[:2]
    out = image.copy()
    mask = np.zeros((h, w), np.float32)
    ax = math.sqrt(share * w * h / math.pi * 1.8)
    axes = (round(ax), round(ax / 1.8))
    cv2.ellipse(mask, (round(w * where[0]), round(h * where[1])), axes, -20, 0, 360, 1.0, -1, cv2.LINE_AA)
    soft = cv2.GaussianBlur(mask, (0, 0), max(2.0, axes[1] / 6))
    core = np.maximum(mask, soft)[:, :, None]
    return (out * (1 - core) + 255 * core).clip(0, 255).astype(np.uint8)


@functools.cache
def desk(width: int, height: int, seed: int = 3) -> np.ndarray:
    """A wood-grain desk top filling ``width`` × ``height`` (BGR)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    grain = np.sin(yy / 9.0 + 3 * np.sin(xx / 160.0) + 2 * np.sin(yy / 71.0)) * 0.5 + 0.5
    tone = 0.85 + 0.15 * grain
    wood = np.dstack([55 * tone, 92 * tone, 138 * tone])
    wood += rng.normal(0, 2.5, (height, width, 1))
    # A lamp from the upper left: the desk is lighter there.
    light = 0.85 + 0.25 * (1 - (xx / width * 0.6 + yy / height * 0.4))
    return np.clip(wood * light[:, :, None], 0, 255).astype(np.uint8)


def _rounded_mask(w: int, h: int, r: int) -> np.ndarray:
    mask = np.zeros((h, w), np.uint8)
    if r <= 0:
        mask[:] = 255
        return mask
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


def _compose(item: np.ndarray, matrix: np.ndarray, width: int, height: int, *, corner_px: int, seed: int,
             shadow: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``item`` drawn onto the desk through the affine ``matrix``, with a soft shadow and sensor noise;
    returns the frame and the item's corners (TL, TR, BR, BL) in frame pixels."""
    h, w = item.shape[:2]
    frame = desk(width, height, seed).astype(np.float32)
    mask = _rounded_mask(w, h, corner_px).astype(np.float32) / 255.0
    if shadow:
        shadow_m = matrix.copy()
        shadow_m[:, 2] += (10, 14)
        cast = cv2.warpAffine(mask, shadow_m, (width, height), flags=cv2.INTER_LINEAR)
        frame *= 1 - 0.45 * cv2.GaussianBlur(cast, (0, 0), 6)[:, :, None]
    scale = math.hypot(matrix[0, 0], matrix[0, 1])
    warped = cv2.warpAffine(item, matrix, (width, height), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    alpha = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR)[:, :, None]
    frame = frame * (1 - alpha) + warped * alpha
    noise = np.random.default_rng(seed + 1).normal(0, 2.0, frame.shape).astype(np.float32)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64) @ matrix[:, :2].T + matrix[:, 2]
    return np.clip(frame + noise, 0, 255).astype(np.uint8), corners.astype(np.float32)


def place(item: np.ndarray, width: int, height: int, *, share: float, angle: float,
          centre: tuple[float, float] = (0.5, 0.5), corner_px: int = 0, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``item`` turned by ``angle`` degrees, scaled so its long side is ``share`` of the frame's width,
    centred at ``centre`` (shares of the frame) on the desk; returns the frame and the item's corners."""
    h, w = item.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, share * width / max(w, h))
    matrix[:, 2] += (centre[0] * width - w / 2, centre[1] * height - h / 2)
    return _compose(item, matrix, width, height, corner_px=corner_px, seed=seed)


def on_desk(card: np.ndarray, width: int = 1280, height: int = 720, *, angle: float = 4.0,
            share: float = 0.52, seed: int = 3) -> np.ndarray:
    """A card lying on the desk, a little turned, filling about half the frame's width."""
    frame, _ = place(card, width, height, share=share, angle=angle, centre=(0.52, 0.5),
                     corner_px=_CORNER_PX if card.shape[:2] == CARD_PX[::-1] else 0, seed=seed)
    return frame


def page_on_desk(page: np.ndarray, width: int = 1280, height: int = 720, *, angle: float = 2.0,
                 seed: int = 5) -> np.ndarray:
    """A printed page held close to the camera: its lower-left part, where the QR code is, fills the
    frame; the page's left and bottom edges show on the desk, the rest runs out of the picture."""
    h, w = page.shape[:2]
    scale = 0.95 * width / (0.70 * w)  # the left 70 % of the page's width across the frame
    matrix = cv2.getRotationMatrix2D((0.0, float(h)), angle, scale)  # turned about its lower-left corner
    matrix[:, 2] += (0.04 * width - 0.0, 0.95 * height - h)
    frame, _ = _compose(page, matrix, width, height, corner_px=0, seed=seed)
    return frame
