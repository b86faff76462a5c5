"""Need tags on posts and the content match rate: known views give the exact ratio."""

from datetime import datetime, timedelta

import ibis
import pandas as pd
import pytest
from django.db import transaction

from loopmall.analytics.warehouse import sync
from loopmall.console.tests.factories import product_make, user_make
from loopmall.core import clock
from loopmall.core.events import event_emit
from loopmall.profiles.content import content_match_rate, post_need_tags
from loopmall.profiles.models import UserTag
from loopmall.profiles.selectors import plan_kpi_value

T0 = datetime(2026, 11, 2, 8, 0)  # noqa: DTZ001 (warehouse time is naive UTC)


def _products() -> pd.DataFrame:
    return pd.DataFrame(
        {"sku_id": ["cheap", "fine", "giftbox", "kids"], "product_id": ["a", "b", "c", "d"],
         "name": ["n"] * 4, "category": ["tea", "tea", "tea", "toys"], "price_minor": [900, 9900, 5000, 4000],
         "tier": ["budget", "premium", "standard", "standard"],
         "attributes": ["", "premium", "gift_box", "kids"], "is_family_category": [False, False, False, True]}
    )  # fmt: skip


def _event(name, post, *, user=None, sku=None, props=None, at=T0):
    return {"name": name, "post_id": post, "user_id": user, "sku_id": sku, "occurred_at": at,
            "properties_json": props}  # fmt: skip


def _events(rows) -> ibis.Table:
    frame = pd.DataFrame(rows).astype(
        {"name": "string", "post_id": "string", "user_id": "string", "sku_id": "string",
         "properties_json": "string", "occurred_at": "datetime64[us]"}
    )  # fmt: skip
    return ibis.memtable(frame)


def test_post_tags_come_from_explicit_need_tags_else_from_the_linked_product():
    events = _events(
        [
            _event("Post Published", "explicit", sku="fine", props='{"need_tags": ["price_sensitive"]}'),
            _event("Post Published", "budget", sku="cheap"),
            _event("Post Viewed", "gift", sku="giftbox"),
            _event("Post Published", "family", sku="kids"),
            _event("Post Published", "string", props='{"need_tags": "scenario_gift;quality_oriented"}'),
            _event("Post Published", "none", sku="fine", props='{"need_tags": []}'),
            _event("Post Published", "bare"),
        ]
    )
    tags = post_need_tags(events, ibis.memtable(_products())).to_pandas().set_index("post_id")
    held = {post: {c.removeprefix("post_") for c in tags.columns if row[c]} for post, row in tags.iterrows()}
    assert held == {
        "explicit": {"price_sensitive"},  # the explicit tag wins over the premium product it links
        "budget": {"price_sensitive"},
        "gift": {"scenario_gift"},
        "family": {"scenario_family"},
        "string": {"scenario_gift", "quality_oriented"},
        "none": set(),
        "bare": set(),
    }


def test_rate_counts_only_views_where_both_sides_carry_need_tags():
    events = _events(
        [
            _event("Post Published", "p1", props='{"need_tags": ["price_sensitive"]}'),
            _event("Post Published", "p2", sku="fine"),
            _event("Post Published", "p3"),
            _event("Post Viewed", "p1", user="a"),  # match
            _event("Post Viewed", "p2", user="a"),  # no match
            _event("Post Viewed", "p2", user="b"),  # match
            _event("Post Viewed", "p1", user="b"),  # no match
            _event("Post Viewed", "p1", user="d"),  # match (d holds two tags)
            _event("Post Viewed", "p1", user="c"),  # viewer without need tags: left out
            _event("Post Viewed", "p3", user="a"),  # post without need tags: left out
            _event("Post Viewed", "p1"),  # anonymous: left out
            _event("Post Viewed", "p1", user="b", at=T0 + timedelta(days=40)),  # outside the window
        ]
    )
    user_tags = ibis.memtable(
        pd.DataFrame(
            {"user_id": ["a", "b", "d", "d", "c"],
             "tag": ["price_sensitive", "quality_oriented", "scenario_gift", "price_sensitive", "active"]}
        )
    )  # fmt: skip
    products = ibis.memtable(_products())
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=1)
    assert content_match_rate(events, products, user_tags, start, end) == pytest.approx(3 / 5)
    later = (T0 + timedelta(days=30), T0 + timedelta(days=60))
    assert content_match_rate(events, products, user_tags, *later) == pytest.approx(0.0)
    assert (
        content_match_rate(events, products, user_tags, T0 + timedelta(days=90), T0 + timedelta(days=99))
        is None
    )


@pytest.fixture
def warehouse_path(tmp_path, settings):
    path = tmp_path / "warehouse.duckdb"
    settings.LOOPMALL_WAREHOUSE_PATH = str(path)
    return path


@pytest.mark.django_db
def test_content_match_rate_kpi_from_synced_warehouse_events(warehouse_path):
    premium = product_make("真丝枕套", price_minor=39900, tier="premium").skus.get()
    saver, connoisseur, untagged = (
        user_make("13900000001"),
        user_make("13900000002"),
        user_make("13900000003"),
    )
    now = clock.now()
    window = (now - timedelta(days=30), now + timedelta(seconds=1))
    assert plan_kpi_value(key="content_match_rate", start=window[0], end=window[1]) is None
    for user, tag in ((saver, "price_sensitive"), (connoisseur, "quality_oriented")):
        UserTag.objects.create(user=user, tag=tag, kind="need", score=0.95, evidence="test", computed_at=now)
    at = now - timedelta(days=2)
    with transaction.atomic():
        event_emit("Post Published", properties={"post_id": "deal", "need_tags": ["price_sensitive"]},
                   channel="community", occurred_at=at)  # fmt: skip
        event_emit("Post Published", properties={"post_id": "silk", "sku_id": premium.id},
                   channel="xiaohongshu", occurred_at=at)  # fmt: skip
        for user, post in ((saver, "deal"), (saver, "deal"), (saver, "silk"), (connoisseur, "silk"),
                           (connoisseur, "deal"), (untagged, "deal")):  # fmt: skip
            event_emit("Post Viewed", properties={"post_id": post}, user_id=user.id, occurred_at=at)
    assert plan_kpi_value(key="content_match_rate", start=window[0], end=window[1]) is None  # not synced yet
    sync.run(rebuild=True, path=str(warehouse_path))
    value = plan_kpi_value(key="content_match_rate", start=window[0], end=window[1])
    assert value == pytest.approx(3 / 5)
    assert plan_kpi_value(key="content_match_rate", start=now - timedelta(days=90), end=window[0]) is None


def test_simulated_bundle_has_a_content_match_rate(simulated_bundle, duckdb_tables):
    """The simulator's posts reach the rate through the contract files: need_tags and sku_id in the
    properties JSON of Post Published, post_id on views. Its viewers lean to posts about their needs."""
    from loopmall.profiles.tags import evidence_table, score_need_tags

    t = duckdb_tables
    need = score_need_tags(
        evidence_table(t["orders"], t["order_items"], t["products"], t["events"]).to_pandas()
    )
    user_tags = ibis.memtable(need[["user_id", "tag"]])
    rate = content_match_rate(
        t["events"], t["products"], user_tags, datetime(2025, 11, 1), datetime(2026, 12, 1)
    )  # noqa: DTZ001
    assert rate is not None
    assert 0.6 < rate < 0.9
