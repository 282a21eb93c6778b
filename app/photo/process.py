"""Turns an analysed frame into the exam photo: crop, scale to the spec's size, JPEG within the size band.

The JPEG quality is found by binary search: the highest quality whose file is within
[min_kb × 1024, max_kb × 1000] bytes. ``cv2.imencode`` writes a bare JFIF (no EXIF, no comment); the
result is checked for that anyway, since a photo carrying metadata would be refused upstream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from app.errors import AppError
from app.photo.analysis import Analysis, Crop
from app.photo.spec import PhotoSpec


@dataclass(frozen=True)
class ExamPhoto:
    jpeg: bytes
    width: int
    height: int
    quality: int
    figures: dict[str, Any] = field(default_factory=dict)


def make_exam_photo(frame: np.ndarray, analysis: Analysis, spec: PhotoSpec | None = None, *,
                    centre_crop_without_face: bool = False) -> ExamPhoto:
    """The exam photo from ``frame`` by ``analysis``'s crop (also when a check failed: an override).

    Without a face there is no crop; ``centre_crop_without_face`` then takes the frame's largest
    centred 3:4 rectangle, for a counsellor's override when the detector misses a real face.
    """
    spec = spec or PhotoSpec()
    height, width = frame.shape[:2]
    if analysis.frame_size not in ((0, 0), (width, height)):
        raise ValueError("the analysis belongs to a frame of another size")
    crop = analysis.crop
    if crop is None:
        if not centre_crop_without_face:
            raise AppError("未检测到人脸，无法按规格裁剪照片。")
        scale = max(spec.width / width, spec.height / height)
        crop = Crop((width - spec.width / scale) / 2, (height - spec.height / scale) / 2,
                    spec.width / scale, spec.height / scale, scale)
    image = crop_to_spec(frame, crop, spec)
    jpeg, quality = encode_jpeg(image, spec)
    figures = dict(analysis.figures)
    figures.update({"bytes": len(jpeg), "quality": quality,
                    "checks": {c.name: c.ok for c in analysis.checks}})
    return ExamPhoto(jpeg=jpeg, width=spec.width, height=spec.height, quality=quality, figures=figures)


def crop_to_spec(frame: np.ndarray, crop: Crop, spec: PhotoSpec) -> np.ndarray:
    """The crop scaled to exactly ``spec.width × spec.height``, 3-channel BGR.

    One affine warp does the sub-pixel crop and the scale; shrinking is pre-filtered by an area
    resize first, as a bare warp would alias (hair and fabric shimmer).
    """
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    s = crop.scale
    x, y = crop.x, crop.y
    if s < 1:
        # Area-shrink the region to about the output scale, then warp the small remainder.
        x0, y0 = max(int(x) - 2, 0), max(int(y) - 2, 0)
        x1 = min(int(np.ceil(x + crop.width)) + 2, frame.shape[1])
        y1 = min(int(np.ceil(y + crop.height)) + 2, frame.shape[0])
        region = frame[y0:y1, x0:x1]
        region = cv2.resize(region, (max(1, round((x1 - x0) * s)), max(1, round((y1 - y0) * s))),
                            interpolation=cv2.INTER_AREA)
        kx, ky = region.shape[1] / (x1 - x0), region.shape[0] / (y1 - y0)
        m = np.float32([[s / kx, 0, -s * (x - x0)], [0, s / ky, -s * (y - y0)]])
        return cv2.warpAffine(region, m, (spec.width, spec.height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
    return cv2.warpAffine(frame, _affine(s, -x * s, -y * s), (spec.width, spec.height),
                          flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _affine(scale: float, tx: float, ty: float) -> np.ndarray:
    return np.float32([[scale, 0, tx], [0, scale, ty]])


def encode_jpeg(image: np.ndarray, spec: PhotoSpec) -> tuple[bytes, int]:
    """The best-quality baseline JPEG within the spec's byte band, and its quality."""
    lo_bytes, hi_bytes = spec.min_bytes, spec.max_bytes

    def encode(quality: int) -> bytes:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality,
                                               cv2.IMWRITE_JPEG_OPTIMIZE, 1])
        if not ok:
            raise AppError("照片编码失败。")
        return buf.tobytes()

    lo, hi = spec.min_quality, spec.max_quality
    best: tuple[bytes, int] | None = None
    smallest = encode(lo)
    if len(smallest) > hi_bytes:
        raise AppError(f"照片在最低质量下仍大于 {spec.max_kb:g} KB，请换用更均匀的背景后重拍。")
    while lo <= hi:
        mid = (lo + hi) // 2
        data = smallest if mid == spec.min_quality else encode(mid)
        if len(data) <= hi_bytes:
            best = (data, mid)
            lo = mid + 1
        else:
            hi = mid - 1
    assert best is not None
    data, quality = best
    if len(data) < lo_bytes:
        raise AppError(f"照片在最高质量下仍小于 {spec.min_kb:g} KB（画面过于单一），请检查摄像头后重拍。")
    check_bare_jpeg(data)
    return data, quality


def jpeg_markers(data: bytes) -> list[int]:
    """The marker codes of a JPEG's header segments, up to the start of the scan."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    markers: list[int] = []
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("bad JPEG segment")
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        pos += 2 + length
    return markers


def check_bare_jpeg(data: bytes) -> None:
    """Refuse metadata: only JFIF's APP0 may appear, no EXIF/XMP (APP1…APP15) and no comment."""
    extra = [m for m in jpeg_markers(data) if 0xE1 <= m <= 0xEF or m == 0xFE]
    if extra:
        raise AppError("照片中含有不允许的元数据。")
