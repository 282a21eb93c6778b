"""A candidate's status: the states, the moves between them, and what each state still allows.

One place decides what may change. The services ask ``ensure_editable`` before they write a
candidate (its fields, a capture, a review decision, a waiver) and ``ensure_transition`` before
they move its status; the roster import asks ``refusal`` per row, so a refused row is reported
rather than failing the whole file. Pure functions: no database, no Qt.

The path of one student (``Candidate.status``)::

    roster ──► eligible / ineligible / waived ──► published ──► confirmed ──► locked ──► exported
      ▲              │  ▲   (the offices' decisions and
      └──────────────┘  │    the waiver move a candidate
                        └─── among these four freely)

- ``roster``: on the roster, not (or not fully) reviewed yet.
- ``eligible`` / ``ineligible`` / ``waived``: what the three offices' standing decisions and an
  active waiver make of the candidate (``app.domain.review.review_status``); a re-run comparison,
  a new decision or a revoked waiver moves the candidate among these and back to ``roster``.
- ``published``: on the 公示 list.
- ``confirmed``: the confirmation table has captured and the student has checked the data.
- ``locked``: signed (签字确认); nothing about the candidate changes any more.
- ``exported``: sent to the central office.
"""

from __future__ import annotations

from app.errors import ConflictError

ROSTER, ELIGIBLE, INELIGIBLE, WAIVED = "roster", "eligible", "ineligible", "waived"
PUBLISHED, CONFIRMED, LOCKED, EXPORTED = "published", "confirmed", "locked", "exported"

# Every state, in the order of a student's path, with its label.
LABELS: dict[str, str] = {
    ROSTER: "在册",
    ELIGIBLE: "审核通过",
    INELIGIBLE: "审核未通过",
    WAIVED: "放弃报考",
    PUBLISHED: "已公示",
    CONFIRMED: "已确认",
    LOCKED: "已锁定",
    EXPORTED: "已上报",
}
STATES = tuple(LABELS)

# The review's own states: decisions and waivers move a candidate among them (and only them).
REVIEW_STATES = (ROSTER, ELIGIBLE, INELIGIBLE, WAIVED)

TRANSITIONS: dict[str, frozenset[str]] = {
    ROSTER: frozenset({ELIGIBLE, INELIGIBLE, WAIVED}),
    ELIGIBLE: frozenset({ROSTER, INELIGIBLE, WAIVED, PUBLISHED}),
    INELIGIBLE: frozenset({ROSTER, ELIGIBLE, WAIVED}),
    WAIVED: frozenset({ROSTER, ELIGIBLE, INELIGIBLE}),
    PUBLISHED: frozenset({CONFIRMED}),
    CONFIRMED: frozenset({LOCKED}),
    LOCKED: frozenset({EXPORTED}),
    EXPORTED: frozenset(),
}

# What a caller wants to do to a candidate, and the states that allow it.
EDIT = "edit"  # change the candidate's own fields (editor, command line, roster import)
CAPTURE = "capture"  # store a photo, card side, document, chip read or fingerprint
REVIEW = "review"  # record an office's decision (or let a comparison re-open one)
WAIVE = "waive"  # record a waiver (放弃报名)
OPERATIONS: dict[str, tuple[str, frozenset[str]]] = {  # operation -> (its words in a message, allowed states)
    EDIT: ("修改报名信息", frozenset({ROSTER, ELIGIBLE, INELIGIBLE, WAIVED, PUBLISHED, CONFIRMED})),
    CAPTURE: ("采集", frozenset({ROSTER, ELIGIBLE, INELIGIBLE, WAIVED, PUBLISHED, CONFIRMED})),
    REVIEW: ("修改审核意见", frozenset(REVIEW_STATES)),
    WAIVE: ("登记放弃报名", frozenset(REVIEW_STATES)),
}

# Why a state refuses, said after the candidate's name (the review's states refuse nothing today).
_WHY = {
    PUBLISHED: "已公示",
    CONFIRMED: "已现场确认",
    LOCKED: "已签字确认，报名信息已锁定",
    EXPORTED: "的报名信息已上报招生办",
}


class StatusError(ConflictError):
    """The candidate's status does not allow what was asked (``operation``, or a move to ``target``)."""

    def __init__(self, message: str, status: str, *, operation: str = "", target: str = "") -> None:
        super().__init__(message)
        self.status, self.operation, self.target = status, operation, target


def label(status: str) -> str:
    return LABELS.get(status, status)


def _check_state(status: str) -> None:
    if status not in TRANSITIONS:
        raise StatusError(f"未知的考生状态“{status}”。", status)


def refusal(status: str, operation: str = EDIT, name: str = "") -> str | None:
    """Why ``status`` refuses ``operation`` (a Chinese sentence naming the candidate), or None."""
    _check_state(status)
    words, allowed = OPERATIONS[operation]
    if status in allowed:
        return None
    who = name or "该考生"
    return f"{who}{_WHY.get(status, f'的状态为“{label(status)}”')}，不能再{words}。"


def ensure_editable(status: str, operation: str = EDIT, name: str = "") -> None:
    """Raise ``StatusError`` when a candidate in ``status`` may not undergo ``operation``."""
    why = refusal(status, operation, name)
    if why is not None:
        raise StatusError(why, status, operation=operation)


def can_transition(old: str, new: str) -> bool:
    """Staying put is always allowed (a recomputation that changes nothing)."""
    _check_state(old)
    _check_state(new)
    return old == new or new in TRANSITIONS[old]


def ensure_transition(old: str, new: str, name: str = "") -> None:
    """Raise ``StatusError`` unless a candidate may move from ``old`` to ``new``."""
    if not can_transition(old, new):
        who = name or "该考生"
        raise StatusError(f"{who}的状态不能从“{label(old)}”改为“{label(new)}”。", old, target=new)
