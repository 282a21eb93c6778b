"""The plain data the forms print, assembled by ``app.documents.printing`` from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """One candidate as the forms print them."""

    uuid: str
    student_no: str
    name: str
    gender: str
    id_number: str
    class_name: str
    counsellor: str
    major: str
    intended_major: str
    category: str
    phone: str
    status: str
    college_name: str = ""
    reasons: tuple[str, ...] = ()  # why ineligible, "教务处：…" per failing office
    waiver_reason: str = ""
    waived_on: dt.date | None = None
    needs_review: bool = False  # an office's decision no longer stands (app.domain.review.standing)


@dataclass(frozen=True)
class Context:
    """Facts every form prints in its heading."""

    college_name: str
    year: int
    printed_on: dt.date
    doc_uuid: str
    publicity_start: dt.date | None = None
    publicity_end: dt.date | None = None
    class_name: str = ""  # a list printed for one class only (附件3 per class); "" for the whole college


@dataclass(frozen=True)
class Report:
    """附件4: the counts, the review steps and the ineligible candidates."""

    roster: int
    applicants: int
    eligible: int
    ineligible: int
    waived: int
    pending: int
    by_reason: tuple[tuple[str, int], ...]  # "教务处审核未通过" -> candidates
    steps: tuple[str, ...]
    ineligible_people: tuple[Person, ...] = field(default=())
    # Finding label ("有不及格课程") -> ineligible candidates with it; one candidate may count under several.
    by_problem: tuple[tuple[str, int], ...] = field(default=())
