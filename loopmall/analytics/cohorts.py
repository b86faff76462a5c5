"""Cohort retention and lifetime value (Ibis; DuckDB and Spark alike).

- retention by weekly cohort: customers grouped by the Asia/Shanghai week of their first paid order;
  cell (cohort, n) = share of the cohort who paid an order in week n after it (n = 0 is the cohort week).
- retention by acquisition channel: the same, with cohorts = users.channel and n = weeks since the
  customer's first paid order.
- value by acquisition cohort: users grouped by the month they joined and their channel: customers, net
  revenue, lifetime value per user; with MarketingSpend, acquisition cost and return on spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import pandas as pd

from loopmall.analytics.kpis.base import paid_orders
from loopmall.analytics.kpis.commerce import customer_orders_expression
from loopmall.analytics.kpis.evaluate import SHANGHAI_OFFSET

WEEK_SECONDS = 7 * 24 * 3600


def _local(column):
    return column + ibis.interval(hours=int(SHANGHAI_OFFSET.total_seconds() // 3600))


@dataclass(frozen=True)
class Retention:
    cohorts: list[str]  # row labels
    sizes: list[int]
    offsets: list[int]  # column labels: weeks since the cohort start
    shares: list[list[float | None]]  # shares[row][offset]; None where that week has not happened yet


# ---- per-customer facts: materialised by the warehouse sync (warehouse/derive.py), or derived here ----


def customers_expression(orders):
    """One row per customer (paid a non-cancelled order): first paid time, net revenue, paid orders."""
    paid = paid_orders(orders)
    paid = paid.filter(paid.user_id.notnull())
    return paid.group_by("user_id").agg(
        first_paid=paid.paid_at.min(),
        revenue=(paid.total_minor - paid.refunded_minor.fill_null(0)).sum(),
        orders=paid.count(),
    )


def customer_weeks_expression(orders):
    """Distinct (customer, cohort week, offset): the Asia/Shanghai week of their first paid order and the
    weeks after it in which they paid an order (offset 0 = the cohort week)."""
    paid = paid_orders(orders)
    paid = paid.filter(paid.user_id.notnull()).select("user_id", "paid_at")
    paid = paid.mutate(first_paid=paid.paid_at.min().over(ibis.window(group_by=paid.user_id)))
    cohort = _local(paid.first_paid).truncate("W")
    offset = (_local(paid.paid_at).truncate("W").epoch_seconds() - cohort.epoch_seconds()) / WEEK_SECONDS
    return paid.select("user_id", cohort=cohort, offset=offset.floor().cast("int64")).distinct()


def customer_offsets_expression(orders):
    """Distinct (customer, n): they paid an order n whole weeks after their first paid order."""
    paid = paid_orders(orders)
    paid = paid.filter(paid.user_id.notnull()).select("user_id", "paid_at")
    paid = paid.mutate(first_paid=paid.paid_at.min().over(ibis.window(group_by=paid.user_id)))
    offset = (paid.paid_at.epoch_seconds() - paid.first_paid.epoch_seconds()) / WEEK_SECONDS
    return paid.select("user_id", offset=offset.floor().cast("int64")).distinct()


# Materialised name → builder; the sync keeps these tables current for the customers it touches.
CUSTOMER_TABLES = {
    "customer_orders": customer_orders_expression,
    "customers": customers_expression,
    "customer_weeks": customer_weeks_expression,
    "customer_offsets": customer_offsets_expression,
}


def customer_table(con, name: str, orders=None):
    """The materialised table when this warehouse keeps it (DuckDB), else the same rows derived from
    `orders` (Spark, scratch connections)."""
    from loopmall.analytics.warehouse.connection import table_names

    if name in table_names(con):
        return con.table(name)
    return CUSTOMER_TABLES[name](orders if orders is not None else con.table("orders"))


def retention_expression(orders, users, *, by: str = "week", weeks=None, offsets=None):
    """(cohort, offset, customers) plus (cohort, offset=-1, cohort size) rows.

    Reads the per-customer (cohort, offset) pairs (`weeks` / `offsets`: materialised tables, or derived
    from `orders` when not given). A customer's first paid order is offset 0 of their own cohort, so a
    cohort's size is its offset-0 cell."""
    if by == "week":
        visits = weeks if weeks is not None else customer_weeks_expression(orders)
        cells = visits.group_by(["cohort", "offset"]).agg(customers=visits.count())
    else:
        visits = offsets if offsets is not None else customer_offsets_expression(orders)
        channels = users.select(customer=users.user_id, channel=users.channel)
        joined = visits.left_join(channels, visits.user_id == channels.customer)
        joined = joined.select(cohort=joined.channel.fill_null("unknown"), offset=joined.offset)
        cells = joined.group_by(["cohort", "offset"]).agg(customers=joined.count())
    sizes = cells.filter(cells.offset == 0).mutate(offset=ibis.literal(-1, "int64"))
    both = ibis.union(
        cells.select("cohort", "offset", "customers"), sizes.select("cohort", "offset", "customers")
    )
    if by == "week":
        # Label the cohorts on the result rows only.
        both = both.mutate(cohort=both.cohort.cast("date").cast("string"))
    return both


def retention_compute(con, *, by: str = "week", max_weeks: int = 12, last_cohorts: int = 16) -> Retention:
    if by not in {"week", "channel"}:
        raise ValueError("by must be 'week' or 'channel'")
    orders = con.table("orders")
    frame = con.execute(
        retention_expression(
            orders,
            con.table("users"),
            by=by,
            weeks=customer_table(con, "customer_weeks", orders) if by == "week" else None,
            offsets=customer_table(con, "customer_offsets", orders) if by != "week" else None,
        )
    )
    if frame.empty:
        return Retention([], [], list(range(max_weeks + 1)), [])
    sizes = frame[frame["offset"] == -1].set_index("cohort")["customers"].astype(int)
    cells = frame[(frame["offset"] >= 0) & (frame["offset"] <= max_weeks)]
    cohorts = sorted(sizes.index)
    cohorts = cohorts[-last_cohorts:] if by == "week" else sorted(cohorts, key=lambda c: -sizes[c])
    matrix = cells.pivot_table(index="cohort", columns="offset", values="customers", aggfunc="sum")
    latest_week = None
    if by == "week":
        # The last week with any paid order: later cells have not happened yet (None, not 0 %).
        latest_week = max(
            date.fromisoformat(c) + timedelta(weeks=int(o))
            for c, o in zip(frame["cohort"], frame["offset"], strict=True)
            if o >= 0
        )
    shares = []
    for cohort in cohorts:
        row = []
        for offset in range(max_weeks + 1):
            if latest_week and date.fromisoformat(cohort) + timedelta(weeks=offset) > latest_week:
                row.append(None)
                continue
            count = matrix.at[cohort, offset] if (cohort in matrix.index and offset in matrix.columns) else 0
            count = 0 if pd.isna(count) else int(count)
            row.append(count / int(sizes[cohort]))
        shares.append(row)
    return Retention(cohorts, [int(sizes[c]) for c in cohorts], list(range(max_weeks + 1)), shares)


@dataclass(frozen=True)
class CohortValue:
    month: str
    channel: str
    users: int
    customers: int
    revenue_minor: int
    lifetime_value_minor: float | None  # net revenue per user who joined
    spend_minor: int | None
    acquisition_cost_minor: float | None  # spend per new customer
    return_on_spend: float | None  # net revenue / spend


def value_expression(orders, users, *, customers=None):
    customers = customers if customers is not None else customers_expression(orders)
    u = users.mutate(
        month=_local(users.created_at).truncate("M"), acquired=users.channel.fill_null("unknown")
    )
    joined = u.join(customers, "user_id", how="left")
    cells = joined.group_by(["month", "acquired"]).agg(
        users=joined.user_id.nunique(),
        customers=(joined.orders.fill_null(0) > 0).sum(),
        revenue=joined.revenue.fill_null(0).sum(),
    )
    # Label the months on the result rows only, not on every user.
    return cells.mutate(month=cells.month.cast("date").cast("string"))


def value_compute(con, *, spend: dict[tuple[str, str], int] | None = None) -> list[CohortValue]:
    """spend: {(channel, "YYYY-MM-01"): amount_minor}."""
    spend = spend or {}
    orders = con.table("orders")
    frame = con.execute(
        value_expression(orders, con.table("users"), customers=customer_table(con, "customers", orders))
    )
    rows = []
    for r in frame.sort_values(["month", "acquired"]).itertuples():
        users_count, customers, revenue = int(r.users), int(r.customers), int(r.revenue)
        cost = spend.get((r.acquired, r.month))
        rows.append(
            CohortValue(
                month=r.month[:7],
                channel=r.acquired,
                users=users_count,
                customers=customers,
                revenue_minor=revenue,
                lifetime_value_minor=revenue / users_count if users_count else None,
                spend_minor=cost,
                acquisition_cost_minor=(cost / customers) if (cost is not None and customers) else None,
                return_on_spend=(revenue / cost) if cost else None,
            )
        )
    return rows
