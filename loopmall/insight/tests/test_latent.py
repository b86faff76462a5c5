"""Latent demands found in a crafted shop: a product viewed but not bought, an attribute that rises,
carts abandoned in one price band, and unmet searches grouped by meaning."""

from datetime import timedelta

import pytest

from loopmall.core import clock
from loopmall.insight import collectors, latent
from loopmall.insight.models import LatentDemand
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_engine(monkeypatch):
    return shop.install_fake_engine(monkeypatch)


def _view(user, product, at):
    shop.emit("Product Viewed", at=at, user_id=user.id, product_id=product.id)


def _buy(user, product, at):
    shop.emit("Order Completed", at=at, user_id=user.id, products=[{"product_id": product.id, "quantity": 1}])


@pytest.fixture
def crafted():
    now = clock.now()
    home = shop.category("家居")
    bags = shop.product(home, name="可降解垃圾袋", attributes=["eco"], price_minor=2990)
    boxes = shop.product(home, name="收纳盒", price_minor=3990)
    hooks = shop.product(home, name="挂钩", price_minor=990)
    users = [shop.user() for _ in range(40)]
    at = now - timedelta(days=2)
    for n, user in enumerate(users):
        _view(user, bags, at)  # 40 view the eco bags, 2 buy
        if n < 2:
            _buy(user, bags, at + timedelta(hours=1))
        if n < 30:  # 30 view boxes and hooks, half buy
            _view(user, boxes, at)
            _view(user, hooks, at)
            if n % 2 == 0:
                _buy(user, boxes, at + timedelta(hours=1))
                _buy(user, hooks, at + timedelta(hours=1))
    return {"users": users, "bags": bags, "boxes": boxes, "hooks": hooks, "now": now}


def test_product_viewed_but_rarely_bought_against_its_category(crafted):
    found = {h.key: h for h in latent.detect() if h.kind == LatentDemand.Kind.LOW_CONVERSION}
    assert set(found) == {f"product:{crafted['bags'].id}"}
    hypothesis = found[f"product:{crafted['bags'].id}"]
    assert hypothesis.evidence["viewers"] == 40
    assert hypothesis.evidence["buyers"] == 2
    assert hypothesis.evidence["category_conversion"] == pytest.approx(0.5)
    assert len(hypothesis.user_ids) == 38


def test_attribute_viewed_but_rarely_bought(crafted):
    keys = {h.key for h in latent.detect() if h.kind == LatentDemand.Kind.ATTRIBUTE_LOW_CONVERSION}
    assert keys == {"attribute:eco"}


def test_rising_interest_in_an_attribute(crafted):
    # The four weeks before saw plenty of views, few of them on eco products.
    before = crafted["now"] - timedelta(days=20)
    for user in crafted["users"]:
        for _ in range(3):
            _view(user, crafted["boxes"], before)
    _view(crafted["users"][0], crafted["bags"], before)
    rising = [h for h in latent.detect() if h.kind == LatentDemand.Kind.RISING_INTEREST]
    assert [h.key for h in rising] == ["attribute:eco"]
    assert rising[0].evidence["share"] > rising[0].evidence["previous_share"]


def test_no_rising_interest_when_the_share_is_steady(crafted):
    before = crafted["now"] - timedelta(days=20)
    for n, user in enumerate(crafted["users"]):  # same mix as this week
        _view(user, crafted["bags"], before)
        if n < 30:
            _view(user, crafted["boxes"], before)
            _view(user, crafted["hooks"], before)
    assert not [h for h in latent.detect() if h.kind == LatentDemand.Kind.RISING_INTEREST]


def test_cart_abandonment_concentrated_on_a_price_band():
    now = clock.now()
    cat = shop.category("电器")
    cheap = shop.product(cat, name="插座", price_minor=3900)
    pricey = shop.product(cat, name="净水器", price_minor=89900)
    at = now - timedelta(days=1)
    for n in range(30):
        user = shop.user()
        shop.emit("Product Added", at=at, user_id=user.id, product_id=pricey.id)
        shop.emit("Product Added", at=at, user_id=user.id, product_id=cheap.id)
        _buy(user, cheap, at + timedelta(hours=1))
        if n < 3:
            _buy(user, pricey, at + timedelta(hours=1))
    found = {h.key: h for h in latent.detect() if h.kind == LatentDemand.Kind.CART_ABANDONMENT}
    assert list(found) == ["price:500-1000"]
    assert found["price:500-1000"].evidence["abandoned"] == 27


def test_unmet_searches_are_grouped_by_meaning(fake_engine):
    at = clock.now() - timedelta(hours=5)
    for query in ["可降解", "降解袋", "可降解垃圾袋", "可降解", "上门安装", "上门安装服务", "上门安装"]:
        user = shop.user()
        shop.emit("Products Searched", at=at, user_id=user.id, query=query, results_count=0)
    collectors.collect()
    found = {h.evidence["label"]: h for h in latent.detect() if h.kind == LatentDemand.Kind.UNMET_SEARCH}
    assert set(found) == {"可降解", "上门安装"}
    assert found["可降解"].evidence["searches"] == 4
    assert set(found["可降解"].evidence["queries"]) == {"可降解", "降解袋", "可降解垃圾袋"}
    assert found["上门安装"].evidence["zero_results"] == 3


def test_refresh_stores_hypotheses_once_per_week(crafted):
    first = latent.latent_refresh()
    again = latent.latent_refresh()
    assert first
    assert LatentDemand.objects.count() == len(first) == len(again)
    assert {r.detected_at for r in again} == {r.detected_at for r in first}
