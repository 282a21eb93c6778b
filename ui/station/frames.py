"""What the preview's threads and widget share: the camera states, a frame as a ``QImage``, where the
frame sits in the widget (``FrameMapping``) and the pens overlays draw with.

States: ``opening``, ``live``, ``no_camera``, ``unplugged``, ``stopped``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

OPENING, LIVE, NO_CAMERA, UNPLUGGED, STOPPED = "opening", "live", "no_camera", "unplugged", "stopped"


def to_qimage(frame: np.ndarray) -> QImage:
    """A deep-copied QImage of a BGR (or grey) uint8 frame; safe to build on a worker thread."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


def _t(text: str) -> str:
    return QCoreApplication.translate("CameraPreview", text)


@dataclass
class Latest:
    frame: np.ndarray
    seq: int
    at: float




# Draws on top of the frame: painter, frame→widget mapping, frame size, the latest analysis.
Overlay = Callable[[QPainter, "FrameMapping", Any], None]


@dataclass
class FrameMapping:
    """Where the frame sits in the widget: widget = offset + frame × scale."""

    scale: float
    dx: float
    dy: float
    frame_w: int
    frame_h: int

    def point(self, x: float, y: float) -> QPointF:
        return QPointF(self.dx + x * self.scale, self.dy + y * self.scale)

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self.dx + x * self.scale, self.dy + y * self.scale, w * self.scale, h * self.scale)

    def to_frame(self, px: float, py: float) -> tuple[float, float]:
        return (px - self.dx) / self.scale, (py - self.dy) / self.scale



def pen(colour: str, width: float = 2.0, dashed: bool = False) -> QPen:
    out = QPen(QColor(colour))
    out.setWidthF(width)
    if dashed:
        out.setStyle(Qt.PenStyle.DashLine)
    return out
