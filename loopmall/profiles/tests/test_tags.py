"""Need tags against hidden traits; the same evidence code on DuckDB and on Spark."""

from datetime import UTC, datetime
from pathlib import Path

import ibis
import pandas as pd
import pytest

from loopmall.profiles.frames import bundle_frames
from loopmall.profiles.simulator import SimulationConfig, simulate
from loopmall.profiles.tags import (
    evidence_table,
    fission_roles,
    lifecycle_and_rfm,
    preferred_channel,
    score_against_traits,
    score_need_tags,
)

PRECISION_FLOOR = 0.85


def _evidence(tables):
    return evidence_table(
        tables["orders"], tables["order_items"], tables["products"], tables["events"]
    ).to_pandas()


def test_need_tag_precision_on_fixed_simulated_bundle(simulated_bundle, duckdb_tables):
    _directory, brand = simulated_bundle
    tags = score_need_tags(_evidence(duckdb_tables))
    for code, figures in score_against_traits(tags, brand.traits).items():
        precision, recall, tagged = figures["precision"], figures["recall"], figures["tagged"]
        assert tagged > 50, f"{code}: only {tagged} users tagged"
        assert precision >= PRECISION_FLOOR, f"{code}: precision {precision:.3f} < {PRECISION_FLOOR}"
        assert recall >= 0.45, f"{code}: recall {recall:.3f} collapsed"


def test_scores_are_probabilities_and_evidence_is_readable(duckdb_tables):
    tags = score_need_tags(_evidence(duckdb_tables))
    assert tags["score"].between(0.8, 1.0).all()
    sample = tags.iloc[0]
    assert "/" in sample["evidence"]
    assert "orders" in sample["evidence"]


def test_user_without_orders_gets_no_need_tag(tmp_path):
    brand = simulate(SimulationConfig(users=400, seed=5, share_without_orders=0.5))
    brand.write_bundle(tmp_path)
    frames = bundle_frames(tmp_path)
    tables = {n: ibis.memtable(f) for n, f in frames.items()}
    tags = score_need_tags(_evidence(tables))
    buyers = set(frames["orders"]["user_id"])
    assert set(tags["user_id"]) <= buyers


def test_one_order_is_not_enough_for_a_confident_tag():
    """A single discounted order with no browsing is weak evidence: no price_sensitive tag."""
    rows = []
    for i in range(300):
        # population: a third always use deals and browse cheap things, the rest rarely do
        deal_lover = i % 3 == 0
        rows.append(
            {"user_id": f"u{i}", "orders": 6, "items": 6, "views": 20,
             "deal_orders": 5 if deal_lover else 1, "budget_items": 5 if deal_lover else 1,
             "budget_views": 15 if deal_lover else 4, "coupon_events": 3 if deal_lover else 0}
        )  # fmt: skip
    rows.append(
        {"user_id": "newcomer", "orders": 1, "items": 1, "views": 0, "deal_orders": 1, "budget_items": 0,
         "budget_views": 0, "coupon_events": 0}
    )  # fmt: skip
    frame = pd.DataFrame(rows)
    for column in ("full_price_orders", "premium_full_price_items", "premium_views", "gift_wrapped_orders",
                   "shipped_to_others_orders", "gift_set_items", "gift_set_views", "family_items", "family_views"):  # fmt: skip
        frame[column] = 0
    tags = score_need_tags(frame)
    price = tags[tags["tag"] == "price_sensitive"]
    assert set(price["user_id"]) == {f"u{i}" for i in range(0, 300, 3)}


def _lifecycle_fixture():
    users = pd.DataFrame(
        {"user_id": ["a", "b", "c", "d"], "created_at": pd.to_datetime(["2026-01-01"] * 3 + ["2026-11-20"]),
         "channel": ["douyin", "community", "organic", "referral"], "invited_by": ["", "", "a", "a"], "city": [""] * 4}
    )  # fmt: skip
    orders = pd.DataFrame(
        {
            "order_id": ["1", "2", "3", "4", "5"],
            "user_id": ["a", "a", "a", "b", "c"],
            "placed_at": pd.to_datetime(
                ["2026-09-01", "2026-10-01", "2026-10-31", "2026-07-01", "2026-03-01"]
            ),
            "status": ["completed"] * 5,
            "channel": ["community", "community", "live", "storefront", "storefront"],
            "total_minor": [10000, 20000, 30000, 5000, 1000],
        }
    )
    events = pd.DataFrame(
        {"user_id": ["b", "b", "c"], "name": ["Product Shared", "Post Shared", "Group Buy Started"]}
    )
    return ibis.memtable(users), ibis.memtable(orders), ibis.memtable(events)


def test_lifecycle_rfm_and_repurchase_cycle():
    users, orders, _events = _lifecycle_fixture()
    frame = lifecycle_and_rfm(orders, users, as_of=datetime(2026, 11, 30, tzinfo=UTC)).set_index("user_id")
    assert frame.loc["a", "lifecycle"] == "active"  # last order 30 days ago
    assert frame.loc["b", "lifecycle"] == "dormant"  # 152 days
    assert frame.loc["c", "lifecycle"] == "churned"  # 274 days
    assert frame.loc["d", "lifecycle"] == "new"  # joined 10 days ago, no order
    assert frame.loc["a", "median_gap_days"] == pytest.approx(30.0)
    assert frame.loc["a", "rfm_segment"] == "important_value"
    assert frame.loc["c", "rfm_segment"] == "general_win_back"
    assert str(frame.loc["a", "next_expected_at"].date()) == "2026-11-30"


def test_fission_roles_and_preferred_channel():
    users, orders, events = _lifecycle_fixture()
    roles = fission_roles(users, events)
    assert set(map(tuple, roles[["user_id", "tag"]].to_numpy())) == {
        ("a", "inviter"), ("b", "sharer"), ("c", "group_buy_starter")
    }  # fmt: skip
    preferred = preferred_channel(orders).set_index("user_id")
    assert preferred.loc["a", "channel"] == "community"
    assert preferred.loc["a", "share"] == pytest.approx(2 / 3)


@pytest.mark.spark
@pytest.mark.slow
def test_same_evidence_and_tags_on_spark(spark_backend, tmp_path: Path):
    brand = simulate(SimulationConfig(users=300, seed=3))
    brand.write_bundle(tmp_path)
    frames = bundle_frames(tmp_path)
    spark_tables = {
        n: spark_backend.create_table(f"profiles_{n}", f, overwrite=True) for n, f in frames.items()
    }
    on_spark = _evidence(spark_tables).sort_values("user_id").reset_index(drop=True)
    on_duckdb = (
        _evidence({n: ibis.memtable(f) for n, f in frames.items()})
        .sort_values("user_id")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(on_spark, on_duckdb[on_spark.columns], check_dtype=False)
    assert score_need_tags(on_spark).equals(score_need_tags(on_duckdb[on_spark.columns]))
    users = spark_tables["users"]
    lifecycle_spark = lifecycle_and_rfm(
        spark_tables["orders"], users, as_of=datetime(2026, 11, 30, tzinfo=UTC)
    )
    lifecycle_duck = lifecycle_and_rfm(
        ibis.memtable(frames["orders"]),
        ibis.memtable(frames["users"]),
        as_of=datetime(2026, 11, 30, tzinfo=UTC),
    )
    key = ["user_id", "lifecycle", "rfm_segment"]
    left = lifecycle_spark[key].sort_values("user_id").reset_index(drop=True)
    right = lifecycle_duck[key].sort_values("user_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
