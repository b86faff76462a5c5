"""What every KPI expression receives: the warehouse tables and a few shared definitions.

A KPI expression is `def <key>(t: Tables, start: datetime, end: datetime)` returning an Ibis scalar (from
one table) or a one-row table with a `value` column (see `ratio`), evaluated over the half-open window
[start, end) (naive UTC). It returns NULL when its inputs hold no data for the
window; the scorecard then says "no data yet" instead of inventing a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis

# Where an order counts as social commerce (orders.channel), besides group buys and referrals.
SOCIAL_ORDER_CHANNELS = (
    "community", "mini_shop", "live", "group_buy", "referral_link", "referral", "douyin",
    "xiaohongshu", "video_channel", "share",
)  # fmt: skip
PRIVATE_CHANNELS = ("community", "mini_shop")
PUBLIC_CHANNELS = ("douyin", "xiaohongshu", "video_channel")
CORE_CHANNELS = (*PRIVATE_CHANNELS, *PUBLIC_CHANNELS, "live")
FEEDBACK_CHANNELS = (
    "review", "comment", "questionnaire", "service_chat", "return_reason", "live_comment", "search_query",
)  # fmt: skip

INTERACTION_EVENTS = (
    "Post Liked", "Post Shared", "Comment Posted", "Product Shared", "Cart Shared", "Product Reviewed",
    "Challenge Entered", "Live Product Clicked",
)  # fmt: skip
CONTENT_EVENTS = ("Post Viewed", "Post Liked", "Post Shared", "Comment Posted", "Live Session Joined")
FISSION_EVENTS = (
    "Group Buy Started", "Group Buy Joined", "Invite Sent", "Invite Accepted", "Challenge Entered",
    "Product Shared", "Cart Shared",
)  # fmt: skip
ACTIVITY_EVENTS = (
    "Group Buy Started", "Group Buy Joined", "Invite Sent", "Invite Accepted", "Challenge Entered",
    "Coupon Applied", "Points Redeemed",
)  # fmt: skip
PURCHASE_PATH_EVENTS = (
    "Products Searched", "Product List Viewed", "Product List Filtered", "Product Clicked", "Product Viewed",
    "Product Added", "Cart Viewed", "Checkout Started", "Payment Info Entered", "Coupon Entered",
)  # fmt: skip
POST_PUBLISHED = "Post Published"


@dataclass(frozen=True)
class Tables:
    """The warehouse tables plus the staff inputs the KPIs join (as Ibis tables too)."""

    events: Any
    orders: Any
    order_items: Any
    users: Any
    products: Any
    feedback: Any
    spend_daily: Any  # (channel, day, amount_minor): MarketingSpend spread evenly over its month
    sync_runs: Any  # (finished_at, lag_p95_seconds)
    # Materialised by the sync (warehouse/derive.py) on DuckDB; None: derive from orders per query.
    customer_orders: Any = None
    ticket_answers: Any = None

    @classmethod
    def from_backend(cls, con, *, spend_daily, sync_runs) -> Tables:
        from loopmall.analytics.warehouse.connection import table_names

        existing = table_names(con)
        return cls(
            events=con.table("events"),
            orders=con.table("orders"),
            order_items=con.table("order_items"),
            users=con.table("users"),
            products=con.table("products"),
            feedback=con.table("feedback"),
            spend_daily=spend_daily,
            sync_runs=sync_runs,
            customer_orders=con.table("customer_orders") if "customer_orders" in existing else None,
            ticket_answers=con.table("ticket_answers") if "ticket_answers" in existing else None,
        )


def one_row(**scalars):
    """A one-row table with a column per scalar. Ibis cannot turn a scalar built from several tables
    into a query, so each reduction becomes its own one-row table and they are cross-joined."""
    tables = [scalar.name(name).as_table() for name, scalar in scalars.items()]
    joined = tables[0]
    for other in tables[1:]:
        joined = joined.cross_join(other)
    return joined


def ratio(numerator, denominator, *, when=None):
    """numerator / denominator as a one-row table `value`: NULL when the denominator is 0 or NULL, or
    when the optional `when` scalar is not true (e.g. "this module has any data at all")."""
    scalars = {"numerator": numerator}
    if not isinstance(denominator, int | float):
        scalars["denominator"] = denominator
    if when is not None:
        scalars["has_data"] = when
    row = one_row(**scalars)
    den = row.denominator.cast("float64") if "denominator" in scalars else ibis.literal(float(denominator))
    value = ibis.ifelse(den > 0, row.numerator.cast("float64") / den, ibis.null("float64"))
    if when is not None:
        value = ibis.ifelse(row.has_data, value, ibis.null("float64"))
    return row.select(value=value)


def as_value_table(expression):
    """A KPI expression (a one-row table with `value`, or a single-table scalar) as a one-row table."""
    import ibis.expr.types as ir

    if isinstance(expression, ir.Table):
        return expression.select(value=expression.value.cast("float64"))
    return expression.cast("float64").name("value").as_table()


def ts(moment):
    """A window bound as an Ibis timestamp (bounds arrive as datetimes or as Ibis expressions)."""
    return ibis.literal(moment, "timestamp") if isinstance(moment, datetime) else moment


def between(column, start, end):
    return (column >= ts(start)) & (column < ts(end))


def previous_window_start(start, end):
    """The start of the window of the same length just before [start, end)."""
    return ts(start) - (ts(end) - ts(start))


def weeks_in(start, end):
    return (ts(end).epoch_seconds() - ts(start).epoch_seconds()).cast("float64") / (7 * 24 * 3600)


def actor(events):
    """One id per person: the user id, or the anonymous id of a visitor who has not signed in."""
    return ibis.coalesce(events.user_id.cast("string"), "anon:" + events.anonymous_id)


def person(events):
    """The per-person key KPIs count and join on: the stored `actor_key` (an int64 standing for the same
    person as `actor()`, see warehouse/derive.py), or `actor()` itself on a table without it."""
    return events.actor_key if "actor_key" in events.columns else actor(events)


def user_person(user_id, events):
    """A user id (orders.user_id, users.user_id) as the same key `person(events)` gives that user."""
    return user_id if "actor_key" in events.columns else user_id.cast("string")


def paid_orders(orders):
    return orders.filter(orders.paid_at.notnull() & (orders.status != "cancelled"))


def net_revenue(orders):
    return (orders.total_minor - orders.refunded_minor.fill_null(0)).sum()


def is_social_order(orders):
    return (
        orders.channel.isin(SOCIAL_ORDER_CHANNELS)
        | orders.group_buy_id.notnull()
        | orders.referrer_id.notnull()
    )


def seconds_between(later, earlier):
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64")


def active_actors(t: Tables, start: datetime, end: datetime):
    """Everyone who did anything in the window: an event, or a placed order."""
    e = t.events.filter(between(t.events.occurred_at, start, end))
    o = t.orders.filter(between(t.orders.placed_at, start, end))
    return ibis.union(e.select(person=person(e)), o.select(person=user_person(o.user_id, e)), distinct=True)
