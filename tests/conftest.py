"""Shared fixtures: an initialised desk (``container``), its logged-in admin (``actor``) and
valid candidate records (``make_candidate_raw``).

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
import shutil
from collections.abc import Callable, Iterator

import pytest

from app.auth import Actor
from app.container import Container
from app.domain import idnumber
from app.paths import DB_FILE
from db.audit_anchor import anchor_path

COLLEGE_CODE = "1001"
COLLEGE_NAME = "信息工程学院"
DESK_NAME = "一号桌"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Passw0rd1"


@pytest.fixture(scope="session")
def _initialised_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, initialised database per test session; each test gets a copy.

    Migrating and hashing the admin's password (Argon2 is slow on purpose) once instead of
    in every test keeps the suite fast.
    """
    folder = tmp_path_factory.mktemp("template-desk")
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
def container(tmp_path: Path, _initialised_db_file: Path) -> Iterator[Container]:
    """A desk of college "1001 信息工程学院", desk "一号桌", with user admin / Passw0rd1."""
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
