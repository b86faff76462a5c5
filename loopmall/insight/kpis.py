"""The plan KPIs the insight app measures (registry source "insight"; plan sections 2.1, 2.2 and the
timeline), answered for the analytics scorecard through `analytics.kpi_providers` (registered in
InsightConfig.ready()). Each answer covers [start, end); None means no evidence in the window.

- insight_hours: p95 hours from a feedback item entering LoopMall to its demands being identified
  (classified), over text feedback created in the window that carries a demand.
- identification_accuracy: micro-F1 of the classifier in use on the hand-labelled evaluation set
  (`insight/evaluation`); it does not depend on the window, and needs the evaluation texts.
- demand_response_time and adaptation_cycle_days: median days from a demand identified (its board card
  created) to its adaptation launched, over cards launched in the window. The registry compares the first
  with its baseline window and holds the second against the 30-day target.
- adaptation_projects_live: board cards launched before the window's end and not closed by then.
- demand_match_rate: of the demands flagged high-frequency in the weeks of the window, the share with an
  adaptation launched before the window's end.
- adaptation_satisfaction: satisfied ratings (4–5) / ratings, over the outcomes of cards measured in the
  window.
- new_product_demand_match: of the buyers (in the window) of the products of new-product cards, the share
  who had themselves voiced that card's demand in feedback before buying.
- new_product_success: new-product cards measured in the window that met their sales target / those
  measured.
- demand_satisfaction: cards identified before the window's end, not closed before it starts, whose
  measured outcome is a success / those cards.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q

from loopmall.insight import frequency, sources, weeks
from loopmall.insight.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationType,
    Feedback,
    FeedbackDemand,
    FeedbackKind,
)
from loopmall.insight.report import entered_at

_accuracy_cache: dict[str, float | None] = {}
# Flags of closed weeks, keyed by the week and a fingerprint of the classified feedback (a new or
# re-classified item changes it), so a cached answer never outlives the data it was computed from.
_flagged_cache: dict[tuple, frozenset[str]] = {}


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def insight_hours(start: datetime, end: datetime) -> float | None:
    rows = (
        Feedback.objects.filter(
            kind=FeedbackKind.TEXT,
            created_at__gte=start,
            created_at__lt=end,
            classified_at__isnull=False,
            demands__isnull=False,
        )
        .distinct()
        .values_list("origin", "created_at", "collected_at", "classified_at")
    )
    hours = [
        max(0.0, (classified - entered_at(origin, created, collected)).total_seconds() / 3600)
        for origin, created, collected, classified in rows
    ]
    value = _p95(hours)
    return None if value is None else round(value, 3)


def identification_accuracy(start: datetime, end: datetime) -> float | None:
    from loopmall.insight.classifier import get_classifier
    from loopmall.insight.classifier.core import model_path, saved_corrections
    from loopmall.insight.evaluation.harness import evaluate, load_split
    from loopmall.insight.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    # never train on a scorecard request: without a model, measure the lexicon rules that classify meanwhile
    classifier = get_classifier(taxonomy, train_if_missing=False)
    trained = model_path(taxonomy, saved_corrections()).name
    key = trained if classifier.is_trained else f"lexicon:{taxonomy.fingerprint}"
    if key not in _accuracy_cache:
        items = load_split("eval")
        if not items:
            return None  # the evaluation texts (../shared/data) are not on this machine
        scores, _ = evaluate(classifier, items)
        _accuracy_cache[key] = round(scores.micro_f1, 4)
    return _accuracy_cache[key]


def _launch_days(start: datetime, end: datetime) -> float | None:
    cards = Adaptation.objects.filter(launched_at__gte=start, launched_at__lt=end)
    days = [(c.launched_at - c.identified_at).total_seconds() / 86400 for c in cards]
    return round(statistics.median(days), 2) if days else None


def adaptation_projects_live(start: datetime, end: datetime) -> float | None:
    live = Adaptation.objects.filter(launched_at__lt=end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=end)
    )
    return float(live.count())


def demand_match_rate(start: datetime, end: datetime) -> float | None:
    flagged: set[str] = set()
    closed = weeks.last_closed_week()
    state = FeedbackDemand.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("feedback__classified_at"))
    fingerprint = (state["n"], state["last"], state["at"])
    moment = start
    while moment < end + timedelta(days=7):
        week = weeks.week_of(min(moment, end - timedelta(microseconds=1)))
        key = (week, fingerprint)
        if key in _flagged_cache:
            codes = _flagged_cache[key]
        else:
            codes = frozenset(row.code for row in frequency.demand_frequency(week) if row.is_high_frequency)
            if week <= closed:
                _flagged_cache[key] = codes
        flagged |= codes
        moment += timedelta(days=7)
    if not flagged:
        return None
    answered = set(
        Adaptation.objects.filter(demand_code__in=flagged, launched_at__lt=end).values_list(
            "demand_code", flat=True
        )
    )
    return round(len(answered) / len(flagged), 4)


def _measured(start: datetime, end: datetime):
    return Adaptation.objects.filter(measured_at__gte=start, measured_at__lt=end).exclude(outcome={})


def adaptation_satisfaction(start: datetime, end: datetime) -> float | None:
    ratings = satisfied = 0
    for card in _measured(start, end):
        ratings += int(card.outcome.get("ratings") or 0)
        satisfied += int(card.outcome.get("satisfied") or 0)
    return round(satisfied / ratings, 4) if ratings else None


def new_product_demand_match(start: datetime, end: datetime) -> float | None:
    buyers_total = holders = 0
    cards = Adaptation.objects.filter(adaptation_type=AdaptationType.NEW_PRODUCT, launched_at__lt=end)
    for card in cards:
        if not card.product_ids:
            continue
        buyers = sources.buyers_between(
            product_ids=card.product_ids, since=max(start, card.launched_at), until=end
        )
        if not buyers:
            continue
        voiced = set(
            FeedbackDemand.objects.filter(
                code=card.demand_code, feedback__user_id__in=buyers, feedback__created_at__lt=end
            ).values_list("feedback__user_id", flat=True)
        )
        buyers_total += len(buyers)
        holders += len(voiced)
    return round(holders / buyers_total, 4) if buyers_total else None


def new_product_success(start: datetime, end: datetime) -> float | None:
    cards = list(_measured(start, end).filter(adaptation_type=AdaptationType.NEW_PRODUCT))
    if not cards:
        return None
    return round(sum(1 for c in cards if c.outcome.get("success")) / len(cards), 4)


def demand_satisfaction(start: datetime, end: datetime) -> float | None:
    cards = list(
        Adaptation.objects.filter(identified_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=start)
        )
    )
    if not cards:
        return None
    answered = sum(
        1
        for c in cards
        if c.status in (AdaptationStatus.MEASURED, AdaptationStatus.CLOSED) and c.outcome.get("success")
    )
    return round(answered / len(cards), 4)


HANDLERS: dict[str, Callable[[datetime, datetime], float | None]] = {
    "insight_hours": insight_hours,
    "identification_accuracy": identification_accuracy,
    "demand_response_time": _launch_days,
    "adaptation_projects_live": adaptation_projects_live,
    "demand_match_rate": demand_match_rate,
    "adaptation_cycle_days": _launch_days,
    "adaptation_satisfaction": adaptation_satisfaction,
    "new_product_demand_match": new_product_demand_match,
    "new_product_success": new_product_success,
    "demand_satisfaction": demand_satisfaction,
}


def plan_kpi_value(*, key: str, start: datetime, end: datetime) -> float | None:
    """The value of plan KPI `key` over [start, end), or None (not an insight KPI, or no evidence)."""
    handler = HANDLERS.get(key)
    return None if handler is None else handler(start, end)
