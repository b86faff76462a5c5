"""Analytics API (mounted at /api/v1/analytics): client event ingestion and KPI reads."""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja import Router

from loopmall.analytics import ingest, selectors
from loopmall.core.errors import DomainError, PermissionDenied

router = Router(tags=["analytics"])


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
)
def events_post(request: HttpRequest):
    try:
        # sendBeacon posts text/plain; read the body as JSON whatever the content type says.
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError("The body is not valid JSON.", field="batch") from exc
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
