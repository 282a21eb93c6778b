"""Which folders the demo may use: new or demo folders yes, a real install never (and it stays untouched)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.auth import Actor
from app.container import Container
from app.demo.folder import DEMO, LEGACY, NEW, NotADemoFolder, check_demo_folder
from app.paths import DB_FILE
from db.session import sqlite_url

ACTOR = Actor("tester", "测试", "admin")

# What a data folder holds and how it is looked at: the SQLite file, its WAL, its log.
pytestmark = pytest.mark.sqlite_only("the data folder's own SQLite file")


def files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def test_a_missing_or_empty_folder_becomes_a_demo_folder(tmp_path: Path):
    assert check_demo_folder(tmp_path / "not-yet").state == NEW
    (tmp_path / "empty").mkdir()
    assert check_demo_folder(tmp_path / "empty").state == NEW
    assert not (tmp_path / "not-yet").exists()  # looking creates nothing


def test_a_folder_with_other_things_in_it_is_refused(tmp_path: Path):
    (tmp_path / "论文.docx").write_bytes(b"x")
    with pytest.raises(NotADemoFolder, match=r"不是空文件夹.*论文\.docx"):
        check_demo_folder(tmp_path)
    (tmp_path / "论文.docx").unlink()
    (tmp_path / "logs").mkdir()  # RegDesk's own
    (tmp_path / "regdesk-audit.json").write_text("{}")  # the audit anchor of a database since deleted
    assert check_demo_folder(tmp_path).state == NEW


def test_a_real_install_is_refused_with_what_to_do_and_left_byte_for_byte(container, tmp_path):
    folder = container.data_dir
    container.close()
    before = files(folder)
    assert DB_FILE in before
    with pytest.raises(NotADemoFolder) as caught:
        check_demo_folder(folder)
    message = caught.value.message
    assert "正式使用" in message and "一号桌" in message
    assert "去掉 --data" in message and "新的空文件夹" in message and "去掉 --demo" in message
    with pytest.raises(NotADemoFolder) as caught:
        check_demo_folder(folder, cli=True)
    assert "regdesk-cli demo" in caught.value.message
    assert files(folder) == before  # no -wal/-shm left, the database unchanged


def test_a_real_install_being_used_is_read_through_its_log(container):
    """While the desk has the database open (a write-ahead log beside it), the look still sees it."""
    assert (container.data_dir / (DB_FILE + "-wal")).exists()
    with pytest.raises(NotADemoFolder, match="正式使用"):
        check_demo_folder(container.data_dir)


def test_a_demo_install_and_an_abandoned_first_run_are_fine(tmp_path: Path):
    demo = Container.open(tmp_path / "demo")
    demo.setup.initialise("1001", "信息工程学院", "演示报名点", demo=True)
    demo.close()
    assert check_demo_folder(tmp_path / "demo").state == DEMO
    Container.open(tmp_path / "first-run").close()  # migrated, never set up
    assert check_demo_folder(tmp_path / "first-run").state == NEW


def _old_demo(folder: Path) -> None:
    """An install as the demo made it before installs were marked."""
    c = Container.open(folder)
    try:
        c.setup.initialise("1001", "信息工程学院", "演示报名点")
        with c.db.transaction() as s:
            c.audit.record(s, "demo", "demo.create", summary="生成演示数据：5 名考生")
    finally:
        c.close()


def test_an_older_demo_is_recognised_only_in_the_demos_own_default_folder(tmp_path: Path):
    _old_demo(tmp_path / "old")
    assert check_demo_folder(tmp_path / "old", default_folder=True).state == LEGACY
    with pytest.raises(NotADemoFolder):
        check_demo_folder(tmp_path / "old")  # chosen with --data: it could be a real desk's


def test_a_file_that_is_no_database_is_refused(tmp_path: Path):
    (tmp_path / DB_FILE).write_bytes(b"not a database at all" * 100)
    with pytest.raises(NotADemoFolder, match="无法读取"):
        check_demo_folder(tmp_path)
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(NotADemoFolder, match="不是文件夹"):
        check_demo_folder(tmp_path / "plain-file")


def test_a_database_url_is_looked_at_the_same_way(container, tmp_path):
    url = sqlite_url(container.data_dir / DB_FILE)
    with pytest.raises(NotADemoFolder, match="去掉 --db"):
        check_demo_folder(None, url=url)
    assert check_demo_folder(None, url=sqlite_url(tmp_path / "new.sqlite")).state == NEW
    assert not (tmp_path / "new.sqlite").exists()


def test_the_demos_own_folder_holding_a_real_desk_is_refused_with_advice_that_fits(container, monkeypatch):
    """Nobody chose the default demo folder with --data: the advice is to move it, not to drop an option."""
    from app.paths import demo_data_dir

    folder = container.data_dir
    monkeypatch.setenv("REGDESK_DATA", str(folder.parent / "elsewhere"))
    monkeypatch.setattr("app.demo.folder.demo_data_dir", lambda: folder)
    with pytest.raises(NotADemoFolder) as caught:
        check_demo_folder(folder, default_folder=True)
    assert f"把文件夹 {folder} 改名或移走" in caught.value.message and "去掉 --data" not in caught.value.message
    assert demo_data_dir() != folder  # only this check was pointed at it
