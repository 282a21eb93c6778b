"""``regdesk-cli demo``: its own folder, and never a real desk's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.container import Container
from app.demo.service import DEMO_PASSWORD, PROGRAMME_YEARS
from app.paths import DB_FILE
from app.settings.service import DEFINITIONS
from tests.app.cli.cli_helpers import open_desk, run, run_json

# The first seat of the first demo class (the cohort graduating in this season's graduation year).
KEY = f"{DEFINITIONS['graduation_year'].default() - PROGRAMME_YEARS}010101"


# -- demo -------------------------------------------------------------------------------------
@pytest.mark.sqlite_only("a demo folder is known by its own SQLite file and what else the folder holds")
def test_demo_initialises_and_fills_a_fresh_desk(capsys, tmp_path):
    code, out, err = run(capsys, "--data", tmp_path, "demo", "--candidates", "30")
    assert code == 0, err
    assert "已初始化演示学院 1001 信息工程学院" in out
    assert "已生成演示数据：30 名考生" in out
    assert f"已导入样例核对名单：教务处学籍名单、学生处处分名单、专业对照表（文件在 {tmp_path / '样例名单'}）" in out
    assert "已运行资格审查比对" in out
    c = open_desk(tmp_path)
    try:
        assert c.candidates.count() == 30
        assert c.setup.login("fdy01", DEMO_PASSWORD).role == "counsellor"
        assert c.setup.login("admin", DEMO_PASSWORD).role == "admin"
    finally:
        c.close()


@pytest.mark.sqlite_only("a demo folder is known by its own SQLite file and what else the folder holds")
def test_demo_without_a_data_folder_keeps_to_its_own(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REGDESK_DATA", str(tmp_path / "real"))
    code, out, _ = run(capsys, "demo", "--candidates", "10")
    assert code == 0
    assert f"演示数据文件夹：{tmp_path / 'real' / 'demo'}" in out
    assert (tmp_path / "real" / "demo" / DB_FILE).exists()
    assert not (tmp_path / "real" / DB_FILE).exists()
    # Every other command still means the real desk.
    code, _, err = run(capsys, "candidate", "show", KEY)
    assert code == 1 and "尚未初始化" in err


@pytest.mark.sqlite_only("a demo folder is known by its own SQLite file and what else the folder holds")
def test_demo_again_changes_nothing_unless_forced(capsys, data):
    code, obj, _ = run_json(capsys, "--data", data, "demo", "--no-samples")
    assert code == 0
    assert obj == {"ok": True, "data_dir": str(data), "created": 0, "classes": 2, "counsellors": 1,
                   "users_created": [], "initialised": False, "candidates": 60, "samples": [],
                   "samples_folder": None, "reviewed": False, "with_findings": 0}
    code, out, _ = run(capsys, "--data", data, "demo", "--no-samples")
    assert code == 0 and "已有 60 名考生" in out and "--force" in out
    code, obj, _ = run_json(capsys, "--data", data, "demo", "--force", "--candidates", "5", "--seed", "9")
    assert code == 0 and obj["created"] == 5 and obj["candidates"] == 65


def _fingerprint(folder: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.sqlite_only("a demo folder is known by its own SQLite file and what else the folder holds")
@pytest.mark.parametrize("extra", [(), ("--force",), ("--candidates", "5", "--no-samples")])
def test_demo_refuses_a_real_desk_and_leaves_it_exactly_as_it_was(capsys, tmp_path, extra):
    """The issue's case: a real, just-initialised college must not get demo people, accounts or devices."""
    real = tmp_path / "real"
    code, _, err = run(capsys, "--data", real, "init", "--college-code", "2001", "--college-name", "机电学院",
                       "--desk", "一号桌", "--admin", "admin", "--admin-password", "Passw0rd1")
    assert code == 0, err
    before = _fingerprint(real)
    code, out, err = run(capsys, "--data", real, "demo", *extra)
    assert code == 1 and out == ""
    assert "正式使用" in err and "一号桌" in err and "去掉 --data" in err and "不要运行 regdesk-cli demo" in err
    assert _fingerprint(real) == before  # not even a log or a backup written
    c = open_desk(real)
    try:
        assert c.candidates.count() == 0 and [u.username for u in c.setup.list_users()] == ["admin"]
        assert [c.settings.get(k) for k in ("camera_driver", "fingerprint_driver", "idcard_driver")] == \
            ["opencv", "libfprint", ""]
        assert c.setup.info().demo is False
    finally:
        c.close()
    code, obj, _ = run_json(capsys, "--data", real, "demo")
    assert code == 1 and obj["ok"] is False and obj["error"]["type"] == "NotADemoFolder"


def test_demo_refuses_an_older_real_desk_before_upgrading_or_backing_it_up(capsys, tmp_path):
    real = tmp_path / "old"
    real.mkdir()
    shutil.copyfile(Path(__file__).parents[2] / "db" / "fixtures" / "regdesk_rev0001.sqlite", real / DB_FILE)
    before = _fingerprint(real)
    code, _, err = run(capsys, "--data", real, "demo")
    assert code == 1 and "正式使用" in err
    assert _fingerprint(real) == before and not (real / "backups").exists()


@pytest.mark.sqlite_only("a demo folder is known by its own SQLite file and what else the folder holds")
def test_an_older_versions_demo_in_the_default_folder_is_marked_and_completed(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REGDESK_DATA", str(tmp_path / "real"))
    old = tmp_path / "real" / "demo"
    c = Container.open(old)
    try:  # as the demo set an install up before installs were marked
        c.setup.initialise("1001", "信息工程学院", "演示报名点")
        with c.db.transaction() as s:
            c.audit.record(s, "demo", "demo.create", summary="生成演示数据：0 名考生")
    finally:
        c.close()
    code, obj, err = run_json(capsys, "demo", "--candidates", "12")
    assert code == 0, err
    assert obj["created"] == 12 and obj["samples"] == ["academic", "conduct", "majors"]
    c = open_desk(old)
    try:
        assert c.setup.info().demo is True
    finally:
        c.close()
    # The same old install named with --data is not taken for a demo.
    other = tmp_path / "copy"
    shutil.copytree(old, other)
    c = open_desk(other)
    try:
        with c.db.transaction() as s:
            from db.models import Meta

            s.delete(s.get(Meta, "install_kind"))
    finally:
        c.close()
    assert run(capsys, "--data", other, "demo")[0] == 1


def test_demo_refuses_a_folder_with_other_files(capsys, tmp_path):
    (tmp_path / "成绩.xlsx").write_bytes(b"x")
    code, _, err = run(capsys, "--data", tmp_path, "demo", "--candidates", "5")
    assert code == 1 and "不是空文件夹" in err and not (tmp_path / DB_FILE).exists()
