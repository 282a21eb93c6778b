"""The main window: navigation by task on the left, the task's view on the right.

The pages, who sees them and how their views are built come from ``ui.shell.page_registry``; a
role sees only the pages it may open. The window remembers its geometry (QSettings, organisation
"RegDesk").

Signals: ``page_changed(str)`` with the key of the area now shown ("roster", "audit", "users", "review").
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from app import __version__
from app.auth import Actor, allowed
from app.setup.service import InstallInfo
from ui.common.errors import log_file, show_info
from ui.common.tasks import TaskRunner
from ui.shell.page_registry import Page, pages_for

log = logging.getLogger(__name__)

GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"


def app_settings() -> QSettings:
    return QSettings("RegDesk", "RegDesk")


class MainWindow(QMainWindow):
    page_changed = Signal(str)

    def __init__(self, container, actor: Actor, runner: TaskRunner, *,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.container = container
        self.actor = actor
        self.runner = runner
        self.settings = settings if settings is not None else app_settings()
        self.info: InstallInfo | None = container.setup.info()
        # The install's own mark, however the program was started: a demo folder opened without
        # --demo still says it is one, and a real install never does.
        self.demo = bool(self.info and self.info.demo)
        self.setObjectName("mainWindow")
        college = self.info.college_name if self.info else self.tr("未设置学院")
        title = self.tr("RegDesk 专升本报名工作台 — %1").replace("%1", college)
        if self.demo:
            title += self.tr("（演示模式）")
        self.setWindowTitle(title)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setSpacing(2)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setStyleSheet(
            "QListWidget#navigation { background: #f0f2f5; padding: 6px; }"
            "QListWidget#navigation::item { padding: 10px 14px; border-radius: 4px; }"
            "QListWidget#navigation::item:selected { background: #1a5fb4; color: white; }")
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}  # key -> its view, or a placeholder until first opened
        self.built: dict[str, QWidget] = {}  # key -> its view, once built
        self._entries: dict[str, Page] = {}
        self._keys: list[str] = []
        self.demo_panel = None  # 模拟设备, made when first opened
        self.demo_dock = None
        self.manual_dialog = None  # 使用手册, while open
        for page in pages_for(actor):
            self._add_page(page)
        self.nav.setFixedWidth(self._nav_width())
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)

        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self.nav.setCurrentRow(0)

    # -- pages -----------------------------------------------------------------------
    def _add_page(self, page: Page) -> None:
        item = QListWidgetItem(self.tr(page.label))
        # The View menu numbers its shortcuts by position, so the tip does too.
        item.setToolTip(self.tr(page.tip) + self.tr("（Ctrl+%1）").replace("%1", str(len(self._keys) + 1)))
        item.setData(Qt.ItemDataRole.UserRole, page.key)
        item.setSizeHint(QSize(0, self.fontMetrics().height() + 22))
        self.nav.addItem(item)
        self._keys.append(page.key)
        self._entries[page.key] = page
        if page.lazy:
            widget = QWidget()
        else:
            widget = self.built[page.key] = page.factory(self)
        self.pages[page.key] = widget
        self.stack.addWidget(widget)

    def _nav_width(self) -> int:
        fm = self.nav.fontMetrics()
        widest = max(fm.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count()))
        return widest + 64

    # The views the pages hold, once built (None before).
    roster_view = property(lambda self: self.built.get("roster"))
    station_view = property(lambda self: self.built.get("station"))
    audit_view = property(lambda self: self.built.get("audit"))
    review_view = property(lambda self: self.built.get("review"))
    documents_view = property(lambda self: self.built.get("documents"))
    users_view = property(lambda self: self.built.get("users"))

    def station_built(self, station: QWidget) -> None:
        """The station's page was built: 模拟设备 follows its student."""
        if self.demo_panel is None and self.demo and self.uses_mock_devices():
            # A new user trying the demo finds the hands on the simulated devices at once.
            self.show_demo_panel()
        if self.demo_panel is not None:
            # The page is not in ``built`` yet (its factory is still running): follow it by name.
            self.demo_panel.follow(station)

    def retake(self, uuid: str, kind: str, subkind: str) -> None:
        """重拍 from the roster's gallery or editor: the station, with that student and that step."""
        if "station" not in self.pages:
            return
        station = self.show_page("station")
        station.retake(uuid, kind, subkind)

    def show_page(self, key: str) -> QWidget:
        """Switch to the area ``key`` and return its view."""
        self.nav.setCurrentRow(self._keys.index(key))
        return self.pages[key]

    @property
    def page_keys(self) -> list[str]:
        return list(self._keys)

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self._keys[row]
        page = self.pages[key]
        entry = self._entries[key]
        if key not in self.built:
            old = page
            page = self.built[key] = entry.factory(self)
            index = self.stack.indexOf(old)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.pages[key] = page
        elif entry.on_shown is not None:
            entry.on_shown(page)
        self.stack.setCurrentWidget(page)
        self.page_changed.emit(key)

    # -- menus and status bar ----------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        self.password_action = QAction(self.tr("修改密码…"), self)
        self.password_action.triggered.connect(self._on_password_triggered)
        file_menu.addAction(self.password_action)
        file_menu.addSeparator()
        self.quit_action = QAction(self.tr("退出(&X)"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu(self.tr("查看(&V)"))
        for i in range(self.nav.count()):
            act = QAction(self.nav.item(i).text(), self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _checked=False, row=i: self.nav.setCurrentRow(row))
            view_menu.addAction(act)
        self.demo_panel_action = QAction(self.tr("模拟设备…"), self)
        self.demo_panel_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.demo_panel_action.triggered.connect(self.show_demo_panel)
        self.demo_panel_action.setVisible(self.uses_mock_devices())
        view_menu.addSeparator()
        view_menu.addAction(self.demo_panel_action)

        if allowed(self.actor.role, "settings.edit"):
            settings_menu = self.menuBar().addMenu(self.tr("设置(&S)"))
            self.device_settings_action = QAction(self.tr("设备设置…"), self)
            self.device_settings_action.triggered.connect(self._on_device_settings_triggered)
            settings_menu.addAction(self.device_settings_action)
        else:
            self.device_settings_action = None

        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self.manual_action = QAction(self.tr("使用手册…"), self)
        self.manual_action.setShortcut(QKeySequence("Ctrl+F1"))  # F1 is the station's photo key
        self.manual_action.triggered.connect(self._on_manual_triggered)
        help_menu.addAction(self.manual_action)
        self.about_action = QAction(self.tr("关于 RegDesk"), self)
        self.about_action.triggered.connect(self._on_about_triggered)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setStyleSheet("QStatusBar QLabel { padding: 0 6px; }"
                          "QStatusBar::item { border: none; border-left: 1px solid #c8c8c8; }")
        info = self.info
        if info:
            bar.addPermanentWidget(QLabel(self.tr("学院：%1 %2").replace("%1", info.college_code)
                                          .replace("%2", info.college_name)))
            bar.addPermanentWidget(QLabel(self.tr("报名点：%1").replace("%1", info.desk_name)))
        user = QLabel(self.tr("用户：%1 · %2").replace("%1", self.actor.label)
                      .replace("%2", self.actor.role_label))
        user.setObjectName("userLabel")
        bar.addPermanentWidget(user)
        if self.demo:
            marker = QLabel(self.tr("演示模式"))
            marker.setObjectName("demoMarker")
            marker.setToolTip(self.tr("演示数据单独保存在：%1").replace("%1", str(self.container.data_dir)))
            marker.setStyleSheet("background: #f6d32d; color: #3d3846; padding: 1px 8px; font-weight: bold;")
            bar.addPermanentWidget(marker)
        self.demo_panel_button = QToolButton()
        self.demo_panel_button.setObjectName("demoPanelButton")
        self.demo_panel_button.setText(self.tr("模拟设备"))
        self.demo_panel_button.setToolTip(self.tr("放上身份证、选择摄像头前的画面（Ctrl+Shift+D）"))
        self.demo_panel_button.setAutoRaise(True)
        self.demo_panel_button.clicked.connect(self.show_demo_panel)
        self.demo_panel_button.setVisible(self.uses_mock_devices())
        bar.addPermanentWidget(self.demo_panel_button)
        backup = self.container.backup_made
        if backup:
            bar.showMessage(self.tr("数据库已升级到新版本，升级前的备份：%1").replace("%1", str(backup)))

    def _on_password_triggered(self) -> None:
        from ui.shell.users_view import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.container.setup, self.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.statusBar().showMessage(self.tr("密码已修改。"), 5000))
        dialog.open()

    def _on_device_settings_triggered(self) -> None:
        from ui.settings.device_settings_dialog import DeviceSettingsDialog

        dialog = DeviceSettingsDialog(self.actor, self.runner, self, settings=self.container.settings,
                                      devices=self.container.devices)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.settings_saved.connect(
            lambda _keys: self.statusBar().showMessage(self.tr("设备设置已保存。"), 5000))
        dialog.settings_saved.connect(self._on_device_settings_saved)
        # Saving closes and rebuilds the drivers: the station's preview thread must not be reading
        # the camera meanwhile (a real driver may not survive being closed under it). It restarts,
        # with the new driver and index, when the dialog closes.
        station = self.station_view
        if station is not None and station.preview.running:
            station.stop_camera()
            dialog.finished.connect(lambda _r: station.isVisible() and station.start_camera())
        self.device_settings_dialog = dialog
        dialog.open()

    def _on_device_settings_saved(self, _keys: list) -> None:
        mock = self.uses_mock_devices()
        self.demo_panel_action.setVisible(mock)
        self.demo_panel_button.setVisible(mock)
        if self.demo_panel is not None:
            self.demo_panel.refresh()

    # -- the simulated devices ---------------------------------------------------------
    def uses_mock_devices(self) -> bool:
        """Whether this desk's camera or ID-card reader is the simulated one (the demo, or practice)."""
        devices = self.container.devices
        return devices is not None and "mock" in (devices.driver_name("camera"), devices.driver_name("idcard"))

    def show_demo_panel(self):
        """Show 模拟设备, docked under the pages (it can be floated or closed); returns the panel."""
        from PySide6.QtWidgets import QDockWidget

        from ui.shell.demo_device_panel import DemoDevicePanel

        if self.demo_panel is None:
            c = self.container
            self.demo_panel = DemoDevicePanel(self.runner, self, demo=c.demo, candidates=c.candidates, devices=c.devices)
            if self.station_view is not None:
                self.demo_panel.follow(self.station_view)
            dock = QDockWidget(self.tr("模拟设备（演示、练习用：放上身份证，选择摄像头前的画面）"), self)
            dock.setObjectName("demoDock")
            dock.setWidget(self.demo_panel)
            dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.TopDockWidgetArea)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.demo_dock = dock
        self.demo_dock.show()
        self.demo_dock.raise_()
        return self.demo_panel

    def about_text(self) -> str:
        logs = log_file()
        db_path = self.container.db.sqlite_path
        lines = [
            self.tr("RegDesk 专升本报名工作台"),
            self.tr("版本：%1").replace("%1", __version__),
            self.tr("数据文件夹：%1").replace("%1", str(self.container.data_dir)),
            self.tr("数据库：%1").replace("%1", str(db_path) if db_path else self.container.db.url.split("@")[-1]),
            self.tr("日志文件夹：%1").replace("%1", str(logs.parent) if logs else self.tr("（未记录日志）")),
        ]
        return "\n".join(lines)

    def _on_manual_triggered(self) -> None:
        from ui.common.manual_dialog import ManualDialog

        if self.manual_dialog is not None and self.manual_dialog.isVisible():
            self.manual_dialog.raise_()
            return
        self.manual_dialog = ManualDialog(self.actor.role, self)
        self.manual_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.manual_dialog.destroyed.connect(lambda: setattr(self, "manual_dialog", None))
        self.manual_dialog.show()

    def _on_about_triggered(self) -> None:
        show_info(self, self.tr("关于 RegDesk"), self.about_text())

    # -- geometry ----------------------------------------------------------------------
    def show_initial(self) -> None:
        """Show with the remembered geometry, or maximised on a small (1366×768) screen."""
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry and self.restoreGeometry(geometry):
            self.show()
            return
        screen = self.screen() or QApplication.primaryScreen()
        avail = screen.availableGeometry() if screen else None
        if avail is None or avail.width() <= 1440 or avail.height() <= 900:
            # Fill the screen even where no window manager honours "maximised" (kiosk, Xvfb).
            if avail is not None:
                self.setGeometry(avail)
            self.showMaximized()
        else:
            self.resize(1320, 820)
            self.move(avail.center() - self.rect().center())
            self.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.sync()
        if self.runner.busy:
            # Work in flight (an import) is cancelled, which rolls it back; wait for it to stop.
            self.runner.cancel_all()
            self.runner.wait(10000)
        log.info("main window closed by %s", self.actor.username)
        super().closeEvent(event)
