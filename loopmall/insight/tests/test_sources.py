"""insight.sources reads the shop's other apps through their selectors and gives insight's own shapes."""

from datetime import UTC, datetime

import pytest
from django.apps import apps

from loopmall.insight import sources
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _order(buyer, sku, *, status="paid", paid_at=T0, quantity=1, discount=0, external_id=None):
    order = apps.get_model("orders.Order").objects.create(
        number=f"N{apps.get_model('orders.Order').objects.count() + 1:06d}", user=buyer, status=status,
        placed_at=paid_at, paid_at=paid_at, external_id=external_id,
    )  # fmt: skip
    apps.get_model("orders.OrderLine").objects.create(
        order=order, sku=sku, product_name=sku.product.name, unit_price_minor=sku.price_minor,
        quantity=quantity, discount_minor=discount,
    )  # fmt: skip
    return order


def test_products_info_categories_and_skus():
    cat = shop.category("数码")
    laptop = shop.product(cat, name="笔记本", attributes=["轻薄", "", "长续航"], price_minor=500000)
    apps.get_model("catalog.Sku").objects.create(product=laptop, code="CHEAP", price_minor=420000, stock=1)
    bare = apps.get_model("catalog.Product").objects.create(category=cat, name="散装", slug="bare")
    info = sources.products_info([laptop.pk, bare.pk, 0, 999999])
    assert set(info) == {laptop.pk, bare.pk}
    assert info[laptop.pk] == sources.ProductInfo(
        id=laptop.pk, name="笔记本", category_id=cat.pk, category_name="数码", attributes=("轻薄", "长续航"),
        price_minor=420000,
    )  # fmt: skip
    assert info[bare.pk].price_minor is None
    assert sources.products_info([]) == {}
    assert sources.category_names([cat.pk, 999999]) == {cat.pk: "数码"}
    assert (cat.pk, "数码") in sources.categories_all()
    sku_ids = list(apps.get_model("catalog.Sku").objects.filter(product=laptop).values_list("id", flat=True))
    assert sources.sku_products([*sku_ids, 999999]) == dict.fromkeys(sku_ids, laptop.pk)


def test_existing_ids_and_external_ids():
    buyer = shop.user()
    buyer.external_id = "bundle:u-1"
    buyer.save(update_fields=["external_id"])
    item = shop.product(shop.category())
    item.external_id = "olist-p"
    item.save(update_fields=["external_id"])
    sku = item.skus.get()
    order = _order(buyer, sku, external_id="bundle:o-1")
    assert sources.existing_ids("accounts.User", [buyer.pk, 999999, None]) == {buyer.pk}
    assert sources.existing_ids("orders.Order", [order.pk, 999999]) == {order.pk}
    assert sources.existing_ids("orders.Order", []) == set()
    assert sources.ids_by_external("accounts.User", ["u-1", "u-2", ""]) == {"u-1": buyer.pk}
    assert sources.ids_by_external("orders.Order", ["o-1"]) == {"o-1": order.pk}
    assert sources.ids_by_external("catalog.Product", ["olist-p"]) == {"olist-p": item.pk}
    assert sources.ids_by_external("catalog.Sku", ["nothing"]) == {}
    assert sources.ids_by_external("catalog.Sku", []) == {}


def test_reviews_ratings_and_sales():
    buyer = shop.user()
    cat = shop.category()
    tea, cup = shop.product(cat, price_minor=1000), shop.product(cat, price_minor=300)
    review_model = apps.get_model("social.Review")
    first = review_model.objects.create(
        user=buyer, product=tea, rating=2, title="一般", text="包装压扁了", lang="", created_at=T0
    )
    second = review_model.objects.create(product=cup, rating=5, text="好", created_at=T0.replace(day=5))
    rows = sources.reviews_after(0)
    assert [r.id for r in rows] == [first.pk, second.pk]
    assert rows[0] == sources.ReviewRow(
        id=first.pk, user_id=buyer.pk, product_id=tea.pk, sku_id=None, order_id=None, rating=2,
        text="一般 包装压扁了", lang="", created_at=T0,
    )  # fmt: skip
    assert [r.id for r in sources.reviews_after(first.pk)] == [second.pk]
    assert len(sources.reviews_after(0, limit=1)) == 1
    assert sources.review_ratings_after(product_ids=[tea.pk], category_id=None, since=T0) == [2]
    assert sorted(sources.review_ratings_after(product_ids=[], category_id=cat.pk, since=T0)) == [2, 5]
    assert sources.review_ratings_after(product_ids=[], category_id=cat.pk, since=T0.replace(day=4)) == [5]
    assert sources.review_ratings_after(product_ids=[], category_id=None, since=T0) == []

    tea_sku = tea.skus.get()
    _order(buyer, tea_sku, quantity=3, discount=500)
    _order(buyer, tea_sku, status="completed", paid_at=T0.replace(day=10))
    _order(buyer, tea_sku, status="refunded")
    _order(buyer, tea_sku, paid_at=T0.replace(day=1))
    _order(buyer, cup.skus.get())
    assert sources.sales_minor_after(product_ids=[tea.pk], since=T0) == 3 * 1000 - 500 + 1000
    assert sources.sales_minor_after(product_ids=[], since=T0) == 0


def test_staff_users():
    staff = shop.user("ops@loopmall.test", is_staff=True)
    gone = shop.user("gone@loopmall.test", is_staff=True)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    shop.user()
    assert sources.staff_users() == [(staff.pk, staff.display_name or "ops@loopmall.test")]
