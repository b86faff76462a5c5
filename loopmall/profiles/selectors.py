"""Reads of the profiles app: customer lists, customer 360, tag summaries, segments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from loopmall.core.models import OutboxEvent
from loopmall.profiles.models import ProfileRun, Segment, TagEvaluation, TagKind, UserProfile, UserTag
from loopmall.profiles.tags import NEED_TAG_CODES, NEED_TAGS

SOCIAL_EVENTS = (
    "Product Shared", "Cart Shared", "Product Reviewed", "Post Viewed", "Post Liked", "Post Shared",
    "Comment Posted", "Community Joined", "Community Left", "Challenge Entered", "Live Session Joined",
    "Live Product Clicked", "Invite Sent", "Invite Accepted", "Group Buy Started", "Group Buy Joined",
    "Points Earned", "Points Redeemed", "Commission Earned", "Ticket Opened", "Survey Answered",
)  # fmt: skip
NEED_TAG_DEFINITIONS = {t.code: t.definition for t in NEED_TAGS}


@dataclass(frozen=True)
class CustomerFilters:
    query: str = ""
    tag: str = ""
    segment_id: int | None = None
    lifecycle: str = ""


def customers_for_console(*, filters: CustomerFilters, page: int = 1, per_page: int = 25) -> Page:
    users = get_user_model().objects.filter(is_staff=False).select_related("profile")
    if filters.query:
        q = filters.query.strip()
        users = users.filter(Q(login__icontains=q) | Q(display_name__icontains=q) | Q(city__icontains=q))
    if filters.tag:
        users = users.filter(tags__tag=filters.tag)
    if filters.segment_id:
        users = users.filter(segment_memberships__segment_id=filters.segment_id)
    if filters.lifecycle:
        users = users.filter(profile__lifecycle=filters.lifecycle)
    users = users.order_by("-profile__revenue_minor", "-id").prefetch_related("tags")
    return Paginator(users, per_page).get_page(page)


def tag_counts() -> list[dict[str, Any]]:
    """How many customers hold each tag, with average score."""
    from django.db.models import Avg

    return list(
        UserTag.objects.values("tag", "kind")
        .annotate(users=Count("id"), score=Avg("score"))
        .order_by("kind", "-users")
    )


def customer_get(*, user_id: int):
    from loopmall.core.errors import NotFound

    user = get_user_model().objects.filter(id=user_id, is_staff=False).select_related("invited_by").first()
    if user is None:
        raise NotFound("No such customer.", field="user_id")
    return user


def customer_tags(*, user) -> list[UserTag]:
    return list(UserTag.objects.filter(user=user).order_by("kind", "-score"))


def customer_profile(*, user) -> UserProfile | None:
    return UserProfile.objects.filter(user=user).first()


def customer_social_activity(*, user, limit: int = 50) -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(user=user, name__in=SOCIAL_EVENTS).order_by("-occurred_at")[:limit]
    )


def customer_behaviour_counts(*, user) -> list[dict[str, Any]]:
    return list(
        OutboxEvent.objects.filter(user=user).values("name").annotate(n=Count("id")).order_by("-n")[:15]
    )


def segments_list() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")


def segment_get(*, segment_id: int) -> Segment:
    from loopmall.core.errors import NotFound

    segment = Segment.objects.filter(id=segment_id).first()
    if segment is None:
        raise NotFound("No such segment.", field="segment_id")
    return segment


def segment_member_ids(*, segment_id: int) -> list[int]:
    return list(Segment.objects.get(id=segment_id).memberships.values_list("user_id", flat=True))


def last_run() -> ProfileRun | None:
    return ProfileRun.objects.filter(finished_at__isnull=False).first()


def tags_for_export() -> QuerySet[UserTag]:
    return UserTag.objects.select_related("user").order_by("user_id", "kind", "tag")


def contract_user_id(user) -> str:
    """The id a script knows a user by: the imported id for imported users, else the LoopMall id."""
    external = user.external_id or ""
    if external.startswith("bundle:"):
        return external.removeprefix("bundle:")
    return str(user.pk)


def tag_evaluation_latest() -> TagEvaluation | None:
    return TagEvaluation.objects.first()


def plan_kpi_value(*, key: str, start, end) -> float | None:
    """Plan KPIs this app measures (read by analytics' scorecard).

    profile_accuracy: the lowest need-tag precision of the latest evaluation against hidden traits made
    up to the end of the window (`loopmall profiles evaluate`).
    content_match_rate: of the post views in the window (warehouse events) by customers holding need
    tags now, of posts with need tags, the share where post and viewer share a need (`content.py` says
    where a post's need tags come from); None when no such view exists.
    """
    if key == "profile_accuracy":
        evaluation = TagEvaluation.objects.filter(evaluated_at__lt=end).first()
        return evaluation.min_precision if evaluation else None
    if key == "content_match_rate":
        return content_match_rate_from_warehouse(start=start, end=end)
    return None


def content_match_rate_from_warehouse(*, start, end, con=None) -> float | None:
    import ibis

    from loopmall.analytics.warehouse.connection import opened, table_names
    from loopmall.profiles.content import content_match_rate

    frame = _need_tag_frame()
    if frame.empty:
        return None
    tags = ibis.memtable(frame)

    def measure(connection) -> float | None:
        if not {"events", "products"} <= set(table_names(connection)):
            return None
        return content_match_rate(
            connection.table("events"), connection.table("products"), tags, _naive_utc(start), _naive_utc(end)
        )

    if con is not None:
        return measure(con)
    with opened() as owned:
        return measure(owned)


_need_tags_cached: tuple[tuple, object] | None = None


def _need_tag_frame():
    """(user_id, tag) of every need tag held now; read again only when the tags changed (the scorecard
    asks for a dozen trend windows in a row)."""
    global _need_tags_cached
    import pandas as pd
    from django.db.models import Max, Min, Sum

    held = UserTag.objects.filter(kind=TagKind.NEED, tag__in=NEED_TAG_CODES)
    state = tuple(
        held.aggregate(
            n=Count("id"), last=Max("computed_at"), top=Max("id"), bottom=Min("id"), users=Sum("user_id")
        ).values()
    )
    if _need_tags_cached is None or _need_tags_cached[0] != state:
        pairs = list(held.values_list("user_id", "tag"))
        frame = pd.DataFrame(pairs, columns=["user_id", "tag"]).astype({"user_id": "int64", "tag": "string"})
        _need_tags_cached = (state, frame)
    return _need_tags_cached[1]


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
