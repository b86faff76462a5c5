"""Each warehouse KPI on the tiny hand-checked data set, on DuckDB."""

import pytest

from loopmall.analytics import warehouse
from loopmall.analytics.kpis import BY_KEY, KPIS
from loopmall.analytics.kpis.evaluate import evaluate_windows, tables_for
from loopmall.analytics.tests import tiny


def test_every_warehouse_kpi_has_a_hand_computed_expectation():
    computed = {k.key for k in KPIS if k.source == "warehouse"}
    assert computed == set(tiny.EXPECTED)


@pytest.mark.parametrize("key", sorted(tiny.EXPECTED))
def test_kpi_value_on_tiny_data(duck, key):
    t = tables_for(duck, spend=tiny.SPEND, sync_runs=tiny.SYNC_RUNS)
    [value] = evaluate_windows(duck, BY_KEY[key], t, [tiny.JAN])
    assert value == pytest.approx(tiny.EXPECTED[key], rel=1e-9)


def test_template_path_matches_plain_ibis_for_several_windows(duck):
    """DuckDB runs a KPI's SQL compiled once per window set; it must equal evaluating each window."""
    from datetime import datetime

    t = tables_for(duck, spend=tiny.SPEND, sync_runs=tiny.SYNC_RUNS)
    windows = [
        tiny.JAN,
        (datetime(2025, 12, 1), datetime(2026, 1, 1)),
        (datetime(2026, 1, 5), datetime(2026, 1, 9)),
    ]
    for key in ("repurchase_rate", "retention", "content_cadence_public", "payment_conversion"):
        kpi = BY_KEY[key]
        fast = evaluate_windows(duck, kpi, t, windows)
        from loopmall.analytics.kpis.base import as_value_table

        slow = [duck.execute(as_value_table(kpi.expression(t, s, e)))["value"].iloc[0] for s, e in windows]
        slow = [None if v != v else float(v) for v in slow]  # NaN → None
        assert fast == pytest.approx(slow, nan_ok=True), key


def test_kpi_without_inputs_reports_no_data(duck):
    """Empty windows give NULL, never a made-up zero."""
    from datetime import datetime

    t = tables_for(duck)
    empty = (datetime(2030, 1, 1), datetime(2030, 2, 1))
    for key in ("after_sales_response_hours", "service_satisfaction", "payment_conversion", "repurchase_rate",
                "data_sync_hours", "acquisition_cost"):  # fmt: skip
        assert evaluate_windows(duck, BY_KEY[key], t, [empty]) == [None], key


def test_registry_holds_every_plan_target():
    keys = {k.key for k in KPIS}
    plan_numbers = {
        "social_interaction_rate": 0.40, "activity_participation": 0.35, "acquisition_cost": -0.30,
        "fission_user_conversion": 0.25, "repurchase_rate": 0.50, "social_revenue_share": 0.50,
        "after_sales_response_hours": 2.0, "service_satisfaction": 0.85, "payment_conversion": 0.35,
        "steps_to_buy": -0.50, "demand_match_rate": 0.80, "demand_satisfaction": 0.90,
        "new_product_success": 0.70, "insight_hours": 72.0, "identification_accuracy": 0.85,
        "data_sync_hours": 1.0, "profile_accuracy": 0.90, "content_cadence_private": 3.0,
        "content_cadence_public": 5.0, "content_match_rate": 0.85, "core_channel_coverage": 0.90,
        "retention": 0.40, "adaptation_cycle_days": 30.0, "content_interaction_rate": 0.40,
        "channel_positioning_consistency": 0.85, "social_module_coverage": 0.80,
        "demand_response_time": -0.50, "adaptation_satisfaction": 0.90, "new_product_demand_match": 0.80,
        "team_skill_pass_rate": 0.95, "demand_collection_coverage": 1.0,
    }  # fmt: skip
    assert set(plan_numbers) <= keys
    for key, target in plan_numbers.items():
        assert BY_KEY[key].target == target, key
    for kpi in KPIS:
        assert kpi.direction in {"higher", "lower"}
        assert (kpi.expression is not None) == (kpi.source == "warehouse"), kpi.key
        if kpi.comparison == "relative":
            assert (kpi.target > 0) == (kpi.direction == "higher"), kpi.key


def test_one_pass_trend_equals_each_window_on_random_orders():
    """repurchase_rate / retention over 13 windows in one query (`.windows`) equal the plain expression
    window by window, on orders with repeat customers, equal paid times and cancellations."""
    import dataclasses
    import random
    from datetime import datetime, timedelta

    import pandas as pd

    from loopmall.analytics.kpis.base import as_value_table
    from loopmall.analytics.kpis.evaluate import trend_windows

    rng = random.Random(7)
    base = datetime(2026, 1, 1)
    rows = []
    for order_id in range(1, 401):
        placed = base + timedelta(hours=rng.randrange(0, 24 * 200))
        if rng.random() < 0.1:
            placed = rows[-1]["placed_at"]  # ties on paid time
        paid = rng.random() < 0.9
        rows.append({
            "order_id": order_id, "user_id": rng.randrange(1, 60), "placed_at": placed,
            "paid_at": placed if paid else None, "status": rng.choice(["paid", "completed", "cancelled"]),
            "channel": "storefront", "currency": "CNY", "total_minor": 100, "discount_minor": 0,
            "refunded_minor": 0, "ship_to_self": True, "is_gift_wrapped": False,
        })  # fmt: skip
    frames = tiny.frames()
    frames["orders"] = tiny._typed(
        pd.DataFrame(rows, columns=list(frames["orders"].columns)), tiny.TABLES["orders"]
    )
    con = warehouse.connect(path=":memory:")
    warehouse.load_frames(con, frames)
    t = tables_for(con)
    assert t.customer_orders is not None  # materialised by load_frames, as the sync does
    derived = dataclasses.replace(t, customer_orders=None)  # what Spark does: derive it per query
    for key in ("repurchase_rate", "retention"):
        kpi = BY_KEY[key]
        windows = trend_windows(kpi, base + timedelta(days=190, hours=5))
        slow = [con.execute(as_value_table(kpi.expression(t, s, e)))["value"].iloc[0] for s, e in windows]
        slow = [None if v != v else float(v) for v in slow]
        assert sum(v is not None for v in slow) >= 10, key
        for tables in (t, derived):
            fast = evaluate_windows(con, kpi, tables, windows)
            assert fast == pytest.approx(slow, nan_ok=True), key
    con.disconnect()
