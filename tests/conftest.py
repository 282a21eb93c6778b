"""Shared fixtures: an initialised desk (``container``), its logged-in admin (``actor``) and
valid candidate records (``make_candidate_raw``); and the database backend the tests run on.

Backends: ``--backend=sqlite`` (the default) or ``--backend=postgresql`` (or the environment's
``REGDESK_TEST_BACKEND``). The PostgreSQL pass starts a private server (``tests/pg_server.py``)
once, migrates and initialises a template database once, and gives each test's ``container`` a
fresh database copied from it (``CREATE DATABASE … TEMPLATE``). It runs the tests under
``BOTH_BACKENDS`` (services, database, CLI) and deselects the rest; tests there that check what
only a SQLite file has are marked ``sqlite_only``.
A data folder opened without a URL in that pass (the CLI's ``--data DIR``) gets a database of its
own on the server, and a copy of the folder a copy of its database (``_open_folders_on_the_server``).
Where the server cannot be started the pass says so; with ``CI=true`` it fails.

Qt reads ``QT_QPA_PLATFORM`` when the first QGuiApplication is made, so it is set here, before
pytest-qt or any test module imports PySide6.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# As ui.shell.main does: Qt must not share GLib's default context with libfprint (see ui/shell/main.py).
os.environ.setdefault("QT_NO_GLIB", "1")

# pytest's default ("prepend") import mode puts tests/ first on sys.path, where tests/app/ and
# tests/ui/ would shadow the real packages as namespace packages; the repository root goes in
# front so that `import app` is the application.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import datetime as dt
import itertools
import json
import shutil
import uuid
from collections.abc import Callable, Iterator

import pytest

import tests.raw_sql
from app.auth import Actor
from app.container import Container
from app.domain import idnumber
from app.paths import DB_FILE
from db.audit_anchor import anchor_path
from tests.pg_server import PgServer, PgUnavailable
from tests.raw_sql import PG_FOLDER_MARK

# Test files (paths from the repository root) that run on both backends; others only on SQLite.
# The services' tests live by feature (tests/app/<feature>/).
BOTH_BACKENDS = ("tests/app/audit/", "tests/app/demo/", "tests/app/roster/", "tests/app/review/",
                 "tests/app/setup/", "tests/app/station/", "tests/app/documents/test_printing.py",
                 "tests/app/test_written_", "tests/db/", "tests/app/cli/")
TEMPLATE_DB = "regdesk_template"
_ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", choices=("sqlite", "postgresql"),
                     default=os.environ.get("REGDESK_TEST_BACKEND", "sqlite"),
                     help="the database the service, database and CLI tests run on (default: sqlite, "
                          "or $REGDESK_TEST_BACKEND)")


def _on_both_backends(item: pytest.Item) -> bool:
    rel = Path(str(item.path)).resolve().relative_to(_ROOT).as_posix()
    return rel.startswith(BOTH_BACKENDS)


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


class _PgSession:
    """The PostgreSQL pass's server and databases (one per test session)."""

    def __init__(self) -> None:
        self.server: PgServer | None = None
        self.error: str | None = None
        self.template_ready = False

    def require(self) -> PgServer:
        if self.server is None and self.error is None:
            try:
                self.server = PgServer.start()
            except PgUnavailable as exc:
                self.error = str(exc)
        if self.server is None:
            message = f"PostgreSQL 测试服务器无法启动 / cannot start the PostgreSQL test server:\n{self.error}"
            if _ci():
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        return self.server

    def new_database(self, template: str | None = None) -> tuple[str, str]:
        server = self.require()
        name = f"t_{uuid.uuid4().hex[:16]}"
        return name, server.create_database(name, template)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


_pg = _PgSession()


def pytest_configure(config: pytest.Config) -> None:
    config.regdesk_backend = config.getoption("--backend")  # type: ignore[attr-defined]
    if config.regdesk_backend == "postgresql":  # type: ignore[attr-defined]
        _open_folders_on_the_server()
        tests.raw_sql.folder_url = _pg_folder_url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.regdesk_backend != "postgresql":  # type: ignore[attr-defined]
        return
    keep, drop = [], []
    for item in items:
        (keep if _on_both_backends(item) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    for item in keep:
        marker = item.get_closest_marker("sqlite_only")
        if marker:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"只适用于 SQLite 文件 / SQLite only: {reason}"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.regdesk_backend != "postgresql":  # type: ignore[attr-defined]
        return
    # Started before collection, so that a server that cannot start is said once, at the top,
    # and with CI=true ends the run at once (exit status 1) instead of failing test by test.
    try:
        _pg.server = PgServer.start()
    except PgUnavailable as exc:
        _pg.error = str(exc)
        if _ci():
            pytest.exit(f"PostgreSQL 测试服务器无法启动 / cannot start the PostgreSQL test server "
                        f"(CI=true: this fails the run):\n{exc}", returncode=1)


def pytest_report_header(config: pytest.Config) -> str:
    return f"regdesk backend: {config.regdesk_backend}"  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _pg.close()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if config.regdesk_backend == "postgresql" and _pg.error:  # type: ignore[attr-defined]
        terminalreporter.write_sep("!", "PostgreSQL 测试服务器无法启动：本轮没有在 PostgreSQL 上运行任何测试",
                                   red=True, bold=True)
        terminalreporter.write_line(_pg.error)
        terminalreporter.write_line("CI=true 时本轮失败 / with CI=true this pass fails")


@pytest.fixture(scope="session")
def backend(pytestconfig: pytest.Config) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database this pass runs on."""
    return pytestconfig.regdesk_backend  # type: ignore[attr-defined]


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of this pass's backend: a new SQLite file, or a new PostgreSQL database."""
    if backend != "postgresql":
        yield f"sqlite:///{tmp_path / DB_FILE}"
        return
    name, url = _pg.new_database()
    try:
        yield url
    finally:
        _pg.server.drop_database(name)  # type: ignore[union-attr]


def _pg_folder_url(data_dir: Path) -> str:
    """The database of a data folder in the PostgreSQL pass: made empty for a new folder, copied
    from the original's for a folder that is a copy of one (``shutil.copytree`` of a demo desk)."""
    data_dir = Path(data_dir).resolve()
    mark = data_dir / PG_FOLDER_MARK
    try:
        recorded = json.loads(mark.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded and recorded["folder"] == str(data_dir):
        return _pg.require().url(recorded["database"])
    name, url = _pg.new_database(template=recorded["database"] if recorded else None)
    _mark_folder(data_dir, name, url)
    return url


def _mark_folder(data_dir: Path, name: str, url: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / PG_FOLDER_MARK).write_text(json.dumps({"folder": str(data_dir.resolve()), "database": name,
                                                       "url": url}), encoding="utf-8")


def _open_folders_on_the_server() -> None:
    """In the PostgreSQL pass, ``Container.open(folder)`` without a URL opens that folder's
    database on the server, so the CLI's ``--data DIR`` and the tests' own desks run there too
    (for the whole pass: module-scoped fixtures open desks before any function fixture runs)."""
    original = Container.open.__func__  # type: ignore[attr-defined]

    def open_on_server(cls, data_dir=None, url=None, **kwargs):
        if url is None and data_dir is not None:
            url = _pg_folder_url(Path(data_dir))
        return original(cls, data_dir, url, **kwargs)

    Container.open = classmethod(open_on_server)  # type: ignore[method-assign]

COLLEGE_CODE = "1001"
COLLEGE_NAME = "信息工程学院"
DESK_NAME = "一号桌"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Passw0rd1"


@pytest.fixture(scope="session")
def _initialised_db_file(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path | str:
    """One migrated, initialised database per test session; each test gets a copy.

    Migrating and hashing the admin's password (Argon2 is slow on purpose) once instead of
    in every test keeps the suite fast. On PostgreSQL: the template database's name.
    """
    folder = tmp_path_factory.mktemp("template-desk")
    if backend == "postgresql":
        server = _pg.require()
        server.create_database(TEMPLATE_DB)
        c = Container.open(folder, url=server.url(TEMPLATE_DB))
        try:
            c.setup.initialise(COLLEGE_CODE, COLLEGE_NAME, DESK_NAME,
                               admin_username=ADMIN_USERNAME, admin_password=ADMIN_PASSWORD)
        finally:
            c.close()  # no connection may stay open to a template
        return TEMPLATE_DB
    c = Container.open(folder)
    try:
        c.setup.initialise(COLLEGE_CODE, COLLEGE_NAME, DESK_NAME,
                           admin_username=ADMIN_USERNAME, admin_password=ADMIN_PASSWORD)
    finally:
        # Closing the last connection checkpoints the WAL into the main file.
        c.close()
    path = folder / DB_FILE
    assert not path.with_name(DB_FILE + "-wal").exists(), "template database still has a WAL file"
    return path


@pytest.fixture
def container(tmp_path: Path, _initialised_db_file: Path | str) -> Iterator[Container]:
    """A desk of college "1001 信息工程学院", desk "一号桌", with user admin / Passw0rd1."""
    if isinstance(_initialised_db_file, str):  # PostgreSQL: a fresh database copied from the template
        name, url = _pg.new_database(template=_initialised_db_file)
        _mark_folder(tmp_path, name, url)  # `--data tmp_path` opens this database too
        c = Container.open(tmp_path, url=url)
        try:
            yield c
        finally:
            c.close()
            _pg.server.drop_database(name)  # type: ignore[union-attr]
        return
    shutil.copyfile(_initialised_db_file, tmp_path / DB_FILE)
    # The audit trail's anchor file belongs to the install as much as the database does.
    anchor = anchor_path(_initialised_db_file)
    assert anchor is not None and anchor.exists()
    shutil.copyfile(anchor, anchor_path(tmp_path / DB_FILE))
    c = Container.open(tmp_path)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def actor(container: Container) -> Actor:
    """The administrator, logged in through the real login (so the login is audited)."""
    return container.setup.login(ADMIN_USERNAME, ADMIN_PASSWORD)


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = ("子涵", "浩然", "欣怡", "梓轩", "雨桐", "宇航", "思远", "佳怡", "俊杰", "诗涵",
          "一鸣", "晓彤", "家豪", "雅琪", "志强", "文博", "静怡", "天佑", "若曦", "明轩")
_CLASSES = ("软件技术2301", "软件技术2302", "计算机网络技术2301", "大数据技术2301", "电子商务2301")
_COUNSELLORS = ("李红", "王建国", "张敏")


@pytest.fixture
def make_candidate_raw() -> Callable[..., dict]:
    """``make_candidate_raw(n=None, **overrides)``: a valid raw record, as a user would type it.

    Each call without ``n`` gives a new candidate (distinct student number, ID number, phone);
    the same ``n`` always gives the same candidate. Every ID number is synthetic (built with
    ``idnumber.make``), with the gender and birth date it encodes.
    """
    counter = itertools.count()

    def make(n: int | None = None, **overrides: object) -> dict:
        if n is None:
            n = next(counter)
        male = n % 2 == 0
        birth = dt.date(2002, 1, 1) + dt.timedelta(days=n % 1500)
        # 3-digit sequence, odd for men and even for women; n // 1500 keeps numbers distinct.
        sequence = 2 * (n // 1500 % 450) + 11 + (0 if male else 1)
        raw = {
            "student_no": f"2023{n:06d}",
            "name": _SURNAMES[n % len(_SURNAMES)] + _GIVEN[n // len(_SURNAMES) % len(_GIVEN)],
            "gender": "男" if male else "女",
            "id_number": idnumber.make("410102", birth, sequence),
            "ethnicity": "汉族",
            "phone": f"138{n:08d}",
            "class_name": _CLASSES[n % len(_CLASSES)],
            "counsellor": _COUNSELLORS[n % len(_COUNSELLORS)],
            "major": _CLASSES[n % len(_CLASSES)][:-4],
            "intended_major": "计算机科学与技术",
            "category": "普通考生",
        }
        raw.update(overrides)
        return raw

    return make
