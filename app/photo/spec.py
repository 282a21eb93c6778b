"""The exam photo specification (DESIGN §4), kept in the ``photo_spec`` setting because provinces differ.

The setting holds only what differs from the defaults; ``PhotoSpec.from_dict`` merges it over the
defaults and checks every value, so a bad setting is refused with a Chinese message naming the key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from app.errors import ValidationError

RGB = tuple[int, int, int]


def _default_backgrounds() -> dict[str, RGB]:
    return {"白色": (255, 255, 255), "浅蓝色": (100, 197, 255), "浅灰色": (240, 240, 240)}


@dataclass(frozen=True)
class PhotoSpec:
    """All figures are pixels of the finished photo unless the name says otherwise."""

    width: int = 480
    height: int = 640
    min_kb: float = 20.0  # the file must be >= min_kb × 1024 bytes …
    max_kb: float = 40.0  # … and <= max_kb × 1000 bytes, which satisfies either reading of "KB"
    hair_top: tuple[int, int] = (50, 110)  # from the top edge
    eye_line: tuple[int, int] = (200, 300)  # from the top edge
    face_width: tuple[int, int] = (180, 300)
    centre_tolerance: int = 24  # the face's centre may be this far from the vertical midline
    # Background colours as RGB, keyed by the name the hint shows.
    backgrounds: dict[str, RGB] = field(default_factory=_default_backgrounds)
    background_tolerance: float = 60.0  # RGB distance from an allowed colour (webcams are not calibrated)
    background_max_std: float = 16.0  # grey-level spread inside a background region
    background_max_spread: float = 30.0  # RGB distance between the regions' means (left/right/top)
    min_sharpness: float = 40.0  # variance of the Laplacian of the face at 160 px wide
    brightness: tuple[int, int] = (70, 215)  # mean grey level of the face
    max_upscale: float = 1.5  # the crop may be enlarged at most this much (a small face looks soft)
    check_glasses: bool = False  # some provinces refuse glasses: hint "请摘下眼镜"
    min_quality: int = 30  # JPEG quality search range
    max_quality: int = 95

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def min_bytes(self) -> int:
        return int(self.min_kb * 1024)

    @property
    def max_bytes(self) -> int:
        return int(self.max_kb * 1000)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (lists for the pairs and colours)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        out["backgrounds"] = {name: list(rgb) for name, rgb in self.backgrounds.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PhotoSpec:
        """The defaults with ``data`` (the setting, possibly partial) laid over them, checked."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValidationError("照片规格须为 JSON 对象。", "photo_spec")
        known = {f.name: f for f in fields(cls)}
        unknown = [k for k in data if k not in known]
        if unknown:
            raise ValidationError(f"照片规格中有未知的项：{'、'.join(map(str, unknown))}。", "photo_spec")
        default = cls()
        values: dict[str, Any] = {}
        for key, value in data.items():
            values[key] = _coerce(key, value, getattr(default, key))
        spec = replace(default, **values)
        spec.validate()
        return spec

    def validate(self) -> None:
        def bad(key: str, why: str) -> ValidationError:
            return ValidationError(f"照片规格“{key}”{why}。", "photo_spec")

        if not (64 <= self.width <= 4000 and 64 <= self.height <= 4000):
            raise bad("width/height", "超出范围")
        if not 0 < self.min_kb < self.max_kb:
            raise bad("min_kb/max_kb", "应满足 0 < min_kb < max_kb")
        for key, limit in (("hair_top", self.height), ("eye_line", self.height), ("face_width", self.width),
                           ("brightness", 255)):
            lo, hi = getattr(self, key)
            if not 0 <= lo < hi <= limit:
                raise bad(key, f"应为两个数 [下限, 上限]，且 0 ≤ 下限 < 上限 ≤ {limit}")
        if self.hair_top[0] >= self.eye_line[1]:
            raise bad("hair_top", "应在眼睛上方")
        if not self.backgrounds:
            raise bad("backgrounds", "至少要有一种背景颜色")
        if not 1 <= self.min_quality < self.max_quality <= 100:
            raise bad("min_quality/max_quality", "应满足 1 ≤ min_quality < max_quality ≤ 100")
        if self.max_upscale < 1:
            raise bad("max_upscale", "不能小于 1")

    def background_names(self) -> str:
        return "、".join(self.backgrounds)


def _coerce(key: str, value: Any, default: Any) -> Any:
    def bad() -> ValidationError:
        return ValidationError(f"照片规格“{key}”的值“{value}”无效。", "photo_spec")

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad()
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad()
        if isinstance(default, float):
            return float(value)
        if value != int(value):
            raise bad()
        return int(value)
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or len(value) != 2 or not all(_is_num(v) for v in value):
            raise bad()
        return (int(value[0]), int(value[1]))
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise bad()
        out: dict[str, RGB] = {}
        for name, rgb in value.items():
            if (not isinstance(rgb, list | tuple) or len(rgb) != 3
                    or not all(_is_num(c) and 0 <= c <= 255 for c in rgb)):
                raise ValidationError(f"照片规格中背景颜色“{name}”应为 [R, G, B]，每个 0–255。", "photo_spec")
            out[str(name)] = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
        return out
    raise bad()


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
