"""Insight API under /api/v1/insight.

POST /feedback takes feedback from outside channels (a chat tool, a survey service, another shop):
staff send their bearer token; an outside system sends `X-Channel-Key` with a key from the
LOOPMALL_INSIGHT_CHANNEL_KEYS setting. Idempotent by channel + feedback_id. Text in every response
is masked.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyHeader

from loopmall.accounts.auth import ApiTokenAuth, SessionCsrfAuth, staff_required
from loopmall.core import clock
from loopmall.core.errors import DomainError, NotFound
from loopmall.insight import board, pii, report, selectors, services, weeks
from loopmall.insight.models import Channel, FeedbackOrigin

router = Router(tags=["insight"])


class ChannelKeyAuth(APIKeyHeader):
    """`X-Channel-Key: <key>`; keys come from settings.LOOPMALL_INSIGHT_CHANNEL_KEYS (comma-separated env)."""

    param_name = "X-Channel-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        keys = getattr(settings, "LOOPMALL_INSIGHT_CHANNEL_KEYS", ())
        if key and any(hmac.compare_digest(key, k) for k in keys if k):
            return "channel-key"
        return None


class StaffTokenAuth(ApiTokenAuth):
    def authenticate(self, request: HttpRequest, token: str):
        user = super().authenticate(request, token)
        return user if user is not None and user.is_staff else None


class StaffSessionAuth(SessionCsrfAuth):
    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_staff else None


feedback_auth = [StaffTokenAuth(), StaffSessionAuth(), ChannelKeyAuth()]
staff_auth = [ApiTokenAuth(), SessionCsrfAuth()]


class FeedbackIn(Schema):
    feedback_id: str = Field(..., min_length=1, max_length=128)
    channel: str = Field(
        ...,
        description="review, comment, questionnaire, service_chat, return_reason, live_comment, search_query",
    )
    text: str = Field(..., max_length=services.MAX_TEXT)
    created_at: datetime | None = Field(
        None, description="ISO-8601; without an offset it means Asia/Shanghai"
    )
    rating: int | None = Field(None, ge=1, le=5)
    lang: str = Field("", max_length=8)
    user_id: int | None = None
    product_id: int | None = None
    sku_id: int | None = None
    order_id: int | None = None


class FeedbackOut(Schema):
    id: int
    feedback_id: str
    channel: str
    text: str
    lang: str
    rating: int | None
    created_at: datetime
    status: str
    demands: list[str]
    created: bool


def _out(feedback, created: bool) -> dict:
    return {
        "id": feedback.id,
        "feedback_id": feedback.external_id,
        "channel": feedback.channel,
        "text": pii.mask(feedback.text),
        "lang": feedback.lang,
        "rating": feedback.rating,
        "created_at": feedback.created_at,
        "status": feedback.status,
        "demands": list(feedback.demands.values_list("code", flat=True)),
        "created": created,
    }


@router.post("/feedback", response={201: FeedbackOut, 200: FeedbackOut}, auth=feedback_auth)
def feedback_create(request: HttpRequest, payload: FeedbackIn):
    """Record one feedback item; the same channel + feedback_id again returns the stored item (200)."""
    if payload.channel not in Channel.values or payload.channel in ("viewed_not_bought", "cart_abandoned"):
        raise DomainError(
            f"channel must be one of {', '.join(sorted(c for c in Channel.values if c not in ('viewed_not_bought', 'cart_abandoned')))}",
            field="channel",
        )
    created_at = payload.created_at or clock.now()
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=clock.business_zone())
    if created_at > clock.now() + timedelta(minutes=5):
        raise DomainError("created_at is in the future", field="created_at")
    item = services.FeedbackInput(
        channel=payload.channel, external_id=payload.feedback_id.strip(), created_at=created_at,
        text=payload.text, rating=payload.rating, lang=payload.lang, user_id=payload.user_id,
        product_id=payload.product_id, sku_id=payload.sku_id, order_id=payload.order_id,
    )  # fmt: skip
    feedback, created = services.feedback_record(item, origin=FeedbackOrigin.API)
    if created:
        services.feedback_classify_new(ids=[feedback.id])
        feedback.refresh_from_db()
    return Status(201 if created else 200, _out(feedback, created))


class DemandOut(Schema):
    code: str
    name_zh: str
    name_en: str
    definition: str
    lexicon_zh: list[str]
    lexicon_en: list[str]
    is_active: bool
    merged_into: str | None


@router.get("/demands", response=list[DemandOut], auth=staff_auth)
def demands_list(request: HttpRequest):
    staff_required(request)
    services.taxonomy_ensure_seeded()
    return [
        {**{k: getattr(d, k) for k in ("code", "name_zh", "name_en", "definition", "lexicon_zh", "lexicon_en",
                                       "is_active")}, "merged_into": d.merged_into.code if d.merged_into else None}
        for d in selectors.demands_all()
    ]  # fmt: skip


class ReportSummary(Schema):
    week: str
    generated_at: datetime
    is_final: bool
    feedback_count: int
    latency_p50_seconds: float | None


@router.get("/reports", response=list[ReportSummary], auth=staff_auth)
def reports_list(request: HttpRequest):
    staff_required(request)
    return selectors.reports_list()


@router.get("/reports/{week}", auth=staff_auth)
def report_detail(request: HttpRequest, week: str):
    """The stored report of a week (YYYY-Www) as JSON; quotes are masked."""
    staff_required(request)
    weeks.week_monday(week)
    stored = selectors.report_get(week)
    if stored is None:
        raise NotFound("no report for that week yet", field="week")
    return {"week": stored.week, "is_final": stored.is_final, **stored.payload}


@router.post("/reports/{week}", auth=staff_auth)
def report_build(request: HttpRequest, week: str):
    staff_required(request)
    weeks.week_monday(week)
    built = report.report_generate(week)
    return {"week": built.week, "is_final": built.is_final, "generated_at": built.generated_at}


class ScorecardOut(Schema):
    cards: int
    launched: int
    average_cycle_days: float | None
    on_time_rate: float | None
    satisfaction: float | None
    success_rate: float | None
    new_product_success_rate: float | None
    overdue: int
    target_cycle_days: int
    target_satisfaction: float
    target_new_product_success: float


@router.get("/board/scorecard", response=ScorecardOut, auth=staff_auth)
def board_scorecard(request: HttpRequest):
    staff_required(request)
    return board.scorecard().__dict__
