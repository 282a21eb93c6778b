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

log = logging.getLogger("ui.shell.main")

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


def milestones() -> list[tuple[str, float]]:
    return list(_marks)


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


def say(text: str, *, err: bool = False) -> None:
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
        say(f"无法写入日志文件夹 {log_dir}：{exc}", err=True)
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
        from ui.common.fonts import setup_fonts
        from ui.common.i18n import install_translations

        container = Container.open(scratch or data_dir_for(args), url=args.db)
        container.setup.info()
        app = QApplication.instance() or QApplication(["regdesk", *qt_args])
        install_translations(app, args.lang)
        font = setup_fonts(app)
        if font.family is None:
            say(f"self-test failed: {font.message}", err=True)
            return 1
        # Data files a bundle can lose: OpenCV's Haar cascades and the PDF font/renderer.
        import numpy as np

        from app.documents.fonts import cjk_font
        from app.photo.analysis import analyse

        analyse(np.full((480, 640, 3), 240, np.uint8))
        # pypinyin reads its dictionaries from JSON files beside its modules.
        from app.domain import pinyin

        if not pinyin.matches("zsan", "张三"):
            say("self-test failed: pinyin search does not find 张三 by “zsan”", err=True)
            return 1
        say(f"pinyin: 张三 = {pinyin.forms('张三')[0]}")
        say(f"pdf font: {cjk_font()}")
        say(f"font: {font.family}")
        say("self-test ok")
        return 0
    except Exception as exc:
        say(f"self-test failed: {type(exc).__name__}: {exc}", err=True)
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
        from app.demo.folder import NotADemoFolder, check_demo_folder

        try:
            demo_folder = check_demo_folder(None if args.db else data_dir, url=args.db,
                                            default_folder=not args.data and not args.db).state
        except NotADemoFolder as exc:
            return refuse_demo(exc.message, args, qt_args)
    log_path = setup_logging(data_dir / "logs")
    log.info("RegDesk starting: data=%s db=%s demo=%s", data_dir, args.db or "(sqlite)", args.demo)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.common import errors
    from ui.common.fonts import setup_fonts
    from ui.common.i18n import install_translations

    _route_qt_messages()
    from ui.common.i18n import prefer_chinese_system_locale

    prefer_chinese_system_locale(args.lang)
    app = QApplication.instance() or QApplication(["regdesk", *qt_args])
    app.setOrganizationName("RegDesk")
    app.setApplicationName("RegDesk")
    app.setDesktopFileName("regdesk")
    errors.set_log_file(log_path)
    errors.install_excepthook()
    install_translations(app, args.lang)
    font = setup_fonts(app)
    from ui.common import file_dialogs
    from ui.shell.main_window import app_settings

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
            say(text, err=True)
        else:
            QMessageBox.critical(None, QCoreApplication.translate("Main", "RegDesk 无法启动"), text)
        return 1
    mark("database")

    from ui.common.tasks import TaskRunner

    runner = TaskRunner(app)
    from ui.shell.startup import Startup

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
    say(message, err=True)
    if args.bench_startup:
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.common.fonts import setup_fonts
    from ui.common.i18n import install_translations

    app = QApplication.instance() or QApplication(["regdesk", *qt_args])
    install_translations(app, args.lang)
    setup_fonts(app)
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("Main", "演示模式不能使用这个文件夹"),
                      message)
    box.setObjectName("demoRefused")
    box.exec()
    return 1


if __name__ == "__main__":
    sys.exit(main())
