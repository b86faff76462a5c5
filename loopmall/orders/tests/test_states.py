"""The order state machine: every allowed and every forbidden transition, from the table and through services."""

import itertools

import pytest

from loopmall.core.errors import Conflict
from loopmall.orders.models import OrderStatus as S
from loopmall.orders.states import TRANSITIONS, transition_allowed, transition_check

# Written out by hand from the issue, independently of the table under test.
EXPECTED = {
    (S.PENDING_PAYMENT, S.PAID),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.PAID, S.SHIPPED),
    (S.SHIPPED, S.DELIVERED),
    (S.DELIVERED, S.COMPLETED),
    (S.PAID, S.REFUND_REQUESTED),
    (S.SHIPPED, S.REFUND_REQUESTED),
    (S.DELIVERED, S.REFUND_REQUESTED),
    (S.COMPLETED, S.REFUND_REQUESTED),
    (S.REFUND_REQUESTED, S.REFUNDED),
    (S.REFUND_REQUESTED, S.PAID),
    (S.REFUND_REQUESTED, S.SHIPPED),
    (S.REFUND_REQUESTED, S.DELIVERED),
    (S.REFUND_REQUESTED, S.COMPLETED),
}

ALL_PAIRS = list(itertools.product(S.values, S.values))


def test_table_covers_every_status():
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED))
def test_allowed(current, target):
    assert transition_allowed(current, target)
    transition_check(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in EXPECTED])
def test_forbidden(current, target):
    assert not transition_allowed(current, target)
    with pytest.raises(Conflict) as error:
        transition_check(current, target)
    assert error.value.field == "status"


def test_terminal_states_go_nowhere():
    assert not TRANSITIONS[S.CANCELLED]
    assert not TRANSITIONS[S.REFUNDED]
