"""The one place "now" comes from, so tests can move time (time-machine) and code stays aware of zones."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def business_date(moment: datetime | None = None) -> date:
    """The calendar day in the business time zone (Asia/Shanghai), used for daily and weekly KPIs."""
    return (moment or now()).astimezone(business_zone()).date()
