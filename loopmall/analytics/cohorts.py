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


def retention_expression(orders, users, *, by: str = "week"):
    """(cohort, offset, customers) plus (cohort, offset=-1, cohort size) rows."""
    paid = paid_orders(orders)
    first = paid.group_by("user_id").agg(first_paid=paid.paid_at.min())
    if by == "week":
        first = first.mutate(cohort=_local(first.first_paid).truncate("W").cast("date").cast("string"))
    else:
        first = first.join(users.select("user_id", "channel"), "user_id", how="left")
        first = first.mutate(cohort=first.channel.fill_null("unknown"))
    joined = paid.select(customer=paid.user_id, paid_at=paid.paid_at).join(
        first, ibis._.customer == first.user_id
    )
    if by == "week":
        start = _local(joined.first_paid).truncate("W")
        offset = (_local(joined.paid_at).truncate("W").epoch_seconds() - start.epoch_seconds()) / WEEK_SECONDS
    else:
        offset = (joined.paid_at.epoch_seconds() - joined.first_paid.epoch_seconds()) / WEEK_SECONDS
    cells = (
        joined.mutate(offset=offset.floor().cast("int64"))
        .group_by(["cohort", "offset"])
        .agg(customers=ibis._.customer.nunique())
    )
    sizes = (
        first.group_by("cohort")
        .agg(customers=first.user_id.nunique())
        .mutate(offset=ibis.literal(-1, "int64"))
    )
    return ibis.union(
        cells.select("cohort", "offset", "customers"), sizes.select("cohort", "offset", "customers")
    )


def retention_compute(con, *, by: str = "week", max_weeks: int = 12, last_cohorts: int = 16) -> Retention:
    if by not in {"week", "channel"}:
        raise ValueError("by must be 'week' or 'channel'")
    frame = con.execute(retention_expression(con.table("orders"), con.table("users"), by=by))
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


def value_expression(orders, users):
    paid = paid_orders(orders)
    revenue = paid.group_by("user_id").agg(
        revenue=(paid.total_minor - paid.refunded_minor.fill_null(0)).sum(), orders=paid.count()
    )
    u = users.mutate(
        month=_local(users.created_at).truncate("M").cast("date").cast("string"),
        acquired=users.channel.fill_null("unknown"),
    )
    joined = u.join(revenue, "user_id", how="left")
    return joined.group_by(["month", "acquired"]).agg(
        users=joined.user_id.nunique(),
        customers=(joined.orders.fill_null(0) > 0).sum(),
        revenue=joined.revenue.fill_null(0).sum(),
    )


def value_compute(con, *, spend: dict[tuple[str, str], int] | None = None) -> list[CohortValue]:
    """spend: {(channel, "YYYY-MM-01"): amount_minor}."""
    spend = spend or {}
    frame = con.execute(value_expression(con.table("orders"), con.table("users")))
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
