"""``regdesk``: start the desk's window (set-up on first run, login, main window).

Also ``--demo`` (a populated demo college in a demo folder: its own by default; a real install's
folder is refused before anything touches it), ``--self-test`` (open the
database, start Qt, find the CJK font, exit; CI runs it on the frozen build) and
``--bench-startup`` (time from process start to the main window with the roster loaded).

Heavy modules (SQLAlchemy, Alembic, the views) are imported inside ``main`` and only when
needed, so that the window comes up fast; the time origin is taken before any of them.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402 - after the time origin on purpose
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from logging.handlers import RotatingFileHandler  # noqa: E402
from pathlib import Path  # noqa: E402

from PySide6.QtCore import QCoreApplication  # noqa: E402

log = logging.getLogger("ui.main")

LOG_FILE = "regdesk.log"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "Demo1234"


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="regdesk", description="RegDesk 专升本报名工作台")
    p.add_argument("--data", metavar="DIR", help="数据文件夹（数据库、照片、日志）")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy 数据库地址，代替数据文件夹中的 SQLite 文件")
    p.add_argument("--demo", action="store_true",
                   help="演示模式：使用单独的演示数据文件夹，首次运行时生成演示学院和约 600 名考生")
    p.add_argument("--lang", metavar="LANG", help="界面语言，如 zh_CN、en（需要对应的翻译文件）")
    p.add_argument("--self-test", action="store_true", help="自检：打开数据库、启动 Qt、查找中文字体后退出")
    p.add_argument("--bench-startup", action="store_true",
                   help="测量启动到主窗口显示并读完名单的时间，打印 startup_ms=… 后退出")
    # Unknown arguments are Qt's own (-platform, -style …).
    return p.parse_known_args(argv)


def data_dir_for(args: argparse.Namespace) -> Path:
    from app.paths import default_data_dir, demo_data_dir

    if args.data:
        return Path(args.data).expanduser()
    if args.demo:
        # Demo people must never end up in a real roster: the demo has a folder of its own.
        return demo_data_dir()
    return default_data_dir()


# Milestones of this start-up (name, ms since process start), logged with the bench figure.
_marks: list[tuple[str, float]] = []


def mark(name: str) -> None:
    _marks.append((name, process_age_ms()))


def process_age_ms() -> float:
    """Milliseconds since the process started (from /proc where there is one, else since import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5), counted after "pid (comm)"
        since_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return (since_boot - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.perf_counter() - _T0) * 1000.0


def _say(text: str, *, err: bool = False) -> None:
    """Print when there is a console (a Windows GUI build has none)."""
    stream = sys.stderr if err else sys.stdout
    if stream is not None:
        print(text, file=stream, flush=True)


def setup_logging(log_dir: Path) -> Path | None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    path: Path | None = log_dir / LOG_FILE
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        path = None
        handler = logging.StreamHandler(sys.stderr)
        _say(f"无法写入日志文件夹 {log_dir}：{exc}", err=True)
    handler.setFormatter(fmt)
    root.addHandler(handler)
    # Alembic narrates every start-up at INFO; only its problems belong in the desk's log.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path


def _route_qt_messages() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}
    qt_log = logging.getLogger("qt")

    def handler(kind, _context, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def self_test(args: argparse.Namespace, qt_args: list[str]) -> int:
    """Open (and migrate) the database, start Qt, find the CJK font, load every view module, find 张三 by pinyin."""
    import shutil
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = None
    if not args.data and not args.db:
        # A fresh folder: the test proves migrations run from nothing, and touches no real data.
        scratch = Path(tempfile.mkdtemp(prefix="regdesk-selftest-"))
    container = None
    try:
        from PySide6.QtWidgets import QApplication

        from app.container import Container
        from ui.fonts import setup_fonts
        from ui.i18n import install_translations

        container = Container.open(scratch or data_dir_for(args), url=args.db)
        container.setup.info()
        app = QApplication.instance() or QApplication(["regdesk", *qt_args])
        install_translations(app, args.lang)
        font = setup_fonts(app)
        if font.family is None:
            _say(f"self-test failed: {font.message}", err=True)
            return 1
        # Data files a bundle can lose: OpenCV's Haar cascades and the PDF font/renderer.
        import numpy as np

        import ui.audit_view
        import ui.login_dialog
        import ui.main_window
        import ui.print_view
        import ui.review_view
        import ui.roster_view
        import ui.setup_wizard
        import ui.station.station_view
        import ui.users_view
        import ui.verify_view  # noqa: F401 - proves the build carries every view
        from app.documents.fonts import cjk_font
        from app.photo.analysis import analyse

        analyse(np.full((480, 640, 3), 240, np.uint8))
        # pypinyin reads its dictionaries from JSON files beside its modules.
        from app.domain import pinyin

        if not pinyin.matches("zsan", "张三"):
            _say("self-test failed: pinyin search does not find 张三 by “zsan”", err=True)
            return 1
        _say(f"pinyin: 张三 = {pinyin.forms('张三')[0]}")
        _say(f"pdf font: {cjk_font()}")
        _say(f"font: {font.family}")
        _say("self-test ok")
        return 0
    except Exception as exc:
        _say(f"self-test failed: {type(exc).__name__}: {exc}", err=True)
        return 1
    finally:
        if container is not None:
            container.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    # libfprint's first device search runs on GLib's default main context; Qt's GUI thread must not
    # be dispatching that context too, or GUI work could run on the fingerprint worker's thread.
    os.environ.setdefault("QT_NO_GLIB", "1")
    if args.self_test:
        return self_test(args, qt_args)

    data_dir = data_dir_for(args)
    demo_folder = ""
    if args.demo:
        # Before the log or the database touch the folder: a real install is refused as it is.
        from app.services.demo_folder import NotADemoFolder, check_demo_folder

        try:
            demo_folder = check_demo_folder(None if args.db else data_dir, url=args.db,
                                            default_folder=not args.data and not args.db).state
        except NotADemoFolder as exc:
            return refuse_demo(exc.message, args, qt_args)
    log_path = setup_logging(data_dir / "logs")
    log.info("RegDesk starting: data=%s db=%s demo=%s", data_dir, args.db or "(sqlite)", args.demo)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui import errors
    from ui.fonts import setup_fonts
    from ui.i18n import install_translations

    _route_qt_messages()
    from ui.i18n import prefer_chinese_system_locale

    prefer_chinese_system_locale(args.lang)
    app = QApplication.instance() or QApplication(["regdesk", *qt_args])
    app.setOrganizationName("RegDesk")
    app.setApplicationName("RegDesk")
    app.setDesktopFileName("regdesk")
    errors.set_log_file(log_path)
    errors.install_excepthook()
    install_translations(app, args.lang)
    font = setup_fonts(app)
    from ui import file_dialogs
    from ui.main_window import app_settings

    file_dialogs.persist_to(app_settings())  # file dialogs open where the user last saved or opened
    mark("qt")

    from app.container import Container

    try:
        container = Container.open(data_dir, url=args.db)
    except Exception as exc:
        log.exception("cannot open the database")
        from app.errors import AppError

        text = exc.message if isinstance(exc, AppError) else \
            QCoreApplication.translate("Main", "无法打开数据库：%1\n详情已写入日志：%2") \
            .replace("%1", str(exc)).replace("%2", str(log_path))
        if args.bench_startup:
            _say(text, err=True)
        else:
            QMessageBox.critical(None, QCoreApplication.translate("Main", "RegDesk 无法启动"), text)
        return 1
    mark("database")

    from ui.tasks import TaskRunner

    runner = TaskRunner(app)
    startup = Startup(app, container, runner, demo=args.demo, bench=args.bench_startup,
                      font_message=font.message, adopt_demo=demo_folder == "legacy")
    QTimer.singleShot(0, startup.start)
    try:
        code = app.exec()
    finally:
        runner.cancel_all()
        runner.wait(10000)
        container.close()
    if startup.exit_code is not None:
        code = startup.exit_code
    log.info("RegDesk stopped (%s)", code)
    return code


def refuse_demo(message: str, args: argparse.Namespace, qt_args: list[str]) -> int:
    """``--demo`` on a folder that is not a demo folder: say why and what to do, change nothing."""
    _say(message, err=True)
    if args.bench_startup:
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.fonts import setup_fonts
    from ui.i18n import install_translations

    app = QApplication.instance() or QApplication(["regdesk", *qt_args])
    install_translations(app, args.lang)
    setup_fonts(app)
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("Main", "演示模式不能使用这个文件夹"),
                      message)
    box.setObjectName("demoRefused")
    box.exec()
    return 1


class Startup:
    """First run or login, then the main window; one event loop throughout (no nested exec)."""

    def __init__(self, app, container, runner, *, demo: bool, bench: bool, font_message: str = "",
                 settings=None, exit_app=None, adopt_demo: bool = False) -> None:
        self.app, self.container, self.runner = app, container, runner
        # Ends the event loop with a code; tests pass their own so the shared QApplication lives on.
        self.exit_app = exit_app or app.exit
        self.settings = settings  # QSettings for the main window; None: the user's own
        self.demo, self.bench = demo, bench
        # An older version's demo folder (found by ``check_demo_folder``) is marked when set up.
        self.adopt_demo = adopt_demo
        self.font_message = font_message
        self.window = None
        self.dialog = None
        self.exit_code: int | None = None
        # Between the dialogs and the main window no window is open; quitting is explicit.
        app.setQuitOnLastWindowClosed(False)

    def start(self) -> None:
        if self.font_message and not self.bench:
            from ui.errors import show_info

            show_info(None, QCoreApplication.translate("Main", "缺少中文字体"), self.font_message)
        info = self.container.setup.info()
        if self.bench:
            if info is None:
                _say("数据库尚未初始化：请用 --data 指向已设置好的数据文件夹，或先运行 regdesk --demo。", err=True)
                self._quit(1)
                return
            from app.services.context import cli_actor

            self._open_main(cli_actor())
            return
        if self.demo and self.container.demo.needs_setup():
            self._make_demo()
        elif info is None:
            self._open_setup()
        else:
            self._open_login()

    def _quit(self, code: int) -> None:
        self.exit_code = code
        self.exit_app(code)

    def _make_demo(self) -> None:
        from ui.errors import show_error
        from ui.tasks import run_with_progress

        demo, adopt = self.container.demo, self.adopt_demo

        def work(progress, cancel):
            return demo.setup_demo_install(adopt=adopt, progress=progress, cancel=cancel)

        def failed(exc: BaseException) -> None:
            box = show_error(None, exc, QCoreApplication.translate("Main", "无法生成演示数据"))
            if box is None:  # cancelled by the user: nothing to explain
                self._quit(0)
            else:
                box.finished.connect(lambda _r: self._quit(1))

        run_with_progress(self.runner, None, QCoreApplication.translate("Main", "正在生成演示数据…"), work,
                          on_success=lambda _result: self._open_login(), on_error=failed)

    def _open_setup(self) -> None:
        from ui.setup_wizard import SetupDialog

        dialog = SetupDialog(self.container.setup)
        dialog.accepted.connect(lambda: self._open_login(username=dialog.admin_username))
        dialog.rejected.connect(lambda: self._quit(0))
        self.dialog = dialog
        dialog.open()

    def _open_login(self, username: str = "") -> None:
        from ui.login_dialog import LoginDialog

        info = self.container.setup.info()
        if info is not None and info.demo:  # the mark, not the flag: a demo folder opened without --demo too
            dialog = LoginDialog(self.container.setup, info, username=DEMO_USERNAME, password=DEMO_PASSWORD,
                                 demo=True)
        else:
            dialog = LoginDialog(self.container.setup, info, username=username)
        dialog.accepted.connect(lambda: self._open_main(dialog.actor))
        dialog.rejected.connect(lambda: self._quit(0))
        self.dialog = dialog
        dialog.open()

    def _open_main(self, actor) -> None:
        try:
            from ui.main_window import MainWindow

            self.window = MainWindow(self.container, actor, self.runner, settings=self.settings)
        except Exception as exc:
            # No window is open at this point: say what happened, then end rather than linger unseen.
            if self.bench:
                log.exception("cannot build the main window")
                _say(f"startup failed: {type(exc).__name__}: {exc}", err=True)
                self._quit(1)
                return
            from ui.errors import show_error

            box = show_error(None, exc, QCoreApplication.translate("Main", "RegDesk 无法启动"))
            if box is None:
                self._quit(1)
            else:
                box.finished.connect(lambda _r: self._quit(1))
            return
        if self.bench:
            self.window.roster_view.model.visible_count_changed.connect(self._on_bench_roster_loaded)
        self.window.show_initial()
        mark("window")
        self.app.setQuitOnLastWindowClosed(True)
        log.info("main window shown after %.0f ms (user %s)", process_age_ms(), actor.username)

    def _on_bench_roster_loaded(self, _visible: int, total: int) -> None:
        from PySide6.QtCore import QTimer

        self.window.roster_view.model.visible_count_changed.disconnect(self._on_bench_roster_loaded)

        def report() -> None:
            ms = process_age_ms()
            mark("roster")
            log.info("bench-startup: %.0f ms, %d candidates; milestones: %s", ms, total,
                     ", ".join(f"{name} {at:.0f}" for name, at in _marks))
            _say(f"startup_ms={ms:.0f}")
            self._quit(0)

        # One more turn of the event loop so the loaded rows are painted before the clock stops.
        QTimer.singleShot(0, report)


if __name__ == "__main__":
    sys.exit(main())
