"""Reads for the console and the API: scorecard, KPI detail, funnels, cohorts, sync lag.

The console reads KPIs only through here. Results are cached per warehouse state (the last sync run
and the last change of staff inputs), so a page view costs no warehouse query while nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.db.models import Max
from django.utils.translation import get_language

from loopmall.analytics import cohorts, funnels, warehouse
from loopmall.analytics.kpis import BY_KEY, KPIS
from loopmall.analytics.kpis.evaluate import Evaluation, naive
from loopmall.analytics.kpis.scorecard import evaluate_all
from loopmall.analytics.models import KpiManualValue, KpiTarget, MarketingSpend, SyncRun
from loopmall.core import clock

CACHE_SECONDS = 15 * 60


@dataclass(frozen=True)
class ScorecardRow:
    key: str
    name: str
    formula: str
    unit: str
    period_days: int
    plan_section: str
    direction: str
    comparison: str
    source: str
    inputs: str
    target: float
    actual: float | None
    baseline: float | None
    change: float | None
    status: str
    as_of: datetime
    trend: list[tuple[datetime, float | None]]

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "trend"}
        data["as_of"] = self.as_of.isoformat()
        data["trend"] = [{"week_end": end.isoformat(), "value": value} for end, value in self.trend]
        return data


def _row(evaluation: Evaluation) -> ScorecardRow:
    kpi = evaluation.kpi
    return ScorecardRow(
        key=kpi.key,
        name=kpi.name,
        formula=kpi.formula,
        unit=kpi.unit,
        period_days=kpi.period_days,
        plan_section=kpi.plan_section,
        direction=kpi.direction,
        comparison=kpi.comparison,
        source=kpi.source,
        inputs=kpi.inputs,
        target=evaluation.target,
        actual=evaluation.actual,
        baseline=evaluation.baseline,
        change=evaluation.change,
        status=evaluation.status,
        as_of=evaluation.as_of,
        trend=evaluation.trend,
    )


def staff_inputs() -> dict:
    targets = {
        t.key: (t.target, _midnight(t.baseline_start), _midnight(t.baseline_end))
        for t in KpiTarget.objects.all()
    }
    spend = list(MarketingSpend.objects.values_list("channel", "month", "amount_minor"))
    runs = list(
        SyncRun.objects.filter(is_ok=True, kind=SyncRun.Kind.SYNC, finished_at__isnull=False).values_list(
            "finished_at", "lag_p95_seconds"
        )
    )
    manual: dict[str, list] = {}
    for value in KpiManualValue.objects.order_by("key", "-measured_on"):
        manual.setdefault(value.key, []).append(
            (_midnight(value.measured_on) + timedelta(days=1), value.value)
        )
    return {"targets": targets, "spend": spend, "sync_runs": runs, "manual": manual}


def _midnight(day) -> datetime | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day) - timedelta(hours=8)  # noqa: DTZ001 (naive UTC)


def _state_key() -> str:
    parts = [
        SyncRun.objects.filter(is_ok=True).aggregate(m=Max("id"))["m"],
        KpiTarget.objects.aggregate(m=Max("updated_at"))["m"],
        MarketingSpend.objects.aggregate(m=Max("updated_at"))["m"],
        KpiManualValue.objects.aggregate(m=Max("id"))["m"],
        clock.business_date(),
        get_language(),
    ]
    return ":".join(str(p) for p in parts)


def scorecard(*, use_cache: bool = True) -> list[ScorecardRow]:
    key = f"analytics:scorecard:{_state_key()}"
    if use_cache and (cached := cache.get(key)) is not None:
        return cached
    inputs = staff_inputs()
    with warehouse.opened() as con:
        warehouse.migrate(con)
        rows = [_row(e) for e in evaluate_all(con, kpis=KPIS, now=clock.now(), **inputs)]
    cache.set(key, rows, CACHE_SECONDS)
    return rows


def kpi_detail(key: str) -> ScorecardRow:
    for row in scorecard():
        if row.key == key:
            return row
    raise KeyError(key)


def kpi_exists(key: str) -> bool:
    return key in BY_KEY


def funnel(steps: list[str], *, start: datetime, end: datetime, within_days: int = 7):
    with warehouse.opened() as con:
        warehouse.migrate(con)
        return funnels.funnel_compute(con, steps, start=naive(start), end=naive(end), within_days=within_days)


def retention(*, by: str = "week", max_weeks: int = 12) -> cohorts.Retention:
    key = f"analytics:retention:{by}:{max_weeks}:{_state_key()}"
    if (cached := cache.get(key)) is not None:
        return cached
    with warehouse.opened() as con:
        warehouse.migrate(con)
        result = cohorts.retention_compute(con, by=by, max_weeks=max_weeks)
    cache.set(key, result, CACHE_SECONDS)
    return result


def cohort_value() -> list[cohorts.CohortValue]:
    spend = {
        (channel, month.isoformat()): amount
        for channel, month, amount in MarketingSpend.objects.values_list("channel", "month", "amount_minor")
    }
    with warehouse.opened() as con:
        warehouse.migrate(con)
        return cohorts.value_compute(con, spend=spend)


def event_names(limit: int = 200) -> list[str]:
    with warehouse.opened() as con:
        warehouse.migrate(con)
        events = con.table("events")
        frame = con.execute(
            events.group_by("name").agg(n=events.count()).order_by(ibis_desc("n")).limit(limit)
        )
        return [str(n) for n in frame["name"]]


def ibis_desc(column: str):
    import ibis

    return ibis.desc(column)


@dataclass(frozen=True)
class SyncLag:
    runs: int
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None
    last_run: SyncRun | None
    recent: list[SyncRun]


def sync_lag(*, days: int = 7) -> SyncLag:
    """Lag over the last days' sync runs: the p95 of each run's p95 is the number held to < 2 minutes."""
    since = clock.now() - timedelta(days=days)
    runs = list(SyncRun.objects.filter(kind=SyncRun.Kind.SYNC, is_ok=True, started_at__gte=since))
    p95s = [r.lag_p95_seconds for r in runs if r.lag_p95_seconds is not None]
    p50s = [r.lag_p50_seconds for r in runs if r.lag_p50_seconds is not None]
    maxes = [r.lag_max_seconds for r in runs if r.lag_max_seconds is not None]
    return SyncLag(
        runs=len(runs),
        p50_seconds=float(np.median(p50s)) if p50s else None,
        p95_seconds=float(np.percentile(p95s, 95)) if p95s else None,
        max_seconds=max(maxes) if maxes else None,
        last_run=SyncRun.objects.first(),
        recent=list(SyncRun.objects.all()[:20]),
    )


def marketing_spend_list() -> list[MarketingSpend]:
    return list(MarketingSpend.objects.all()[:200])
