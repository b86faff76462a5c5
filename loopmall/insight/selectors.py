"""Insight reads for the console, the API and other apps. Anything with customer text masks it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from loopmall.core import clock
from loopmall.insight import frequency, pii, weeks
from loopmall.insight.contracts import DemandShare, FeedbackView, UserDemand
from loopmall.insight.models import (
    DemandDefinition,
    DomainWord,
    EmergingCluster,
    Feedback,
    FeedbackDemand,
    FeedbackKind,
    FeedbackStatus,
    LabelCorrection,
    LatentDemand,
    WeeklyReport,
)


def feedback_view(feedback: Feedback) -> FeedbackView:
    return FeedbackView(
        id=feedback.id,
        channel=feedback.channel,
        external_id=feedback.external_id,
        text=pii.mask(feedback.text),
        lang=feedback.lang,
        rating=feedback.rating,
        user_id=feedback.user_id,
        product_id=feedback.product_id,
        category_id=feedback.category_id,
        created_at=feedback.created_at,
        demands=tuple(d.code for d in feedback.demands.all()),
        uncertainty=feedback.uncertainty,
    )


def feedback_list(
    *,
    channel: str = "",
    code: str = "",
    lang: str = "",
    rating: int | None = None,
    status: str = "",
    query: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    uncovered: bool = False,
) -> QuerySet[Feedback]:
    """Feedback for the console list, newest first, with its demands prefetched."""
    queryset = Feedback.objects.prefetch_related(
        Prefetch("demands", FeedbackDemand.objects.order_by("-score"))
    )
    if channel:
        queryset = queryset.filter(channel=channel)
    if code == "_none":
        queryset = queryset.filter(kind=FeedbackKind.TEXT, demands__isnull=True)
    elif code:
        queryset = queryset.filter(demands__code=code)
    if lang:
        queryset = queryset.filter(lang=lang)
    if rating:
        queryset = queryset.filter(rating=rating)
    if status:
        queryset = queryset.filter(status=status)
    if query:
        queryset = queryset.filter(text__icontains=query)
    if since:
        queryset = queryset.filter(created_at__gte=since)
    if until:
        queryset = queryset.filter(created_at__lt=until)
    if uncovered:
        queryset = queryset.filter(kind=FeedbackKind.TEXT, max_score__lt=0.5)
    return queryset.select_related("product").order_by("-created_at", "-id").distinct()


def active_learning_queue(*, limit: int = 50) -> list[Feedback]:
    """Classified text feedback no one has corrected yet, the classifier's least sure first."""
    return list(
        Feedback.objects.filter(
            kind=FeedbackKind.TEXT,
            status=FeedbackStatus.CLASSIFIED,
            lang__in=["zh", "en"],
            corrections__isnull=True,
        )
        .prefetch_related("demands")
        .select_related("product")
        .order_by("-uncertainty", "-created_at", "id")[:limit]
    )


def demands_all(*, include_inactive: bool = True) -> list[DemandDefinition]:
    queryset = DemandDefinition.objects.select_related("merged_into")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return list(queryset.order_by("position", "id"))


def demand_codes_active() -> list[str]:
    return list(
        DemandDefinition.objects.filter(is_active=True)
        .order_by("position", "id")
        .values_list("code", flat=True)
    )


def demand_mention_counts(*, days: int = 28) -> dict[str, int]:
    since = clock.now() - timedelta(days=days)
    rows = (
        FeedbackDemand.objects.filter(feedback__created_at__gte=since).values("code").annotate(n=Count("id"))
    )
    return {r["code"]: r["n"] for r in rows}


def domain_words() -> list[DomainWord]:
    return list(DomainWord.objects.select_related("added_by").order_by("word"))


def corrections_recent(*, limit: int = 20) -> list[LabelCorrection]:
    return list(LabelCorrection.objects.select_related("feedback", "corrected_by")[:limit])


def corrections_pending_training() -> int:
    return LabelCorrection.objects.filter(used_in_training_at__isnull=True).count()


def clusters_list(*, status: str = EmergingCluster.Status.OPEN) -> list[EmergingCluster]:
    return list(
        EmergingCluster.objects.filter(status=status).select_related("promoted_to").order_by("-size", "id")
    )


def cluster_quotes(cluster: EmergingCluster) -> list[str]:
    texts = dict(Feedback.objects.filter(id__in=cluster.quote_ids).values_list("id", "text"))
    return [_short(pii.mask(texts[i])) for i in cluster.quote_ids if i in texts]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def latent_list(
    *, week: str | None = None, kind: str = "", include_dismissed: bool = False
) -> list[LatentDemand]:
    queryset = LatentDemand.objects.all()
    if week:
        queryset = queryset.filter(week=week)
    if kind:
        queryset = queryset.filter(kind=kind)
    if not include_dismissed:
        queryset = queryset.exclude(status=LatentDemand.Status.DISMISSED)
    return list(queryset.order_by("-week", "-strength", "id"))


def latent_weeks() -> list[str]:
    return list(LatentDemand.objects.values_list("week", flat=True).distinct().order_by("-week"))


def report_get(week: str) -> WeeklyReport | None:
    return WeeklyReport.objects.filter(week=week).first()


def reports_list() -> list[WeeklyReport]:
    return list(WeeklyReport.objects.defer("payload").order_by("-week"))


def report_latest() -> WeeklyReport | None:
    return WeeklyReport.objects.order_by("-week").first()


def demand_shares(week: str | None = None) -> list[DemandShare]:
    """This week's demands and their share (for dashboards of other apps)."""
    week = week or weeks.week_of(clock.now())
    names = {d.code: d for d in DemandDefinition.objects.all()}
    out = []
    for r in frequency.demand_frequency(week):
        d = names.get(r.code)
        out.append(
            DemandShare(
                code=r.code, name_zh=d.name_zh if d else r.code, name_en=d.name_en if d else r.code,
                mentions=r.mentions, share=r.share, is_high_frequency=r.is_high_frequency, is_rising=r.is_rising,
            )
        )  # fmt: skip
    return out


def user_demands(*, since: datetime | None = None) -> list[UserDemand]:
    """Per customer and demand: mentions and the latest one (for need tags in profiles)."""
    queryset = FeedbackDemand.objects.filter(feedback__user_id__isnull=False)
    if since:
        queryset = queryset.filter(feedback__created_at__gte=since)
    rows = queryset.values("feedback__user_id", "code").annotate(
        n=Count("id"), last=Max("feedback__created_at")
    )
    return [
        UserDemand(user_id=r["feedback__user_id"], code=r["code"], mentions=r["n"], last_at=r["last"])
        for r in rows
    ]


def feedback_counts_by_channel(*, since: datetime | None = None) -> dict[str, int]:
    queryset = Feedback.objects.all()
    if since:
        queryset = queryset.filter(created_at__gte=since)
    return dict(queryset.values_list("channel").annotate(n=Count("id")))


def pipeline_status() -> dict[str, int]:
    counts = Feedback.objects.aggregate(
        total=Count("id"),
        new=Count("id", filter=Q(status=FeedbackStatus.NEW)),
        classified=Count("id", filter=Q(status=FeedbackStatus.CLASSIFIED)),
    )
    counts["with_demand"] = FeedbackDemand.objects.values("feedback_id").distinct().count()
    return counts


def feedback_for_warehouse() -> Iterator[dict[str, Any]]:
    """Every feedback item as the analytics warehouse's `feedback` rows (its sync copies them whole):
    id, channel, time, user, product, rating, language and the demand codes found in it."""
    demands: dict[int, list[str]] = {}
    for feedback_id, code in (
        FeedbackDemand.objects.order_by("feedback_id", "code")
        .values_list("feedback_id", "code")
        .iterator(chunk_size=5000)
    ):
        demands.setdefault(feedback_id, []).append(code)
    rows = Feedback.objects.order_by("id").values_list(
        "id", "channel", "created_at", "user_id", "product_id", "rating", "lang"
    )
    for pk, channel, created_at, user_id, product_id, rating, lang in rows.iterator(chunk_size=5000):
        yield {
            "feedback_id": pk,
            "channel": channel,
            "created_at": created_at,
            "user_id": user_id,
            "product_id": product_id,
            "rating": rating,
            "lang": lang or None,
            "demands": demands.get(pk, []),
        }


def demand_top_products(code: str, *, limit: int = 3) -> list[int]:
    """The products whose feedback carries demand `code` most often (most first)."""
    rows = (
        FeedbackDemand.objects.filter(code=code, feedback__product_id__isnull=False)
        .values("feedback__product_id")
        .annotate(n=Count("id"))
        .order_by("-n", "feedback__product_id")[:limit]
    )
    return [r["feedback__product_id"] for r in rows]
