"""The exam photo at the table: a frame checked against the photo spec, processed to it (480×640
JPEG of the right size) and stored as the candidate's photo.

``check_photo`` is what ``regdesk-cli photo check`` does with a file; ``store_photo`` is what the
station does with a camera frame. A frame that fails a check is refused with the checks' hints and
nothing is stored, unless the counsellor gives a reason (an audited override).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.errors import AppError, BadFileError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from app.auth import Actor
    from app.photo.analysis import Analysis
    from app.photo.process import ExamPhoto
    from app.photo.spec import PhotoSpec
    from app.station.capture import CaptureInfo, CaptureService

log = logging.getLogger(__name__)


class PhotoRefused(ValidationError):
    """The frame fails the photo spec; ``hints`` say what to change (nothing was stored);
    ``analysis`` is the verdict, for an override."""

    def __init__(self, analysis: Analysis) -> None:
        hints = analysis.hints or ["未通过照片规格检查"]
        super().__init__("照片不合格：" + "；".join(hints) + "。可调整后重拍，或填写理由放行。", "photo")
        self.analysis = analysis
        self.hints = list(hints)


@dataclass(frozen=True)
class PhotoCheck:
    """A frame's analysis against the spec, and the processed photo when it passed (and was asked for)."""

    analysis: Analysis
    photo: ExamPhoto | None

    @property
    def ok(self) -> bool:
        return self.analysis.ok


def photo_spec(value: object, *, fallback: bool = False) -> PhotoSpec:
    """The spec from the ``photo_spec`` setting. ``fallback``: a setting the spec refuses gives the
    defaults (logged) instead of the error — the table keeps working with the exam's own spec."""
    from app.photo.spec import PhotoSpec

    try:
        return PhotoSpec.from_dict(value or None)  # type: ignore[arg-type]
    except AppError as exc:
        if not fallback:
            raise
        log.warning("photo spec setting refused, using the defaults: %s", exc.message)
        return PhotoSpec()


def read_image(path: Path) -> np.ndarray:
    """A picture file as a BGR frame; ``NotFoundError`` / ``BadFileError`` with the file's name."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    frame = cv2.imdecode(np.fromfile(str(path), dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise BadFileError(f"无法读取图片：{path}（支持 JPEG、PNG、BMP 等常见格式）")
    return frame


def analyse_photo(frame: np.ndarray, spec: PhotoSpec) -> Analysis:
    from app.photo.analysis import analyse

    return analyse(frame, spec)


def check_photo(frame: np.ndarray, spec: PhotoSpec, *, make: bool = True) -> PhotoCheck:
    """Check ``frame`` against ``spec``; with ``make``, the exam photo too when every check passes."""
    from app.photo.process import make_exam_photo

    analysis = analyse_photo(frame, spec)
    photo = make_exam_photo(frame, analysis, spec) if make and analysis.ok else None
    return PhotoCheck(analysis, photo)


def store_photo(capture: CaptureService, actor: Actor, key: str, frame: np.ndarray, spec: PhotoSpec, *,
                analysis: Analysis | None = None, reason: str = "", device: str = "") -> CaptureInfo:
    """Process ``frame`` to the spec and store it as ``key``'s photo (the old one becomes history).

    ``analysis`` is the frame's analysis when the caller has it (the preview's), else it is made.
    A frame that fails a check raises ``PhotoRefused`` and stores nothing, unless ``reason`` says
    why it is kept anyway; then a frame without a detected face is cropped from its centre.
    """
    from app.photo.process import make_exam_photo

    reason = reason.strip()
    if analysis is None:
        analysis = analyse_photo(frame, spec)
    if not analysis.ok and not reason:
        raise PhotoRefused(analysis)
    photo = make_exam_photo(frame, analysis, spec, centre_crop_without_face=bool(reason))
    quality = {**photo.figures, "analysis": analysis.to_dict()}
    return capture.record(actor, key, "photo", photo.jpeg, "jpg", quality=quality, device=device,
                          width=photo.width, height=photo.height, override_reason=reason)
