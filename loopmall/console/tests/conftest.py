from datetime import UTC, datetime

import pytest
import time_machine

from loopmall.console.tests import factories as f

# 2026-03-10 12:00 in Shanghai.
NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def shop(db):
    """Orders across Shanghai days, channels, statuses and two currencies, with hand-computed figures
    (see test_reporting). Range "last 7 days" at NOW = Shanghai 2026-03-04 .. 2026-03-10,
    i.e. UTC 2026-03-03 16:00 .. 2026-03-10 16:00."""
    u1, u2, u3, u4, u5 = (f.user_make(f"1390000000{i}") for i in range(1, 6))
    p1 = f.product_make("有机绿茶", price_minor=2500, tier="standard", code="TEA-1")
    p2 = f.product_make("羊毛围巾", price_minor=8000, tier="premium", code="SCARF-1")
    p3 = f.product_make("竹制牙刷", price_minor=2000, tier="budget", code="BRUSH-1", stock=3)
    orders = {
        # Shanghai 03-03 23:59: the day before the range; u1's earlier paid order.
        "A": f.order_make(
            u1,
            placed_at=utc(2026, 3, 3, 15, 59),
            status="completed",
            channel="community",
            lines=[(p1, 2500, 4)],
            number="LM-A",
        ),
        # Shanghai 03-04 00:00: first moment of the range.
        "B": f.order_make(
            u1,
            placed_at=utc(2026, 3, 3, 16, 0),
            status="paid",
            channel="community",
            lines=[(p1, 2500, 2)],
            number="LM-B",
        ),
        "C": f.order_make(
            u2,
            placed_at=utc(2026, 3, 5, 2, 0),
            status="completed",
            channel="live",
            lines=[(p2, 8000, 1)],
            number="LM-C",
        ),
        # UTC 03-06 20:00 is Shanghai 03-07 04:00; fully refunded.
        "D": f.order_make(
            u2,
            placed_at=utc(2026, 3, 6, 20, 0),
            status="refunded",
            channel="live",
            lines=[(p1, 3000, 1)],
            refunded_minor=3000,
            line_refunds={0: (1, 3000)},
            number="LM-D",
        ),
        "E": f.order_make(
            u3,
            placed_at=utc(2026, 3, 9, 10, 0),
            status="pending_payment",
            lines=[(p3, 2000, 1)],
            number="LM-E",
        ),
        "F": f.order_make(
            u3, placed_at=utc(2026, 3, 10, 3, 0), status="cancelled", lines=[(p3, 2000, 1)], number="LM-F"
        ),
        "G": f.order_make(
            u4,
            placed_at=utc(2026, 3, 10, 3, 30),
            status="shipped",
            channel="community",
            lines=[(p2, 4503, 1)],
            number="LM-G",
        ),
        # Partly refunded, still delivered.
        "H": f.order_make(
            u5,
            placed_at=utc(2026, 3, 8, 12, 0),
            status="delivered",
            channel="community",
            lines=[(p1, 3000, 2)],
            refunded_minor=1500,
            line_refunds={0: (1, 1500)},
            number="LM-H",
        ),
        # Another currency: never counted in CNY figures.
        "I": f.order_make(
            u4,
            placed_at=utc(2026, 3, 9, 1, 0),
            status="paid",
            channel="olist",
            currency="BRL",
            lines=[(p3, 99999, 1)],
            number="LM-I",
        ),
    }
    return {"users": [u1, u2, u3, u4, u5], "products": [p1, p2, p3], "orders": orders}
