"""KPIs of conversion, repurchase and retention (plan §1.5 and the timeline)."""

from __future__ import annotations

from datetime import datetime

import ibis

from loopmall.analytics.kpis.base import (
    PURCHASE_PATH_EVENTS,
    Tables,
    between,
    paid_orders,
    person,
    previous_window_start,
    ratio,
    ts,
)


def payment_conversion(t: Tables, start: datetime, end: datetime):
    """People who paid an order / people who viewed a product, in the window."""
    e = t.events.filter(between(t.events.occurred_at, start, end) & (t.events.name == "Product Viewed"))
    viewers = e.select(person=person(e)).distinct().count()
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
    # Only steps that can fall in some order's 24 hours: (start − 24 h, end). The join below keeps the same
    # rows; the bound lets the engine skip the rest of the history.
    path = t.events.filter(
        t.events.name.isin(PURCHASE_PATH_EVENTS)
        & t.events.user_id.notnull()
        & (t.events.occurred_at > ts(start) - ibis.interval(hours=24))
        & (t.events.occurred_at < ts(end))
    ).select(person=t.events.user_id, at=t.events.occurred_at)
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


def customer_orders_expression(orders):
    """Each paid order of a customer with the paid time of their order before and after it (ordered by
    paid time, then order id; NULL at either end). The sync keeps it as the table `customer_orders`.

    Counting per window with these needs no DISTINCT: a customer's first order in [s, e) is the one with
    s <= paid_at < e and previous < s, and they ordered twice or more in it when that order's following
    < e; their last order before s is the one with following >= s."""
    o = paid_orders(orders)
    o = o.filter(o.user_id.notnull())
    order = ibis.window(group_by=o.user_id, order_by=[o.paid_at, o.order_id])
    return o.select(
        user_id=o.user_id,
        order_id=o.order_id,
        paid_at=o.paid_at,
        previous=o.paid_at.lag().over(order),
        following=o.paid_at.lead().over(order),
    )


def _paid_sequence(t: Tables, windows, *, lookback=None):
    """customer_orders rows within reach of the windows (materialised, or derived from orders)."""
    lo = min(s for s, _ in windows)
    if lookback is not None:
        lo = min(s - lookback(s, e) for s, e in windows)
    hi = max(e for _, e in windows)
    seq = t.customer_orders if t.customer_orders is not None else customer_orders_expression(t.orders)
    return seq.filter(between(seq.paid_at, lo, hi))


def _ratios_per_window(counts, n: int):
    values = {}
    for i in range(n):
        den = counts[f"d{i}"].cast("float64")
        values[f"v{i}"] = ibis.ifelse(den > 0, counts[f"n{i}"].cast("float64") / den, ibis.null("float64"))
    return counts.select(**values)


def _repurchase_rate_windows(t: Tables, windows: list[tuple[datetime, datetime]]):
    """repurchase_rate over many windows in one pass: a one-row table, v<i> = the value of window i."""
    seq = _paid_sequence(t, windows)
    sums = {}
    for i, (s, e) in enumerate(windows):
        first_in = between(seq.paid_at, s, e) & (seq.previous.isnull() | (seq.previous < ts(s)))
        sums[f"d{i}"] = first_in.cast("int64").sum().fill_null(0)
        sums[f"n{i}"] = (first_in & (seq.following < ts(e))).fill_null(False).cast("int64").sum().fill_null(0)
    return _ratios_per_window(seq.aggregate(**sums), len(windows))


repurchase_rate.windows = _repurchase_rate_windows


def retention(t: Tables, start: datetime, end: datetime):
    """Of customers who paid in the window before this one (same length), the share who paid again in it."""
    o = paid_orders(t.orders)
    before = (
        o.filter(between(o.paid_at, previous_window_start(start, end), start)).select("user_id").distinct()
    )
    now = o.filter(between(o.paid_at, start, end)).select(returning=o.user_id).distinct()
    kept = before.join(now, before.user_id == now.returning)
    return ratio(kept.count(), before.count())


def _retention_windows(t: Tables, windows: list[tuple[datetime, datetime]]):
    """retention over many windows in one pass (see _paid_sequence): a customer's last order before s
    (paid_at < s <= following) counts them in the window before; they were kept when following < e."""
    seq = _paid_sequence(t, windows, lookback=lambda s, e: e - s)
    sums = {}
    for i, (s, e) in enumerate(windows):
        last_before = between(seq.paid_at, s - (e - s), s) & (
            seq.following.isnull() | (seq.following >= ts(s))
        )
        sums[f"d{i}"] = last_before.cast("int64").sum().fill_null(0)
        sums[f"n{i}"] = (
            (last_before & (seq.following < ts(e))).fill_null(False).cast("int64").sum().fill_null(0)
        )
    return _ratios_per_window(seq.aggregate(**sums), len(windows))


retention.windows = _retention_windows
