"""Queue jobs: the warehouse sync every minute.

The scorecard is not warmed here on purpose: computing it holds the DuckDB file for seconds, and while a
worker holds it the console (another process) cannot open it."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loopmall.analytics.warehouse import sync


# Highest priority: at each minute several apps' jobs are queued at once; the sync is taken first. A run
# that fails (warehouse file held by another process, database locked) is tried again 15 s later rather
# than a minute later.
@db_periodic_task(crontab(minute="*"), priority=100, retries=1, retry_delay=15)
@lock_task("analytics-warehouse-sync")
def warehouse_sync_every_minute() -> None:
    sync.run()
