"""纸质核验: does a printed page still match the data? Read its QR code from a scan or a PDF.

Choose a file (Ctrl+O) or drop one on the screen; the pages are read and checked on the
``TaskRunner``. Each page gets a coloured verdict — green: matches the electronic data; red:
differs, with the rows and fields that changed (old → new); amber: no readable code, with what
to do; grey: a document this desk did not print — and a picture of the page as it was read.

``verify_image(array, source)`` checks an image already in memory, so a camera can feed frames.

Signals: ``verified(list)`` with the ``PageCheck`` list of the last check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.devices.factory import Devices
from app.documents.printing import IMAGE_SUFFIXES, PDF_SUFFIXES, PrintingService
from ui.common.errors import show_error
from ui.common.file_dialogs import ask_open_file, start_dir
from ui.common.tasks import TaskRunner, run_with_progress

THUMB_HEIGHT = 900  # pixels kept per page: sharp enough to read the page number, small in memory
STATUS = {  # status -> (colour, background, label)
    "match": ("#1e7d32", "#e8f5e9", "与电子数据一致"),
    "differs": ("#b71c1c", "#ffebee", "与电子数据不一致"),
    "no_code": ("#8a5a00", "#fff8e1", "没有读到二维码"),
    "unknown": ("#455a64", "#eceff1", "不是本机打印的文档"),
}
ADVICE = {
    "differs": "打印后数据已被修改（或纸质件被改动）：请按下表核对，重新打印后再签字盖章。",
    "no_code": "请把页面放平、对准页面左下角的二维码，重新扫描（建议 200 dpi 以上）或拍照后再核对。",
    "unknown": "该页由其他报名点或其他电脑打印：请到打印它的电脑上核对，或按页面上的文档编号人工核对。",
}


@dataclass(frozen=True)
class PageResult:
    check: object  # app.documents.printing.PageCheck
    thumbnail: object  # RGB numpy array


def _thumbnail(bgr):
    import cv2
    import numpy as np

    image = bgr if bgr.ndim == 3 else cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR)
    h = image.shape[0]
    if h > THUMB_HEIGHT:
        image = cv2.resize(image, None, fx=THUMB_HEIGHT / h, fy=THUMB_HEIGHT / h, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image[:, :, ::-1])


class _PageLabel(QLabel):
    """Shows the page scaled to fit, rescaled whenever the splitter gives it a new size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._page: QPixmap | None = None
        # Ignored: the label takes the space the splitter gives, never the pixmap's size.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def set_page(self, pixmap: QPixmap | None) -> None:
        self._page = pixmap
        self._fit()

    def _fit(self) -> None:
        if self._page is not None and self.contentsRect().width() > 10:
            self.setPixmap(self._page.scaled(self.contentsRect().size(), Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()


class VerifyView(QWidget):
    verified = Signal(list)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None, *, printing: PrintingService,
                 devices: Devices) -> None:
        super().__init__(parent)
        self.setObjectName("verifyView")
        self.printing = printing
        self.devices = devices
        self.runner = runner
        self.results: list[PageResult] = []
        self._pixmap: QPixmap | None = None
        self._build()
        self.setAcceptDrops(True)

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.open_button = QPushButton(self.tr("选择扫描件或 PDF…"), self)
        self.open_button.setObjectName("openScanButton")
        self.open_button.setShortcut(QKeySequence.StandardKey.Open)
        self.open_button.setToolTip(self.tr("选择扫描的图片（PNG、JPEG…）或 PDF (Ctrl+O)"))
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.camera_button = QPushButton(self.tr("用摄像头拍摄…"), self)
        self.camera_button.setObjectName("cameraVerifyButton")
        self.camera_button.setToolTip(self.tr("用本桌的摄像头拍下打印页并核验"))
        self.camera_button.clicked.connect(self._on_camera_button_clicked)
        self.hint = QLabel(self.tr("也可以把扫描的图片或 PDF 拖到这里。每页左下角的二维码记录了文档编号和本页校验码。"),
                           self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.camera_button)
        top.addWidget(self.hint, 1)

        self.summary = QLabel(self)
        self.summary.setObjectName("verifySummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold;")

        self.page_list = QListWidget(self)
        self.page_list.setObjectName("pageList")
        self.page_list.currentRowChanged.connect(self._on_page_list_current_row_changed)

        self.verdict = QLabel(self)
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.setMargin(8)
        self.advice = QLabel(self)
        self.advice.setObjectName("advice")
        self.advice.setWordWrap(True)
        self.differences = QTableWidget(0, 2, self)
        self.differences.setObjectName("differences")
        self.differences.setHorizontalHeaderLabels([self.tr("考生 / 行"), self.tr("变化（打印时 → 现在）")])
        self.differences.verticalHeader().setVisible(False)
        self.differences.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.differences.setWordWrap(True)
        header = self.differences.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        detail = QWidget(self)
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.verdict)
        dl.addWidget(self.advice)
        dl.addWidget(self.differences, 1)

        self.thumb = _PageLabel(self)
        self.thumb.setObjectName("pageThumbnail")
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setMinimumWidth(220)
        self.thumb.setFrameShape(QFrame.Shape.StyledPanel)
        self.thumb.setToolTip(self.tr("读取到的页面"))

        splitter = QSplitter(self)
        splitter.addWidget(self.page_list)
        splitter.addWidget(detail)
        splitter.addWidget(self.thumb)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([220, 620, 360])
        self.splitter = splitter

        self.empty = QLabel(self.tr("还没有核对任何页面。点“选择扫描件或 PDF…”（Ctrl+O），或把文件拖到这里。"), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #777; font-size: 14px;")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.empty, 1)
        splitter.hide()

        again = QAction(self)
        again.setShortcut(QKeySequence(Qt.Key.Key_F5))
        again.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        again.triggered.connect(self._on_again_triggered)
        self.addAction(again)
        self.setFocusProxy(self.open_button)
        self._last_path: Path | None = None

    # -- checking -----------------------------------------------------------------------------
    def _on_open_button_clicked(self) -> None:
        suffixes = " ".join(f"*{s}" for s in (*PDF_SUFFIXES, *IMAGE_SUFFIXES))
        path = ask_open_file(self, self.tr("选择扫描件或 PDF"), start_dir(),
                                  self.tr("扫描件或 PDF (%1)").replace("%1", suffixes))
        if path:
            self.verify_file(Path(path))

    def _on_again_triggered(self) -> None:
        if self._last_path is not None:
            self.verify_file(self._last_path)

    def verify_file(self, path: Path) -> None:
        """Read and check every page of ``path`` in the background."""
        printing = self.printing
        self._last_path = Path(path)

        def work(progress, cancel):
            out = []
            pages = printing.read_pages(path, progress=progress, cancel=cancel)
            for i, (source, image) in enumerate(pages, start=1):
                cancel.raise_if_cancelled()
                progress(i, len(pages), f"正在核对第 {i} / {len(pages)} 页")
                out.append(PageResult(printing.verify_image(image, source), _thumbnail(image)))
            return out

        run_with_progress(self.runner, self, self.tr("正在核对…"), work, on_success=self._on_checked,
                          on_error=lambda exc: show_error(self, exc))

    def make_camera_dialog(self):
        """The camera dialog (a seam: tests hand in one with a mock camera)."""
        from ui.station.camera_verify_dialog import CameraVerifyDialog

        return CameraVerifyDialog(self.devices, self)

    def _on_camera_button_clicked(self) -> None:
        try:
            dialog = self.make_camera_dialog()
        except Exception as exc:  # no camera driver configured, and the like
            show_error(self, exc)
            return
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.frame is not None:
            self.verify_image(dialog.frame, self.tr("摄像头拍摄"))

    def verify_image(self, image, source: str = "") -> None:
        """Check one image in memory (BGR numpy array), e.g. a camera frame."""
        printing = self.printing
        source = source or self.tr("摄像头画面")
        self._last_path = None

        def work(progress, cancel):
            return [PageResult(printing.verify_image(image, source), _thumbnail(image))]

        run_with_progress(self.runner, self, self.tr("正在核对…"), work, on_success=self._on_checked,
                          on_error=lambda exc: show_error(self, exc))

    def _on_checked(self, results: object) -> None:
        self.results = list(results)  # type: ignore[arg-type]
        self.page_list.clear()
        counts: dict[str, int] = {}
        for r in self.results:
            c = r.check
            counts[c.status] = counts.get(c.status, 0) + 1
            colour, _bg, label = STATUS[c.status]
            where = c.source or ""
            item = QListWidgetItem(f"{where}\n{self.tr(label)}")
            item.setForeground(QColor(colour))
            item.setToolTip(c.message)
            self.page_list.addItem(item)
        parts = [f"{self.tr(STATUS[s][2])} {n} 页" for s, n in counts.items()]
        total = len(self.results)
        verdict = (self.tr("全部 %1 页与电子数据一致。").replace("%1", str(total)) if counts.get("match") == total
                   else self.tr("共 %1 页：").replace("%1", str(total)) + "，".join(parts) + "。")
        self.summary.setText(verdict)
        self.summary.setStyleSheet("font-weight: bold; color: %s;" % (STATUS["match"][0] if counts.get("match") == total
                                                                       else STATUS["differs"][0]))
        self.empty.hide()
        self.splitter.show()
        first_bad = next((i for i, r in enumerate(self.results) if r.check.status != "match"), 0)
        self.page_list.setCurrentRow(first_bad)
        self.verified.emit([r.check for r in self.results])

    def _on_page_list_current_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            return
        result = self.results[row]
        c = result.check
        colour, bg, label = STATUS[c.status]
        self.verdict.setText(f"{self.tr(label)}\n{c.message}")
        self.verdict.setStyleSheet(f"background: {bg}; color: {colour}; border: 1px solid {colour};"
                                   " border-radius: 4px; font-size: 14px;")
        self.advice.setText(self.tr(ADVICE[c.status]) if c.status in ADVICE else "")
        self.advice.setVisible(c.status in ADVICE)
        diffs = list(c.differences)
        self.differences.setVisible(bool(diffs))
        self.differences.setRowCount(len(diffs))
        for r, d in enumerate(diffs):
            self.differences.setItem(r, 0, QTableWidgetItem(d.name))
            self.differences.setItem(r, 1, QTableWidgetItem("\n".join(d.changes)))
        self.differences.resizeRowsToContents()
        rgb = result.thumbnail
        h, w = rgb.shape[:2]
        image = QImage(rgb.data, w, h, int(rgb.strides[0]), QImage.Format.Format_RGB888).copy()
        self._pixmap = QPixmap.fromImage(image)
        self._scale_thumbnail()

    def _scale_thumbnail(self) -> None:
        self.thumb.set_page(self._pixmap)

    # -- drag and drop ----------------------------------------------------------------------------
    @staticmethod
    def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        return path if path.suffix.lower() in (*PDF_SUFFIXES, *IMAGE_SUFFIXES) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.verify_file(path)
        else:
            event.ignore()
