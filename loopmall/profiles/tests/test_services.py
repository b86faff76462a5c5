"""Recompute from a real warehouse sync, write only changes, segments that follow events."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from loopmall.analytics.warehouse import sync
from loopmall.analytics.warehouse.connection import opened
from loopmall.console.tests.factories import order_make, product_make, staff_make, user_make
from loopmall.core import clock
from loopmall.core.errors import DomainError
from loopmall.core.events import event_emit
from loopmall.profiles import segments, services
from loopmall.profiles.models import SegmentMembership, UserProfile, UserTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse_path(tmp_path, settings):
    path = tmp_path / "warehouse.duckdb"
    settings.LOOPMALL_WAREHOUSE_PATH = str(path)
    return path


@pytest.fixture
def shop():
    now = clock.now()
    cheap = product_make("纸巾 经济装", price_minor=990, tier="budget")
    premium = product_make("真丝枕套", price_minor=39900, tier="premium")
    loyal = user_make("13800000001")
    once = user_make("13800000002")
    user_make("13800000003")  # registered, never ordered
    for days in (5, 35, 65, 95):
        order_make(
            loyal, placed_at=now - timedelta(days=days), status="completed", lines=[(premium, 39900, 1)]
        )
    order_make(once, placed_at=now - timedelta(days=200), status="completed", lines=[(cheap, 990, 2)])
    return {"loyal": loyal, "once": once, "cheap": cheap, "premium": premium}


def test_recompute_from_synced_warehouse_writes_profiles_and_only_changes(shop, warehouse_path):
    sync.run(rebuild=True, path=str(warehouse_path))
    first = services.profiles_recompute()
    assert first.users == 3
    loyal = UserProfile.objects.get(user=shop["loyal"])
    assert loyal.orders == 4
    assert loyal.revenue_minor == 4 * 39900
    assert loyal.lifecycle == "active"
    assert loyal.median_repurchase_days == pytest.approx(30, abs=0.1)
    assert UserProfile.objects.get(user=shop["once"]).lifecycle == "churned"
    assert UserTag.objects.filter(user=shop["loyal"], tag="active").exists()
    assert first.created > 0

    again = services.profiles_recompute()
    assert (again.created, again.updated, again.removed) == (0, 0, 0)


def test_recompute_without_warehouse_says_what_to_do(warehouse_path):
    with opened("duckdb", path=str(warehouse_path)):
        pass  # an empty file: no tables
    with pytest.raises(DomainError, match="warehouse sync"):
        services.profiles_recompute()


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([], "rules"),
        ({"match": "some", "conditions": [{"type": "tag", "tag": "x"}]}, "match"),
        ({"conditions": []}, "conditions"),
        ({"conditions": [{"type": "weather"}]}, "conditions[0].type"),
        ({"conditions": [{"type": "tag", "tag": "a", "min_score": 2}]}, "conditions[0].min_score"),
        (
            {
                "conditions": [
                    {"type": "tag", "tag": "a"},
                    {"type": "event", "name": "Product Viewed", "within_days": 0},
                ]
            },
            "conditions[1].within_days",
        ),
        (
            {"conditions": [{"type": "event", "name": "Product Viewed", "property": "a b"}]},
            "conditions[0].property",
        ),
        ({"conditions": [{"type": "profile", "field": "password", "value": "x"}]}, "conditions[0].field"),
        ({"conditions": [{"type": "tag", "tag": "a", "negate": "yes"}]}, "conditions[0].negate"),
    ],
)
def test_bad_rules_name_the_field(rules, field):
    with pytest.raises(DomainError) as caught:
        segments.validate(rules)
    assert caught.value.field == field


def _view(user, category, days_ago=0):
    with transaction.atomic():
        event_emit("Product Viewed", user_id=user.id, properties={"category": category},
                   occurred_at=clock.now() - timedelta(days=days_ago))  # fmt: skip


def test_segment_viewed_not_bought_enters_and_leaves(shop):
    UserTag.objects.create(user=shop["loyal"], tag="price_sensitive", kind="need", score=0.93, evidence="",
                           computed_at=clock.now())  # fmt: skip
    UserTag.objects.create(user=shop["once"], tag="price_sensitive", kind="need", score=0.95, evidence="",
                           computed_at=clock.now())  # fmt: skip
    rules = {
        "match": "all",
        "conditions": [
            {"type": "tag", "tag": "price_sensitive", "min_score": 0.9},
            {
                "type": "event",
                "name": "Product Viewed",
                "within_days": 14,
                "property": "category",
                "value": "general",
            },
            {"type": "bought", "within_days": 14, "category": "general", "negate": True},
        ],
    }
    segment = services.segment_save(name="犹豫的价格敏感用户", rules=rules)
    assert segment.member_count == 0

    _view(shop["once"], "general")
    _view(shop["loyal"], "general", days_ago=20)  # outside the window
    _view(shop["loyal"], "other")  # another category
    assert services.segment_refresh(segment=segment) == (1, 0)
    assert list(SegmentMembership.objects.values_list("user_id", flat=True)) == [shop["once"].id]
    assert segments.preview_count(rules) == 1

    order_make(shop["once"], placed_at=clock.now(), status="paid", lines=[(shop["cheap"], 990, 1)])
    assert services.segment_refresh(segment=segment) == (0, 1)
    assert not SegmentMembership.objects.exists()


def test_segment_any_and_profile_and_user_conditions(shop):
    UserProfile.objects.create(user=shop["loyal"], lifecycle="active", computed_at=clock.now())
    shop["once"].channel = "douyin"
    shop["once"].save()
    rules = {"match": "any", "conditions": [{"type": "profile", "field": "lifecycle", "value": "active"},
                                             {"type": "user", "field": "channel", "value": "douyin"}]}  # fmt: skip
    assert segments.preview_count(rules) == 2
    staff_make("ops@example.com", "operator")
    # two organic customers; the organic staff member is never in a segment
    assert (
        segments.preview_count({"conditions": [{"type": "user", "field": "channel", "value": "organic"}]})
        == 2
    )


def test_segment_name_must_be_unique(shop):
    rules = {"conditions": [{"type": "tag", "tag": "x"}]}
    services.segment_save(name="A", rules=rules)
    with pytest.raises(DomainError) as caught:
        services.segment_save(name="A", rules=rules)
    assert caught.value.field == "name"


def test_export_follows_the_contract(shop, tmp_path):
    UserTag.objects.create(user=shop["loyal"], tag="quality_oriented", kind="need", score=0.91,
                           evidence="4/4 premium items at full price", computed_at=clock.now())  # fmt: skip
    shop["loyal"].external_id = "bundle:U77"
    shop["loyal"].save()
    out = tmp_path / "tags.csv"
    call_command("profiles", "export", "--output", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "user_id,tag,score,evidence"
    assert lines[1] == "U77,quality_oriented,0.9100,4/4 premium items at full price"


def test_simulate_command_writes_a_bundle(tmp_path):
    call_command("simulate", "--users", "50", "--output", str(tmp_path))
    for name in ("users", "products", "orders", "order_items", "events"):
        assert (tmp_path / f"{name}.csv").exists()
    assert (tmp_path / "hidden_traits.csv").read_text().startswith("user_id,price_sensitive")


def test_evaluation_feeds_the_profile_accuracy_kpi():
    from loopmall.profiles.selectors import plan_kpi_value

    assert (
        plan_kpi_value(key="profile_accuracy", start=clock.now() - timedelta(days=30), end=clock.now())
        is None
    )
    evaluation = services.tag_accuracy_evaluate(users=1500, seed=11)
    assert set(evaluation.per_tag) == {
        "price_sensitive",
        "quality_oriented",
        "scenario_gift",
        "scenario_family",
    }
    value = plan_kpi_value(key="profile_accuracy", start=clock.now() - timedelta(days=30),
                           end=clock.now() + timedelta(seconds=1))  # fmt: skip
    assert value == evaluation.min_precision
    assert value >= 0.85
    assert plan_kpi_value(key="content_match_rate", start=clock.now(), end=clock.now()) is None
