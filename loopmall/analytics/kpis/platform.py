"""KPIs of the data platform and demand collection (plan §1.4, §2.1)."""

from __future__ import annotations

from datetime import datetime

from loopmall.analytics.kpis.base import FEEDBACK_CHANNELS, Tables, between, ratio


def data_sync_hours(t: Tables, start: datetime, end: datetime):
    """The worst per-run p95 sync lag (outbox → warehouse) among the runs in the window, in hours."""
    runs = t.sync_runs.filter(
        between(t.sync_runs.finished_at, start, end) & t.sync_runs.lag_p95_seconds.notnull()
    )
    return runs.lag_p95_seconds.max() / 3600.0


def demand_collection_coverage(t: Tables, start: datetime, end: datetime):
    """Share of the feedback channels of the data contract that delivered feedback in the window."""
    f = t.feedback.filter(
        between(t.feedback.created_at, start, end) & t.feedback.channel.isin(FEEDBACK_CHANNELS)
    )
    return ratio(f.channel.nunique(), len(FEEDBACK_CHANNELS), when=t.feedback.count() > 0)
