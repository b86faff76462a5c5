"""Dashboard figures against a hand computation on the `shop` fixture (rules in orders/reporting.py).

In range (CNY, Shanghai 03-04..03-10): B C D E F G H = 7 orders; paid B C D G H = 5.
Revenue = B 5000 + C 8000 + D (3000-3000) + G 4503 + H (6000-1500) = 22003 → AOV 22003/5 = 4400.6 → 4401.
Buyers u1 u2 u4 u5; repeat: u1 (A before the range + B), u2 (C + D) → 2/4.
"""

from datetime import date
from decimal import Decimal

import pytest

from loopmall.core.money import Money
from loopmall.orders import reporting
from loopmall.orders.reporting import DayRange

pytestmark = pytest.mark.django_db


def test_day_range_is_shanghai_calendar_days(frozen_now):
    days = DayRange.ending_today(7)
    assert (days.first, days.last) == (date(2026, 3, 4), date(2026, 3, 10))
    assert days.start.isoformat() == "2026-03-04T00:00:00+08:00"
    assert days.end.isoformat() == "2026-03-11T00:00:00+08:00"


def test_kpis_match_hand_computation(shop, frozen_now):
    kpis = reporting.kpis(days=DayRange.ending_today(7))
    assert kpis.orders == 7
    assert kpis.paid_orders == 5
    assert kpis.revenue == Money(22003, "CNY")
    assert kpis.paid_conversion == Decimal(5) / Decimal(7)
    assert kpis.average_order_value == Money(4401, "CNY")
    assert (kpis.buyers, kpis.repeat_buyers) == (4, 2)
    assert kpis.repeat_buyer_share == Decimal("0.5")


def test_kpis_in_another_currency_count_only_that_currency(shop, frozen_now):
    kpis = reporting.kpis(days=DayRange.ending_today(7), currency="BRL")
    assert (kpis.orders, kpis.paid_orders, kpis.revenue) == (1, 1, Money(99999, "BRL"))
    assert kpis.repeat_buyers == 0


def test_kpis_of_an_empty_range_have_no_ratios(db, frozen_now):
    kpis = reporting.kpis(days=DayRange.ending_today(30))
    assert kpis.orders == 0
    assert kpis.revenue == Money(0, "CNY")
    assert kpis.paid_conversion is None
    assert kpis.average_order_value is None
    assert kpis.repeat_buyer_share is None


def test_average_order_value_rounds_half_up(shop, frozen_now):
    # One day: only B (5000) on 03-04 → exact; 03-04..03-05: B + C = 13000 / 2 = 6500.
    days = DayRange(date(2026, 3, 4), date(2026, 3, 5))
    assert reporting.kpis(days=days).average_order_value == Money(6500, "CNY")
    # 03-08..03-10: H 4500 + G 4503 = 9003 / 2 = 4501.5 → 4502.
    days = DayRange(date(2026, 3, 8), date(2026, 3, 10))
    assert reporting.kpis(days=days).average_order_value == Money(4502, "CNY")


def test_thirty_days_include_the_order_before_the_week(shop, frozen_now):
    kpis = reporting.kpis(days=DayRange.ending_today(30))
    assert kpis.orders == 8
    assert kpis.revenue == Money(32003, "CNY")


def test_daily_series_books_orders_on_shanghai_days_and_fills_gaps(shop, frozen_now):
    points = reporting.daily_series(days=DayRange.ending_today(7))
    table = [(p.day.isoformat(), p.orders, p.paid_orders, p.revenue_minor) for p in points]
    assert table == [
        ("2026-03-04", 1, 1, 5000),
        ("2026-03-05", 1, 1, 8000),
        ("2026-03-06", 0, 0, 0),
        ("2026-03-07", 1, 1, 0),
        ("2026-03-08", 1, 1, 4500),
        ("2026-03-09", 1, 0, 0),
        ("2026-03-10", 2, 1, 4503),
    ]
    assert sum(p.revenue_minor for p in points) == 22003


def test_orders_by_channel(shop, frozen_now):
    rows = reporting.orders_by_channel(days=DayRange.ending_today(7))
    assert [(r.channel, r.orders, r.paid_orders, r.revenue_minor) for r in rows] == [
        ("community", 3, 3, 14003),
        ("live", 2, 2, 8000),
        ("storefront", 2, 0, 0),
    ]


def test_orders_by_status(shop, frozen_now):
    mix = dict(reporting.orders_by_status(days=DayRange.ending_today(7)))
    assert mix == {
        "paid": 1,
        "completed": 1,
        "refunded": 1,
        "pending_payment": 1,
        "cancelled": 1,
        "shipped": 1,
        "delivered": 1,
    }


def test_top_products_by_revenue_net_of_line_refunds(shop, frozen_now):
    rows = reporting.top_products_by_revenue(days=DayRange.ending_today(7))
    p1, p2, _p3 = shop["products"]
    assert [(r.product_id, r.revenue_minor, r.quantity) for r in rows] == [
        (p2.id, 12503, 2),
        (p1.id, 9500, 5),
    ]


def test_currencies_in_use_lists_the_shop_currency_first(shop, frozen_now):
    assert reporting.currencies_in_use(days=DayRange.ending_today(7)) == ["CNY", "BRL"]
    # The BRL order is on 03-09: a range without it offers only the shop's currency.
    assert reporting.currencies_in_use(days=DayRange(date(2026, 3, 4), date(2026, 3, 8))) == ["CNY"]


def test_business_day_matches_the_zone_aware_truncation(shop, frozen_now):
    """The fast SQLite path (fixed offset shift) and Django's zone-aware TruncDate agree."""
    from django.db.models.functions import TruncDate

    from loopmall.core import clock
    from loopmall.orders.models import Order

    days = DayRange.ending_today(30)
    fast = dict(
        Order.objects.annotate(day=reporting.business_day("placed_at", days)).values_list("number", "day")
    )
    exact = dict(
        Order.objects.annotate(day=TruncDate("placed_at", tzinfo=clock.business_zone())).values_list(
            "number", "day"
        )
    )
    assert fast == exact
    assert fast["LM-A"] == date(2026, 3, 3)
    assert fast["LM-B"] == date(2026, 3, 4)


def test_business_day_falls_back_when_the_zone_changes_offset(settings):
    from django.db.models.functions import TruncDate

    settings.TIME_ZONE = "Europe/Berlin"  # summer time starts 2026-03-29
    expression = reporting.business_day("placed_at", DayRange(date(2026, 3, 20), date(2026, 4, 5)))
    assert isinstance(expression, TruncDate)
