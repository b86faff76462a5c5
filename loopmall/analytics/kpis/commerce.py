"""KPIs of conversion, repurchase and retention (plan §1.5 and the timeline)."""

from __future__ import annotations

from datetime import datetime

import ibis

from loopmall.analytics.kpis.base import (
    PURCHASE_PATH_EVENTS,
    Tables,
    actor,
    between,
    paid_orders,
    previous_window_start,
    ratio,
)


def payment_conversion(t: Tables, start: datetime, end: datetime):
    """People who paid an order / people who viewed a product, in the window."""
    e = t.events.filter(between(t.events.occurred_at, start, end) & (t.events.name == "Product Viewed"))
    viewers = e.select(person=actor(e)).distinct().count()
    o = paid_orders(t.orders)
    payers = o.filter(between(o.paid_at, start, end)).user_id.nunique()
    return ratio(payers, viewers)


def steps_to_buy(t: Tables, start: datetime, end: datetime):
    """Median number of shopping steps (search, views, cart, checkout) a buyer takes in the 24 hours
    before each completed order."""
    completed = t.events.filter(
        between(t.events.occurred_at, start, end)
        & (t.events.name == "Order Completed")
        & t.events.user_id.notnull()
    ).select(buyer=t.events.user_id, bought_at=t.events.occurred_at, order_event=t.events.event_id)
    path = t.events.filter(t.events.name.isin(PURCHASE_PATH_EVENTS) & t.events.user_id.notnull()).select(
        person=t.events.user_id, at=t.events.occurred_at
    )
    joined = completed.left_join(
        path,
        [
            completed.buyer == path.person,
            path.at <= completed.bought_at,
            path.at > completed.bought_at - ibis.interval(hours=24),
        ],
    )
    per_order = joined.group_by(joined.order_event).agg(steps=joined.at.count())
    # An order with no tracked step still took one: the payment itself.
    return (per_order.steps + 1).cast("float64").median()


def repurchase_rate(t: Tables, start: datetime, end: datetime):
    """Of customers who paid in the window, the share who paid two or more orders in it."""
    o = paid_orders(t.orders)
    o = o.filter(between(o.paid_at, start, end))
    per_customer = o.group_by(o.user_id).agg(orders=o.order_id.nunique())
    return ratio(per_customer.filter(per_customer.orders >= 2).count(), per_customer.count())


def retention(t: Tables, start: datetime, end: datetime):
    """Of customers who paid in the window before this one (same length), the share who paid again in it."""
    o = paid_orders(t.orders)
    before = (
        o.filter(between(o.paid_at, previous_window_start(start, end), start)).select("user_id").distinct()
    )
    now = o.filter(between(o.paid_at, start, end)).select(returning=o.user_id).distinct()
    kept = before.join(now, before.user_id == now.returning)
    return ratio(kept.count(), before.count())
