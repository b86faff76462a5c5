"""Client-side events (storefront page views, shares, live clicks) into the outbox.

`events_ingest` validates a whole batch first (errors name the index and the field, nothing is written
when one event is bad), drops events whose event_id is already known (counted as duplicates, not
errors) and appends the rest to the outbox in one transaction. Unknown event names are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from loopmall.core import clock
from loopmall.core.errors import DomainError
from loopmall.core.events import event_emit

MAX_BATCH = 500
MAX_PROPERTIES_BYTES = 8_192
MAX_FUTURE_SKEW = timedelta(minutes=10)
MAX_AGE = timedelta(days=30)


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


@dataclass(frozen=True)
class CleanEvent:
    event_id: str
    name: str
    occurred_at: datetime
    user_id: int | None
    anonymous_id: str
    properties: dict
    channel: str


@dataclass(frozen=True)
class IngestResult:
    received: int
    accepted: int
    duplicates: int


def rate_limit_check(*, client: str, now: datetime | None = None) -> None:
    """At most LOOPMALL_EVENTS_RATE_LIMIT batches per client per minute (fixed window, shared cache)."""
    limit = int(getattr(settings, "LOOPMALL_EVENTS_RATE_LIMIT", 120))
    moment = now or clock.now()
    window = moment.strftime("%Y%m%d%H%M")
    key = f"analytics:events:rate:{client}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise RateLimited(_("Too many event batches; try again in a minute."), field="batch")


def _text(raw: dict, key: str, index: int, *, required: bool, max_length: int) -> str:
    value = raw.get(key)
    field = f"batch[{index}].{key}"
    if value is None or value == "":
        if required:
            raise DomainError(_("This field is required."), field=field)
        return ""
    if not isinstance(value, str):
        raise DomainError(_("Must be a string."), field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return value


def _timestamp(raw: dict, index: int, now: datetime) -> datetime:
    field = f"batch[{index}].timestamp"
    value = raw.get("timestamp")
    moment = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # epoch milliseconds (what JavaScript's Date.now() gives)
        try:
            moment = datetime.fromtimestamp(value / 1000, tz=clock.business_zone())
        except (OverflowError, OSError, ValueError):
            moment = None
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.business_zone())  # no offset means Asia/Shanghai
    if moment is None:
        raise DomainError(_("Give an ISO-8601 time or epoch milliseconds."), field=field)
    if moment > now + MAX_FUTURE_SKEW:
        raise DomainError(_("This time is in the future."), field=field)
    if moment < now - MAX_AGE:
        raise DomainError(_("This event is too old for live ingestion; import it instead."), field=field)
    return moment


def batch_validate(payload: Any, *, signed_in_user_id: int | None, is_staff: bool) -> list[CleanEvent]:
    if not isinstance(payload, dict) or not isinstance(payload.get("batch"), list):
        raise DomainError(_('Send {"batch": [events]}.'), field="batch")
    batch = payload["batch"]
    if not batch:
        raise DomainError(_("The batch is empty."), field="batch")
    if len(batch) > MAX_BATCH:
        raise DomainError(_("At most %(n)d events a batch.") % {"n": MAX_BATCH}, field="batch")
    now = clock.now()
    clean = []
    for index, raw in enumerate(batch):
        if not isinstance(raw, dict):
            raise DomainError(_("Each event must be an object."), field=f"batch[{index}]")
        event_id = _text(raw, "event_id", index, required=True, max_length=64)
        name = _text(raw, "name", index, required=True, max_length=64)
        occurred_at = _timestamp(raw, index, now)
        anonymous_id = _text(raw, "anonymous_id", index, required=False, max_length=64)
        channel = _text(raw, "channel", index, required=False, max_length=32)
        user_id = raw.get("user_id")
        if user_id in (None, ""):
            user_id = None
        else:
            if isinstance(user_id, bool) or not str(user_id).isdigit():
                raise DomainError(_("Must be a user id."), field=f"batch[{index}].user_id")
            user_id = int(user_id)
            # A browser may speak only for the shopper signed in on it; staff tools may speak for anyone.
            if user_id != signed_in_user_id and not is_staff:
                raise DomainError(
                    _("Events may only carry the signed-in user's id."), field=f"batch[{index}].user_id"
                )
        if user_id is None:
            user_id = signed_in_user_id
        if user_id is None and not anonymous_id:
            raise DomainError(_("Give user_id or anonymous_id."), field=f"batch[{index}].anonymous_id")
        properties = raw.get("properties") or {}
        if not isinstance(properties, dict):
            raise DomainError(_("Must be a JSON object."), field=f"batch[{index}].properties")
        if len(json.dumps(properties, ensure_ascii=False).encode()) > MAX_PROPERTIES_BYTES:
            raise DomainError(_("Properties are too large."), field=f"batch[{index}].properties")
        clean.append(CleanEvent(event_id, name, occurred_at, user_id, anonymous_id, properties, channel))
    if is_staff:
        _check_users_exist(clean)
    return clean


def _check_users_exist(events: list[CleanEvent]) -> None:
    from django.contrib.auth import get_user_model

    wanted = {e.user_id for e in events if e.user_id is not None}
    found = set(get_user_model().objects.filter(id__in=wanted).values_list("id", flat=True))
    for index, event in enumerate(events):
        if event.user_id is not None and event.user_id not in found:
            raise DomainError(_("No such user."), field=f"batch[{index}].user_id")


def events_ingest(
    *, payload: Any, client: str, signed_in_user_id: int | None = None, is_staff: bool = False
) -> IngestResult:
    """Validate, rate-limit, deduplicate and append a batch of client events to the outbox."""
    rate_limit_check(client=client)
    events = batch_validate(payload, signed_in_user_id=signed_in_user_id, is_staff=is_staff)
    return _append_new(events)


def _append_new(events: list[CleanEvent]) -> IngestResult:
    from loopmall.core.models import OutboxEvent

    unique: dict[str, CleanEvent] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    accepted = 0
    with transaction.atomic():
        known = set(OutboxEvent.objects.filter(event_id__in=list(unique)).values_list("event_id", flat=True))
        for event in unique.values():
            if event.event_id in known:
                continue
            try:
                # A concurrent request may have written the same id since we looked: skip it then.
                with transaction.atomic():
                    event_emit(
                        event.name,
                        properties=event.properties,
                        user_id=event.user_id,
                        anonymous_id=event.anonymous_id,
                        channel=event.channel,
                        occurred_at=event.occurred_at,
                        event_id=event.event_id,
                    )
            except IntegrityError:
                continue
            accepted += 1
    return IngestResult(received=len(events), accepted=accepted, duplicates=len(events) - accepted)
