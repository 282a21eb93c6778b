"""``regdesk-cli user add|list``."""

from __future__ import annotations

import sys

from app.cli import context
from tests.app.cli.cli_helpers import open_desk, run, run_json


# -- users ------------------------------------------------------------------------------------
def test_user_add_and_list(capsys, data):
    code, out, _ = run(capsys, "--data", data, "user", "add", "zs", "--role", "reviewer", "--name", "张三",
                       "--password", "abc12345", "--office", "academic")
    assert code == 0 and "已新建用户 zs（张三，审核人（教务处））" in out
    code, obj, _ = run_json(capsys, "--data", data, "user", "list")
    assert {u["username"] for u in obj["users"]} == {"admin", "fdy01", "jjjc", "jbr", "zs"}
    code, _, err = run(capsys, "--data", data, "user", "add", "zs", "--role", "reviewer", "--name", "张三",
                       "--password", "abc12345", "--office", "academic")
    assert code == 1 and "已存在" in err
    code, _, err = run(capsys, "--data", data, "user", "add", "ls", "--role", "reviewer", "--name", "李四",
                       "--password", "short", "--office", "conduct")
    assert code == 1 and "密码至少" in err


def test_user_add_without_password_off_a_terminal_is_refused(capsys, data):
    code, _, err = run(capsys, "--data", data, "user", "add", "ls", "--role", "counsellor", "--name", "李四")
    assert code == 1 and "--password" in err


def test_user_add_prompts_on_a_terminal(capsys, data, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["abc12345", "abc12345"])
    monkeypatch.setattr(context.getpass, "getpass", lambda _prompt="": next(answers))
    code, _, err = run(capsys, "--data", data, "user", "add", "ls", "--role", "counsellor", "--name", "李四")
    assert code == 0, err
    c = open_desk(data)
    try:
        assert c.setup.login("ls", "abc12345").role == "counsellor"
    finally:
        c.close()
    answers = iter(["abc12345", "abc99999"])
    code, _, err = run(capsys, "--data", data, "user", "add", "ww", "--role", "counsellor", "--name", "王五")
    assert code == 1 and "不一致" in err
