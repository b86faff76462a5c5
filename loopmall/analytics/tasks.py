"""Queue jobs: the warehouse sync every minute, then the scorecard warmed for the console."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loopmall.analytics.warehouse import sync

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("analytics-warehouse-sync")
def warehouse_sync_every_minute() -> None:
    sync.run()
    try:
        from loopmall.analytics import selectors

        selectors.scorecard()
    except Exception:  # a KPI failing must not stop the sync schedule
        log.exception("scorecard warm-up failed")
