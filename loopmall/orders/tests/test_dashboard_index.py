"""The console dashboard reads a date range of orders from one covering index (migration 0003)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loopmall.orders import reporting

pytestmark = pytest.mark.django_db

INDEX = "order_dashboard_range_idx"


def test_the_dashboard_index_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "orders_order")
    assert constraints[INDEX]["columns"] == [
        "placed_at", "currency", "status", "channel", "user_id", "paid_minor", "refunded_minor",
    ]  # fmt: skip


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL chooses by statistics"
)
def test_dashboard_range_queries_read_only_the_index_on_sqlite():
    days = reporting.DayRange.ending_today(30)
    with CaptureQueriesContext(connection) as captured:
        reporting.dashboard(days=days)
    plans = []
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    assert len(plans) == 3
    for plan in plans:  # the grouped scan, the buyer counts, the top products
        assert f"COVERING INDEX {INDEX}" in plan, plan
