"""``regdesk-cli``: every command run in-process through ``main``, plus the installed entry point."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.container import Container
from app.domain import idnumber
from app.paths import DB_FILE
from app.services.candidates import CandidateService
from app.services.demo import DEMO_PASSWORD, PROGRAMME_YEARS
from app.services.settings import DEFINITIONS
from tests.raw_sql import connect_folder

# The first seat of the first demo class (the cohort graduating in this season's graduation year).
KEY = f"{DEFINITIONS['graduation_year'].default() - PROGRAMME_YEARS}010101"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, *argv, "--json")
    return code, json.loads(out), err  # json.loads fails on anything but exactly one object


@pytest.fixture(scope="module")
def _demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-demo")
    assert cli.main(["--data", str(folder), "demo", "--candidates", "60", "--no-samples"]) == 0
    return folder


@pytest.fixture
def data(_demo_dir: Path, tmp_path: Path) -> Path:
    """A demo desk with 60 candidates, its own copy per test."""
    target = tmp_path / "desk"
    shutil.copytree(_demo_dir, target)
    return target


def open_desk(data: Path) -> Container:
    return Container.open(data)


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


@pytest.mark.sqlite_only("a demo folder is known by its own SQLite file and what else the folder holds")
# -- demo -------------------------------------------------------------------------------------
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
    shutil.copyfile(Path(__file__).parents[1] / "db" / "fixtures" / "regdesk_rev0001.sqlite", real / DB_FILE)
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


# -- candidate --------------------------------------------------------------------------------
def test_candidate_show_text_and_json(capsys, data):
    code, out, _ = run(capsys, "--data", data, "candidate", "show", KEY)
    assert code == 0
    assert "学号" in out and KEY in out and "信息工程学院" in out and "在册" in out
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "show", KEY)
    assert code == 0 and obj["ok"] is True
    cand = obj["candidate"]
    assert cand["data"]["student_no"] == KEY
    assert cand["status"] == "roster" and cand["status_label"] == "在册" and cand["revision"] == 1
    assert idnumber.parse(cand["data"]["id_number"]).gender == cand["data"]["gender"]
    # The ID number finds the same person.
    code, again, _ = run_json(capsys, "--data", data, "candidate", "show", cand["data"]["id_number"])
    assert again["candidate"]["uuid"] == cand["uuid"]


def test_candidate_show_unknown_key(capsys, data):
    code, out, err = run(capsys, "--data", data, "candidate", "show", "999")
    assert code == 1 and out == "" and err.startswith("错误：找不到考生“999”")
    code, out, err = run(capsys, "--data", data, "candidate", "show", "999", "--json")
    assert code == 1 and "找不到考生" in err
    assert json.loads(out) == {"ok": False, "error": {"type": "NotFoundError",
                                                      "message": err.strip().removeprefix("错误：")}}


def test_candidate_find_by_pinyin_initials_number_id_tail_and_class(capsys, data):
    assert run(capsys, "--data", data, "candidate", "set", KEY, "姓名=单雄信")[0] == 0
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "show", KEY)
    id_number, class_name = obj["candidate"]["data"]["id_number"], obj["candidate"]["data"]["class_name"]
    for text in ("shanxiongxin", "SXX", "shanxx", "单雄", KEY, id_number[-6:], id_number.lower()):
        code, obj, err = run_json(capsys, "--data", data, "candidate", "find", text)
        assert code == 0 and err == ""
        assert KEY in [c["student_no"] for c in obj["candidates"]], text
        assert obj["count"] == len(obj["candidates"])
    first = obj["candidates"][0]
    assert {"student_no", "id_number", "name", "class_name", "status"} <= set(first)
    assert first["name"] == "单雄信" and first["status"] == "roster" and first["id_number"] == id_number
    # A surname read as a surname: 单 is shan, not dan.
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "find", "danxiongxin")
    assert code == 0 and obj == {"ok": True, "count": 0, "candidates": []}
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "find", class_name)
    assert code == 0 and obj["count"] > 1 and {c["class_name"] for c in obj["candidates"]} == {class_name}


def test_candidate_find_text_table_and_nothing_found(capsys, data):
    assert run(capsys, "--data", data, "candidate", "set", KEY, "姓名=曾乐")[0] == 0
    code, out, err = run(capsys, "--data", data, "candidate", "find", "zengyue")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].split() == ["学号", "姓名", "性别", "身份证号", "班级", "考生类别", "状态"]
    assert lines[1].split()[:2] == [KEY, "曾乐"] and lines[-1] == "共 1 人。"
    # The columns line up under their headers (a Chinese character is two columns wide).
    header, row = lines[0], lines[1]
    assert cli._text_width(header[: header.index("姓名")]) == cli._text_width(row[: row.index("曾乐")])
    assert cli._text_width(header[: header.index("状态")]) == cli._text_width(row[: row.index("在册")])
    code, out, err = run(capsys, "--data", data, "candidate", "find", "qqqq")
    assert code == 0 and out == "没有找到与“qqqq”相符的考生。\n" and err == ""
    code, out, err = run(capsys, "--data", data, "candidate", "find", "  ")
    assert code == 1 and out == "" and "请输入要查找" in err


def test_candidate_set_by_key_and_by_chinese_label(capsys, data):
    code, out, _ = run(capsys, "--data", data, "candidate", "set", KEY, "phone=139 1234 5678", "备注=转专业")
    assert code == 0
    assert "联系电话：" in out and "→ 13912345678" in out and "备注：（空） → 转专业" in out
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "set", KEY, "班级=计算机应用技术2023级9班")
    assert code == 0 and obj["revision"] == 3
    assert obj["changes"]["class_name"]["after"] == "计算机应用技术2023级9班"
    c = open_desk(data)
    try:
        d = c.candidates.get(KEY)
        assert (d.data.phone, d.data.note, d.data.class_name) == ("13912345678", "转专业", "计算机应用技术2023级9班")
        history = [e.action for e in c.candidates.history(KEY)]
        assert history.count("candidate.update") == 2
    finally:
        c.close()
    code, out, _ = run(capsys, "--data", data, "candidate", "set", KEY, "phone=13912345678")
    assert code == 0 and "没有变化" in out


def test_candidate_set_new_id_number_brings_its_birth_date_and_gender(capsys, data):
    c = open_desk(data)
    try:
        before = c.candidates.get(KEY).data
    finally:
        c.close()
    woman = before.gender == "男"
    new_number = idnumber.make("410102", dt.date(2004, 2, 29), 222 if woman else 221)
    code, obj, err = run_json(capsys, "--data", data, "candidate", "set", KEY, f"身份证号={new_number}")
    assert code == 0, err
    changes = obj["changes"]
    assert changes["id_number"]["after"] == new_number
    assert changes["birth_date"]["after"] == "2004-02-29"
    assert changes["gender"]["after"] == ("女" if woman else "男")


def test_candidate_set_refuses_bad_values_and_fields(capsys, data):
    code, out, err = run(capsys, "--data", data, "candidate", "set", KEY, "phone=123")
    assert code == 1 and out == "" and err.startswith("错误：") and "11 位手机号" in err
    code, _, err = run(capsys, "--data", data, "candidate", "set", KEY, "shoe_size=42")
    assert code == 1 and "未知字段“shoe_size”" in err and "phone（联系电话）" in err
    code, _, err = run(capsys, "--data", data, "candidate", "set", KEY, "no-equals-sign")
    assert code == 1 and "字段=值" in err
    code, _, err = run(capsys, "--data", data, "candidate", "set", KEY, "二级学院=别的学院")
    assert code == 1 and "二级学院" in err
    c = open_desk(data)
    try:
        assert c.candidates.get(KEY).revision == 1
    finally:
        c.close()


# -- audit ------------------------------------------------------------------------------------
def test_audit_list_json_and_text(capsys, data):
    code, obj, _ = run_json(capsys, "--data", data, "audit", "list", "--limit", "5")
    assert code == 0 and obj["count"] == 5 and len(obj["events"]) == 5
    first = obj["events"][0]
    assert set(first) == {"seq", "at", "actor", "desk_name", "action", "action_label", "entity_type",
                          "entity_uuid", "summary", "before", "after"}
    seqs = [e["seq"] for e in obj["events"]]
    assert seqs == sorted(seqs, reverse=True)
    assert dt.datetime.fromisoformat(first["at"]).tzinfo is not None
    code, out, _ = run(capsys, "--data", data, "audit", "list", "--limit", "200")
    assert code == 0 and "生成演示数据" in out and "设置学院" in out
    assert run(capsys, "--data", data, "audit", "list", "--limit", "0")[0] == 1


def test_audit_list_for_one_candidate(capsys, data):
    run(capsys, "--data", data, "candidate", "set", KEY, "note=补交材料")
    code, obj, _ = run_json(capsys, "--data", data, "audit", "list", "--candidate", KEY)
    assert code == 0
    assert [e["action"] for e in obj["events"]] == ["candidate.update", "candidate.create"]
    assert obj["events"][0]["after"] == {"note": "补交材料"}
    assert obj["events"][0]["actor"].startswith("cli:")
    code, _, err = run(capsys, "--data", data, "audit", "list", "--candidate", "nobody")
    assert code == 1 and "找不到考生" in err


def test_audit_verify_finds_an_altered_event(capsys, data):
    code, out, _ = run(capsys, "--data", data, "audit", "verify")
    assert code == 0 and "审计记录完整" in out
    code, obj, _ = run_json(capsys, "--data", data, "audit", "verify")
    assert code == 0 and obj["ok"] is True and obj["problems"] == [] and obj["count"] > 60

    # Someone who knows SQL: the append-only triggers go first, then an edit and a removal.
    con = connect_folder(data)
    with con:
        con.execute("DROP TRIGGER audit_events_no_update")
        con.execute("DROP TRIGGER audit_events_no_delete")
        con.execute("UPDATE audit_events SET summary = '改过的' WHERE seq = 10")
        con.execute("DELETE FROM audit_events WHERE seq = 20")
    con.close()
    code, out, err = run(capsys, "--data", data, "audit", "verify")
    assert code == 1 and out == ""
    assert "错误：审计记录被删除或改动" in err
    assert "第 10 条记录的内容被改动" in err and "第 19 条之后缺少第 20 条。" in err
    code, obj, _ = run_json(capsys, "--data", data, "audit", "verify")
    assert code == 1 and obj["ok"] is False and any("第 10 条" in p for p in obj["problems"])


def test_audit_verify_reports_an_emptied_trail(capsys, data):
    con = connect_folder(data)
    with con:
        con.execute("DROP TRIGGER audit_events_no_delete")
        n = con.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        con.execute("DELETE FROM audit_events")
        con.execute("DELETE FROM meta WHERE key = 'audit_head'")
    con.close()
    code, out, err = run(capsys, "--data", data, "audit", "verify")
    assert code == 1 and out == ""
    assert "审计记录被清空：本机自 " in err and f"已记录 {n} 条，现在只有 0 条" in err
    code, obj, _ = run_json(capsys, "--data", data, "audit", "verify")
    assert code == 1 and obj["ok"] is False and obj["count"] == 0 and "differences" not in obj


def test_audit_verify_deep_names_a_row_changed_without_an_event(capsys, data):
    code, obj, _ = run_json(capsys, "--data", data, "audit", "verify", "--deep")
    assert code == 0 and obj["ok"] is True and obj["differences"] == [] and obj["problems"] == []
    code, out, _ = run(capsys, "--data", data, "audit", "verify", "--deep")
    assert code == 0 and "逐条核对：数据库中的数据与审计记录一致。" in out
    con = connect_folder(data)
    n, head = con.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    con.close()
    assert f"最后一条（第 {n} 条）的哈希：{head}" in out
    assert run_json(capsys, "--data", data, "audit", "verify")[1]["head"] == head

    con = connect_folder(data)
    with con:
        uuid, name, sno = con.execute("SELECT uuid, name, student_no FROM candidates ORDER BY id LIMIT 1").fetchone()
        con.execute("UPDATE candidates SET name = '李四' WHERE uuid = ?", (uuid,))
    con.close()
    code, out, err = run(capsys, "--data", data, "audit", "verify")
    assert code == 0  # the chain alone cannot see it
    code, out, err = run(capsys, "--data", data, "audit", "verify", "--deep")
    assert code == 1 and out == ""
    assert "审计记录本身完整" in err and "数据库中有 1 处数据与审计记录不符" in err
    assert f"考生 李四（学号 {sno}）的姓名：审计记录为“{name}”" in err
    code, obj, _ = run_json(capsys, "--data", data, "audit", "verify", "--deep")
    assert code == 1 and obj["ok"] is False and obj["problems"] == []
    (diff,) = obj["differences"]
    assert (diff["table"], diff["key"], diff["field"], diff["trail"], diff["database"]) == (
        "candidates", uuid, "name", name, "李四")


# -- users ------------------------------------------------------------------------------------
def test_user_add_and_list(capsys, data):
    code, out, _ = run(capsys, "--data", data, "user", "add", "zs", "--role", "reviewer", "--name", "张三",
                       "--password", "abc12345")
    assert code == 0 and "已新建用户 zs（张三，审核人" in out
    code, obj, _ = run_json(capsys, "--data", data, "user", "list")
    assert {u["username"] for u in obj["users"]} == {"admin", "fdy01", "jjjc", "jbr", "zs"}
    code, _, err = run(capsys, "--data", data, "user", "add", "zs", "--role", "reviewer", "--name", "张三",
                       "--password", "abc12345")
    assert code == 1 and "已存在" in err
    code, _, err = run(capsys, "--data", data, "user", "add", "ls", "--role", "reviewer", "--name", "李四",
                       "--password", "short")
    assert code == 1 and "密码至少" in err


def test_user_add_without_password_off_a_terminal_is_refused(capsys, data):
    code, _, err = run(capsys, "--data", data, "user", "add", "ls", "--role", "counsellor", "--name", "李四")
    assert code == 1 and "--password" in err


def test_user_add_prompts_on_a_terminal(capsys, data, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["abc12345", "abc12345"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda _prompt="": next(answers))
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

    monkeypatch.setattr(cli.Container, "open", boom)
    code, _, err = run(capsys, "--data", data, "user", "add", "zs", "--role", "counsellor", "--name", "张三",
                       "--password", "Sekrit123")
    assert code == 1 and "发生意外错误" in err
    text = (data / "logs" / "regdesk-cli.log").read_text(encoding="utf-8")
    assert "hash backend missing" in text and "--password" in text
    assert "Sekrit123" not in text


# -- roster -----------------------------------------------------------------------------------
def _workbook(path: Path, headers: list[str], rows: list[list[object]], title: str | None = "2026年专升本报名名单"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _person(n: int, *, male: bool = True) -> list[object]:
    """姓名, 性别, 学号, 身份证号码, 班级, 联系电话 for a new (non-demo) student."""
    number = idnumber.make("410305", dt.date(2003, 5, 1 + n), 2 * n + (1 if male else 2))
    return [f"测试{'甲乙丙丁戊己'[n]}", "男" if male else "女", f"2099{n:04d}", number, "软件技术2023级9班",
            f"1370000{n:04d}"]


HEADERS = ["姓名", "性别", "学号", "身份证号码", "班级", "联系电话"]


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    """Title row, header on row 2, three good rows (3–5) and one with a wrong check digit (row 6, column D)."""
    bad = _person(3)
    bad[3] = bad[3][:-1] + ("0" if bad[3][-1] != "0" else "1")
    return _workbook(tmp_path / "名单.xlsx", HEADERS, [_person(0), _person(1, male=False), _person(2), bad])


def _audit_count(data: Path) -> int:
    con = connect_folder(data)
    try:
        return con.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    finally:
        con.close()


def test_roster_import_dry_run_previews_and_writes_nothing(capsys, data, roster_file):
    events = _audit_count(data)
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", roster_file, "--dry-run")
    assert code == 0, err
    assert obj["ok"] is True and obj["dry_run"] is True and obj["result"] is None
    assert obj["counts"] == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 1}
    assert obj["header_row"] == 2
    (rejected,) = obj["rejected"]
    assert rejected["row"] == 6
    problem = rejected["problems"][0]
    assert (problem["column"], problem["field"]) == ("D", "id_number")
    assert problem["text"].startswith("第 6 行 D 列（身份证号码）：") and "校验位" in problem["text"]
    assert _audit_count(data) == events
    c = open_desk(data)
    try:
        assert c.candidates.count() == 60
    finally:
        c.close()


def test_roster_import_commits_good_rows_and_reports_the_rest(capsys, data, roster_file, tmp_path):
    report = tmp_path / "有误.xlsx"
    code, out, err = run(capsys, "--data", data, "roster", "import", roster_file, "--report", report)
    assert code == 0, err
    assert "新增 3，变更 0，未变 0，有误 1" in out
    assert "第 6 行 D 列（身份证号码）：" in out
    assert "已导入：新增 3，更新 0" in out
    assert report.exists() and str(report) in out
    from openpyxl import load_workbook

    wb = load_workbook(report)
    cells = [str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None]
    wb.close()
    assert "错误原因" in cells and any("校验位" in v for v in cells)

    c = open_desk(data)
    try:
        assert c.candidates.count() == 63
        assert c.candidates.get("20990001").data.gender == "女"
    finally:
        c.close()
    # The same file again: nothing new, nothing duplicated.
    code, obj, _ = run_json(capsys, "--data", data, "roster", "import", roster_file)
    assert code == 0
    assert obj["counts"] == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 1}
    assert obj["result"]["created"] == 0


def test_roster_import_updates_changed_rows(capsys, data, roster_file, tmp_path):
    assert run(capsys, "--data", data, "roster", "import", roster_file)[0] == 0
    moved = _person(0)
    moved[4] = "软件技术2023级8班"
    changed = _workbook(tmp_path / "新名单.xlsx", HEADERS, [moved])
    code, out, _ = run(capsys, "--data", data, "roster", "import", changed, "--dry-run")
    assert code == 0 and "第 3 行 测试甲：班级：软件技术2023级9班 → 软件技术2023级8班" in out
    code, obj, _ = run_json(capsys, "--data", data, "roster", "import", changed)
    assert code == 0
    assert obj["counts"]["changed"] == 1 and obj["result"]["updated"] == 1
    assert obj["changed"][0]["changes"] == {"class_name": {"before": "软件技术2023级9班",
                                                           "after": "软件技术2023级8班"}}
    code, hist, _ = run_json(capsys, "--data", data, "audit", "list", "--candidate", "20990000")
    assert hist["events"][0]["action"] == "candidate.update"
    assert hist["events"][0]["after"]["class_name"] == "软件技术2023级8班"


def test_roster_import_asks_for_a_mapping_and_map_supplies_it(capsys, data, tmp_path):
    odd = ["甲栏", "性别", "学号", "乙栏", "班级"]
    rows = [[r[0], r[1], r[2], r[3], r[4]] for r in (_person(0), _person(1, male=False))]
    path = _workbook(tmp_path / "奇怪的表头.xlsx", odd, rows)
    code, out, err = run(capsys, "--data", data, "roster", "import", path)
    assert code == 1 and out == ""
    assert err.startswith("错误：")
    assert "甲栏" in err and "乙栏" in err and "--map" in err and "id_number" in err and "身份证号" in err
    code, out, err = run(capsys, "--data", data, "roster", "import", path, "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["kind"] == "mapping_needed"
    assert set(error["missing_required"]) == {"name", "id_number"}
    assert "甲栏" in error["headers"] and error["fields"]["id_number"]

    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path,
                              "--map", "甲栏=name", "--map", "乙栏=身份证号")
    assert code == 0, err
    assert obj["counts"]["new"] == 2 and obj["result"]["created"] == 2

    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--map", "甲栏=shoe_size")
    assert code == 1 and "shoe_size" in err
    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--map", "甲栏")
    assert code == 1 and "表头=字段" in err


def test_roster_import_map_can_leave_a_column_out(capsys, data, tmp_path):
    headers = ["姓名", "性别", "学号", "身份证号", "班级", "父母电话"]
    rows = [[*_person(0)[:5], "13900000000"]]
    path = _workbook(tmp_path / "家长电话.xlsx", headers, rows)
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path, "--dry-run", "--map", "父母电话=-")
    assert code == 0, err
    assert "父母电话" not in obj["columns"]
    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--map", "父母电话=忽略")
    assert code == 0, err
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "show", _person(0)[2])
    assert code == 0 and obj["candidate"]["data"]["phone"] == ""


def test_roster_import_bad_files(capsys, data, tmp_path):
    code, _, err = run(capsys, "--data", data, "roster", "import", tmp_path / "nowhere.xlsx")
    assert code == 1 and "找不到文件" in err
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    code, out, err = run(capsys, "--data", data, "roster", "import", legacy)
    assert code == 1 and out == "" and err.startswith("错误：") and ".xlsx" in err


def test_roster_export_and_template(capsys, data, tmp_path):
    from openpyxl import load_workbook

    out_file = tmp_path / "导出.xlsx"
    code, obj, err = run_json(capsys, "--data", data, "roster", "export", out_file)
    assert code == 0, err
    assert obj == {"ok": True, "file": str(out_file), "rows": 60}
    wb = load_workbook(out_file, read_only=True)
    values = {str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v is not None}
    wb.close()
    assert KEY in values
    code, out, _ = run(capsys, "--data", data, "roster", "export", tmp_path / "again.xlsx")
    assert code == 0 and "已导出 60 名考生" in out

    template = tmp_path / "模板.xlsx"
    code, out, _ = run(capsys, "--data", data, "roster", "template", template)
    assert code == 0 and str(template) in out
    wb = load_workbook(template)
    headers = {str(c.value) for row in wb.active.iter_rows(max_row=3) for c in row if c.value}
    wb.close()
    assert any("姓名" in h for h in headers) and any("身份证" in h for h in headers)


def test_roster_import_sheet_chooses_another_sheet(capsys, data, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    first.title = "一班"
    first.append(HEADERS)
    first.append(_person(0))
    second = wb.create_sheet("二班")
    second.append(HEADERS)
    second.append(_person(1, male=False))
    path = tmp_path / "两个班.xlsx"
    wb.save(path)
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path, "--dry-run", "--sheet", "二班")
    assert code == 0, err
    assert obj["sheet"] == "二班" and obj["counts"]["new"] == 1
    code, _, err = run(capsys, "--data", data, "roster", "import", path, "--sheet", "三班")
    assert code == 1 and "没有名为“三班”的工作表" in err and "“一班”、“二班”" in err


def test_a_veteran_without_service_dates_is_imported_and_shown_with_a_todo(capsys, data, tmp_path):
    veteran = _person(5)
    path = _workbook(tmp_path / "v.xlsx", [*HEADERS, "考生类别"], [[*veteran, "退役大学生士兵"]])
    code, obj, err = run_json(capsys, "--data", data, "roster", "import", path)
    assert code == 0, err
    assert obj["counts"]["new"] == 1 and obj["counts"]["rejected"] == 0
    assert obj["todos"] == [{"row": 3, "student_no": veteran[2], "id_number": veteran[3],
                             "fields": ["veteran_service_start", "veteran_service_end"]}]
    code, shown, _ = run_json(capsys, "--data", data, "candidate", "show", veteran[2])
    assert [t["field"] for t in shown["candidate"]["todos"]] == ["veteran_service_start", "veteran_service_end"]
    code, out, _ = run(capsys, "--data", data, "candidate", "show", veteran[2])
    assert "待补：退役大学生士兵须补填入伍时间。" in out
