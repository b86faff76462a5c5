"""The insight app's plan KPIs, as the analytics scorecard receives them through its provider registry."""

from datetime import UTC, datetime, timedelta

import pytest

from loopmall.analytics.kpi_providers import kpi_value_from_provider
from loopmall.insight import kpis
from loopmall.insight.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationType,
    Channel,
    Feedback,
    FeedbackDemand,
    FeedbackOrigin,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 9, 1, tzinfo=UTC)
END = START + timedelta(days=90)


def card(code="packaging", *, identified, launched=None, measured=None, closed=None, status=None, **extra):
    return Adaptation.objects.create(
        demand_code=code,
        title=code,
        due_date=(identified + timedelta(days=30)).date(),
        identified_at=identified,
        launched_at=launched,
        measured_at=measured,
        closed_at=closed,
        status=status or AdaptationStatus.IDENTIFIED,
        **extra,
    )


def feedback(n, *, created, classified, demand=True, origin=FeedbackOrigin.API):
    item = Feedback.objects.create(
        channel=Channel.REVIEW,
        origin=origin,
        external_id=f"k{n}",
        text="盒子压扁了",
        created_at=created,
        collected_at=created + timedelta(seconds=5),
        classified_at=classified,
        status="classified",
    )
    if demand:
        FeedbackDemand.objects.create(feedback=item, code="packaging")
    return item


def value(key, start=START, end=END):
    return kpi_value_from_provider(source="insight", key=key, start=start, end=end)


def test_registered_for_the_scorecard_and_silent_on_other_keys():
    assert value("adaptation_projects_live") == 0.0
    assert kpis.plan_kpi_value(key="gmv", start=START, end=END) is None


def test_insight_hours_is_the_p95_from_arrival_to_identification():
    for n in range(20):  # 1 h … 20 h from arrival to classification
        created = START + timedelta(days=1, hours=n)
        feedback(n, created=created, classified=created + timedelta(hours=n + 1))
    feedback(99, created=START + timedelta(days=2), classified=START + timedelta(days=9), demand=False)
    feedback(98, created=END + timedelta(days=1), classified=END + timedelta(days=9))
    assert value("insight_hours") == 19.0  # the 19th of 20 ordered values; no-demand and later items left out
    assert value("insight_hours", START - timedelta(days=30), START) is None


def test_launch_cycle_projects_live_and_outcomes():
    day = timedelta(days=1)
    card(identified=START, launched=START + 10 * day, status=AdaptationStatus.LAUNCHED)
    card(
        "quality",
        identified=START + day,
        launched=START + 31 * day,
        measured=START + 60 * day,
        status=AdaptationStatus.MEASURED,
        outcome={"ratings": 10, "satisfied": 9, "success": True},
    )
    card(
        "price",
        identified=START + 2 * day,
        launched=START + 22 * day,
        measured=START + 70 * day,
        closed=START + 80 * day,
        status=AdaptationStatus.CLOSED,
        adaptation_type=AdaptationType.NEW_PRODUCT,
        outcome={"ratings": 10, "satisfied": 6, "success": False},
    )
    card("size_fit", identified=START + 5 * day)
    assert value("adaptation_cycle_days") == 20.0  # median of 10, 30 and 20 days
    assert value("demand_response_time") == 20.0
    assert value("adaptation_projects_live") == 2.0  # the closed card no longer counts
    assert value("adaptation_projects_live", START, START + 15 * day) == 1.0
    assert value("adaptation_satisfaction") == 0.75  # (9 + 6) / (10 + 10)
    assert value("new_product_success") == 0.0
    assert value("demand_satisfaction") == 0.25  # one measured success among four cards
    assert value("adaptation_cycle_days", START - 90 * day, START) is None


def test_identification_accuracy_needs_the_evaluation_texts(monkeypatch):
    from loopmall.insight.evaluation import harness

    monkeypatch.setattr(harness, "load_split", lambda split: [])
    kpis._accuracy_cache.clear()
    assert value("identification_accuracy") is None
