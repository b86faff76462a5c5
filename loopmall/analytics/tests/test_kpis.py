"""Each warehouse KPI on the tiny hand-checked data set, on DuckDB."""

import pytest

from loopmall.analytics import warehouse
from loopmall.analytics.kpis import BY_KEY, KPIS
from loopmall.analytics.kpis.evaluate import evaluate_windows, tables_for
from loopmall.analytics.tests import tiny


@pytest.fixture(scope="module")
def duck():
    con = warehouse.connect(path=":memory:")
    warehouse.migrate(con)
    tiny.load(con)
    yield con
    con.disconnect()


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
