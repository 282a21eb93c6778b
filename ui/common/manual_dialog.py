"""使用手册: the Chinese user manual (``docs/manual/``, Markdown with screenshots), one page per
role's day, opened from the Help menu at the page of the user's own role.

The pages are read from the files, so the manual is edited as text and travels with the program
(the PyInstaller build carries ``docs/manual``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.paths import manual_dir

# (file, title, roles it is the first page for), in reading order.
PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("index.md", "开始之前", ()),
    ("counsellor.md", "辅导员：现场确认", ("counsellor",)),
    ("secretary.md", "学院经办人：名单、审查、打印", ("secretary", "admin")),
    ("reviewer.md", "审核人：学籍与处分核对", ("reviewer",)),
    ("supervisor.md", "纪检监察：审计记录", ("supervisor",)),
    ("keys.md", "快捷键一览", ()),
)


def first_page(role: str) -> str:
    return next((f for f, _t, roles in PAGES if role in roles), PAGES[0][0])


class ManualDialog(QDialog):
    def __init__(self, role: str = "", parent: QWidget | None = None, *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("manualDialog")
        self.setWindowTitle(self.tr("使用手册"))
        self.folder = folder or manual_dir()
        self.pages = QListWidget(self)
        self.pages.setObjectName("manualPages")
        for file, title, _roles in PAGES:
            item = QListWidgetItem(self.tr(title))
            item.setData(Qt.ItemDataRole.UserRole, file)
            self.pages.addItem(item)
        self.pages.setFixedWidth(self.pages.sizeHintForColumn(0) + 28)
        self.text = QTextBrowser(self)
        self.text.setObjectName("manualText")
        self.text.setOpenExternalLinks(False)
        self.text.setSearchPaths([str(self.folder)])
        self.text.anchorClicked.connect(self._on_text_anchor_clicked)
        self.pages.currentRowChanged.connect(self._on_pages_current_row_changed)
        row = QHBoxLayout()
        row.addWidget(self.pages)
        row.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(row, 1)
        lay.addWidget(buttons)
        self.resize(1100, 680)
        self.show_page(first_page(role))

    def show_page(self, file: str) -> None:
        for i in range(self.pages.count()):
            if self.pages.item(i).data(Qt.ItemDataRole.UserRole) == file:
                self.pages.setCurrentRow(i)
                return

    def _on_pages_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        file = self.pages.item(row).data(Qt.ItemDataRole.UserRole)
        path = self.folder / file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = self.tr("找不到使用手册的这一页（%1）。请检查程序是否完整安装。").replace("%1", str(path))
        self.text.setMarkdown(text)
        self.text.verticalScrollBar().setValue(0)

    def _on_text_anchor_clicked(self, url: QUrl) -> None:
        """Links between the manual's pages stay in the manual."""
        name = url.fileName() if url.isRelative() or url.isLocalFile() else ""
        if name:
            self.show_page(name)
