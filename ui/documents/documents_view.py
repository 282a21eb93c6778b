"""打印与核验: the print screen and the paper check, as two tabs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QTabWidget,
    QWidget,
)

from app.auth import Actor
from app.devices.factory import Devices
from app.documents.printing import PrintingService
from app.roster.candidates import CandidateService
from app.settings.service import SettingsService
from ui.common.tasks import TaskRunner
from ui.documents.print_view import PrintView


class DocumentsView(QTabWidget):
    """打印与核验: the print screen and the paper check, as two tabs."""

    def __init__(self, actor: Actor, runner: TaskRunner, parent: QWidget | None = None, *,
                 candidates: CandidateService, printing: PrintingService, settings: SettingsService,
                 printed_dir: Path, devices: Devices) -> None:
        super().__init__(parent)
        from ui.documents.verify_view import VerifyView

        self.setObjectName("documentsView")
        self.print_view = PrintView(actor, runner, self, candidates=candidates, printing=printing, settings=settings,
                                    printed_dir=printed_dir)
        self.verify_view = VerifyView(runner, self, printing=printing, devices=devices)
        self.addTab(self.print_view, self.tr("打印表格"))
        self.addTab(self.verify_view, self.tr("纸质核验"))
