"""打印与核验: the print screen and the paper check, as two tabs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QTabWidget,
    QWidget,
)

from app.auth import Actor
from ui.common.tasks import TaskRunner
from ui.documents.print_view import PrintView


class DocumentsView(QTabWidget):
    """打印与核验: the print screen and the paper check, as two tabs."""

    def __init__(self, container, actor: Actor, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.documents.verify_view import VerifyView

        self.setObjectName("documentsView")
        self.print_view = PrintView(container, actor, runner, self)
        self.verify_view = VerifyView(container, runner, self)
        self.addTab(self.print_view, self.tr("打印表格"))
        self.addTab(self.verify_view, self.tr("纸质核验"))
