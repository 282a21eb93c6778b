"""Fingerprint image quality from simple measures, until a real NFIQ 2 is available (DESIGN §4).

Four figures, each over 16×16-pixel blocks of a 500 ppi grey image:
- foreground: the share of blocks whose grey values vary enough to hold ridges (the finger's area);
- coherence: how consistently the ridges run in one direction within a block (structure tensor),
  averaged over the foreground; smudges, noise and blur lower it;
- contrast: the spread between ridges and valleys (5th to 95th percentile) in the foreground;
- sharpness: the mean gradient magnitude in the foreground (gradient energy), in grey levels per pixel.
They combine into a 0–100 score; the desk's threshold (a setting, default 40) decides.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

BLOCK = 16
# Grey-level standard deviation above which a block counts as finger: ridges on a reader's glass
# vary by tens of levels, an empty glass by a few.
FOREGROUND_STD = 12.0


@dataclass(frozen=True)
class QualityReport:
    score: int            # 0–100
    foreground: float     # share of blocks, 0–1
    coherence: float      # mean ridge-orientation coherence over the foreground, 0–1
    contrast: float       # grey levels between the 5th and 95th percentile in the foreground
    sharpness: float      # mean gradient magnitude in the foreground, grey levels per pixel
    width: int
    height: int

    def to_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    def advice(self) -> str:
        """What the counsellor should tell the student, from the weakest figure."""
        if self.foreground < 0.25:
            return "请将整个指肚平放在采集器中央，稍用力按压。"
        if self.contrast < 60:
            return "指纹太淡：请擦干手指（太干可哈一口气）后稍用力按压。"
        if self.coherence < 0.45 or self.sharpness < 8:
            return "指纹模糊：请擦净采集器和手指，按压时不要移动。"
        return "请重新按压。"


def _ramp(value: float, low: float, high: float) -> float:
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def assess(pixels: np.ndarray, *, block: int = BLOCK) -> QualityReport:
    """Quality figures of a 2-D uint8 print (dark ridges or light ridges, either way)."""
    import cv2

    if pixels.ndim != 2:
        raise ValueError("a fingerprint image is 2-D grey")
    h, w = pixels.shape
    img = pixels.astype(np.float32)
    rows, cols = h // block, w // block
    if rows == 0 or cols == 0:
        return QualityReport(0, 0.0, 0.0, 0.0, 0.0, w, h)
    crop = img[:rows * block, :cols * block]
    blocks = crop.reshape(rows, block, cols, block)
    std = blocks.std(axis=(1, 3))
    fg = std > FOREGROUND_STD
    # One stray block (dust, an edge) is not a finger: keep only blocks with foreground neighbours.
    neighbours = cv2.filter2D(fg.astype(np.float32), -1, np.ones((3, 3), np.float32),
                              borderType=cv2.BORDER_CONSTANT)
    fg &= neighbours >= 4
    foreground = float(fg.mean())
    if not fg.any():
        return QualityReport(0, 0.0, 0.0, 0.0, 0.0, w, h)

    gx = cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=3) / 8

    def per_block(a: np.ndarray) -> np.ndarray:
        return a.reshape(rows, block, cols, block).sum(axis=(1, 3))

    jxx, jyy, jxy = per_block(gx * gx), per_block(gy * gy), per_block(gx * gy)
    coherence_map = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-6)
    coherence = float(coherence_map[fg].mean())

    fg_pixels = np.repeat(np.repeat(fg, block, axis=0), block, axis=1)
    values = crop[fg_pixels]
    low, high = np.percentile(values, [5, 95])
    contrast = float(high - low)
    sharpness = float(np.sqrt(gx * gx + gy * gy)[fg_pixels].mean())

    # Each figure maps to 0–1 between "useless" and "as good as it needs to be". They multiply:
    # a tiny sharp patch cannot pass, nor a big faint smear, nor high-contrast noise (no ridge flow).
    area = _ramp(foreground, 0.10, 0.45)
    flow = _ramp(coherence, 0.15, 0.70)
    clarity = 0.5 * _ramp(contrast, 40, 140) + 0.5 * _ramp(sharpness, 4, 20)
    score = round(100 * area * flow * clarity)
    return QualityReport(score, foreground, coherence, contrast, sharpness, w, h)
