"""The outbox: every state change appends an event in the same database transaction.

Event names follow shared/docs/data-contract.md (Title Case, past tense). Unknown names are kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from loopmall.core import clock
from loopmall.core.models import ConsumerPosition, OutboxEvent

CATALOG_EVENTS = frozenset(
    {
        # commerce
        "Products Searched", "Product List Viewed", "Product List Filtered", "Promotion Viewed",
        "Promotion Clicked", "Product Clicked", "Product Viewed", "Product Added", "Product Removed",
        "Cart Viewed", "Checkout Started", "Payment Info Entered", "Order Completed", "Order Updated",
        "Order Cancelled", "Order Refunded", "Coupon Entered", "Coupon Applied", "Coupon Denied",
        "Coupon Removed", "Product Added to Wishlist",
        # social
        "Product Shared", "Cart Shared", "Product Reviewed", "Post Viewed", "Post Liked", "Post Shared",
        "Comment Posted", "Community Joined", "Community Left", "Challenge Entered",
        "Live Session Joined", "Live Product Clicked",
        # growth
        "Invite Sent", "Invite Accepted", "Group Buy Started", "Group Buy Joined", "Group Buy Completed",
        "Group Buy Failed", "Points Earned", "Points Redeemed", "Commission Earned", "Commission Reversed",
        # service
        "Ticket Opened", "Ticket First Response", "Ticket Resolved", "Survey Answered", "Return Requested",
    }
)  # fmt: skip


def event_emit(
    name: str,
    *,
    properties: dict[str, Any] | None = None,
    user_id: int | None = None,
    anonymous_id: str = "",
    aggregate: tuple[str, Any] | None = None,
    channel: str = "",
    occurred_at: datetime | None = None,
    event_id: str | None = None,
) -> OutboxEvent:
    """Append one event to the outbox. Must run inside the transaction that made the change."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"event {name!r} emitted outside a transaction: wrap the change in atomic()")
    aggregate_type, aggregate_id = aggregate if aggregate else ("", "")
    return OutboxEvent.objects.create(
        name=name,
        occurred_at=occurred_at or clock.now(),
        user_id=user_id,
        anonymous_id=anonymous_id,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        channel=channel,
        event_id=event_id or uuid.uuid4().hex,
        properties=properties or {},
    )


def events_after(*, consumer: str, limit: int = 1000) -> tuple[list[OutboxEvent], int]:
    """The next batch of events a consumer has not processed, and its position before them."""
    position, _ = ConsumerPosition.objects.get_or_create(consumer=consumer)
    batch = list(OutboxEvent.objects.filter(id__gt=position.last_event_id).order_by("id")[:limit])
    return batch, position.last_event_id


def consumer_advance(*, consumer: str, last_event_id: int) -> None:
    """Record that a consumer has processed every event up to and including last_event_id."""
    with transaction.atomic():
        ConsumerPosition.objects.update_or_create(
            consumer=consumer, defaults={"last_event_id": last_event_id}
        )


def names_in(events: Iterable[OutboxEvent]) -> list[str]:
    return [e.name for e in events]
