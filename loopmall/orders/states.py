"""The order state machine as one explicit table. Services move orders only through `transition_check`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from loopmall.core.errors import Conflict
from loopmall.orders.models import OrderStatus as S

# status -> the statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.REFUND_REQUESTED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUND_REQUESTED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUND_REQUESTED}),
    S.COMPLETED: frozenset({S.REFUND_REQUESTED}),
    # A refund ends in `refunded` when everything paid is returned; a rejected or partial refund
    # goes back to where the order was before the request.
    S.REFUND_REQUESTED: frozenset({S.REFUNDED, S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

REFUNDABLE = frozenset({S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.REFUND_REQUESTED})
PAID_STATES = frozenset({S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.REFUND_REQUESTED, S.REFUNDED})


def transition_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition_check(current: str, target: str) -> None:
    """Raise Conflict (field "status") unless an order may move from `current` to `target`."""
    if not transition_allowed(current, target):
        raise Conflict(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label},
            field="status",
            code="invalid_transition",
        )
