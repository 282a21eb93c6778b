"""Print a PDF through the operating system's printer (Qt print dialog), page by page.

Qt cannot print a PDF by itself, so each page is rendered to pixels by pdfium
(``app.documents.raster``) at the printer's resolution, capped at ``MAX_DPI`` (300 dpi is what a
laser printer resolves for text this size; more would only slow the spooler), and painted to fit
the printable area. One page at a time: the render runs on the ``TaskRunner`` (off the GUI
thread), the paint on the GUI thread, then the next page is started, so the window stays live,
the progress dialog counts pages and Cancel stops after the current page.

Signals (``PdfPrintJob``): ``printed(int)`` pages sent to the printer; ``failed(object)`` the
exception; ``cancelled()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QProgressDialog, QWidget

from app.documents import raster
from app.errors import AppError, Cancelled
from ui.common.tasks import TaskRunner

log = logging.getLogger(__name__)

MAX_DPI = 300
MIN_DPI = 72


def _tr(text: str) -> str:
    return QCoreApplication.translate("PdfPrinting", text)


def ask_print_dialog(parent: QWidget | None, printer: QPrinter, pages: int) -> bool:
    """The Qt print dialog (printer, copies, page range); True when the user pressed Print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_tr("打印"))
    dialog.setMinMax(1, pages)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    return dialog.exec() == QDialog.DialogCode.Accepted


def image_from_rgb(rgb) -> QImage:
    """A QImage owning a copy of an (h, w, 3) uint8 RGB array."""
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, int(rgb.strides[0]), QImage.Format.Format_RGB888)
    return image.copy()  # detach from the numpy buffer, which the caller may drop


def fit_rect(image_w: int, image_h: int, target: QRectF) -> QRectF:
    """The largest rectangle of the image's aspect ratio inside ``target``, centred."""
    scale = min(target.width() / image_w, target.height() / image_h)
    w, h = image_w * scale, image_h * scale
    return QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)


class PdfPrintJob(QObject):
    """One PDF sent to one printer. ``start()`` asks the print dialog (unless told not to) and prints."""

    printed = Signal(int)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, runner: TaskRunner, pdf: Path, parent: QWidget | None = None, *,
                 printer: QPrinter | None = None,
                 ask: Callable[[QWidget | None, QPrinter, int], bool] | None = ask_print_dialog) -> None:
        super().__init__(parent)
        self.runner = runner
        self.pdf = Path(pdf)
        self.parent_widget = parent
        self.printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        self.ask = ask  # None: print at once with the printer as given (tests, "print again")
        self.painter: QPainter | None = None
        self.dialog: QProgressDialog | None = None
        self._pages: list[int] = []
        self._done = 0
        self._cancel_requested = False
        self._handle = None
        self.dpi = MAX_DPI

    # -- set-up ---------------------------------------------------------------------------
    def start(self) -> bool:
        """False when there was nothing to print or the user closed the dialog."""
        try:
            sizes = raster.page_sizes(self.pdf)
        except AppError as exc:
            self.failed.emit(exc)
            return False
        if not sizes:
            self.failed.emit(AppError(_tr("PDF 文件没有页面：%1").replace("%1", self.pdf.name)))
            return False
        printer = self.printer
        printer.setDocName(self.pdf.stem)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if sizes[0].landscape
                                   else QPageLayout.Orientation.Portrait)
        printer.setFullPage(False)
        if self.ask is not None and not self.ask(self.parent_widget, printer, len(sizes)):
            self.cancelled.emit()
            return False
        first, last = 1, len(sizes)
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = printer.fromPage(), min(printer.toPage() or len(sizes), len(sizes))
        self._pages = list(range(first, last + 1))
        self.dpi = max(MIN_DPI, min(MAX_DPI, printer.resolution()))
        self.painter = QPainter()
        if not self.painter.begin(printer):
            self.painter = None
            self.failed.emit(AppError(_tr("无法开始打印：打印机“%1”不可用。请检查打印机是否连接、开机。")
                                      .replace("%1", printer.printerName() or printer.outputFileName())))
            return False
        self._open_progress()
        self._next()
        return True

    def _open_progress(self) -> None:
        dialog = QProgressDialog(self.parent_widget)
        dialog.setWindowTitle(_tr("正在打印"))
        dialog.setLabelText(_tr("正在准备打印…"))
        dialog.setCancelButtonText(_tr("取消"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setRange(0, len(self._pages))
        dialog.setMinimumWidth(dialog.fontMetrics().horizontalAdvance("正") * 22)
        dialog.canceled.connect(self._on_dialog_canceled)
        self.dialog = dialog

    # -- the page loop ----------------------------------------------------------------------
    def _next(self) -> None:
        if self._cancel_requested:
            self._finish(Cancelled())
            return
        if self._done == len(self._pages):
            self._finish(None)
            return
        number = self._pages[self._done]
        if self.dialog is not None:
            self.dialog.setLabelText(_tr("正在打印第 %1 / %2 页…").replace("%1", str(self._done + 1))
                                     .replace("%2", str(len(self._pages))))
        pdf, dpi = self.pdf, self.dpi

        def render(progress, cancel):
            return next(raster.render_pages(pdf, dpi, first=number, last=number, cancel=cancel))

        self._handle = self.runner.run(render, on_success=self._on_page_rendered, on_error=self._finish)

    def _on_page_rendered(self, rgb: object) -> None:
        painter, printer = self.painter, self.printer
        if painter is None:
            return
        if self._cancel_requested:  # pressed while this page was rendering: do not start a new sheet
            self._finish(Cancelled())
            return
        if self._done > 0 and not printer.newPage():
            self._finish(AppError(_tr("打印机拒绝了新的一页，打印已中止。")))
            return
        image = image_from_rgb(rgb)
        target = QRectF(painter.viewport())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(fit_rect(image.width(), image.height(), target), image)
        self._done += 1
        if self.dialog is not None:
            self.dialog.setValue(self._done)
        self._next()

    def _on_dialog_canceled(self) -> None:
        self._cancel_requested = True
        if self._handle is not None:
            self._handle.cancel.cancel()

    def _finish(self, exc: object) -> None:
        painter, self.painter = self.painter, None
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self._on_dialog_canceled)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if painter is not None:
            if isinstance(exc, BaseException):
                self.printer.abort()  # nothing half-printed is spooled where the driver supports it
            painter.end()
        if exc is None:
            log.info("printed %s: %d pages at %d dpi", self.pdf.name, self._done, self.dpi)
            self.printed.emit(self._done)
        elif isinstance(exc, Cancelled):
            self.cancelled.emit()
        else:
            self.failed.emit(exc)
