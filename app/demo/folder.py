"""Which folders the demo may use: an empty one (it becomes a demo folder) or a demo folder.

``check_demo_folder`` runs before anything opens the folder's database (``regdesk --demo`` and
``regdesk-cli demo``), so a real install it refuses is left exactly as it was: not migrated, not
backed up, no log written into it. It reads the database through ``db.peek`` (read-only).

A real install is one that is set up and not marked as a demo (``install_kind`` in ``meta``,
written by the demo's own set-up). One exception, for demo folders made before installs were
marked: the demo's default folder holding the demo's desk and the trail of a demo generation is
taken for what it is (``LEGACY``) and marked when opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError
from app.paths import DB_FILE, demo_data_dir
from app.setup.service import DEMO_KIND, KIND_KEY, LOCAL_DESK_KEY
from db.audit_anchor import anchor_path
from db.peek import Peek, PeekError, peek_sqlite, peek_url

NEW, DEMO, LEGACY = "new", "demo", "legacy"
DEMO_DESK_NAME = "演示报名点"  # the desk the demo's set-up makes (``app.demo.service``)
DEMO_ACTION = "demo.create"
# What RegDesk itself puts in a data folder: a folder holding only these is as good as empty.
OWN_ENTRIES = {DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", anchor_path(DB_FILE).name, "logs", "media", "backups",
               "样例名单", "样例打印"}


class NotADemoFolder(AppError):
    """The demo refuses a folder (a real install, or a folder with other things in it)."""


@dataclass(frozen=True)
class DemoFolder:
    state: str  # NEW | DEMO | LEGACY
    path: Path | None  # None with a database URL


def _leave_out(cli: bool) -> str:
    return "不要运行 regdesk-cli demo，直接运行其他命令" if cli else "启动时去掉 --demo"


def _see_demo(cli: bool, url: bool = False, default_folder: bool = False) -> str:
    command = "regdesk-cli demo" if cli else "regdesk --demo"
    if default_folder:  # the demo's own folder holds something else: it was not chosen with an option
        return (f"要查看演示：把文件夹 {demo_data_dir()} 改名或移走后再运行 {command}，"
                "或用 --data 指定一个新的空文件夹。")
    option = "--db" if url else "--data"
    return (f"要查看演示：运行 {command} 时去掉 {option}（演示使用单独的文件夹 {demo_data_dir()}），"
            "或用 --data 指定一个新的空文件夹。")


def check_demo_folder(data_dir: Path | None, *, url: str | None = None, default_folder: bool = False,
                      cli: bool = False) -> DemoFolder:
    """May the demo use ``data_dir`` (or the database at ``url``)? Raises ``NotADemoFolder`` if not.

    ``default_folder``: the folder is the demo's own default (chosen by the program, not the user).
    ``cli`` words the advice for ``regdesk-cli`` rather than the window.
    """
    # A space after the path: the sentence goes on in Chinese right after it.
    where = f"数据库 {url.split('@')[-1]} " if url else f"文件夹 {data_dir} "
    try:
        if url is not None:
            peek = peek_url(url, (DEMO_ACTION,))
        else:
            assert data_dir is not None
            if data_dir.exists() and not data_dir.is_dir():
                raise NotADemoFolder(f"{data_dir} 不是文件夹，不能用作演示数据文件夹。{_see_demo(cli, False, default_folder)}")
            peek = peek_sqlite(data_dir / DB_FILE, (DEMO_ACTION,))
    except PeekError as exc:
        raise NotADemoFolder(f"{where}中的数据库无法读取（{exc}），不能在其中生成演示数据，也没有做任何改动。"
                             f"{_see_demo(cli, url is not None, default_folder)}") from None
    if peek is None:
        if data_dir is not None and data_dir.is_dir():
            others = sorted(p.name for p in data_dir.iterdir() if p.name not in OWN_ENTRIES)
            if others:
                shown = "、".join(others[:5]) + ("等" if len(others) > 5 else "")
                raise NotADemoFolder(f"{where}不是空文件夹（其中有 {shown}），演示数据不会放进去。"
                                     f"{_see_demo(cli, False, default_folder)}")
        return DemoFolder(NEW, data_dir)
    if peek.meta.get(KIND_KEY) == DEMO_KIND:
        return DemoFolder(DEMO, data_dir)
    if LOCAL_DESK_KEY not in peek.meta and peek.candidates == 0:
        return DemoFolder(NEW, data_dir)  # a first run left before its set-up: nothing in it yet
    if default_folder and peek.desk_names == (DEMO_DESK_NAME,) and DEMO_ACTION in peek.actions:
        return DemoFolder(LEGACY, data_dir)
    raise NotADemoFolder(_real_install(where, peek, cli, url is not None, default_folder))


def _real_install(where: str, peek: Peek, cli: bool, url: bool, default_folder: bool) -> str:
    desk = f"（报名点“{'、'.join(peek.desk_names)}”，{peek.candidates} 名考生）" if peek.desk_names else ""
    return (f"{where}是正式使用的 RegDesk 数据{desk}，不是演示数据文件夹。"
            "演示模式不会在这里生成演示考生、演示账号或改用模拟设备，这里的数据没有任何改动。\n"
            f"{_see_demo(cli, url, default_folder)}\n"
            f"要使用这个文件夹中的正式数据：{_leave_out(cli)}。")


def is_default_demo_folder(data_dir: Path) -> bool:
    try:
        return data_dir.resolve() == demo_data_dir().resolve()
    except OSError:
        return False
