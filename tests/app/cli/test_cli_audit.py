"""``regdesk-cli audit list|verify``."""

from __future__ import annotations

import datetime as dt

from app.demo.service import PROGRAMME_YEARS
from app.settings.service import DEFINITIONS
from tests.app.cli.cli_helpers import run, run_json
from tests.raw_sql import connect_folder

# The first seat of the first demo class (the cohort graduating in this season's graduation year).
KEY = f"{DEFINITIONS['graduation_year'].default() - PROGRAMME_YEARS}010101"


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
