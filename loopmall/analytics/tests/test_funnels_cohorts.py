"""Funnels, retention and cohort value on the tiny hand-checked data set (DuckDB)."""

import pytest

from loopmall.analytics import cohorts, funnels
from loopmall.analytics.tests import tiny
from loopmall.core.errors import DomainError


def test_funnel_counts_conversion_and_median_time(duck):
    # Entered: users 1, 2 and visitor a1 viewed a product; only user 1 added (10 min later) and
    # completed the order (20 min after adding).
    steps = funnels.funnel_compute(
        duck, ["Product Viewed", "Product Added", "Order Completed"], start=tiny.JAN[0], end=tiny.JAN[1]
    )
    assert [s.people for s in steps] == [3, 1, 1]
    assert steps[1].conversion_from_first == pytest.approx(1 / 3)
    assert steps[2].conversion_from_previous == pytest.approx(1.0)
    assert [s.median_seconds_from_previous for s in steps] == [None, 600.0, 1200.0]


def test_funnel_steps_must_happen_in_order(duck):
    # Nobody completed an order after a group-buy join *and then* viewed a product.
    steps = funnels.funnel_compute(
        duck, ["Order Completed", "Product Viewed"], start=tiny.JAN[0], end=tiny.JAN[1]
    )
    assert [s.people for s in steps] == [2, 0]


def test_funnel_validates_steps(duck):
    with pytest.raises(DomainError) as error:
        funnels.funnel_compute(duck, ["Product Viewed"], start=tiny.JAN[0], end=tiny.JAN[1])
    assert error.value.field == "steps"


def test_weekly_retention(duck):
    # First paid weeks (Mon, Shanghai): user 1 2025-12-08, user 4 2025-12-15, user 2 2026-01-05,
    # user 3 2026-02-16. User 1 paid again in weeks +3 (01-03) and +6 (01-20).
    result = cohorts.retention_compute(duck, by="week", max_weeks=12)
    assert result.cohorts == ["2025-12-08", "2025-12-15", "2026-01-05", "2026-02-16"]
    assert result.sizes == [1, 1, 1, 1]
    assert result.shares[0][:11] == [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert result.shares[0][11:] == [None, None]  # past the latest cohort week
    assert result.shares[3] == [1.0] + [None] * 12


def test_retention_by_acquisition_channel(duck):
    result = cohorts.retention_compute(duck, by="channel", max_weeks=6)
    row = result.shares[result.cohorts.index("community")]
    # user 1: first paid 12-10; again 24 days (week 3) and 41 days (week 5) later
    assert row == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0]


def test_value_by_acquisition_cohort_with_spend(duck):
    rows = {
        (r.month, r.channel): r for r in cohorts.value_compute(duck, spend={("referral", "2026-01-01"): 6000})
    }
    assert rows[("2025-12", "community")].revenue_minor == 15_000  # 1,000 + 10,000 + (5,000 − 1,000)
    assert rows[("2026-01", "organic")].revenue_minor == 4_000  # the unpaid order does not count
    referral = rows[("2026-01", "referral")]
    assert (referral.users, referral.customers, referral.revenue_minor) == (1, 1, 3000)
    assert referral.acquisition_cost_minor == 6000
    assert referral.return_on_spend == pytest.approx(0.5)
    assert rows[("2026-01", "douyin")].spend_minor is None
