"""The scorecard: every KPI's actual, target, change against its baseline, status and weekly trend."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from loopmall.analytics.kpi_providers import kpi_value_from_provider
from loopmall.analytics.kpis.evaluate import (
    Evaluation,
    activity_span,
    business_midnight_after,
    default_baseline,
    evaluate_windows,
    naive,
    tables_for,
    trend_windows,
)
from loopmall.analytics.kpis.registry import KPIS, Kpi

log = logging.getLogger(__name__)


def _external_value(kpi: Kpi, start: datetime, end: datetime) -> float | None:
    """A value another app computes (insight, profiles) through the provider it registered, if any."""
    try:
        return kpi_value_from_provider(
            source=kpi.source, key=kpi.key, start=start.replace(tzinfo=UTC), end=end.replace(tzinfo=UTC)
        )
    except Exception:  # another app's bug must not blank the whole scorecard
        log.exception("the %s KPI provider failed for %s", kpi.source, kpi.key)
        return None


def _manual_value(kpi: Kpi, end: datetime, manual: dict[str, list[tuple[datetime, float]]]) -> float | None:
    for measured_at, value in manual.get(kpi.key, []):  # newest first
        if measured_at < end:
            return value
    return None


def evaluate_all(
    con,
    *,
    kpis: tuple[Kpi, ...] = KPIS,
    now: datetime,
    targets: dict[str, tuple[float, datetime | None, datetime | None]] | None = None,
    spend=None,
    sync_runs=None,
    manual: dict[str, list[tuple[datetime, float]]] | None = None,
    with_trend: bool = True,
) -> list[Evaluation]:
    """Evaluate KPIs on `con` as of the end of the last day with activity (never after `now`)."""
    targets = targets or {}
    manual = manual or {}
    t = tables_for(con, spend=spend, sync_runs=sync_runs)
    first, last = activity_span(con)
    now = naive(now)
    as_of = min(now, business_midnight_after(last)) if last else now
    results = []
    for kpi in kpis:
        target, baseline_start, baseline_end = targets.get(kpi.key, (kpi.target, None, None))
        windows = (
            trend_windows(kpi, as_of) if with_trend else [(as_of - timedelta(days=kpi.period_days), as_of)]
        )
        baseline_window = None
        if kpi.comparison == "relative":
            if baseline_start and baseline_end:
                baseline_window = (naive(baseline_start), naive(baseline_end))
            elif first:
                baseline_window = default_baseline(kpi, first)
        all_windows = windows + ([baseline_window] if baseline_window else [])
        if kpi.source == "warehouse":
            values = evaluate_windows(con, kpi, t, all_windows)
        elif kpi.source == "manual":
            values = [_manual_value(kpi, end, manual) for _, end in all_windows]
        else:
            values = [_external_value(kpi, start, end) for start, end in all_windows]
        trend_values = values[: len(windows)]
        baseline = values[-1] if baseline_window else None
        actual = trend_values[-1]
        change = None
        if kpi.comparison == "relative" and actual is not None and baseline:
            change = actual / baseline - 1
        results.append(
            Evaluation(
                kpi=kpi,
                target=target,
                as_of=as_of,
                actual=actual,
                baseline=baseline,
                baseline_window=baseline_window,
                change=change,
                trend=[(end, value) for (_, end), value in zip(windows, trend_values, strict=True)],
            )
        )
    return results
