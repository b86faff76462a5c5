"""Evaluates KPI expressions on a warehouse backend: one query per KPI for all its windows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from loopmall.analytics.kpis.base import Tables, as_value_table
from loopmall.analytics.kpis.registry import BASELINE_WEEKS, Kpi

SHANGHAI_OFFSET = timedelta(hours=8)  # Asia/Shanghai keeps no daylight saving time
TREND_POINTS = 12

SPEND_SCHEMA = ibis.schema({"channel": dt.string, "day": dt.timestamp, "amount_minor": dt.float64})
SYNC_RUNS_SCHEMA = ibis.schema({"finished_at": dt.timestamp, "lag_p95_seconds": dt.float64})


def spend_daily_frame(spend: list[tuple[str, date, int]]) -> pd.DataFrame:
    """Monthly spend (channel, first day of month, amount_minor) spread evenly over the month's days
    (Shanghai days, stored as their UTC start), so any window can sum the spend it covers."""
    rows = []
    for channel, month, amount in spend:
        first = date(month.year, month.month, 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        days = (following - first).days
        for offset in range(days):
            day = first + timedelta(days=offset)
            start = datetime(day.year, day.month, day.day) - SHANGHAI_OFFSET  # noqa: DTZ001 (warehouse time is naive UTC)
            rows.append((channel, start, amount / days))
    return pd.DataFrame(rows, columns=["channel", "day", "amount_minor"]).astype(
        {"channel": "string", "day": "datetime64[us]", "amount_minor": "float64"}
    )


def sync_runs_frame(runs: list[tuple[datetime, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(naive(finished), lag) for finished, lag in runs], columns=["finished_at", "lag_p95_seconds"]
    ).astype({"finished_at": "datetime64[us]", "lag_p95_seconds": "float64"})


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def tables_for(con, *, spend=None, sync_runs=None) -> Tables:
    """The Tables a KPI sees on `con`; staff inputs become temporary tables of this connection."""
    spend_frame = spend_daily_frame(spend or [])
    runs_frame = sync_runs_frame(sync_runs or [])
    temp = {"temp": True} if getattr(con, "name", "") == "duckdb" else {}
    return Tables.from_backend(
        con,
        spend_daily=con.create_table(
            "kpi_spend_daily", spend_frame, schema=SPEND_SCHEMA, overwrite=True, **temp
        ),
        sync_runs=con.create_table(
            "kpi_sync_runs", runs_frame, schema=SYNC_RUNS_SCHEMA, overwrite=True, **temp
        ),
    )


# Placeholder window bounds: on DuckDB a KPI is compiled to SQL once with these, then run for every window
# by putting the real bounds in their place (compiling costs ~0.1 s, running a window a few ms).
_START = datetime(1901, 2, 3, 4, 5, 6, 7)  # noqa: DTZ001
_END = datetime(1902, 3, 4, 5, 6, 7, 8)  # noqa: DTZ001


def _duckdb_timestamp_sql(moment: datetime) -> str:
    seconds = moment.second + moment.microsecond / 1_000_000
    return (
        f"MAKE_TIMESTAMP({moment.year}, {moment.month}, {moment.day}, {moment.hour}, {moment.minute}, "
        f"{seconds:.6f})"
    )


def evaluate_windows(
    con, kpi: Kpi, t: Tables, windows: list[tuple[datetime, datetime]]
) -> list[float | None]:
    """The KPI's value over each window.

    A KPI expression may carry `.windows(t, windows)`: the same values for many windows in one query (a
    one-row table with v0, v1, ...); trends use it. Otherwise DuckDB runs the KPI's SQL once per window."""
    if kpi.expression is None or not windows:
        return [None] * len(windows)
    many = getattr(kpi.expression, "windows", None)
    if many is not None and len(windows) > 1:
        # The KPI knows how to compute all its windows in one pass (a one-row table, v<i> per window).
        frame = con.execute(many(t, windows))
        return [clean(frame[f"v{i}"].iloc[0]) for i in range(len(windows))]
    if getattr(con, "name", "") == "duckdb":
        expression = as_value_table(
            kpi.expression(t, ibis.literal(_START, "timestamp"), ibis.literal(_END, "timestamp"))
        )
        sql = str(con.compile(expression))
        start_sql, end_sql = _duckdb_timestamp_sql(_START), _duckdb_timestamp_sql(_END)
        if start_sql not in sql and end_sql not in sql:
            raise RuntimeError(f"KPI {kpi.key}: window bounds not found in its SQL")
        values = []
        for start, end in windows:
            query = sql.replace(start_sql, _duckdb_timestamp_sql(start)).replace(
                end_sql, _duckdb_timestamp_sql(end)
            )
            rows = con.con.execute(query).fetchall()
            values.append(clean(rows[0][0]) if rows else None)
        return values
    parts = [
        as_value_table(kpi.expression(t, start, end)).mutate(point=ibis.literal(i))
        for i, (start, end) in enumerate(windows)
    ]
    query = parts[0] if len(parts) == 1 else ibis.union(*parts)
    frame = con.execute(query)
    values: list[float | None] = [None] * len(windows)
    for point, value in zip(frame["point"], frame["value"], strict=True):
        values[int(point)] = clean(value)
    return values


def clean(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def activity_span(con) -> tuple[datetime | None, datetime | None]:
    """First and last moment of recorded activity (events or orders), naive UTC."""
    events = con.table("events")
    orders = con.table("orders")
    span = ibis.union(
        events.aggregate(first=events.occurred_at.min(), last=events.occurred_at.max()),
        orders.aggregate(first=orders.placed_at.min(), last=orders.placed_at.max()),
    )
    frame = con.execute(span.aggregate(first=span["first"].min(), last=span["last"].max()))
    first, last = frame["first"].iloc[0], frame["last"].iloc[0]
    return (
        None if pd.isna(first) else first.to_pydatetime(),
        None if pd.isna(last) else last.to_pydatetime(),
    )


def business_midnight_after(moment: datetime) -> datetime:
    """The next Asia/Shanghai midnight after a naive-UTC moment, as naive UTC."""
    local = moment + SHANGHAI_OFFSET
    day = datetime(local.year, local.month, local.day) + timedelta(days=1)  # noqa: DTZ001
    return day - SHANGHAI_OFFSET


@dataclass
class Evaluation:
    kpi: Kpi
    target: float
    as_of: datetime
    actual: float | None
    baseline: float | None = None
    baseline_window: tuple[datetime, datetime] | None = None
    change: float | None = None
    trend: list[tuple[datetime, float | None]] = field(default_factory=list)

    @property
    def measured(self) -> float | None:
        """The number compared with the target: the value, or its change for relative KPIs."""
        return self.change if self.kpi.comparison == "relative" else self.actual

    @property
    def status(self) -> str:
        """ok (meets target) / warn (close, or moving the right way) / bad / none (no data yet)."""
        value = self.measured
        if value is None:
            return "none"
        target = self.target
        if self.kpi.comparison == "relative":
            if self.kpi.direction == "higher":
                return "ok" if value >= target else "warn" if value >= target / 2 else "bad"
            return "ok" if value <= target else "warn" if value <= target / 2 else "bad"
        if self.kpi.direction == "higher":
            return "ok" if value >= target else "warn" if value >= 0.9 * target else "bad"
        return "ok" if value <= target else "warn" if value <= 1.25 * target else "bad"


def trend_windows(kpi: Kpi, as_of: datetime, points: int = TREND_POINTS) -> list[tuple[datetime, datetime]]:
    period = timedelta(days=kpi.period_days)
    ends = [as_of - timedelta(weeks=k) for k in range(points - 1, -1, -1)]
    return [(end - period, end) for end in ends]


def default_baseline(kpi: Kpi, first_activity: datetime) -> tuple[datetime, datetime]:
    start = (
        business_midnight_after(first_activity) - timedelta(days=1) + timedelta(days=kpi.baseline_lag_days)
    )
    return start, start + max(timedelta(weeks=BASELINE_WEEKS), timedelta(days=kpi.period_days))
