"""Insight's scheduled jobs (huey). Thin: each calls services.

every minute      collect new outbox events into feedback, classify them, refresh the running week's
                  report (that refresh is what insight latency measures)
every hour :05    emerging clusters and latent demands for the last 7 days
Monday 00:10      finalise the week that just closed (Asia/Shanghai; the scheduler runs in UTC)
"""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loopmall.core import clock
from loopmall.insight import collectors, emerging, latent, report, services, weeks

logger = logging.getLogger(__name__)


def insight_pipeline(*, refresh_report: bool = True) -> dict[str, Any]:
    """Collect, classify, and fold what is new into the running week's report."""
    collected = collectors.collect()
    backfilled = collectors.backfill_reviews()
    classified = 0
    while True:
        done = services.feedback_classify_new(limit=5000)
        classified += done
        if done < 5000:
            break
    summary = {
        "events": collected.events,
        "feedback": collected.feedback + backfilled,
        "behaviour": collected.behaviour,
        "classified": classified,
    }
    if refresh_report and classified:
        report.report_generate(weeks.week_of(clock.now()), final=False)
        summary["report"] = weeks.week_of(clock.now())
    return summary


def insight_discover() -> dict[str, int]:
    clusters = emerging.emerging_refresh()
    hypotheses = latent.latent_refresh()
    return {"clusters": len(clusters), "latent": len(hypotheses)}


def insight_close_week(week: str | None = None) -> str:
    week = week or weeks.last_closed_week()
    insight_pipeline(refresh_report=False)
    latent.latent_refresh(week=week)
    emerging.emerging_refresh()
    report.report_generate(week, final=True)
    return week


@db_periodic_task(crontab(minute="*"), priority=10)
@lock_task("insight-pipeline")
def insight_pipeline_every_minute():
    summary = insight_pipeline()
    if summary["events"] or summary["feedback"]:
        logger.info("insight pipeline: %s", summary)


@db_periodic_task(crontab(minute="5"))
@lock_task("insight-discover")
def insight_discover_hourly():
    insight_discover()


# Monday 00:10 in Asia/Shanghai is Sunday 16:10 UTC (huey's crontab runs on UTC unless told otherwise).
@db_periodic_task(crontab(day_of_week="0", hour="16", minute="10"))
@lock_task("insight-close-week")
def insight_weekly_report():
    insight_close_week()


def insight_bootstrap(*, weeks_back: int = 6) -> list[str]:
    """Bring a freshly loaded shop (the demo, an import) up to date: collect and classify everything,
    find clusters, and build the reports of the last `weeks_back` closed weeks plus the running one."""
    insight_pipeline(refresh_report=False)
    emerging.emerging_refresh()
    current = weeks.week_of(clock.now())
    built = []
    for back in range(weeks_back, 0, -1):
        week = weeks.week_shift(current, -back)
        latent.latent_refresh(week=week)
        report.report_generate(week, final=True)
        built.append(week)
    latent.latent_refresh()
    report.report_generate(current, final=False)
    return [*built, current]
