"""``regdesk-cli audit verify`` on a database holding another desk's chain beside its own: each
chain is checked, the broken one is named, and the JSON keeps its keys with ``chains`` added."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app import cli
from app.audit.service import chain_events, receive_chain_events
from app.container import Container
from app.paths import DB_FILE

pytestmark = pytest.mark.sqlite_only("the broken chain is made with sqlite3 on the desk's file")


def _desk(folder: Path, code: str, college: str, desk: str) -> str:
    c = Container.open(folder)
    try:
        info = c.setup.initialise(code, college, desk, admin_username="admin", admin_password="Passw0rd1")
        c.setup.login("admin", "Passw0rd1")
        return info.desk_uuid
    finally:
        c.close()


def test_audit_verify_checks_every_chain_and_names_the_broken_one(capsys, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _desk(a, "1001", "信息工程学院", "一号桌")
    b_uuid = _desk(b, "2002", "机电工程学院", "二号桌")
    cb, ca = Container.open(b), Container.open(a)
    try:
        with cb.db.read() as s:
            events = chain_events(s, b_uuid)
        with ca.db.transaction() as s:
            receive_chain_events(s, events)
    finally:
        cb.close()
        ca.close()

    assert cli.main(["--data", str(a), "audit", "verify", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert {"ok", "count", "head", "problems", "notes", "chains"} == set(obj)
    assert [(c["local"], c["uuid"], c["count"], c["ok"]) for c in obj["chains"]] == [
        (True, obj["chains"][0]["uuid"], obj["count"], True), (False, b_uuid, len(events), True)]
    assert cli.main(["--data", str(a), "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"报名点 {b_uuid}的审计链：{len(events)} 条，完整" in out

    con = sqlite3.connect(a / DB_FILE)
    with con:
        con.execute("DROP TRIGGER audit_events_no_update")
        con.execute("UPDATE audit_events SET actor = 'someone' WHERE chain = ? AND chain_seq = 2", (b_uuid,))
    con.close()
    assert cli.main(["--data", str(a), "audit", "verify"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"报名点 {b_uuid}的审计链：{len(events)} 条，1 处问题" in err
    assert f"  报名点 {b_uuid}的审计链：第 2 条记录的内容被改动" in err
    assert cli.main(["--data", str(a), "audit", "verify", "--json"]) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["chains"][0]["ok"] and not obj["chains"][1]["ok"] and obj["count"] == obj["chains"][0]["count"]
