"""Analytics API (mounted at /api/v1/analytics): client event ingestion and KPI reads."""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from loopmall.analytics import ingest, selectors
from loopmall.core.errors import DomainError, PermissionDenied

router = Router(tags=["analytics"])

# The events body is read by hand (sendBeacon posts text/plain, and errors must name index and field as
# ingest.batch_validate words them), so it is documented here rather than declared as a ninja Schema:
# a Schema would make ninja validate the body itself, with its own error shape.
_TEXT = {"type": "string", "maxLength": 64}
EVENT_SCHEMA = {
    "type": "object",
    "title": "ClientEvent",
    "required": ["event_id", "name", "timestamp"],
    "properties": {
        "event_id": {**_TEXT, "description": "Client-made unique id; an id already received is a duplicate."},
        "name": {**_TEXT, "description": "Event name, e.g. 'Product Viewed'; unknown names are kept."},
        "timestamp": {
            "oneOf": [{"type": "string", "format": "date-time"}, {"type": "number"}],
            "description": "ISO-8601 (no offset means Asia/Shanghai) or epoch milliseconds; at most "
            "10 minutes ahead and 30 days old.",
        },
        "user_id": {
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]*$"},
                {"type": "null"},
            ],
            "description": "Only the signed-in shopper's own id (staff may give any user); defaults to "
            "the signed-in user. Give user_id or anonymous_id.",
        },
        "anonymous_id": {
            "type": ["string", "null"],
            "maxLength": 64,
            "description": "Browser/device id when not signed in.",
        },
        "properties": {
            "type": ["object", "null"],
            "additionalProperties": True,
            "description": f"Free-form event properties, at most {ingest.MAX_PROPERTIES_BYTES} bytes as JSON.",
        },
        "channel": {"type": ["string", "null"], "maxLength": 32, "description": "e.g. mini_shop"},
    },
}
EVENTS_BODY_SCHEMA = {
    "type": "object",
    "title": "EventBatch",
    "required": ["batch"],
    "properties": {
        "batch": {"type": "array", "minItems": 1, "maxItems": ingest.MAX_BATCH, "items": EVENT_SCHEMA},
    },
}
EVENTS_REQUEST_BODY = {
    "required": True,
    "description": "A batch of events; read as JSON whatever the content type (sendBeacon sends text/plain).",
    "content": {
        "application/json": {"schema": EVENTS_BODY_SCHEMA},
        "text/plain": {"schema": EVENTS_BODY_SCHEMA},
    },
}


def _client_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    return f"ip:{address or 'unknown'}"


@router.post(
    "/events",
    auth=None,
    response={202: dict},
    summary="Send a batch of client-side events",
    description=(
        'Body: {"batch": [{"event_id", "name", "timestamp" (ISO-8601 or epoch ms), "user_id" or '
        '"anonymous_id", "properties", "channel"}]}, at most 500 events. Events already received '
        "(same event_id) are counted as duplicates. Unknown names are kept. Rate-limited per client (429)."
    ),
    openapi_extra={"requestBody": EVENTS_REQUEST_BODY},
)
def events_post(request: HttpRequest):
    try:
        # sendBeacon posts text/plain; read the body as JSON whatever the content type says.
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(_("The body is not valid JSON."), field="batch") from exc
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    result = ingest.events_ingest(
        payload=payload,
        client=_client_key(request),
        signed_in_user_id=user.pk if signed_in else None,
        is_staff=bool(signed_in and user.is_staff),
    )
    return 202, {"received": result.received, "accepted": result.accepted, "duplicates": result.duplicates}


def _staff(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        raise PermissionDenied("Staff only.")


@router.get("/kpis", summary="Every plan KPI with actual, target and status (staff)")
def kpis_list(request: HttpRequest):
    _staff(request)
    return [row.as_dict() for row in selectors.scorecard()]
