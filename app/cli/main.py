"""``regdesk-cli``'s entry point: the global options, the commands' parser, exit statuses and errors.

Exit status: 0 success, 1 an error the user can act on (its Chinese message on stderr, or an
unexpected error with the log file's path), 2 a usage error. With ``--json`` stdout carries exactly
one JSON object and nothing else; progress goes to stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from app import __version__
from app.cli.commands import COMMANDS
from app.cli.context import CliContext, CliError
from app.cli.output import Output, WaitNotice, emit_json, utf8_streams
from app.cli.parser import Parser, speak_chinese
from app.container import Container
from app.demo.folder import check_demo_folder
from app.errors import AppError, ValidationError
from app.paths import default_data_dir, demo_data_dir
from db.session import report_waits

LOG_FILE = "regdesk-cli.log"

log = logging.getLogger("regdesk.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="regdesk-cli", description="RegDesk 专升本报名工作台：命令行工具。")
    parser.add_argument("--version", action="version", version=f"regdesk-cli {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", metavar="DIR", help="本机数据文件夹（数据库与采集文件），默认为系统的用户数据目录")
    where.add_argument("--db", metavar="URL", help="SQLAlchemy 数据库地址，例如 sqlite:////path/regdesk.sqlite")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in COMMANDS:
        module.register(sub)
    return parser


# -- entry point -----------------------------------------------------------------------------
_SECRET_OPTIONS = ("--password", "--admin-password")


def _redact(argv: list[str]) -> list[str]:
    """Arguments for the log, without the passwords."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append("***")
            hide_next = False
        elif arg in _SECRET_OPTIONS:
            out.append(arg)
            hide_next = True
        elif arg.split("=", 1)[0] in _SECRET_OPTIONS:
            out.append(arg.split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def _log_unexpected(data_dir: Path, argv: list[str]) -> Path:
    path = data_dir / "logs" / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        # The data folder is unwritable (perhaps the very problem): keep the trace somewhere.
        import tempfile

        path = Path(tempfile.gettempdir()) / LOG_FILE
        handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    try:
        log.exception("regdesk-cli %s: unexpected error (arguments %s)", __version__, _redact(argv))
    finally:
        log.removeHandler(handler)
        handler.close()
    return path


def main(argv: list[str] | None = None) -> int:
    utf8_streams()
    speak_chinese()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    as_json = bool(getattr(args, "json", False))
    if args.data:
        data_dir = Path(args.data).expanduser()
    elif args.command == "demo" and not args.db:
        # Like ``regdesk --demo``: demo people get a folder of their own, never the real desk's.
        data_dir = demo_data_dir()
    else:
        data_dir = default_data_dir()
    container: Container | None = None
    try:
        if args.command == "demo":
            # Before anything opens the database: a real install must be left exactly as it is.
            args.demo_folder = check_demo_folder(None if args.db else data_dir, url=args.db,
                                                 default_folder=not args.data and not args.db, cli=True).state
        try:
            container = Container.open(data_dir=data_dir, url=args.db)
        except ArgumentError as exc:
            raise AppError(f"数据库地址“{args.db}”无效：{exc}") from None
        with report_waits(WaitNotice()):
            return handler(CliContext(container, Output(as_json)), args)
    except AppError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        if as_json:
            error: dict[str, object] = {"type": type(exc).__name__, "message": exc.message}
            if isinstance(exc, ValidationError) and exc.field:
                error["field"] = exc.field
            if isinstance(exc, CliError):
                error.update(exc.details)
            emit_json({"ok": False, "error": error})
        return 1
    except KeyboardInterrupt:
        print("已中断，未完成的操作没有写入。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``| head``) went away: not an error of ours. Point stdout at devnull so
        # the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception:
        path = _log_unexpected(container.data_dir if container else data_dir,
                               sys.argv[1:] if argv is None else list(argv))
        print(f"发生意外错误，详情见日志：{path}", file=sys.stderr)
        if as_json:
            emit_json({"ok": False, "error": {"type": "unexpected", "message": "发生意外错误", "log": str(path)}})
        return 1
    finally:
        if container is not None:
            container.close()
