"""A reviewer's office: set when the user is made, changed by the administrator, kept in users.office
(revision 0010, which gives existing reviewers the office they have been deciding for)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from app.auth import Actor
from app.cli import main as cli_main
from app.container import Container
from app.errors import PermissionDenied, ValidationError
from app.paths import DB_FILE
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.models import AuditEvent, User
from db.session import make_engine, sqlite_url


def _events(c: Container) -> int:
    with c.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def test_a_reviewer_is_made_with_an_office_and_no_one_else_has_one(container, actor):
    with pytest.raises(ValidationError, match="审核人须选择所属部门：学生处（conduct）、教务处（academic）") as caught:
        container.setup.create_user(actor, "rv01", "审核人", "reviewer", "Passw0rd9")
    assert caught.value.field == "office"
    with pytest.raises(ValidationError, match="须选择所属部门"):
        container.setup.create_user(actor, "rv01", "审核人", "reviewer", "Passw0rd9", "college")
    with pytest.raises(ValidationError, match="只有审核人有所属部门"):
        container.setup.create_user(actor, "fdy01", "辅导员", "counsellor", "Passw0rd9", "academic")
    user = container.setup.create_user(actor, "rv01", "审核人", "reviewer", "Passw0rd9", "academic")
    assert (user.office, user.role_label) == ("academic", "审核人（教务处）")
    assert [(u.username, u.office) for u in container.setup.list_users()] == [("admin", ""), ("rv01", "academic")]
    assert container.setup.login("rv01", "Passw0rd9") == Actor("rv01", "审核人", "reviewer", "academic")


def test_only_the_administrator_moves_a_reviewer_and_it_is_audited(container, actor):
    container.setup.create_user(actor, "rv01", "审核人", "reviewer", "Passw0rd9", "academic")
    container.setup.create_user(actor, "jbr", "经办人", "secretary", "Passw0rd9")
    secretary = container.setup.login("jbr", "Passw0rd9")
    before = _events(container)
    with pytest.raises(PermissionDenied, match="“学院经办人”角色不能修改用户的所属部门，需要：系统管理员。"):
        container.setup.set_office(secretary, "rv01", "conduct")
    with pytest.raises(ValidationError, match="只有审核人有所属部门"):
        container.setup.set_office(actor, "jbr", "conduct")
    assert _events(container) == before
    assert container.setup.set_office(actor, "rv01", "conduct").office == "conduct"
    with container.db.read() as s:
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert (last.action, json.loads(last.before), json.loads(last.after)) == \
            ("user.office", {"office": "academic"}, {"office": "conduct"})
    assert container.setup.login("rv01", "Passw0rd9").office == "conduct"


def test_an_office_changed_behind_the_programs_back_is_found(container, actor):
    container.setup.create_user(actor, "rv01", "审核人", "reviewer", "Passw0rd9", "academic")
    with container.db.transaction() as s:
        s.execute(text("UPDATE users SET office = 'conduct' WHERE username = 'rv01'"))
    check = container.audit_log.verify(deep=True)
    [d] = check.differences
    assert (d.table, d.field, d.trail, d.database) == ("users", "office", "academic", "conduct")


def test_the_upgrade_gives_reviewers_the_office_they_decided_for(tmp_path: Path, make_candidate_raw):
    c = Container.open(tmp_path)
    try:
        c.setup.initialise("1001", "信息工程学院", "一号桌", admin_username="admin", admin_password="Passw0rd1")
        admin = c.setup.login("admin", "Passw0rd1")
        keys = []
        for n in range(3):
            raw = make_candidate_raw(n)
            c.candidates.create(admin, raw)
            keys.append(raw["student_no"])
        for name, office in (("jwc", "academic"), ("xsc", "conduct"), ("both", "academic"), ("idle", "conduct")):
            c.setup.create_user(admin, name, name, "reviewer", "Passw0rd9", office)
        c.review.decide(c.setup.login("jwc", "Passw0rd9"), keys[0], "academic", True)
        c.review.decide(c.setup.login("jwc", "Passw0rd9"), keys[1], "academic", True)
        c.review.decide(c.setup.login("xsc", "Passw0rd9"), keys[0], "conduct", True)
        c.review.decide(admin, keys[2], "academic", True)
        c.review.decide(admin, keys[2], "conduct", True)
        with c.db.transaction() as s:  # as an older version let one reviewer record for two offices
            s.execute(text("UPDATE reviews SET reviewer = 'both' WHERE reviewer = 'admin'"))
    finally:
        c.close()
    engine = make_engine(sqlite_url(tmp_path / DB_FILE))
    try:
        command.downgrade(alembic_config(engine), "0009")
        with engine.connect() as conn:
            assert "office" not in {r[1] for r in conn.execute(text("PRAGMA table_info(users)"))}
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            offices = dict(conn.execute(text("SELECT username, office FROM users")).all())
    finally:
        engine.dispose()
    assert offices == {"admin": "", "jwc": "academic", "xsc": "conduct", "both": "", "idle": ""}
    c = Container.open(tmp_path)
    try:
        with pytest.raises(PermissionDenied, match="还没有设置所属部门"):
            c.review.decide(c.setup.login("both", "Passw0rd9"), keys[1], "conduct", True)
        assert c.review.decide(c.setup.login("xsc", "Passw0rd9"), keys[1], "conduct", True).decisions["conduct"]
    finally:
        c.close()


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_sets_a_reviewers_office(container, capsys):
    data = str(container.data_dir)
    code, _out, err = _cli(capsys, "--data", data, "user", "add", "rv01", "--role", "reviewer", "--name", "审核人",
                           "--password", "Passw0rd9")
    assert code == 1 and "审核人须选择所属部门" in err
    code, out, _err = _cli(capsys, "--data", data, "user", "add", "rv01", "--role", "reviewer", "--name", "审核人",
                           "--password", "Passw0rd9", "--office", "academic", "--json")
    assert code == 0 and json.loads(out)["office"] == "academic"
    code, out, _err = _cli(capsys, "--data", data, "user", "set", "rv01", "--office", "conduct")
    assert code == 0 and "审核人（学生处）" in out
    code, out, _err = _cli(capsys, "--data", data, "user", "list", "--json")
    assert {u["username"]: u["office"] for u in json.loads(out)["users"]} == {"admin": "", "rv01": "conduct"}
    code, _out, err = _cli(capsys, "--data", data, "user", "set", "admin", "--office", "conduct")
    assert code == 1 and "只有审核人有所属部门" in err
    code, _out, _err = _cli(capsys, "--data", data, "user", "set", "rv01", "--office", "college")
    assert code == 2  # not an office a reviewer belongs to: a usage error
    with container.db.read() as s:
        assert s.scalar(select(User.office).where(User.username == "rv01")) == "conduct"
