"""ISO weeks in the business time zone (Asia/Shanghai): "2026-W49" runs Monday 00:00 to Monday 00:00 local."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from loopmall.core import clock
from loopmall.core.errors import DomainError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(moment: datetime) -> str:
    year, week, _ = clock.business_date(moment).isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    match = _WEEK.match(week or "")
    if not match:
        raise DomainError("week must look like 2026-W49", field="week")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise DomainError(f"{week} is not a week of that year", field="week") from None


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the week as aware datetimes."""
    monday = week_monday(week)
    start = datetime.combine(monday, time.min, tzinfo=clock.business_zone())
    return start, start + timedelta(days=7)


def week_shift(week: str, weeks: int) -> str:
    return week_of(week_bounds(week)[0] + timedelta(weeks=weeks, hours=12))


def previous_weeks(week: str, count: int) -> list[str]:
    """The `count` weeks before `week`, oldest first."""
    return [week_shift(week, -n) for n in range(count, 0, -1)]


def last_closed_week(moment: datetime | None = None) -> str:
    """The most recent week that has ended."""
    return week_shift(week_of(moment or clock.now()), -1)
