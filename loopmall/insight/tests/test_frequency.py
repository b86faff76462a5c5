"""Weekly demand shares, the rising test and the high-frequency flag."""

from datetime import timedelta

import pytest

from loopmall.insight import frequency, weeks
from loopmall.insight.models import Channel, Feedback, FeedbackDemand, FeedbackKind

pytestmark = pytest.mark.django_db

WEEK = "2026-W40"


def _add(week: str, total: int, with_code: int, code: str = "packaging", channel: str = Channel.REVIEW):
    start = weeks.week_bounds(week)[0] + timedelta(hours=10)
    for n in range(total):
        feedback = Feedback.objects.create(
            channel=channel, kind=FeedbackKind.TEXT, external_id=f"{week}-{channel}-{code}-{n}-{total}",
            text="t", created_at=start + timedelta(minutes=n), collected_at=start,
        )  # fmt: skip
        if n < with_code:
            FeedbackDemand.objects.create(feedback=feedback, code=code, score=0.9)


def test_two_proportion_test_needs_evidence():
    z, p = frequency.two_proportion_increase(3, 10, 4, 40)  # 30 % vs 10 %, but tiny counts
    assert p > 0.05
    z, p = frequency.two_proportion_increase(60, 200, 80, 800)  # 30 % vs 10 % on real volume
    assert p < 0.001
    assert z > 3


def test_wilson_interval_is_wide_for_small_samples():
    low_small, high_small = frequency.wilson_interval(3, 10)
    low_big, high_big = frequency.wilson_interval(300, 1000)
    assert high_small - low_small > 3 * (high_big - low_big)
    assert low_big < 0.3 < high_big


def test_share_and_rising_flag_on_real_volume():
    for week in weeks.previous_weeks(WEEK, 4):
        _add(week, 100, 10)
    _add(WEEK, 100, 35)
    row = frequency.demand_frequency(WEEK)[0]
    assert (row.code, row.mentions, row.feedback) == ("packaging", 35, 100)
    assert row.share == pytest.approx(0.35)
    assert row.previous_share == pytest.approx(0.10)
    assert row.is_rising
    assert row.is_high_frequency


def test_small_counts_do_not_raise_alarms():
    for week in weeks.previous_weeks(WEEK, 4):
        _add(week, 3, 0)
    _add(WEEK, 4, 2)  # 50 % share of four items
    row = frequency.demand_frequency(WEEK)[0]
    assert row.share == pytest.approx(0.5)
    assert not row.is_rising
    assert not row.is_high_frequency


def test_stable_share_is_not_rising():
    for week in weeks.previous_weeks(WEEK, 4):
        _add(week, 100, 30)
    _add(WEEK, 100, 32)
    row = frequency.demand_frequency(WEEK)[0]
    assert row.is_high_frequency
    assert not row.is_rising


def test_threshold_is_configurable(settings):
    _add(WEEK, 100, 25)
    assert not frequency.demand_frequency(WEEK)[0].is_high_frequency
    settings.LOOPMALL_INSIGHT_HIGH_FREQUENCY_SHARE = 0.2
    assert frequency.demand_frequency(WEEK)[0].is_high_frequency


def test_slices_by_channel():
    _add(WEEK, 40, 20, channel=Channel.RETURN_REASON)
    _add(WEEK, 60, 6, channel=Channel.REVIEW)
    rows = {r.key: r for r in frequency.demand_frequency(WEEK, dimension="channel")}
    assert rows["return_reason"].share == pytest.approx(0.5)
    assert rows["review"].share == pytest.approx(0.1)


def test_week_boundaries_are_shanghai_time():
    start, end = weeks.week_bounds(WEEK)
    Feedback.objects.create(
        channel=Channel.REVIEW, external_id="edge", text="t", created_at=start - timedelta(seconds=1),
        collected_at=start,
    )  # fmt: skip
    assert weeks.week_of(start - timedelta(seconds=1)) == weeks.week_shift(WEEK, -1)
    assert start.utcoffset() == timedelta(hours=8)
    series = frequency.weekly_series(WEEK, count=2)
    assert series["feedback"] == [1, 0]
