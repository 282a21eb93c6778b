"""Schema migrations: fresh upgrades, upgrading the committed database of every revision, walking
every revision one by one with data (on SQLite and on PostgreSQL), model/migration agreement,
downgrade, and the append-only audit table."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, exc, inspect, text

import db.migrate
from app.container import Container
from app.paths import DB_FILE
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.models import Base
from db.session import make_engine, sqlite_url
from tests.db.fixtures.make_fixtures import CANDIDATES, PHOTO_SHA, REVISIONS, fixture_path, walk

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REV0001 = FIXTURES / "regdesk_rev0001.sqlite"
# What this revisions create; later revisions may add more.
APP_TABLES = {"meta", "colleges", "desks", "users", "candidates", "audit_events"}
AUDIT_TRIGGERS = {"audit_events_no_update", "audit_events_no_delete"}


@pytest.fixture
def engine(empty_database_url: str):
    """An empty database: a SQLite file in tmp_path, or a new database on the PostgreSQL server."""
    eng = make_engine(empty_database_url)
    yield eng
    eng.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def test_history_is_one_line_from_0001_to_head():
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    assert script.get_heads() == [head_revision()], "two heads: merge them or rebase the new revision"
    chain = [rev.revision for rev in script.walk_revisions("base", "heads")]  # head first
    assert chain[-1] == "0001" and len(chain) == len(set(chain))
    assert len(chain) == len(list((Path(db.migrate.MIGRATIONS_DIR) / "versions").glob("0*.py")))


def test_fresh_database_upgrades_step_by_step(engine: Engine, tmp_path: Path):
    assert upgrade(engine, "0001") is None
    assert current_revision(engine) == "0001"
    assert tables(engine) == APP_TABLES - {"audit_events"}

    backup = upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert tables(engine) >= APP_TABLES
    assert triggers(engine) >= AUDIT_TRIGGERS
    if engine.dialect.name != "sqlite":
        assert backup is None  # a server's database is backed up by its administrator (pg_dump)
        return
    # A database that already had a schema is copied before it is changed.
    assert backup is not None and backup.parent == tmp_path / "backups"
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_an_empty_new_database_needs_no_backup_and_an_up_to_date_one_is_left_alone(engine, tmp_path):
    assert upgrade(engine) is None  # nothing to lose yet
    assert current_revision(engine) == head_revision()
    assert upgrade(engine) is None  # already at head: no copy, no change
    assert not (tmp_path / "backups").exists()


@pytest.mark.sqlite_only("the committed file is a SQLite database")
def test_committed_revision_0001_database_upgrades_with_its_data(tmp_path: Path):
    shutil.copyfile(REV0001, tmp_path / DB_FILE)
    with sqlite3.connect(tmp_path / DB_FILE) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert old.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    c = Container.open(tmp_path)  # what the app does at start: back up, then upgrade
    try:
        assert current_revision(c.db.engine) == head_revision()
        with c.db.read() as s:
            check = c.audit.verify(s)
        assert check.ok and check.count == 0
        assert check.notes == ["本机在有审计记录之前就已设置（由旧版本升级而来），目前还没有审计记录。"]
        with c.db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1

        # The backup is the database as it was, in the data folder's backups/.
        backups = list((tmp_path / "backups").glob("*.sqlite"))
        assert backups == [c.backup_made]
        assert "rev0001" in c.backup_made.name
        with sqlite3.connect(c.backup_made) as bak:
            assert bak.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
            assert bak.execute("SELECT count(*) FROM candidates").fetchone() == (3,)

        # The data survived and reads through today's services.
        info = c.setup.info()
        assert info is not None
        assert (info.college_code, info.college_name, info.desk_name) == ("1001", "信息工程学院", "一号桌")
        assert c.candidates.count() == 3
        minority = c.candidates.get("650102200211020024")
        assert minority.data.name == "阿依古丽·买买提"
        assert minority.data.category == "获奖考生" and minority.data.award_level == "省级一等奖"
        veteran = c.candidates.get("41010219990520029X")
        assert veteran.data.student_no is None
        assert veteran.data.veteran_service_start == dt.date(2019, 9, 1)
        assert veteran.data.birth_date == dt.date(1999, 5, 20)

        # The old password hash still logs in, and the new audit table starts a valid chain.
        admin = c.setup.login("admin", "Passw0rd1")
        assert admin.role == "admin"
        with c.db.read() as s:
            check = c.audit.verify(s)
        assert check.ok and check.count == 1
        # It was set up before there was a trail: said, not counted as an emptied trail.
        assert len(check.notes) == 1 and check.notes[0].startswith("本机在有审计记录之前就已设置")
    finally:
        c.close()
    assert REV0001.read_bytes()[:16] == b"SQLite format 3\x00"  # the committed file was not touched


def test_models_match_the_migrations(engine: Engine):
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, Base.metadata)
    assert diffs == [], "models and migrations differ; write a migration for:\n" + "\n".join(map(str, diffs))


def test_downgrade_to_base_and_up_again(engine: Engine):
    upgrade(engine)
    cfg = alembic_config(engine)
    command.downgrade(cfg, "base")
    assert current_revision(engine) is None
    assert tables(engine) == set()
    assert triggers(engine) == set()

    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert tables(engine) >= APP_TABLES
    assert triggers(engine) >= AUDIT_TRIGGERS


def test_audit_events_reject_update_and_delete(engine: Engine):
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (uuid, origin_desk, at, actor, desk_name, action, entity_type, entity_uuid, "
            "summary, before, after, prev_hash, hash) VALUES ('u1', 'd1', '2026-09-01 08:00:00.000000', 'admin', "
            "'一号桌', 'candidate.update', 'candidate', 'c1', '改了电话', '', '', :zero, :h)"),
            {"zero": "0" * 64, "h": "a" * 64})
    with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET summary = '没改过' WHERE uuid = 'u1'"))
    with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE uuid = 'u1'"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT summary FROM audit_events")).scalars().all() == ["改了电话"]


def test_review_basis_revision_upgrades_existing_decisions(tmp_path: Path, make_candidate_raw):
    """A database with findings and decisions from before revision 0006: each decision gets the
    findings its office has as its basis, so upgrading re-opens nothing and changes no status."""
    c = Container.open(tmp_path)
    try:
        c.setup.initialise("1001", "信息工程学院", "一号桌", admin_username="admin", admin_password="Passw0rd1")
        actor = c.setup.login("admin", "Passw0rd1")
        raws = [make_candidate_raw(n) for n in range(3)]
        for raw in raws:
            c.candidates.create(actor, raw)
        with c.db.transaction() as s:
            ids = dict(s.execute(text("SELECT student_no, id FROM candidates")).all())
            for sno, code, office, message in (
                    (raws[0]["student_no"], "failed_courses", "academic", "有不及格课程：高等数学"),
                    (raws[0]["student_no"], "discipline", "conduct", "有未解除的处分：警告")):
                s.execute(text("INSERT INTO findings (candidate_id, code, office, message, source, uuid, origin_desk, "
                               "revision, created_at, updated_at) VALUES (:c, :code, :o, :m, '', :u, '', 1, "
                               "'2026-12-01 08:00:00', '2026-12-01 08:00:00')"),
                          {"c": ids[sno], "code": code, "o": office, "m": message, "u": f"f-{code}"})
        c.review.decide(actor, raws[0]["student_no"], "academic", True, "已补考通过")
        c.review.decide(actor, raws[1]["student_no"], "academic", False, "材料不全")
        url = c.db.url
    finally:
        c.close()
    engine = make_engine(url)
    try:
        command.downgrade(alembic_config(engine), "0005")
        assert "basis" not in {col["name"] for col in inspect(engine).get_columns("reviews")}
        assert "review_runs" not in tables(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision() and "review_runs" in tables(engine)
        with engine.connect() as conn:
            basis = dict(conn.execute(text("SELECT c.student_no, r.basis FROM reviews r "
                                           "JOIN candidates c ON c.id = r.candidate_id")).all())
    finally:
        engine.dispose()
    # Only the office's own findings, as [code, message]; a decision without findings gets none.
    assert json.loads(basis[raws[0]["student_no"]]) == [["failed_courses", "有不及格课程：高等数学"]]
    assert json.loads(basis[raws[1]["student_no"]]) == []
    c = Container.open(tmp_path)
    try:
        row = c.review.get(raws[0]["student_no"])
        assert row.decisions["academic"].stands and not row.needs_review
    finally:
        c.close()


def test_an_existing_trail_gets_its_genesis_and_count_at_the_upgrade(tmp_path: Path):
    """A desk at revision 0006 with a trail: 0007 copies the trail's first hash and time and its
    count to the meta table, the desk's row and the anchor file, so the desk verifies as before."""
    from db.audit_anchor import anchor_path, read_anchor

    c = Container.open(tmp_path)
    try:
        c.setup.initialise("1001", "信息工程学院", "一号桌", admin_username="admin", admin_password="Passw0rd1")
        c.setup.login("admin", "Passw0rd1")
        with c.db.engine.connect() as conn:
            before = conn.execute(text("SELECT audit_genesis_hash, audit_genesis_at, audit_count, audit_head "
                                       "FROM desks")).one()
            genesis = conn.execute(text("SELECT value FROM meta WHERE key = 'audit_genesis'")).scalar()
        on_file = c.db.sqlite_path is not None  # a server's database has no anchor file
        anchor = read_anchor(anchor_path(c.db.sqlite_path)) if on_file else None
        command.downgrade(alembic_config(c.db.engine), "0006")
        with c.db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM meta WHERE key = 'audit_genesis'")).scalar() == 0
            assert "audit_count" not in {col["name"] for col in inspect(conn).get_columns("desks")}
        if on_file:
            anchor_path(c.db.sqlite_path).unlink()

        upgrade(c.db.engine)
        with c.db.engine.connect() as conn:
            assert conn.execute(text("SELECT audit_genesis_hash, audit_genesis_at, audit_count, audit_head "
                                     "FROM desks")).one() == before
            assert conn.execute(text("SELECT value FROM meta WHERE key = 'audit_genesis'")).scalar() == genesis
        if on_file:
            assert read_anchor(anchor_path(c.db.sqlite_path)) == anchor
        with c.db.read() as s:
            check = c.audit.verify(s)
        assert check.ok and check.count == 3
        assert check.notes == ([] if on_file else ["数据库不是本机的一个文件，没有数据文件夹中的审计副本可以核对。"])
    finally:
        c.close()


@pytest.mark.sqlite_only("the downgrade to 0007 is checked on the SQLite file (PostgreSQL walks every revision below)")
def test_many_colleges_revision_keeps_every_row_and_its_children(tmp_path: Path, make_candidate_raw):
    """0008 rebuilds ``candidates`` (per-college uniqueness): no finding, decision or waiver of theirs
    may go with the old table (foreign keys cascade on DROP TABLE); revisions get their base, findings
    their derived UUIDs, and the desk's plaintext secret goes."""
    from db.models import finding_uuid

    c = Container.open(tmp_path)
    try:
        c.setup.initialise("1001", "信息工程学院", "一号桌", admin_username="admin", admin_password="Passw0rd1")
        actor = c.setup.login("admin", "Passw0rd1")
        raws = [make_candidate_raw(n) for n in range(3)]
        for raw in raws:
            c.candidates.create(actor, raw)
        c.candidates.update(actor, raws[0]["student_no"], {**raws[0], "phone": "13900000000"})
        c.review.decide(actor, raws[1]["student_no"], "academic", False, "材料不全")
        c.waivers.add(actor, raws[2]["student_no"], "个人原因")
    finally:
        c.close()
    engine = make_engine(sqlite_url(tmp_path / DB_FILE))
    try:
        command.downgrade(alembic_config(engine), "0007")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM desks WHERE length(key) = 64")).scalar() == 1
            cid = conn.execute(text("SELECT id FROM candidates WHERE student_no = :s"),
                               {"s": raws[0]["student_no"]}).scalar()
            conn.execute(text("INSERT INTO findings (candidate_id, code, office, message, source, uuid, origin_desk, "
                              "revision, created_at, updated_at) VALUES (:c, 'failed_courses', 'academic', 'm', "
                              ":src, 'random-1', '', 1, '2026-12-01 08:00:00', '2026-12-01 08:00:00')"),
                         {"c": cid, "src": '{"学号": "1", "姓名": "张三"}'})
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                      for t in ("candidates", "findings", "reviews", "waivers")}
        upgrade(engine)
        with engine.begin() as conn:
            assert {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in counts} == counts
            revs = dict(conn.execute(text("SELECT student_no, revision || '/' || base_revision FROM candidates")).all())
            assert revs[raws[0]["student_no"]] == "2/1" and revs[raws[2]["student_no"]].endswith("/1")
            cand_uuid = conn.execute(text("SELECT uuid FROM candidates WHERE id = :c"), {"c": cid}).scalar()
            assert conn.execute(text("SELECT uuid FROM findings")).scalar() == finding_uuid(
                cand_uuid, "failed_courses", '{"姓名":"张三","学号":"1"}')
            columns = {col["name"] for col in inspect(conn).get_columns("desks")}
            assert "key" not in columns and {"sign_public_key", "box_public_key", "key_fingerprint"} <= columns
            # One person on two colleges' rosters now fits; twice in one college still does not.
            conn.execute(text("INSERT INTO colleges (code, name, uuid, origin_desk, revision, created_at, updated_at) "
                              "VALUES ('2002', '机电学院', 'col-2', '', 1, '2026-12-01', '2026-12-01')"))
            copy = ("INSERT INTO candidates (college_id, student_no, name, gender, id_number, birth_date, ethnicity, "
                    "phone, class_name, counsellor, major, intended_major, category, art_sports, veteran_merits, "
                    "award_level, award_name, status, note, uuid, origin_desk, revision, created_at, updated_at) "
                    "SELECT :college, student_no, name, gender, id_number, birth_date, ethnicity, phone, class_name, "
                    "counsellor, major, intended_major, category, art_sports, veteran_merits, award_level, award_name, "
                    "status, note, :u, '', 1, created_at, updated_at FROM candidates WHERE id = :c")
            college2 = conn.execute(text("SELECT id FROM colleges WHERE code = '2002'")).scalar()
            conn.execute(text(copy), {"college": college2, "u": "other-1", "c": cid})
        with pytest.raises(exc.IntegrityError), engine.begin() as conn:
            conn.execute(text(copy), {"college": college2, "u": "other-2", "c": cid})
    finally:
        engine.dispose()
REV0007_TRAIL = FIXTURES / "regdesk_rev0007_trail.sqlite"
REV0007_DESK = "0b6f0d9a-5c3e-4d7e-8a11-6a2b1c0d0001"


def _rev0007_trail(folder: Path) -> None:
    """The committed desk at revision 0007 with its trail, and its anchor file, as a data folder."""
    shutil.copyfile(REV0007_TRAIL, folder / DB_FILE)
    shutil.copyfile(FIXTURES / "regdesk_rev0007_trail-audit.json", folder / "regdesk-audit.json")


@pytest.mark.sqlite_only("the committed 0007 trail is a SQLite database")
def test_a_revision_0007_trail_becomes_the_local_desks_chain_and_still_verifies(tmp_path: Path):
    """0008 (one chain per origin desk): the existing events become the local desk's chain with
    their hashes as they are (version 1); new events continue it by version 2."""
    _rev0007_trail(tmp_path)
    with sqlite3.connect(tmp_path / DB_FILE) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0007",)
        before = old.execute("SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq").fetchall()
    assert len(before) == 7

    c = Container.open(tmp_path)
    try:
        assert current_revision(c.db.engine) == head_revision() and c.backup_made is not None
        with c.db.engine.connect() as conn:
            after = conn.execute(text("SELECT seq, prev_hash, hash, chain, chain_seq, hash_version FROM audit_events "
                                      "ORDER BY seq")).all()
        assert [tuple(r) for r in after] == [(*r, REV0007_DESK, r[0], 1) for r in before]
        assert triggers(c.db.engine) >= AUDIT_TRIGGERS
        check = c.audit_log.verify(deep=True)
        assert check.ok, (check.problems, check.differences)
        # The 0007 trail predates the reviewer's office (0010): that one field cannot be checked.
        assert (check.count, check.head, check.notes) == (
            7, before[-1][2], ["用户的所属部门：1 条的记录由旧版本写入，未记下这一项，无法核对。"])
        assert [(ch.uuid, ch.local, ch.desk, ch.college) for ch in check.chains] == [
            (REV0007_DESK, True, "一号桌", "信息工程学院")]

        c.setup.login("admin", "Passw0rd1")
        with c.db.engine.connect() as conn:
            new = conn.execute(text("SELECT chain, chain_seq, hash_version, prev_hash FROM audit_events "
                                    "ORDER BY seq DESC LIMIT 1")).one()
        assert tuple(new) == (REV0007_DESK, 8, 2, before[-1][2])
        check = c.audit_log.verify()
        assert check.ok and check.count == 8
    finally:
        c.close()


# -- every revision, with data ------------------------------------------------------------------
def _check_seeded(c: Container, last: str) -> None:
    """What ``make_fixtures.walk`` seeded up to revision ``last`` reads through today's services."""
    assert current_revision(c.db.engine) == head_revision()
    info = c.setup.info()
    assert info is not None
    assert (info.college_code, info.college_name, info.desk_name) == ("1001", "信息工程学院", "一号桌")
    assert c.candidates.count() == 3
    minority = c.candidates.get("650102200211020024")
    assert minority.data.name == "阿依古丽·买买提" and minority.data.award_level == "省级一等奖"
    veteran = c.candidates.get("41010219990520029X")
    assert veteran.data.student_no is None and veteran.data.veteran_service_start == dt.date(2019, 9, 1)
    first = CANDIDATES[0][1]
    with c.db.read() as s:
        waivers = s.execute(text("SELECT reason, waived_on, form_signed, active FROM waivers")).all() \
            if last >= "0003" else []
        photos = s.execute(text("SELECT sha256, kind, active FROM captures")).all() if last >= "0004" else []
        basis = s.execute(text("SELECT basis FROM reviews")).scalars().all() if last >= "0003" else []
    if last >= "0003":
        row = c.review.get(first)
        assert row.decisions["academic"].stands and not row.needs_review  # 0006 gave it its basis
        assert [json.loads(b) for b in basis] == [[["failed_courses", "有不及格课程：高等数学"]]]
        assert [(r.reason, str(r.waived_on), bool(r.form_signed), bool(r.active)) for r in waivers] == [
            ("参军入伍", "2026-10-08", True, True)]
        assert c.settings.get("waiver_deadline") == dt.date(2026, 10, 15)
    if last >= "0004":
        assert [(p.sha256, p.kind, bool(p.active)) for p in photos] == [(PHOTO_SHA, "photo", True)]
    admin = c.setup.login("admin", "Passw0rd1")  # the old hash still logs in; the trail starts here
    assert admin.role == "admin"
    with c.db.read() as s:
        check = c.audit.verify(s)
    assert check.ok and check.count == 1, check.problems


@pytest.mark.sqlite_only("the committed files are SQLite databases")
@pytest.mark.parametrize("revision", REVISIONS)
def test_the_committed_database_of_every_revision_upgrades_with_its_data(tmp_path: Path, revision: str):
    committed = fixture_path(revision)
    shutil.copyfile(committed, tmp_path / DB_FILE)
    with sqlite3.connect(tmp_path / DB_FILE) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)
    c = Container.open(tmp_path)  # as the app starts: back up, then upgrade
    try:
        if revision == head_revision():  # today's schema: nothing to upgrade, so nothing backed up
            assert c.backup_made is None
        else:
            assert c.backup_made is not None and f"rev{revision}" in c.backup_made.name
        _check_seeded(c, revision)
    finally:
        c.close()
    assert committed.read_bytes()[:16] == b"SQLite format 3\x00"


def test_every_revision_one_by_one_keeps_the_data(engine: Engine, tmp_path: Path):
    """From an empty database (a SQLite file or a PostgreSQL database) through every revision in
    turn, seeding what each one introduced; the data is there after every step and at the head."""
    def still_there(revision: str) -> None:
        assert current_revision(engine) == revision
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM candidates ORDER BY student_no NULLS FIRST")).scalars()
            assert list(names) == ["陈浩然", "王子涵", "阿依古丽·买买提"]
            if revision >= "0003":
                assert conn.execute(text("SELECT count(*) FROM reviews")).scalar() == 1

    walk(engine, REVISIONS[-1], each=still_there)
    upgrade(engine)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    c = Container.open(tmp_path, url=url)
    try:
        _check_seeded(c, REVISIONS[-1])
    finally:
        c.close()


@pytest.mark.sqlite_only("the committed 0007 trail is a SQLite database")
def test_a_gap_in_a_revision_0007_trail_is_still_reported_after_the_upgrade(tmp_path: Path):
    """The upgrade keeps the numbering as it was: evidence of a deletion is not renumbered away."""
    _rev0007_trail(tmp_path)
    with sqlite3.connect(tmp_path / DB_FILE) as old:
        old.execute("DROP TRIGGER audit_events_no_delete")
        old.execute("DELETE FROM audit_events WHERE seq = 4")
    c = Container.open(tmp_path)
    try:
        assert c.audit_log.verify().problems == ["第 3 条之后缺少第 4 条。"]
        assert triggers(c.db.engine) >= AUDIT_TRIGGERS  # put back by the upgrade
    finally:
        c.close()


@pytest.mark.sqlite_only("the committed 0007 trail is a SQLite database")
def test_downgrading_below_chains_per_desk_and_up_again_keeps_the_trail_verifying(tmp_path: Path):
    """Events hashed by version 2 before the downgrade are marked so again by the next upgrade."""
    _rev0007_trail(tmp_path)
    c = Container.open(tmp_path)
    try:
        c.setup.login("admin", "Passw0rd1")
        command.downgrade(alembic_config(c.db.engine), "0007")
        with c.db.engine.connect() as conn:
            assert "chain" not in {col["name"] for col in inspect(conn).get_columns("audit_events")}
            assert conn.execute(text("SELECT value FROM meta WHERE key = 'audit_hash_v2_from'")).scalar() == "8"
        assert triggers(c.db.engine) >= AUDIT_TRIGGERS
        upgrade(c.db.engine)
        with c.db.engine.connect() as conn:
            assert conn.execute(text("SELECT seq, hash_version FROM audit_events WHERE seq >= 7")).all() == [
                (7, 1), (8, 2)]
            assert conn.execute(text("SELECT count(*) FROM meta WHERE key = 'audit_hash_v2_from'")).scalar() == 0
        check = c.audit_log.verify()
        assert check.ok and check.count == 8
    finally:
        c.close()
def test_two_workstations_starting_at_once_upgrade_the_server_once(engine: Engine, backend: str):
    """PostgreSQL: two programs upgrading one empty database at once both succeed (the second
    waits for the first's advisory lock, then finds the schema at head) instead of one failing on
    a table the other made. Two processes, as two workstations are (Alembic's context is global)."""
    if backend != "postgresql":
        pytest.skip("一个服务器上的数据库才会被多台电脑同时升级（PostgreSQL 一轮运行）")
    import subprocess
    import sys

    url = engine.url.render_as_string(hide_password=False)
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]); from db.migrate import upgrade; "
            "from db.session import make_engine; e = make_engine(sys.argv[1]); "
            "time.sleep(max(0.0, float(sys.argv[3]) - time.time())); upgrade(e); e.dispose()")
    root = str(Path(__file__).resolve().parents[2])
    at = str(__import__("time").time() + 3)  # both start their upgrade at the same moment
    procs = [subprocess.Popen([sys.executable, "-c", code, url, root, at], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [r[0] for r in results] == [0, 0], [r[1][-2000:] for r in results]
    assert current_revision(engine) == head_revision() and tables(engine) >= APP_TABLES
