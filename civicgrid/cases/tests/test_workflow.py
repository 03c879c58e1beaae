"""The transition table, checked exhaustively against the loop as the product defines it."""

import itertools

import pytest

from civicgrid.cases import workflow
from civicgrid.cases.choices import Status as S

# The specification, written out independently of workflow.ACTIONS.
EXPECTED = {
    "accept": ({S.REPORTED}, S.ACCEPTED),
    "dispatch": ({S.ACCEPTED, S.RETURNED, S.ESCALATED}, S.DISPATCHED),
    "return": ({S.DISPATCHED}, S.RETURNED),
    "start": ({S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS),
    "resolve": ({S.IN_PROGRESS}, S.RESOLVED),
    "rate": ({S.RESOLVED}, None),
    "close": ({S.RATED, S.RESOLVED}, S.CLOSED),
    "escalate": ({S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.REOPENED}, S.ESCALATED),
    "merge": ({S.REPORTED, S.ACCEPTED}, S.MERGED),
    "invalidate": ({S.REPORTED, S.ACCEPTED}, S.INVALID),
}


def test_table_has_exactly_the_specified_actions():
    assert set(workflow.ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize(("action", "status"), list(itertools.product(EXPECTED, S.values)))
def test_every_action_from_every_status(action, status):
    sources, target = EXPECTED[action]
    if status in sources:
        assert workflow.check(action, status).target == target
    else:
        with pytest.raises(workflow.TransitionNotAllowed) as exc:
            workflow.check(action, status)
        assert str(S(status).label) in str(exc.value)  # the reason names the current state


def test_final_states_allow_nothing():
    for status in (S.CLOSED, S.MERGED, S.INVALID):
        assert workflow.available(status) == []


def test_unknown_action():
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.check("teleport", S.REPORTED)
