"""Scheduler jobs: keep tags, profiles and segment memberships fresh."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loopmall.profiles import services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), priority=10)
@lock_task("profiles-refresh")
def profiles_refresh() -> None:
    """Every minute: recompute tags from the warehouse (writing only what changed), then segments,
    so a customer enters or leaves a segment within a minute of the event that changes it."""
    try:
        services.profiles_recompute()
    except Exception:  # the warehouse may be busy or not built yet; segments still refresh from OLTP
        logger.exception("profile recompute failed")
    services.segments_refresh_all()
