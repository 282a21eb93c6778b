"""``regdesk-cli`` as a whole: usage errors, set-up, the ``--db`` form, unexpected errors and
the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.container import Container
from app.demo.service import PROGRAMME_YEARS
from app.roster.candidates import CandidateService
from app.settings.service import DEFINITIONS
from tests.app.cli.cli_helpers import open_desk, run, run_json

# The first seat of the first demo class (the cohort graduating in this season's graduation year).
KEY = f"{DEFINITIONS['graduation_year'].default() - PROGRAMME_YEARS}010101"


# -- usage and set-up -------------------------------------------------------------------------
def test_usage_errors_exit_2(capsys, tmp_path):
    assert run(capsys)[0] == 2
    code, _, err = run(capsys, "--data", tmp_path, "bogus")
    assert code == 2 and "用法错误" in err
    assert run(capsys, "--data", tmp_path, "candidate", "set", KEY)[0] == 2
    assert run(capsys, "--data", tmp_path, "user", "add", "x", "--role", "wizard", "--name", "某")[0] == 2
    assert run(capsys, "--data", tmp_path, "--db", "sqlite://", "audit", "verify")[0] == 2
    assert run(capsys, "--data", tmp_path, "demo", "--candidates", "many")[0] == 2
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "roster" in out


@pytest.mark.parametrize("argv", [["candidate", "show", KEY], ["user", "add", "zs", "--role", "counsellor",
                                                                "--name", "张三", "--password", "abc12345"],
                                  ["roster", "export", "out.xlsx"], ["roster", "import", "in.xlsx"]])
def test_commands_refuse_an_uninitialised_desk(capsys, tmp_path, argv):
    if argv[0] == "roster":
        argv = [*argv[:2], str(tmp_path / argv[2])]
        (tmp_path / "in.xlsx").write_bytes(b"")
    code, out, err = run(capsys, "--data", tmp_path / "desk", *argv)
    assert code == 1
    assert out == ""
    assert err.startswith("错误：尚未初始化") and "regdesk-cli init" in err


def test_init_sets_up_the_college_and_its_admin(capsys, tmp_path):
    code, obj, _ = run_json(capsys, "--data", tmp_path, "init", "--college-code", "1002",
                            "--college-name", "机电工程学院", "--desk", "二号桌", "--admin", "boss",
                            "--admin-password", "Secret123")
    assert code == 0
    assert obj["ok"] is True
    assert (obj["college_code"], obj["college_name"], obj["desk_name"], obj["role"]) == (
        "1002", "机电工程学院", "二号桌", "college")
    c = open_desk(tmp_path)
    try:
        assert c.setup.login("boss", "Secret123").role == "admin"
    finally:
        c.close()
    code, out, err = run(capsys, "--data", tmp_path, "init", "--college-code", "1003", "--college-name", "别的")
    assert code == 1 and out == "" and "错误：" in err and "不能重复设置" in err


def test_init_text_output_and_bad_values(capsys, tmp_path):
    code, out, _ = run(capsys, "--data", tmp_path / "a", "init", "--college-code", "1001",
                       "--college-name", "信息工程学院")
    assert code == 0 and "已设置学院 1001 信息工程学院" in out and "报名点1" in out
    code, _, err = run(capsys, "--data", tmp_path / "b", "init", "--college-code", "10 01", "--college-name", "某")
    assert code == 1 and "学院代码" in err
    # No password and no terminal to ask on: refuse rather than hang or make an empty password.
    code, _, err = run(capsys, "--data", tmp_path / "c", "init", "--college-code", "1", "--college-name", "某",
                       "--admin", "boss")
    assert code == 1 and "--admin-password" in err


def test_the_db_url_form_reaches_the_same_code(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    assert run(capsys, "--db", url, "init", "--college-code", "9", "--college-name", "招生办", "--role",
               "central")[0] == 0
    code, obj, _ = run_json(capsys, "--db", url, "audit", "list")
    assert code == 0 and obj["events"][0]["action"] == "college.setup"
    code, _, err = run(capsys, "--db", "nonsense://x", "audit", "verify")
    assert code == 1 and "数据库地址" in err


# -- failures ---------------------------------------------------------------------------------
def test_unexpected_errors_are_logged_with_the_trace(capsys, data, monkeypatch):
    def boom(self, key):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(CandidateService, "get", boom)
    code, out, err = run(capsys, "--data", data, "candidate", "show", KEY)
    log = data / "logs" / "regdesk-cli.log"
    assert code == 1 and out == ""
    assert err.strip() == f"发生意外错误，详情见日志：{log}"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "disk on fire" in text
    code, out, _ = run(capsys, "--data", data, "candidate", "show", KEY, "--json")
    assert code == 1 and json.loads(out)["error"]["log"] == str(log)


# -- the installed entry point ----------------------------------------------------------------
def test_installed_entry_point_speaks_chinese_under_any_locale(tmp_path):
    exe = Path(sys.executable).parent / ("regdesk-cli.exe" if os.name == "nt" else "regdesk-cli")
    assert exe.exists(), f"{exe} missing: install the package (pip install -e .)"
    # A C locale and an ASCII-only stdout: the CLI must still write its Chinese as UTF-8.
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([str(exe), "--data", str(tmp_path), "demo", "--candidates", "12"],
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "已生成演示数据：12 名考生" in done.stdout.decode("utf-8")
    done = subprocess.run([str(exe), "--data", str(tmp_path), "audit", "verify", "--json"],
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 0
    assert json.loads(done.stdout)["ok"] is True
    done = subprocess.run([str(exe), "--data", str(tmp_path), "candidate", "show", "nobody"],
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.decode("utf-8").startswith("错误：找不到考生")


def test_the_error_log_never_holds_passwords(capsys, data, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("hash backend missing")

    monkeypatch.setattr(Container, "open", boom)
    code, _, err = run(capsys, "--data", data, "user", "add", "zs", "--role", "counsellor", "--name", "张三",
                       "--password", "Sekrit123")
    assert code == 1 and "发生意外错误" in err
    text = (data / "logs" / "regdesk-cli.log").read_text(encoding="utf-8")
    assert "hash backend missing" in text and "--password" in text
    assert "Sekrit123" not in text
