"""The demand board: each demand the brand acts on becomes an adaptation card with an owner, a type, a
due date (30 days by default), and moves identified -> adapting -> launched -> measured -> closed.

Every move is checked against TRANSITIONS, stamps its time and appends an outbox event. Measuring a
launched card compares the demand's mention share before and after launch, the satisfaction of the
customers it touched (ratings >= 4 count as satisfied) and, for a new product, sales against the target.
The board's scorecard holds these against the plan: cycle <= 30 days, satisfaction >= 90 %, new-product
success >= 70 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from loopmall.core import clock
from loopmall.core.errors import Conflict, DomainError, NotFound
from loopmall.core.events import event_emit
from loopmall.insight import frequency, sources
from loopmall.insight.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationType,
    Channel,
    DemandDefinition,
    Feedback,
    FeedbackDemand,
    FeedbackKind,
)

S = AdaptationStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDENTIFIED: frozenset({S.ADAPTING, S.CLOSED}),
    S.ADAPTING: frozenset({S.LAUNCHED, S.IDENTIFIED, S.CLOSED}),
    S.LAUNCHED: frozenset({S.MEASURED}),
    S.MEASURED: frozenset({S.CLOSED, S.ADAPTING}),
    S.CLOSED: frozenset(),
}
_STAMP = {
    S.ADAPTING: "adapting_at",
    S.LAUNCHED: "launched_at",
    S.MEASURED: "measured_at",
    S.CLOSED: "closed_at",
}
FORWARD = {S.IDENTIFIED: S.ADAPTING, S.ADAPTING: S.LAUNCHED, S.LAUNCHED: S.MEASURED, S.MEASURED: S.CLOSED}

DEFAULT_DUE_DAYS = 30
TARGET_CYCLE_DAYS = 30
TARGET_SATISFACTION = 0.90
TARGET_NEW_PRODUCT_SUCCESS = 0.70
BEFORE_WINDOW = timedelta(days=28)


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def adaptation_create(
    *,
    demand_code: str,
    title: str,
    owner_id: int | None = None,
    adaptation_type: str = AdaptationType.IMPROVE_PRODUCT,
    due_date: date | None = None,
    product_ids: list[int] | None = None,
    category_id: int | None = None,
    sales_target_minor: int | None = None,
    note: str = "",
    by_user_id: int | None = None,
    at: datetime | None = None,
) -> Adaptation:
    """A new card for a demand. `at` records a card identified in the past (a brand's history brought in
    by an import or the demo); it may not lie in the future."""
    if not DemandDefinition.objects.filter(code=demand_code).exists():
        raise DomainError(_("unknown demand code"), field="demand_code")
    if not (title or "").strip():
        raise DomainError(_("a title is required"), field="title")
    if adaptation_type not in AdaptationType.values:
        raise DomainError(_("unknown adaptation type"), field="adaptation_type")
    if sales_target_minor is not None and sales_target_minor < 0:
        raise DomainError(_("the sales target cannot be negative"), field="sales_target_minor")
    if adaptation_type == AdaptationType.NEW_PRODUCT and not sales_target_minor:
        raise DomainError(_("a new product needs a sales target"), field="sales_target_minor")
    now = _moment(at)
    with transaction.atomic():
        card = Adaptation.objects.create(
            demand_code=demand_code, title=title.strip()[:200], owner_id=owner_id, adaptation_type=adaptation_type,
            due_date=due_date or (clock.business_date(now) + timedelta(days=DEFAULT_DUE_DAYS)),
            product_ids=[int(p) for p in product_ids or []], category_id=category_id,
            sales_target_minor=sales_target_minor, note=note, identified_at=now,
        )  # fmt: skip
        event_emit(
            "Demand Adaptation Created",
            properties={"adaptation_id": card.id, "demand": demand_code, "type": adaptation_type,
                        "owner_id": owner_id, "due_date": card.due_date.isoformat()},
            user_id=by_user_id, aggregate=("adaptation", card.id), occurred_at=now,
        )  # fmt: skip
    return card


def _moment(at: datetime | None) -> datetime:
    now = clock.now()
    if at is None:
        return now
    if at.tzinfo is None or at > now:
        raise DomainError(_("at must be a past time with a zone"), field="at")
    return at


def adaptation_move(
    *, adaptation_id: int, to: str, by_user_id: int | None = None, at: datetime | None = None
) -> Adaptation:
    """Move a card along the board; measuring computes the outcome (as of `at` for a past move, which
    may not come before the card's previous step)."""
    if to not in S.values:
        raise DomainError(_("unknown board column"), field="to")
    moment = _moment(at)
    with transaction.atomic():
        card = Adaptation.objects.select_for_update().filter(id=adaptation_id).first()
        if card is None:
            raise NotFound(_("no such adaptation"), field="adaptation_id")
        if not can_move(card.status, to):
            raise Conflict(_("cannot move from %(a)s to %(b)s") % {"a": card.status, "b": to}, field="to")
        steps = [card.identified_at, card.adapting_at, card.launched_at, card.measured_at, card.closed_at]
        if moment < max(step for step in steps if step is not None):
            raise DomainError(_("at must not come before the card's previous step"), field="at")
        now = moment
        previous = card.status
        card.status = to
        fields = ["status"]
        if to in _STAMP:
            setattr(card, _STAMP[to], now)
            fields.append(_STAMP[to])
        if to == S.ADAPTING and previous == S.MEASURED:
            card.launched_at = card.measured_at = None
            fields += ["launched_at", "measured_at"]
        if to == S.MEASURED:
            card.outcome = measure(card, at=now)
            fields.append("outcome")
        card.save(update_fields=fields)
        event_emit(
            "Demand Adaptation Moved",
            properties={"adaptation_id": card.id, "demand": card.demand_code, "from": previous, "to": to,
                        **({"outcome": card.outcome} if to == S.MEASURED else {})},
            user_id=by_user_id, aggregate=("adaptation", card.id), occurred_at=now,
        )  # fmt: skip
    return card


def adaptation_advance(*, adaptation_id: int, by_user_id: int | None = None) -> Adaptation:
    card = Adaptation.objects.filter(id=adaptation_id).first()
    if card is None:
        raise NotFound(_("no such adaptation"), field="adaptation_id")
    if card.status not in FORWARD:
        raise Conflict(_("this card is closed"), field="adaptation_id")
    return adaptation_move(adaptation_id=adaptation_id, to=FORWARD[card.status], by_user_id=by_user_id)


def _scope(card: Adaptation) -> Q:
    if card.product_ids:
        return Q(product_id__in=card.product_ids)
    if card.category_id:
        return Q(category_id=card.category_id)
    return Q()


def _mention_share(card: Adaptation, start: datetime, end: datetime) -> tuple[int, int]:
    feedback = Feedback.objects.filter(
        _scope(card), kind=FeedbackKind.TEXT, created_at__gte=start, created_at__lt=end
    )
    total = feedback.count()
    mentions = (
        FeedbackDemand.objects.filter(code=card.demand_code, feedback__in=feedback)
        .values("feedback_id")
        .distinct()
        .count()
    )
    return mentions, total


def measure(card: Adaptation, *, at: datetime) -> dict[str, Any]:
    """The outcome of a launched adaptation, measured at `at`."""
    launched = card.launched_at or at
    before_x, before_n = _mention_share(card, launched - BEFORE_WINDOW, launched)
    after_x, after_n = _mention_share(card, launched, at)
    share_before = before_x / before_n if before_n else None
    share_after = after_x / after_n if after_n else None
    z, p_value = frequency.two_proportion_increase(before_x, before_n, after_x, after_n)
    ratings = sources.review_ratings_after(
        product_ids=card.product_ids, category_id=card.category_id, since=launched
    )
    ratings += list(
        Feedback.objects.filter(
            _scope(card), channel=Channel.QUESTIONNAIRE, rating__isnull=False, created_at__gte=launched
        ).values_list("rating", flat=True)
    ) if (card.product_ids or card.category_id) else []  # fmt: skip
    satisfied = sum(1 for r in ratings if r >= 4)
    satisfaction = satisfied / len(ratings) if ratings else None
    sales = None
    if card.adaptation_type == AdaptationType.NEW_PRODUCT:
        sales = sources.sales_minor_after(product_ids=card.product_ids, since=launched)
    cycle_days = (launched - card.identified_at).total_seconds() / 86400 if card.launched_at else None
    if card.adaptation_type == AdaptationType.NEW_PRODUCT:
        success = bool(card.sales_target_minor) and sales is not None and sales >= card.sales_target_minor
    else:
        success = satisfaction is not None and satisfaction >= TARGET_SATISFACTION
        if share_before is not None and share_after is not None and share_after > share_before:
            success = False
    return {
        "measured_at": at.isoformat(),
        "mentions_before": before_x, "feedback_before": before_n, "share_before": share_before,
        "mentions_after": after_x, "feedback_after": after_n, "share_after": share_after,
        "share_drop_p_value": round(p_value, 6),
        "ratings": len(ratings), "satisfied": satisfied, "satisfaction": satisfaction,
        "sales_minor": sales, "sales_target_minor": card.sales_target_minor, "currency": card.currency,
        "cycle_days": round(cycle_days, 2) if cycle_days is not None else None,
        "on_time": cycle_days is not None and cycle_days <= TARGET_CYCLE_DAYS,
        "success": success,
    }  # fmt: skip


@dataclass(frozen=True)
class Scorecard:
    cards: int
    launched: int
    average_cycle_days: float | None
    on_time_rate: float | None
    satisfaction: float | None
    success_rate: float | None
    new_product_success_rate: float | None
    overdue: int
    target_cycle_days: int = TARGET_CYCLE_DAYS
    target_satisfaction: float = TARGET_SATISFACTION
    target_new_product_success: float = TARGET_NEW_PRODUCT_SUCCESS


def scorecard() -> Scorecard:
    cards = list(Adaptation.objects.all())
    launched = [c for c in cards if c.launched_at]
    cycles = [(c.launched_at - c.identified_at).total_seconds() / 86400 for c in launched]
    measured = [c for c in cards if c.outcome and c.status in (S.MEASURED, S.CLOSED)]
    ratings = sum(c.outcome.get("ratings", 0) for c in measured)
    satisfied = sum(c.outcome.get("satisfied", 0) for c in measured)
    new_products = [c for c in measured if c.adaptation_type == AdaptationType.NEW_PRODUCT]
    today = clock.business_date()
    return Scorecard(
        cards=len(cards),
        launched=len(launched),
        average_cycle_days=round(sum(cycles) / len(cycles), 1) if cycles else None,
        on_time_rate=sum(1 for d in cycles if d <= TARGET_CYCLE_DAYS) / len(cycles) if cycles else None,
        satisfaction=satisfied / ratings if ratings else None,
        success_rate=sum(1 for c in measured if c.outcome.get("success")) / len(measured)
        if measured
        else None,
        new_product_success_rate=(
            sum(1 for c in new_products if c.outcome.get("success")) / len(new_products)
            if new_products
            else None
        ),
        overdue=sum(1 for c in cards if c.status in (S.IDENTIFIED, S.ADAPTING) and c.due_date < today),
    )


def board_columns() -> dict[str, list[Adaptation]]:
    columns: dict[str, list[Adaptation]] = {status: [] for status in S.values}
    for card in Adaptation.objects.select_related("owner").order_by("due_date", "id"):
        columns[card.status].append(card)
    return columns
