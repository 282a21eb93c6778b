"""``candidate set`` on a record its status protects: refused with the reason, nothing written."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.container import Container
from db.models import AuditEvent, Candidate
from tests.app.cli.cli_helpers import run


def snapshot(data) -> tuple[list[tuple], list[str]]:
    """Every candidate column and every audit event: what “unchanged” means here."""
    c = Container.open(data)
    try:
        with c.db.read() as s:
            rows = [tuple(r) for r in s.execute(select(Candidate.__table__)).all()]
            events = list(s.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq)))
        return rows, events
    finally:
        c.close()


def test_candidate_set_refuses_a_locked_candidate(capsys, tmp_path, make_candidate_raw):
    data = tmp_path / "desk"
    assert run(capsys, "--data", data, "init", "--college-code", "1001", "--college-name", "信息工程学院")[0] == 0
    c = Container.open(data)
    try:
        d = c.candidates.create(c.actor, make_candidate_raw(3))
        with c.db.transaction() as s:
            s.scalar(select(Candidate)).status = "locked"
    finally:
        c.close()
    before = snapshot(data)
    code, out, err = run(capsys, "--data", data, "candidate", "set", d.data.student_no, "phone=13912345678")
    assert code == 1 and out == ""
    assert f"{d.data.name}已签字确认，报名信息已锁定，不能再修改报名信息。" in err
    code, out, err = run(capsys, "--data", data, "candidate", "set", d.data.student_no, "备注=x", "--json")
    assert code == 1
    assert json.loads(out)["error"] == {"type": "StatusError",
                                        "message": f"{d.data.name}已签字确认，报名信息已锁定，不能再修改报名信息。"}
    assert snapshot(data) == before
    # Showing it still works, and says why it cannot change.
    code, out, _ = run(capsys, "--data", data, "candidate", "show", d.data.student_no, "--json")
    assert code == 0 and json.loads(out)["candidate"]["status_label"] == "已锁定"
