"""The candidate states: every move allowed or refused, and what each state still lets change."""

from __future__ import annotations

import itertools

import pytest

from app.domain import status
from app.domain.candidate import STATUS_LABELS
from app.errors import ConflictError

S = status
# Written out, not derived from the module's table: a change to the table must change this too.
ALLOWED = {
    (S.ROSTER, S.ELIGIBLE), (S.ROSTER, S.INELIGIBLE), (S.ROSTER, S.WAIVED),
    (S.ELIGIBLE, S.ROSTER), (S.ELIGIBLE, S.INELIGIBLE), (S.ELIGIBLE, S.WAIVED), (S.ELIGIBLE, S.PUBLISHED),
    (S.INELIGIBLE, S.ROSTER), (S.INELIGIBLE, S.ELIGIBLE), (S.INELIGIBLE, S.WAIVED),
    (S.WAIVED, S.ROSTER), (S.WAIVED, S.ELIGIBLE), (S.WAIVED, S.INELIGIBLE),
    (S.PUBLISHED, S.CONFIRMED),
    (S.CONFIRMED, S.LOCKED),
    (S.LOCKED, S.EXPORTED),
}
STATES = ("roster", "eligible", "ineligible", "waived", "published", "confirmed", "locked", "exported")
PAIRS = [(a, b) for a, b in itertools.product(STATES, STATES) if a != b]


def test_the_states_are_the_stored_values_in_path_order_with_their_labels():
    assert status.STATES == STATES
    assert STATUS_LABELS is status.LABELS  # one table: the roster, review and CLI show these
    assert status.LABELS["locked"] == "已锁定" and status.LABELS["exported"] == "已上报"


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_allowed_move(old, new):
    assert status.can_transition(old, new)
    status.ensure_transition(old, new)


@pytest.mark.parametrize(("old", "new"), [p for p in PAIRS if p not in ALLOWED])
def test_forbidden_move_names_both_states(old, new):
    assert not status.can_transition(old, new)
    with pytest.raises(status.StatusError) as err:
        status.ensure_transition(old, new, "张三")
    assert err.value.message == f"张三的状态不能从“{status.LABELS[old]}”改为“{status.LABELS[new]}”。"
    assert (err.value.status, err.value.target) == (old, new)
    assert isinstance(err.value, ConflictError)  # acted on like any other refusal: exit 1, a message box


@pytest.mark.parametrize("state", STATES)
def test_staying_put_is_always_allowed(state):
    assert status.can_transition(state, state)
    status.ensure_transition(state, state)  # and raises nothing


def test_nothing_leaves_exported_and_locked_only_goes_to_exported():
    assert status.TRANSITIONS["exported"] == frozenset()
    assert [b for b in STATES if b != "locked" and status.can_transition("locked", b)] == ["exported"]


@pytest.mark.parametrize("bad", ["", "signed", "LOCKED"])
def test_unknown_states_are_refused(bad):
    with pytest.raises(status.StatusError, match="未知的考生状态"):
        status.ensure_transition(bad, "roster")
    with pytest.raises(status.StatusError, match="未知的考生状态"):
        status.ensure_transition("roster", bad)
    with pytest.raises(status.StatusError, match="未知的考生状态"):
        status.ensure_editable(bad)


# (operation, states that refuse it); every other state allows it.
REFUSING = {
    status.EDIT: {"locked", "exported"},
    status.CAPTURE: {"locked", "exported"},
    status.REVIEW: {"published", "confirmed", "locked", "exported"},
    status.WAIVE: {"published", "confirmed", "locked", "exported"},
}


@pytest.mark.parametrize(("operation", "state"), list(itertools.product(REFUSING, STATES)))
def test_what_each_state_allows(operation, state):
    if state in REFUSING[operation]:
        with pytest.raises(status.StatusError) as err:
            status.ensure_editable(state, operation, "李四")
        assert err.value.message.startswith("李四") and "不能再" in err.value.message
        assert (err.value.status, err.value.operation) == (state, operation)
        assert status.refusal(state, operation, "李四") == err.value.message
    else:
        status.ensure_editable(state, operation, "李四")
        assert status.refusal(state, operation) is None


def test_the_message_says_why_and_what_was_refused():
    assert status.refusal("locked", status.EDIT, "王五") == "王五已签字确认，报名信息已锁定，不能再修改报名信息。"
    assert status.refusal("exported", status.CAPTURE, "王五") == "王五的报名信息已上报招生办，不能再采集。"
    assert status.refusal("published", status.REVIEW, "王五") == "王五已公示，不能再修改审核意见。"
    assert status.refusal("confirmed", status.WAIVE, "王五") == "王五已现场确认，不能再登记放弃报名。"
    assert status.refusal("locked") == "该考生已签字确认，报名信息已锁定，不能再修改报名信息。"
