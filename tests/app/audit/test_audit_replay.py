"""``verify --deep``: a row changed without an event is named, with the trail's value and the
database's; an honest day's work through every service gives no difference at all; what an
older event did not record is said to be unverifiable, never reported as a difference."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

# The messy-roster helpers live one folder up (tests/app); test folders are not packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.audit.service import EventSpec
from app.errors import Cancelled
from app.tasks import CancelToken
from db.models import AuditEvent, Candidate, User
from tests.app.fixtures_roster import person, write_xlsx
from tests.app.review.test_review import ACADEMIC_HEADER, academic_row, import_list
from tests.app.review.test_review import write_xlsx as write_sheet


def _deep(container):
    return container.audit_log.verify(deep=True)


def _sql(container, statement: str, *args) -> None:
    """A statement run past the application, as someone with a database client would."""
    if container.db.sqlite_path is None:  # PostgreSQL: the driver's own placeholders
        with container.db.engine.begin() as conn:
            conn.exec_driver_sql(statement.replace("?", "%s"), tuple(args))
        return
    con = sqlite3.connect(str(container.db.sqlite_path))
    with con:
        con.execute(statement, args)
    con.close()


# What ``verify`` says of every database that is not a local file (PostgreSQL): no anchor file.
NO_FILE_NOTE = "数据库不是本机的一个文件，没有数据文件夹中的审计副本可以核对。"


def _notes(check) -> list[str]:
    return [n for n in check.notes if n != NO_FILE_NOTE]


def _only(check):
    assert check.problems == []
    assert len(check.differences) == 1, [d.message for d in check.differences]
    return check.differences[0]


@pytest.fixture
def people(container, actor, make_candidate_raw):
    return [container.candidates.create(actor, make_candidate_raw(n)) for n in range(3)]


def test_an_honest_day_through_every_service_has_no_difference(container, actor, make_candidate_raw, tmp_path):
    """Every writer the trail knows, used as the desk would: the replay agrees with every row."""
    roster = write_xlsx(tmp_path / "roster.xlsx", [person(i) for i in range(6)])
    container.roster.commit(actor, container.roster.preview(roster))
    changed = write_xlsx(tmp_path / "roster2.xlsx", [person(0, 联系电话="13999999999"), *[person(i) for i in range(1, 8)]])
    container.roster.commit(actor, container.roster.preview(changed))
    one = container.candidates.create(actor, make_candidate_raw(50))
    raw = one.data.as_dict() | {"note": "补交材料", "veteran_merits": ""}
    container.candidates.update(actor, one.uuid, raw)
    rows = [ACADEMIC_HEADER, academic_row(make_candidate_raw(50))]
    import_list(container, actor, "academic", write_sheet(tmp_path / "academic.xlsx", rows))
    import_list(container, actor, "academic", write_sheet(tmp_path / "academic2.xlsx", rows))
    container.review.run(actor)
    container.review.decide(actor, one.uuid, "academic", False, "学籍不符")
    container.review.decide(actor, one.uuid, "academic", True, "已核实")
    container.review.approve_clean(actor)
    keys = [c.uuid for c in container.candidates.rows()]
    container.waivers.add(actor, keys[1], "参军入伍", dt.date(2026, 3, 1))
    container.waivers.mark_signed(actor, keys[1])
    container.waivers.revoke(actor, keys[1], "退伍后决定报考", today=dt.date(2026, 3, 2))
    container.waivers.add(actor, keys[1], "还是放弃", dt.date(2026, 3, 3))
    container.capture.record(actor, keys[2], "photo", b"first", "jpg", quality={"sharpness": 120.5}, device="mock:0")
    container.capture.record(actor, keys[2], "photo", b"second", "jpg", override_reason="光线不足，已人工核对")
    container.settings.set(actor, "waiver_deadline", "2026-12-20")
    container.settings.set(actor, "graduation_year", "2031")
    container.settings.set(actor, "graduation_year", "")  # back to the default: no row
    container.settings.set(actor, "fingerprint_fingers", "右手食指,左手食指")
    container.setup.create_user(actor, "zs", "张三", "reviewer", "abc12345", "academic")
    container.setup.set_office(actor, "zs", "conduct")
    container.setup.change_password(actor, "Passw0rd1", "Newpass123")
    container.printing.print_form(actor, "附件3", tmp_path / "a3.pdf")
    check = _deep(container)
    assert check.deep and check.ok, (check.problems, [d.message for d in check.differences])
    assert check.differences == [] and _notes(check) == []


def test_a_name_changed_with_sql_and_no_event_is_named(container, people):
    target = people[1]
    _sql(container, "UPDATE candidates SET name = '李四' WHERE uuid = ?", target.uuid)
    assert container.audit_log.verify().ok  # the chain alone cannot see it
    d = _only(_deep(container))
    assert (d.table, d.key, d.field, d.trail, d.database) == ("candidates", target.uuid, "name", target.data.name, "李四")
    assert d.message == (f"考生 李四（学号 {target.data.student_no}）的姓名：审计记录为“{target.data.name}”"
                         f"（第 {d.seq} 条），数据库中为“李四”。")


def test_a_status_set_with_sql_is_shown_with_its_label(container, people):
    _sql(container, "UPDATE candidates SET status = 'eligible' WHERE uuid = ?", people[0].uuid)
    d = _only(_deep(container))
    assert d.field == "status" and (d.trail, d.database) == ("roster", "eligible")
    assert "审计记录为“在册”" in d.message and "数据库中为“审核通过”" in d.message


def test_a_field_the_import_left_empty_then_filled_with_sql(container, people):
    _sql(container, "UPDATE candidates SET note = '加分' WHERE uuid = ?", people[2].uuid)
    d = _only(_deep(container))
    assert (d.field, d.trail, d.database) == ("note", None, "加分")
    assert "审计记录为“（空）”" in d.message


def test_a_candidate_inserted_with_sql(container, people):
    _sql(container, "INSERT INTO candidates (uuid, origin_desk, revision, created_at, updated_at, college_id, "
         "student_no, name, gender, id_number, birth_date, ethnicity, phone, class_name, counsellor, major, "
         "intended_major, category, art_sports, veteran_merits, award_level, award_name, status, note) "
         "SELECT 'u-new', origin_desk, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, college_id, '2099000001', '王五', "
         "gender, '110101200001010016', birth_date, '', '', '', '', '', '', category, '', '', '', '', 'roster', '' "
         "FROM candidates LIMIT 1")
    d = _only(_deep(container))
    assert (d.table, d.key, d.field) == ("candidates", "u-new", "")
    assert d.message == "考生 王五（学号 2099000001）在数据库中，审计记录里却没有它的任何记录（不是经由本程序写入或修改的）。"


def test_a_candidate_deleted_with_sql(container, people):
    _sql(container, "DELETE FROM candidates WHERE uuid = ?", people[0].uuid)
    d = _only(_deep(container))
    assert d.table == "candidates" and d.key == people[0].uuid
    assert d.message.startswith(f"考生 {people[0].data.name}（学号 {people[0].data.student_no}）在审计记录中（第 ")
    assert d.message.endswith("条），数据库中却没有（被直接删除）。")


def test_decisions_waivers_and_captures_changed_with_sql(container, actor, people):
    a, b, c = (p.uuid for p in people)
    container.review.decide(actor, a, "conduct", False, "有处分")
    container.waivers.add(actor, b, "参军入伍", dt.date(2026, 3, 1))
    shot = container.capture.record(actor, c, "photo", b"x", "jpg", device="mock:0")
    assert _deep(container).ok
    _sql(container, "UPDATE reviews SET decision = 'pass', opinion = '' WHERE office = 'conduct'")
    _sql(container, "UPDATE waivers SET active = false")
    _sql(container, "UPDATE captures SET sha256 = ? WHERE uuid = ?", "f" * 64, shot.uuid)
    check = _deep(container)
    found = {(d.table, d.field): (d.trail, d.database) for d in check.differences}
    assert found == {("reviews", "decision"): ("fail", "pass"), ("reviews", "opinion"): ("有处分", None),
                     ("waivers", "active"): (True, False), ("captures", "sha256"): (shot.sha256, "f" * 64)}
    messages = " ".join(d.message for d in check.differences)
    assert "的学生处审核意见的审核结论：审计记录为“fail”" in messages
    assert "的放弃报名登记的有效：审计记录为“是”" in messages


def test_a_decision_deleted_or_added_with_sql(container, actor, people):
    container.review.decide(actor, people[0].uuid, "academic", True)
    _sql(container, "DELETE FROM reviews")
    _sql(container, "INSERT INTO reviews (uuid, origin_desk, revision, created_at, updated_at, candidate_id, "
         "office, decision, opinion, reviewer, decided_at) SELECT 'r-new', '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
         "id, 'college', 'pass', '', 'admin', CURRENT_TIMESTAMP FROM candidates WHERE uuid = ?", people[1].uuid)
    messages = sorted(d.message for d in _deep(container).differences)
    assert len(messages) == 2
    assert messages[0].endswith("的二级学院审核意见在数据库中，审计记录里却没有它的任何记录（不是经由本程序写入或修改的）。")
    seq = _last_seq(container, "review.decide")
    assert messages[1].endswith(f"的教务处审核意见在审计记录中（第 {seq} 条），数据库中却没有（被直接删除）。")


def _last_seq(container, action: str) -> int:
    with container.db.read() as s:
        return s.scalar(select(AuditEvent.seq).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()))


def test_users_role_and_password_changed_with_sql(container, actor):
    container.setup.create_user(actor, "zs", "张三", "reviewer", "abc12345", "academic")
    with container.db.read() as s:
        admin_hash = s.scalar(select(User.password_hash).where(User.username == "admin"))
    _sql(container, "UPDATE users SET role = 'admin' WHERE username = 'zs'")
    _sql(container, "UPDATE users SET password_hash = ? WHERE username = 'zs'", admin_hash)
    check = _deep(container)
    by_field = {d.field: d for d in check.differences}
    assert set(by_field) == {"role", "password_hash"}
    assert "审计记录为“审核人（学生处/教务处）”" in by_field["role"].message
    assert by_field["password_hash"].message.startswith("用户“zs”的密码不是审计记录中最后设定的那个（第 ")
    assert admin_hash not in json.dumps([d.as_json() for d in check.differences], ensure_ascii=False)


def test_settings_changed_or_removed_with_sql(container, actor):
    container.settings.set(actor, "waiver_deadline", "2026-12-20")
    container.settings.set(actor, "graduation_year", "2030")
    container.settings.set(actor, "publicity_start", "2026-03-10")
    container.settings.set(actor, "publicity_start", "")
    assert _deep(container).ok
    _sql(container, "UPDATE settings SET value = '\"2027-01-31\"' WHERE key = 'waiver_deadline'")
    _sql(container, "DELETE FROM settings WHERE key = 'graduation_year'")
    _sql(container, "INSERT INTO settings (key, value, updated_at, updated_by) VALUES "
         "('publicity_start', '\"2026-01-01\"', CURRENT_TIMESTAMP, 'x')")
    found = {d.key: (d.trail, d.database) for d in _deep(container).differences}
    assert found == {"waiver_deadline": ("2026-12-20", "2027-01-31"),
                     "graduation_year": (2030, "（没有保存的值，按默认值）"),
                     "publicity_start": ("（默认值）", "2026-01-01")}


def test_reference_rows_changed_or_deleted_with_sql(container, actor, make_candidate_raw, tmp_path):
    rows = [ACADEMIC_HEADER, *(academic_row(make_candidate_raw(n)) for n in range(4))]
    import_list(container, actor, "academic", write_sheet(tmp_path / "academic.xlsx", rows))
    assert _deep(container).ok
    _sql(container, "UPDATE reference_records SET data = replace(data, '在籍', '休学') WHERE row_number = 3")
    d = _only(_deep(container))
    assert (d.table, d.field) == ("reference_lists", "records_digest")
    assert d.message.startswith("核对名单“academic.xlsx”的名单内容摘要：审计记录为“")
    _sql(container, "DELETE FROM reference_records WHERE row_number = 4")
    fields = {d.field: (d.trail, d.database) for d in _deep(container).differences}
    assert fields["records"] == (4, 3) and "records_digest" in fields


def test_findings_deleted_with_sql(container, actor, make_candidate_raw, people, tmp_path):
    rows = [ACADEMIC_HEADER, academic_row(make_candidate_raw(0), 学籍状态="休学")]
    import_list(container, actor, "academic", write_sheet(tmp_path / "academic.xlsx", rows))
    container.review.run(actor)
    assert _deep(container).ok
    _sql(container, "DELETE FROM findings WHERE code = 'status_not_enrolled'")
    d = _only(_deep(container))
    assert (d.table, d.key, d.trail, d.database) == ("findings", "status_not_enrolled", 1, 0)


def test_a_printed_documents_pages_changed_with_sql(container, actor, people, tmp_path):
    container.printing.print_form(actor, "附件3", tmp_path / "a3.pdf")
    _sql(container, "UPDATE documents SET pages = '[]'")
    fields = {d.field for d in _deep(container).differences}
    assert fields == {"pages", "digests"}


def test_the_college_renamed_with_sql(container):
    _sql(container, "UPDATE colleges SET name = '别的学院'")
    d = _only(_deep(container))
    assert d.message == "学院 1001 别的学院的学院名称：审计记录为“信息工程学院”（第 1 条），数据库中为“别的学院”。"


def test_older_events_without_the_new_values_are_unverifiable_not_different(container, actor, people):
    """Events as the previous version wrote them: a password change without its digest, a setting
    reset without its marker (before ``audit_payloads_from``), a user created without a name."""
    with container.db.transaction() as s:
        zs = User(username="zs", display_name="张三", role="reviewer", password_hash="x", origin_desk="")
        s.add(zs)
        s.flush()
        container.audit.record(s, actor.username, "user.create", entity_type="user", entity_uuid=zs.uuid,
                               after={"username": "zs", "role": "reviewer"})
        container.audit.record(s, actor.username, "setting.set", entity_type="setting",
                               entity_uuid="graduation_year", before={"graduation_year": 2030},
                               after={"graduation_year": 2019})
        container.audit.record(s, actor.username, "user.password", entity_type="user", entity_uuid=zs.uuid)
        head = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    _sql(container, "INSERT INTO meta (key, value) VALUES ('audit_payloads_from', ?)", str(head + 1))
    check = _deep(container)
    assert check.ok, [d.message for d in check.differences]
    assert _notes(check) == [
        "用户的姓名：1 条的记录由旧版本写入，未记下这一项，无法核对。",
        "用户的密码：1 条的最近一次设定由旧版本记录，未记下密码摘要，无法核对。",
        "用户的所属部门：1 条的记录由旧版本写入，未记下这一项，无法核对。",  # recorded since revision 0008
        "设置：1 条在数据库中已是默认值，旧版本的记录无法区分恢复默认与被删除。",
    ]


def test_rows_older_than_the_trail_are_unverifiable(container, people):
    _sql(container, "UPDATE candidates SET created_at = '2020-01-01 00:00:00.000000' WHERE uuid = ?", people[0].uuid)
    _sql(container, "INSERT INTO candidates (uuid, origin_desk, revision, created_at, updated_at, college_id, "
         "student_no, name, gender, id_number, birth_date, ethnicity, phone, class_name, counsellor, major, "
         "intended_major, category, art_sports, veteran_merits, award_level, award_name, status, note) "
         "SELECT 'u-old', origin_desk, 1, '2020-01-01 00:00:00', '2020-01-01 00:00:00', college_id, '2099000001', "
         "'王五', gender, '110101200001010016', birth_date, '', '', '', '', '', '', category, '', '', '', '', "
         "'roster', '' FROM candidates LIMIT 1")
    check = _deep(container)
    assert check.ok and _notes(check) == ["考生：1 条建于审计记录开始之前，无法核对。"]


def test_an_action_the_replay_does_not_know_makes_related_rows_unknown(container, actor, people):
    """A later feature's event on a candidate: its candidate fields are replayed; the decisions
    it may have changed are said to be unverifiable instead of reported as tampering."""
    container.review.decide(actor, people[0].uuid, "academic", True)
    with container.db.transaction() as s:
        container.audit.record_many(s, actor.username, [EventSpec(
            "signoff.lock", "candidate", people[0].uuid, "锁定", {"status": "eligible"}, {"status": "locked"})])
        s.scalar(select(Candidate).where(Candidate.uuid == people[0].uuid)).status = "locked"
    _sql(container, "UPDATE reviews SET opinion = '后来补的意见'")
    check = _deep(container)
    seq = _last_seq(container, "signoff.lock")
    assert check.ok and _notes(check) == [f"审核意见：1 条第 {seq} 条记录（signoff.lock）之后的变化本版本无法重放。"]


def test_deep_verify_reports_progress_and_can_be_cancelled(container, people):
    seen = []
    _deep(container)
    container.audit_log.verify(deep=True, progress=lambda d, t, m: seen.append((d, t, m)))
    assert any("正在核对" in m for _d, _t, m in seen) and seen[-1][0] == seen[-1][1]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        container.audit_log.verify(deep=True, cancel=token)


def test_json_shape_of_a_difference(container, people):
    _sql(container, "UPDATE candidates SET phone = '13000000000' WHERE uuid = ?", people[0].uuid)
    obj = _deep(container).as_json()
    # The CLI contract's keys, and the chains (one here, the local desk's, intact: the row was changed)
    assert set(obj) == {"ok", "count", "head", "problems", "differences", "notes", "chains"}
    assert [(c["local"], c["ok"], c["count"], c["head"]) for c in obj["chains"]] == [
        (True, True, obj["count"], obj["head"])]
    assert obj["ok"] is False and obj["differences"][0]["table"] == "candidates"
    assert obj["differences"][0]["field"] == "phone" and obj["differences"][0]["database"] == "13000000000"
    json.dumps(obj, ensure_ascii=False)


def test_a_password_rehashed_at_login_is_recorded(container, actor):
    """Argon2 parameters that changed since the hash was made: the login stores a new hash, and
    the login's event carries its digest, so the new hash is no unexplained change."""
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Passw0rd1")
    _sql(container, "UPDATE users SET password_hash = ? WHERE username = 'admin'", weak)
    assert {d.field for d in _deep(container).differences} == {"password_hash"}
    container.setup.login("admin", "Passw0rd1")
    with container.db.read() as s:
        assert s.scalar(select(User.password_hash).where(User.username == "admin")) != weak
    assert _deep(container).ok
