"""A desk with candidates in every state, for the form tests."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from forms_sample import LONG_MAJOR, LONG_REASON
from sqlalchemy import select

from db.models import Candidate, ReviewDecision, Setting, Waiver


@dataclass
class Desk:
    container: object
    actor: object
    by_status: dict[str, list[Candidate]]
    all: list[Candidate]


def populate(container, actor, make_raw, n: int, *, publicity: bool = True) -> Desk:
    for i in range(n):
        raw = make_raw(i)
        if i == 4:
            raw["major"] = LONG_MAJOR
            raw["intended_major"] = "数据科学与大数据技术（含智能科学与技术、人工智能专业类）"
        container.candidates.create(actor, raw)
    with container.db.transaction() as s:
        people = list(s.scalars(select(Candidate).order_by(Candidate.student_no)))
        for i, c in enumerate(people):
            if i % 7 == 3:
                c.status = "ineligible"
                s.add(ReviewDecision(candidate_id=c.id, office="academic", decision="fail",
                                     opinion=LONG_REASON, reviewer="admin"))
                s.add(ReviewDecision(candidate_id=c.id, office="conduct", decision="pass", reviewer="admin"))
            elif i % 11 == 5:
                c.status = "waived"
                s.add(Waiver(candidate_id=c.id, reason="准备就业，已签订劳动合同" if i != 16 else LONG_REASON,
                             waived_on=dt.date(2026, 3, 2)))
            elif i % 13 == 0:
                c.status = "roster"
            else:
                c.status = "eligible"
        if publicity:
            s.add(Setting(key="publicity_start", value=json.dumps("2026-03-10")))
            s.add(Setting(key="publicity_end", value=json.dumps("2026-03-16")))
    with container.db.read() as s:
        people = list(s.scalars(select(Candidate).order_by(Candidate.student_no)))
        s.expunge_all()
    by_status: dict[str, list[Candidate]] = {}
    for c in people:
        by_status.setdefault(c.status, []).append(c)
    return Desk(container, actor, by_status, people)


@pytest.fixture
def desk(container, actor, make_candidate_raw) -> Desk:
    """60 candidates: eligible, ineligible (with a long reason), waived, not yet reviewed."""
    return populate(container, actor, make_candidate_raw, 60)
