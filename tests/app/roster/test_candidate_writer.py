"""The one write path for candidate changes: every caller goes through it, the status rules refuse
what a locked record may not undergo, the revision moves once and each call is audited once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.service import EventSpec
from app.domain import status
from app.domain.review import default_graduation_year
from app.errors import ConflictError
from app.roster.candidates import CandidateChange, CandidateWriter
from db.models import AuditEvent, Candidate, Capture

YEAR = default_graduation_year(dt.date.today())


def set_status(container, uuid: str, value: str) -> None:
    """What the sign-off (next) will do at the table; here written straight to the row."""
    with container.db.transaction() as s:
        s.scalar(select(Candidate).where(Candidate.uuid == uuid)).status = value


def event_count(container) -> int:
    with container.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.fixture
def seen(container) -> list[CandidateChange]:
    """Every change the container's writer makes, as its hooks see them."""
    changes: list[CandidateChange] = []
    container.candidates.writer.hooks.append(lambda _s, change: changes.append(change))
    return changes


def test_every_service_of_the_container_writes_through_the_same_writer(container):
    writer = container.candidates.writer
    assert container.roster.writer is writer
    assert container.review.writer is writer
    assert container.waivers.writer is writer
    assert container.demo.review.writer is writer


def test_a_locked_candidate_is_not_edited_and_nothing_is_written(container, actor, make_candidate_raw, seen):
    d = container.candidates.create(actor, make_candidate_raw(1))
    set_status(container, d.uuid, "locked")
    d = container.candidates.get(d.uuid)  # locking made a new revision
    events = event_count(container)
    with pytest.raises(status.StatusError) as err:
        container.candidates.update(actor, d.uuid, d.data.as_dict() | {"phone": "13912345678"}, d.revision)
    assert err.value.message == f"{d.data.name}已签字确认，报名信息已锁定，不能再修改报名信息。"
    after = container.candidates.get(d.uuid)
    assert (after.data, after.revision) == (d.data, d.revision)
    assert event_count(container) == events and seen == []


def test_locked_is_said_before_a_stale_revision_or_a_bad_value(container, actor, make_candidate_raw):
    d = container.candidates.create(actor, make_candidate_raw(1))
    container.candidates.update(actor, d.uuid, d.data.as_dict() | {"note": "x"})
    set_status(container, d.uuid, "exported")
    with pytest.raises(status.StatusError, match="已上报"):
        container.candidates.update(actor, d.uuid, d.data.as_dict() | {"phone": "123"}, d.revision)


def test_an_edit_bumps_the_revision_once_audits_once_and_tells_the_hooks(container, actor, make_candidate_raw,
                                                                           seen):
    d = container.candidates.create(actor, make_candidate_raw(1))
    events = event_count(container)
    after = container.candidates.update(actor, d.uuid, d.data.as_dict() | {"phone": "13912345678", "note": "补"})
    assert after.revision == d.revision + 1
    assert event_count(container) == events + 1
    [change] = seen
    assert (change.uuid, change.revision, change.status_after) == (d.uuid, d.revision + 1, "roster")
    assert change.after == {"phone": "13912345678", "note": "补"}
    assert change.before == {"phone": d.data.phone, "note": ""}


def test_a_hook_that_refuses_rolls_the_change_back(container, actor, make_candidate_raw):
    d = container.candidates.create(actor, make_candidate_raw(1))
    events = event_count(container)

    def refuse(_s, change):
        raise ConflictError(f"{change.name}：不许改")

    container.candidates.writer.hooks.append(refuse)
    with pytest.raises(ConflictError, match="不许改"):
        container.candidates.update(actor, d.uuid, d.data.as_dict() | {"note": "x"})
    assert container.candidates.get(d.uuid).revision == d.revision
    assert event_count(container) == events


def test_capture_of_a_locked_candidate_is_refused_and_nothing_stored(container, actor, make_candidate_raw):
    d = container.candidates.create(actor, make_candidate_raw(1))
    container.capture.record(actor, d.uuid, "photo", b"\xff\xd8first", "jpg")
    set_status(container, d.uuid, "locked")
    with pytest.raises(status.StatusError, match="不能再采集"):
        container.capture.record(actor, d.uuid, "photo", b"\xff\xd8second", "jpg")
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Capture)) == 1
    assert container.capture.current(d.uuid)[("photo", "")].active


def test_review_and_waivers_stop_once_the_candidate_is_past_the_review(container, actor, make_candidate_raw):
    d = container.candidates.create(actor, make_candidate_raw(1))
    set_status(container, d.uuid, "published")
    with pytest.raises(status.StatusError, match="已公示，不能再修改审核意见"):
        container.review.decide(actor, d.uuid, "academic", True)
    with pytest.raises(status.StatusError, match="已公示，不能再登记放弃报名"):
        container.waivers.add(actor, d.uuid, "身体原因")


def test_decisions_and_waivers_move_the_status_through_the_writer(container, actor, make_candidate_raw, seen):
    d = container.candidates.create(actor, make_candidate_raw(1))
    for office in ("academic", "conduct"):
        container.review.decide(actor, d.uuid, office, True)
    assert seen == []  # decisions recorded, the status has not moved yet
    events = event_count(container)
    container.review.decide(actor, d.uuid, "college", True)
    assert event_count(container) == events + 1  # one event: the decision with its status move
    container.waivers.add(actor, d.uuid, "身体原因")
    container.waivers.revoke(actor, d.uuid, "改变主意")
    assert [(c.status_before, c.status_after) for c in seen] == \
        [("roster", "eligible"), ("eligible", "waived"), ("waived", "eligible")]
    detail = container.candidates.get(d.uuid)
    assert detail.status == "eligible" and detail.revision == d.revision + 3
    with container.db.read() as s:
        action, after = s.execute(select(AuditEvent.action, AuditEvent.after).where(AuditEvent.entity_uuid == d.uuid)
                                  .order_by(AuditEvent.seq.desc())).first()
    assert action == "waiver.revoke" and '"status":"eligible"' in after.replace(" ", "")


def test_comparison_runs_and_approve_all_write_through_the_writer(container, actor, make_candidate_raw, seen,
                                                                   tmp_path):
    raws = [make_candidate_raw(n) for n in range(3)]
    people = [container.candidates.create(actor, raw) for raw in raws]
    header = ["学号", "姓名", "身份证号", "专业", "学籍状态", "预计毕业时间", "不及格课程"]

    def academic(failed: str) -> Path:
        rows = [header] + [[r["student_no"], r["name"], r["id_number"], r["major"], "在籍", f"{YEAR}-07",
                            failed if n == 0 else ""] for n, r in enumerate(raws)]
        return write_xlsx(tmp_path / f"academic{len(failed)}.xlsx", rows)

    container.reference.commit(actor, container.reference.preview("academic", academic("")))
    container.review.run(actor)
    set_status(container, people[2].uuid, "locked")  # past the review: left alone by both
    result = container.review.approve_clean(actor, "all")
    assert result.candidates == 2 and result.skipped_later == 1
    assert sorted((c.uuid, c.status_before, c.status_after) for c in seen) == \
        sorted((p.uuid, "roster", "eligible") for p in people[:2])
    seen.clear()
    container.reference.commit(actor, container.reference.preview("academic", academic("高等数学")))
    container.review.run(actor)
    # The new finding re-opens the first candidate's pass: back on the roster, through the writer.
    assert [(c.uuid, c.status_before, c.status_after) for c in seen] == [(people[0].uuid, "eligible", "roster")]
    assert container.candidates.get(people[0].uuid).revision == people[0].revision + 2
    assert container.candidates.get(people[2].uuid).status == "locked"


def test_roster_import_updates_go_through_the_writer(container, actor, make_candidate_raw, seen, tmp_path):
    raws = [make_candidate_raw(n) for n in range(2)]
    people = [container.candidates.create(actor, raw) for raw in raws]
    rows = [["学号", "姓名", "身份证号", "班级"]] + [[r["student_no"], r["name"], r["id_number"], "新班级"] for r in raws]
    path = write_xlsx(tmp_path / "roster.xlsx", rows)
    container.roster.commit(actor, container.roster.preview(path))
    assert sorted(c.uuid for c in seen) == sorted(p.uuid for p in people)
    assert all(c.after == {"class_name": "新班级"} for c in seen)
    assert all(container.candidates.get(p.uuid).revision == p.revision + 1 for p in people)


def test_prepare_checks_the_status_without_the_database():
    with pytest.raises(status.StatusError, match="已锁定"):
        CandidateWriter.prepare("u", "赵六", 3, "locked", {"note": ""}, {"note": "x"})
    with pytest.raises(status.StatusError, match="不能从“已确认”改为“在册”"):
        CandidateWriter.prepare("u", "赵六", 3, "confirmed", {"status": "confirmed"}, {"status": "roster"})
    with pytest.raises(status.StatusError, match="不能从“在册”改为“已锁定”"):
        CandidateWriter.prepare("u", "赵六", 3, "roster", {"status": "roster"}, {"status": "locked"})
    p = CandidateWriter.prepare("u", "赵六", 3, "roster", {"status": "roster"}, {"status": "eligible"})
    # The bulk update bumps the revision itself (db.replication.bump_values): 3 -> 4.
    assert p.change.revision == 4 and "revision" not in p.values
    assert p.values["b_uuid"] == "u" and p.values["status"] == "eligible"
    assert (p.event.action, p.event.entity_uuid, p.event.after) == ("candidate.update", "u", {"status": "eligible"})


def test_a_batch_must_audit_every_prepared_change(container, actor, make_candidate_raw):
    d = container.candidates.create(actor, make_candidate_raw(1))
    p = CandidateWriter.prepare(d.uuid, d.data.name, d.revision, "roster", {"note": ""}, {"note": "x"})
    with container.db.transaction() as s, pytest.raises(ValueError, match="audited"):
        container.candidates.writer.write_prepared(s, actor, [p], events=[EventSpec("other")])
    assert container.candidates.get(d.uuid).data.note == ""
