"""A student's captured materials seen again: photo, ID card sides, documents and fingerprints, with
their quality figures and history, from the roster and the candidate editor, and a retake from there.

``CaptureGallery`` is the widget (the editor's “采集材料” tab); ``CaptureGalleryDialog`` holds it
for the roster's row menu. The pictures are read on the task runner, never on the GUI thread.

Signals: ``CaptureGallery.retake_requested(str uuid, str kind, str subkind)`` when the counsellor
asks to take one again (the main window opens the station with that student and that step).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.station.capture import CaptureInfo, CaptureService
from ui.common.errors import show_error
from ui.common.tasks import TaskRunner

_THUMB = 150  # px, the longer side of a thumbnail
# Figures worth showing per kind, with their labels and units.
_FIGURES = {
    "photo": (("size_bytes", "大小", "KB"), ("face_width", "脸宽", "px"), ("sharpness", "清晰度", "")),
    "id_front": (("sharpness", "清晰度", ""), ("glare_share", "反光", ""), ("text_rows", "文字行", "")),
    "id_back": (("sharpness", "清晰度", ""), ("glare_share", "反光", ""), ("text_rows", "文字行", "")),
    "fingerprint": (("score", "质量", "分"), ("attempts", "采集次数", ""), ("threshold", "合格线", "分")),
}


def local_time(at: dt.datetime) -> str:
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%m-%d %H:%M")


def figures_text(info: CaptureInfo) -> str:
    """The quality figures worth reading for this kind of capture (“质量 78 分 · 采集次数 2”)."""
    parts = []
    for key, label, unit in _FIGURES.get(info.kind, ()):
        value = info.size_bytes / 1024 if key == "size_bytes" else info.quality.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, float):
            value = f"{value:.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"
        parts.append(f"{label} {value}{(' ' + unit) if unit and unit != '分' else unit}")
    return " · ".join(parts)


class _Tile(QFrame):
    """One capture: its picture, what it is, when and by whom, its figures, and 重拍."""

    def __init__(self, info: CaptureInfo, image: QImage, can_retake: bool, gallery: CaptureGallery) -> None:
        super().__init__(gallery)
        self.info = info
        self.setObjectName(f"tile_{info.kind}_{info.subkind}" if info.subkind else f"tile_{info.kind}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        picture = QLabel(self)
        picture.setObjectName("picture")
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setMinimumSize(_THUMB, _THUMB)
        if image.isNull():
            picture.setText(self.tr("（无法显示）") if info.sha256 else self.tr("（无图像）"))
        else:
            picture.setPixmap(QPixmap.fromImage(image).scaled(
                _THUMB, _THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        lay.addWidget(picture)
        title = QLabel(info.label, self)
        title.setObjectName("title")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        lay.addWidget(title)
        detail = [self.tr("%1 · %2").replace("%1", local_time(info.captured_at)).replace("%2", info.operator)]
        figures = figures_text(info)
        if figures:
            detail.append(figures)
        if info.override_reason:
            detail.append(self.tr("放行理由：%1").replace("%1", info.override_reason))
        text = QLabel("\n".join(detail), self)
        text.setObjectName("figures")
        text.setWordWrap(True)
        lay.addWidget(text)
        if can_retake and info.kind != "id_chip":
            button = QPushButton(self.tr("重拍"), self)
            button.setObjectName("retakeButton")
            button.clicked.connect(lambda: gallery.retake_requested.emit(info.candidate_uuid, info.kind, info.subkind))
            lay.addWidget(button)
        self.setFixedWidth(_THUMB + 70)


class CaptureGallery(QWidget):
    retake_requested = Signal(str, str, str)

    def __init__(self, capture: CaptureService, uuid: str, runner: TaskRunner | None = None, *,
                 can_retake: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("captureGallery")
        self.capture = capture
        self.uuid = uuid
        self.runner = runner or TaskRunner(self, synchronous=True)
        self.can_retake = can_retake
        self.tiles: list[_Tile] = []
        lay = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("gallerySummary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        self.grid = QGridLayout(holder)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll.setWidget(holder)
        lay.addWidget(scroll, 3)
        history_title = QLabel(self.tr("采集记录（灰色为被重拍替换的旧记录）"), self)
        lay.addWidget(history_title)
        self.history = QListWidget(self)
        self.history.setObjectName("galleryHistory")
        lay.addWidget(self.history, 1)
        self.reload()

    def reload(self) -> None:
        capture, uuid = self.capture, self.uuid

        def load(progress, cancel):
            history = capture.history(uuid)
            images: dict[str, bytes] = {}
            for info in history:
                if info.active and info.sha256:
                    try:
                        images[info.uuid] = capture.media_bytes(info)
                    except AppError:
                        images[info.uuid] = b""  # gone or damaged: the tile says it cannot show it
            return history, images, capture.checklist(uuid)

        self.summary.setText(self.tr("正在读取采集材料…"))
        self.runner.run(load, on_success=self._on_loaded, on_error=lambda exc: show_error(self, exc))

    def _on_loaded(self, result: object) -> None:
        history, images, checklist = result  # type: ignore[misc]
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        self.history.clear()
        current = [i for i in history if i.active]
        order = {"photo": 0, "id_front": 1, "id_back": 2, "document": 3, "fingerprint": 4, "id_chip": 5}
        current.sort(key=lambda i: (order.get(i.kind, 9), i.subkind))
        columns = 4
        for n, info in enumerate(current):
            tile = _Tile(info, QImage.fromData(images.get(info.uuid, b"")), self.can_retake, self)
            self.tiles.append(tile)
            self.grid.addWidget(tile, n // columns, n % columns)
        for info in history:
            text = f"{local_time(info.captured_at)} {info.label} · {info.operator}"
            if info.desk_name:
                text += f" · {info.desk_name}"
            if not info.active:
                text += self.tr("（已被重拍替换）")
            item = QListWidgetItem(text)
            if not info.active:
                item.setForeground(Qt.GlobalColor.gray)
            self.history.addItem(item)
        missing = [s.label for s in checklist.steps if not s.done]
        if not history:
            self.summary.setText(self.tr("%1 还没有任何采集记录（尚未到现场确认）。").replace("%1", checklist.name))
        elif missing:
            self.summary.setText(self.tr("还缺：%1").replace("%1", "、".join(missing)))
        else:
            self.summary.setText(self.tr("现场确认的各项都已完成。"))


class CaptureGalleryDialog(QDialog):
    """The gallery in its own window (the roster's row menu: 查看采集材料)."""

    def __init__(self, capture: CaptureService, uuid: str, title: str, runner: TaskRunner | None = None, *,
                 can_retake: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("captureGalleryDialog")
        self.setWindowTitle(self.tr("采集材料 - %1").replace("%1", title))
        lay = QVBoxLayout(self)
        self.gallery = CaptureGallery(capture, uuid, runner, can_retake=can_retake, parent=self)
        lay.addWidget(self.gallery, 1)
        row = QHBoxLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        lay.addLayout(row)
        self.gallery.retake_requested.connect(lambda *_args: self.accept())
        self.resize(960, 640)
