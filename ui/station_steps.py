"""The station's per-step pieces: preview overlays, the override-reason dialog, the document-kind
chooser, the manual card-corner dialog and the fingerprint dialog.

Overlays are callables ``(painter, mapping, result)`` the preview calls while painting: the photo
guidance (the crop the analysis proposes with the spec's bands inside it, or a fixed centred guide
while no face is found; ``photo_guide`` computes it) and the card outline. Dialogs are opened with ``open()`` (never ``exec()``), so nothing spins a nested event
loop and tests can drive them like a user.

Signals:
- ``OverrideDialog.reason_given(str)``;
- ``DocumentKindDialog.kind_chosen(str)`` (a ``DOCUMENT_KINDS`` key);
- ``CornerDialog.corners_chosen(object)`` (float32 (4, 2) array, TL TR BR BL, in frame pixels);
- ``FingerprintDialog.captured(object)`` (the ``CaptureInfo`` stored for one finger),
  ``FingerprintDialog.finished_all()``, ``StudentListDialog.student_chosen(str uuid)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import Cancelled
from ui.camera_preview import FrameMapping, pen, to_qimage
from ui.common.errors import InlineError, message_for
from ui.common.tasks import TaskRunner

log = logging.getLogger(__name__)


# -- overlays -----------------------------------------------------------------------------------------
def guide_rect(frame_w: int, frame_h: int, spec: Any, share: float = 0.92) -> tuple[float, float, float, float]:
    """The part of the frame that becomes the photo when the head sits where the guide shows.

    The guide is the largest spec-shaped (3:4) rectangle covering ``share`` of the frame's height,
    centred: the student fills it the way the finished photo must be filled.
    """
    h = frame_h * share
    w = h * spec.width / spec.height
    if w > frame_w * share:
        w = frame_w * share
        h = w * spec.height / spec.width
    return (frame_w - w) / 2, (frame_h - h) / 2, w, h


@dataclass(frozen=True)
class PhotoGuide:
    """What the photo overlay draws, in frame pixels.

    ``crop`` (x, y, w, h) is the photo's rectangle: the analysis's proposed crop when a face was
    found (``follows_face``), else the fixed centred guide. The bands are (top, bottom) rows inside
    that crop; ``head`` (x, y, w, h) is the oval the head should fill.
    """

    crop: tuple[float, float, float, float]
    eye_band: tuple[float, float]
    hair_band: tuple[float, float]
    eye_y: float
    head: tuple[float, float, float, float]
    follows_face: bool


def _clamp_rect(x: float, y: float, w: float, h: float, frame_w: int, frame_h: int
                ) -> tuple[float, float, float, float]:
    x0, y0 = min(max(x, 0.0), float(frame_w)), min(max(y, 0.0), float(frame_h))
    x1, y1 = min(max(x + w, x0), float(frame_w)), min(max(y + h, y0), float(frame_h))
    return x0, y0, x1 - x0, y1 - y0


def photo_guide(result: Any, spec: Any, frame_w: int, frame_h: int) -> PhotoGuide:
    """The overlay's geometry for one analysis of a ``frame_w`` × ``frame_h`` frame.

    The crop comes from the analysis only when it judged a frame of this size (a result left over
    from another camera mode or resolution would be drawn in the wrong place).
    """
    crop = getattr(result, "crop", None)
    size = tuple(getattr(result, "frame_size", (0, 0)) or (0, 0))
    follows = (crop is not None and face_box(result) is not None and size == (frame_w, frame_h)
               and crop.width > 0 and crop.height > 0)
    if follows:
        gx, gy, gw, gh = _clamp_rect(crop.x, crop.y, crop.width, crop.height, frame_w, frame_h)
        if gw <= 0 or gh <= 0:
            follows = False
    if not follows:
        gx, gy, gw, gh = guide_rect(frame_w, frame_h, spec)
    s = gh / spec.height  # frame pixels per photo pixel

    def rows(band: tuple[float, float]) -> tuple[float, float]:
        return min(gy + band[0] * s, gy + gh), min(gy + band[1] * s, gy + gh)

    eye_band, hair_band = rows(spec.eye_line), rows(spec.hair_top)
    # The head: an oval as wide as the middle of the allowed face widths, from the middle of the hair
    # band down to as far below the eyes as the eyes are below the hair, kept inside the crop.
    face_w = min((spec.face_width[0] + spec.face_width[1]) / 2 * s, gw)
    top = (hair_band[0] + hair_band[1]) / 2
    eyes = (eye_band[0] + eye_band[1]) / 2
    bottom = min(eyes + (eyes - top) * 1.25, gy + gh)
    head = (gx + (gw - face_w) / 2, top, face_w, bottom - top)
    return PhotoGuide((gx, gy, gw, gh), eye_band, hair_band, eyes, head, follows)


class PhotoOverlay:
    """Draws the photo guidance: the crop the photo would be (the analysis's when it found a face),
    the hair and eye bands inside it, the head oval and the face that was found.

    ``last_guide`` (frame pixels) and ``last_rect`` (widget pixels) record the crop last drawn.
    """

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.last_guide: PhotoGuide | None = None
        self.last_rect: QRectF | None = None

    def __call__(self, p: QPainter, m: FrameMapping, result: Any) -> None:
        g = photo_guide(result, self.spec, m.frame_w, m.frame_h)
        full = m.rect(0, 0, m.frame_w, m.frame_h)
        guide = m.rect(*g.crop)
        self.last_guide, self.last_rect = g, guide
        p.save()
        p.setClipRect(full)  # nothing spills onto the letterbox bars around the frame
        # Dim what will be cropped away.
        outside = QPainterPath()
        outside.addRect(full)
        inside = QPainterPath()
        inside.addRect(guide)
        p.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 90))
        gx, _gy, gw, _gh = g.crop
        p.fillRect(m.rect(gx, g.hair_band[0], gw, g.hair_band[1] - g.hair_band[0]), QColor(102, 204, 255, 50))
        p.fillRect(m.rect(gx, g.eye_band[0], gw, g.eye_band[1] - g.eye_band[0]), QColor(255, 209, 102, 60))
        ok = bool(getattr(result, "ok", False))
        if g.follows_face:
            p.setPen(pen("#2ec27e" if ok else "#ffffff", 3 if ok else 2, dashed=not ok))
        else:
            p.setPen(pen("#ffffff", 2, dashed=True))
        p.drawRect(guide)
        p.setPen(pen("#ffd166", 3))
        p.drawEllipse(m.rect(*g.head))
        p.setPen(pen("#ffd166", 1, dashed=True))
        p.drawLine(m.point(gx, g.eye_y), m.point(gx + gw, g.eye_y))
        face = face_box(result)
        if face is not None:
            p.setPen(pen("#2ec27e" if ok else "#e01b24", 3))
            p.drawRect(m.rect(*face))
        p.restore()


def photo_overlay(spec: Any) -> PhotoOverlay:
    """The photo guidance overlay for ``spec`` (see ``PhotoOverlay``)."""
    return PhotoOverlay(spec)


def face_box(result: Any) -> tuple[float, float, float, float] | None:
    """The face rectangle (x, y, w, h in frame pixels) of a photo analysis, if one was found."""
    if result is None:
        return None
    for name in ("face", "face_box", "face_rect"):
        box = getattr(result, name, None)
        if box is not None:
            values = [getattr(box, k) for k in ("x", "y", "w", "h")] if hasattr(box, "w") else list(box)
            if len(values) == 4:
                return tuple(float(v) for v in values)  # type: ignore[return-value]
    return None


def check_hints(result: Any) -> list[str]:
    """The hints of the failed checks, in the analysis's order, without repeats."""
    out: list[str] = []
    for check in getattr(result, "checks", None) or []:
        hint = getattr(check, "hint_zh", "") or getattr(check, "hint", "")
        if not check.ok and hint and hint not in out:
            out.append(hint)
    return out


def quad_overlay(p: QPainter, m: FrameMapping, result: Any) -> None:
    """The card (or document) outline found in the frame: green when good enough to keep."""
    corners = getattr(result, "corners", None)
    if corners is None:
        return
    ok = bool(getattr(result, "ok", False))
    poly = QPolygonF([m.point(float(x), float(y)) for x, y in np.asarray(corners).reshape(4, 2)])
    p.setPen(pen("#2ec27e" if ok else "#ffd166", 3))
    p.drawPolygon(poly)


# -- override ------------------------------------------------------------------------------------------
class OverrideDialog(QDialog):
    """Asks the counsellor why a capture that failed a check is kept anyway (audited)."""

    reason_given = Signal(str)

    def __init__(self, what: str, failed: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideDialog")
        self.setWindowTitle(self.tr("放行未通过的检查"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("%1未通过以下检查：").replace("%1", what))
        lay.addWidget(intro)
        listed = QLabel("\n".join(f"• {item}" for item in failed) or self.tr("（无）"))
        listed.setStyleSheet("color: #c0392b;")
        lay.addWidget(listed)
        lay.addWidget(QLabel(self.tr("仍要保存，请写明理由（会记入审计记录）：")))
        self.reason = QLineEdit()
        self.reason.setObjectName("overrideReason")
        self.reason.setPlaceholderText(self.tr("例如：考生戴医用眼镜，已核对本人"))
        lay.addWidget(self.reason)
        self.error = InlineError()
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("放行并保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("正") * 30)

    def _on_buttons_accepted(self) -> None:
        reason = self.reason.text().strip()
        if len(reason) < 2:
            self.error.show_message(self.tr("请写明放行理由。"))
            self.reason.setFocus()
            return
        self.accept()
        self.reason_given.emit(reason)


# -- document kind -------------------------------------------------------------------------------------
class DocumentKindDialog(QDialog):
    """F5: which document is being photographed; the one the category requires is preselected.

    Keyboard: 1–9 picks and closes at once; arrows then Enter; Esc keeps the current step.
    """

    kind_chosen = Signal(str)

    def __init__(self, kinds: dict[str, str], current: str, required: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentKindDialog")
        self.setWindowTitle(self.tr("选择材料类型"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.kinds = list(kinds)
        self._done = False
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("要拍摄哪种证明材料？按数字键选择，或用方向键选中后按 Enter。")))
        self.choices = QListWidget()
        self.choices.setObjectName("documentKinds")
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.choices.setFont(big)
        for i, (kind, label) in enumerate(kinds.items(), start=1):
            text = f"{i}  {label}"
            if kind == required:
                text += self.tr("（本考生类别需要）")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.choices.addItem(item)
        self.choices.setCurrentRow(self.kinds.index(current) if current in self.kinds else 0)
        rows = self.choices.count()
        # As tall as its rows: three choices, no empty box under them.
        self.choices.setFixedHeight(self.choices.sizeHintForRow(0) * rows + 2 * self.choices.frameWidth() + 4)
        self.choices.itemActivated.connect(lambda item: self._choose(self.choices.row(item)))
        # The list would take a digit as a type-ahead search: the dialog reads the digits first.
        self.choices.installEventFilter(self)
        lay.addWidget(self.choices)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("拍摄这种材料"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(lambda: self._choose(self.choices.currentRow()))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.choices.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.choices and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                self._choose(int(key) - int(Qt.Key.Key_1))
                return True
        return super().eventFilter(watched, event)

    def _choose(self, row: int) -> None:
        # Enter reaches both the list (itemActivated) and the dialog's default button: act once.
        if self._done or not 0 <= row < len(self.kinds):
            return
        self._done = True
        self.accept()
        self.kind_chosen.emit(self.kinds[row])


# -- manual card corners -----------------------------------------------------------------------------
class CornerEditor(QWidget):
    """A still frame with four draggable corners; keyboard: Tab picks a corner, arrows move it."""

    def __init__(self, frame: np.ndarray, corners: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cornerEditor")
        self.image = to_qimage(frame)
        self.corners = np.asarray(corners, dtype=np.float32).reshape(4, 2).copy()
        self.active = 0
        self._drag: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 300)

    def sizeHint(self) -> QSize:
        return QSize(800, 480)

    def _mapping(self) -> FrameMapping:
        iw, ih = self.image.width(), self.image.height()
        scale = min(self.width() / iw, self.height() / ih)
        return FrameMapping(scale, (self.width() - iw * scale) / 2, (self.height() - ih * scale) / 2, iw, ih)

    def paintEvent(self, _event: QPaintEvent) -> None:
        m = self._mapping()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1e1e"))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.drawImage(m.rect(0, 0, m.frame_w, m.frame_h), self.image)
        pts = [m.point(float(x), float(y)) for x, y in self.corners]
        p.setPen(pen("#2ec27e", 2))
        p.drawPolygon(QPolygonF(pts))
        labels = (self.tr("左上"), self.tr("右上"), self.tr("右下"), self.tr("左下"))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        for i, pt in enumerate(pts):
            p.setPen(pen("#ffffff", 2))
            p.setBrush(QColor("#e01b24") if i == self.active else QColor("#1a5fb4"))
            p.drawEllipse(pt, 9, 9)
            p.setPen(QColor("#ffffff"))
            p.drawText(pt + QPointF(12, -10), labels[i])
        p.end()

    def _nearest(self, pos: QPointF) -> int | None:
        m = self._mapping()
        best, best_d = None, 30.0
        for i, (x, y) in enumerate(self.corners):
            pt = m.point(float(x), float(y))
            d = ((pt.x() - pos.x()) ** 2 + (pt.y() - pos.y()) ** 2) ** 0.5
            if d < best_d:
                best, best_d = i, d
        return best

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag = self._nearest(event.position())
        if self._drag is not None:
            self.active = self._drag
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        x, y = self._mapping().to_frame(event.position().x(), event.position().y())
        self._move_to(self._drag, x, y)

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._drag = None

    def _move_to(self, i: int, x: float, y: float) -> None:
        self.corners[i] = (min(max(x, 0.0), self.image.width() - 1.0), min(max(y, 0.0), self.image.height() - 1.0))
        self.update()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab walks the four corners before leaving the editor.
        if next and self.active < 3:
            self.active += 1
        elif not next and self.active > 0:
            self.active -= 1
        else:
            return super().focusNextPrevChild(next)
        self.update()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = 10.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 2.0
        moves = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0), Qt.Key.Key_Up: (0, -step),
                 Qt.Key.Key_Down: (0, step)}
        key = Qt.Key(event.key())
        if key in moves:
            dx, dy = moves[key]
            x, y = self.corners[self.active]
            self._move_to(self.active, float(x) + dx / self._mapping().scale, float(y) + dy / self._mapping().scale)
            return
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_4:
            self.active = int(key) - int(Qt.Key.Key_1)
            self.update()
            return
        super().keyPressEvent(event)


class CornerDialog(QDialog):
    """Manual corner adjustment for a card or document the finder could not outline."""

    corners_chosen = Signal(object)

    def __init__(self, title: str, frame: np.ndarray, corners: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cornerDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        lay = QVBoxLayout(self)
        hint = QLabel(self.tr("未能自动找到边缘：请把四个角拖到证件的四个角上。"
                              "键盘：Tab 或 1–4 选角，方向键移动（Shift 加快），Enter 保存。"))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.editor = CornerEditor(frame, corners)
        lay.addWidget(self.editor, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("按此裁切并保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.editor.setFocus()

    def _on_buttons_accepted(self) -> None:
        self.accept()
        self.corners_chosen.emit(self.editor.corners.copy())


# -- fingerprints ------------------------------------------------------------------------------------
class FingerprintDialog(QDialog):
    """Captures the configured fingers one after the other on a worker, with the reader's prompts.

    ``capture_one(finger, progress, cancel) -> (CaptureInfo | None, CheckedCapture)`` does the work
    (capture with the quality gate, then store when accepted); it runs on ``runner``. A print still
    poor after the configured retries can be retried or kept with a reason (``keep_poor``).
    """

    captured = Signal(object)
    finished_all = Signal()

    def __init__(self, fingers: list[tuple[str, str]], capture_one: Callable, keep_poor: Callable,
                 runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fingerprintDialog")
        self.setWindowTitle(self.tr("采集指纹"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.fingers = list(fingers)
        self.capture_one = capture_one
        self.keep_poor = keep_poor
        self.runner = runner
        self.index = 0
        self.handle = None
        self.poor: Any = None
        lay = QVBoxLayout(self)
        self.finger_label = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.finger_label.setFont(big)
        lay.addWidget(self.finger_label)
        self.prompt = QLabel()
        self.prompt.setObjectName("fingerprintPrompt")
        prompt_font = QFont(self.font())
        prompt_font.setPointSizeF(prompt_font.pointSizeF() * 1.4)
        self.prompt.setFont(prompt_font)
        self.prompt.setWordWrap(True)
        lay.addWidget(self.prompt)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        lay.addWidget(self.progress)
        self.quality = QLabel()
        self.quality.setObjectName("fingerprintQuality")
        self.quality.setWordWrap(True)
        lay.addWidget(self.quality)
        row = QHBoxLayout()
        self.retry_button = QPushButton(self.tr("重新采集(&R)"))
        self.retry_button.clicked.connect(self._start)
        self.keep_button = QPushButton(self.tr("放行并保存(&O)…"))
        self.keep_button.clicked.connect(self._on_keep_clicked)
        self.cancel_button = QPushButton(self.tr("取消(Esc)"))
        self.cancel_button.setObjectName("fingerprintCancel")
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.retry_button)
        row.addWidget(self.keep_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("正") * 32)

    def start(self) -> None:
        self.open()
        self._start()

    def _start(self) -> None:
        if self.index >= len(self.fingers):
            return
        finger, label = self.fingers[self.index]
        self.poor = None
        self.retry_button.hide()
        self.keep_button.hide()
        self.progress.show()
        self.finger_label.setText(self.tr("第 %1/%2 个：%3").replace("%1", str(self.index + 1))
                                  .replace("%2", str(len(self.fingers))).replace("%3", label))
        self.prompt.setText(self.tr("正在打开指纹采集器…"))
        self.quality.clear()
        self.handle = self.runner.run(
            lambda progress, cancel: self.capture_one(finger, progress, cancel),
            on_success=self._on_task_success, on_error=self._on_task_error, on_progress=self._on_task_progress)

    def _on_task_progress(self, _done: int, _total: int, message: str) -> None:
        if message:
            self.prompt.setText(message)

    def _on_task_success(self, result: object) -> None:
        self.handle = None
        info, checked = result  # type: ignore[misc]
        self.progress.hide()
        score = checked.quality.score
        if info is None:
            self.poor = checked
            self.prompt.setText(self.tr("指纹质量仍不合格。可以请考生擦干手指后重新采集，或写明理由后放行。"))
            self.quality.setText(self.tr("质量 %1 分（%2）").replace("%1", str(score))
                                 .replace("%2", checked.quality.advice()))
            self.retry_button.show()
            self.keep_button.show()
            self.retry_button.setFocus()
            return
        self._stored(info, score)

    def _stored(self, info: object, score: int) -> None:
        self.quality.setText(self.tr("已保存，质量 %1 分").replace("%1", str(score)))
        self.captured.emit(info)
        self.index += 1
        if self.index >= len(self.fingers):
            self.finished_all.emit()
            self.accept()
        else:
            self._start()

    def _on_task_error(self, exc: BaseException) -> None:
        self.handle = None
        self.progress.hide()
        if isinstance(exc, Cancelled):
            return
        self.prompt.setText(message_for(exc))
        self.retry_button.show()
        self.retry_button.setFocus()

    def _on_keep_clicked(self) -> None:
        _finger, label = self.fingers[self.index]
        dialog = OverrideDialog(self.tr("指纹（%1）").replace("%1", label),
                                [self.tr("质量 %1 分，低于合格线").replace("%1", str(self.poor.quality.score))], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reason_given.connect(self._on_override_reason_given)
        dialog.open()

    def _on_override_reason_given(self, reason: str) -> None:
        finger, _label = self.fingers[self.index]
        try:
            info = self.keep_poor(finger, self.poor, reason)
        except Exception as exc:
            self.prompt.setText(message_for(exc))
            return
        self._stored(info, self.poor.quality.score)

    def reject(self) -> None:
        if self.handle is not None and not self.handle.done:
            self.handle.cancel.cancel()
        super().reject()


class StudentListDialog(QDialog):
    """F8 at the table: today's unfinished students at this desk, and who has not come yet (by class
    and counsellor). Enter (or a double click) on a student brings them back to the table.

    Signals: ``student_chosen(str)`` with the candidate's UUID.
    """

    student_chosen = Signal(str)

    def __init__(self, unfinished: list, not_come: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studentListDialog")
        self.setWindowTitle(self.tr("未完成与未到的考生"))
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.unfinished = QTreeWidget(self)
        self.unfinished.setObjectName("unfinishedList")
        self.unfinished.setHeaderLabels([self.tr("学号"), self.tr("姓名"), self.tr("班级"), self.tr("还缺")])
        for u in unfinished:
            item = QTreeWidgetItem([u.student_no, u.name, u.class_name, "、".join(u.missing)])
            item.setData(0, Qt.ItemDataRole.UserRole, u.uuid)
            self.unfinished.addTopLevelItem(item)
        self.not_come = QTreeWidget(self)
        self.not_come.setObjectName("notComeList")
        self.not_come.setHeaderLabels([self.tr("班级 / 学号"), self.tr("姓名"), self.tr("辅导员")])
        groups: dict[tuple[str, str], list] = {}
        for row in not_come:
            groups.setdefault((row.class_name, row.counsellor), []).append(row)
        for (class_name, counsellor), rows in sorted(groups.items()):
            group = QTreeWidgetItem([self.tr("%1（%2 人）").replace("%1", class_name or self.tr("未分班"))
                                     .replace("%2", str(len(rows))), "", counsellor])
            for row in rows:
                child = QTreeWidgetItem([row.student_no, row.name, ""])
                child.setData(0, Qt.ItemDataRole.UserRole, row.uuid)
                group.addChild(child)
            self.not_come.addTopLevelItem(group)
        for tree in (self.unfinished, self.not_come):
            tree.setRootIsDecorated(tree is self.not_come)
            tree.setUniformRowHeights(True)
            tree.itemActivated.connect(self._on_item_activated)
            tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(self.unfinished, self.tr("本桌今日未完成 (%1)").replace("%1", str(len(unfinished))))
        self.tabs.addTab(self.not_come, self.tr("尚未到场 (%1)").replace("%1", str(len(not_come))))
        lay.addWidget(self.tabs, 1)
        hint = QLabel(self.tr("选中考生后按 Enter 回到该考生继续采集；Esc 关闭。"), self)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        if not unfinished and not_come:
            self.tabs.setCurrentIndex(1)
        current = self.tabs.currentWidget()
        if isinstance(current, QTreeWidget) and current.topLevelItemCount():
            current.setCurrentItem(current.topLevelItem(0))
        self.resize(self.fontMetrics().horizontalAdvance("正") * 48, self.fontMetrics().height() * 28)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.tabs.currentWidget().setFocus()

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        uuid = item.data(0, Qt.ItemDataRole.UserRole)
        if uuid:
            self.student_chosen.emit(str(uuid))
            self.accept()
        else:
            item.setExpanded(not item.isExpanded())
