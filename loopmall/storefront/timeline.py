"""The status timeline of an order as the shopper sees it, built from the order's timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STATUS_FILTER_LABELS = (
    ("", gettext_lazy("All")),
    ("pending_payment", gettext_lazy("To pay")),
    ("paid", gettext_lazy("To ship")),
    ("shipped", gettext_lazy("On the way")),
    ("completed", gettext_lazy("Done")),
)


STATUS_LABELS = {
    "pending_payment": gettext_lazy("To pay"),
    "paid": gettext_lazy("Paid"),
    "shipped": gettext_lazy("Shipped"),
    "delivered": gettext_lazy("Delivered"),
    "completed": gettext_lazy("Completed"),
    "cancelled": gettext_lazy("Cancelled"),
    "refund_requested": gettext_lazy("Refund requested"),
    "refunded": gettext_lazy("Refunded"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_filters():
    return STATUS_FILTER_LABELS


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None
    state: str  # "done", "current" or "todo"


def order_steps(order) -> list[Step]:
    """Placed → paid → shipped → delivered → completed; a cancelled or refunded order ends early."""
    happy = [
        (_("Order placed"), order.placed_at),
        (_("Paid"), order.paid_at),
        (_("Shipped"), order.shipped_at),
        (_("Delivered"), order.delivered_at),
        (_("Completed"), order.completed_at),
    ]
    reached = [(label, at) for label, at in happy if at]
    if order.status == "cancelled":
        return [Step(label, at, "done") for label, at in reached] + [
            Step(_("Cancelled"), order.cancelled_at, "current")
        ]
    if order.status in ("refund_requested", "refunded"):
        final = _("Refund requested") if order.status == "refund_requested" else _("Refunded")
        return [Step(label, at, "done") for label, at in reached] + [Step(final, None, "current")]
    steps = []
    last_done = max((index for index, (_label, at) in enumerate(happy) if at), default=0)
    for index, (label, at) in enumerate(happy):
        if index < last_done:
            state = "done"
        elif index == last_done:
            state = "current"
        else:
            state = "todo"
        steps.append(Step(label, at, state))
    return steps


@dataclass(frozen=True)
class Banner:
    title: str
    text: str
    tone: str  # "", "done" or "off"


def order_banner(order) -> Banner:
    status = order.status
    if status == "pending_payment":
        return Banner(_("Waiting for payment"), _("Pay before the deadline or the order is cancelled."), "")
    if status == "paid":
        return Banner(_("Paid"), _("We are packing your order."), "")
    if status == "shipped":
        return Banner(_("On the way"), _("Your parcel has left the warehouse."), "")
    if status == "delivered":
        return Banner(_("Delivered"), _("Enjoy! Tell others what you think."), "done")
    if status == "completed":
        return Banner(_("Completed"), _("Thank you for shopping with us."), "done")
    if status == "cancelled":
        return Banner(_("Cancelled"), _("This order was cancelled; nothing was charged."), "off")
    if status == "refund_requested":
        return Banner(_("Refund requested"), _("We are looking at your refund."), "")
    return Banner(_("Refunded"), _("The money is on its way back to you."), "off")
