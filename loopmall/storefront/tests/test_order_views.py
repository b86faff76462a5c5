"""My orders, status timeline, one-tap reorder, cancel; nobody sees another customer's order."""

import uuid

import pytest
from django.urls import reverse

from loopmall.orders import selectors as order_selectors
from loopmall.orders import services as order_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(customer, shop):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=2)
    order = order_services.order_place(user=customer)
    return order_services.sandbox_pay(user=customer, order_number=order.number)


def test_my_orders_lists_the_order_with_its_status(shopper, paid_order):
    html = shopper.get(reverse("storefront:orders")).content.decode()
    assert paid_order.number in html
    assert 'data-testid="reorder"' in html
    assert "¥119.80" in html


def test_status_filter_narrows_the_list(shopper, paid_order):
    assert (
        paid_order.number
        not in shopper.get(reverse("storefront:orders"), {"status": "pending_payment"}).content.decode()
    )
    assert paid_order.number in shopper.get(reverse("storefront:orders"), {"status": "paid"}).content.decode()
    assert shopper.get(reverse("storefront:orders"), {"status": "bogus", "page": "x"}).status_code == 200


def test_order_detail_shows_timeline_in_shanghai_time(shopper, paid_order):
    html = shopper.get(reverse("storefront:order", args=[paid_order.number])).content.decode()
    assert 'data-status="paid"' in html
    assert 'data-testid="timeline"' in html
    shanghai = paid_order.paid_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert shanghai.strftime("%Y-%m-%d %H:%M") in html
    assert "世纪大道100号" in html


def test_another_customers_order_is_404_everywhere(client, other_customer, paid_order):
    client.force_login(other_customer)
    number = paid_order.number
    assert client.get(reverse("storefront:order", args=[number])).status_code == 404
    assert client.get(reverse("storefront:pay", args=[number])).status_code == 404
    assert client.post(reverse("storefront:pay", args=[number])).status_code == 404
    assert client.post(reverse("storefront:order_reorder", args=[number])).status_code == 404
    assert client.post(reverse("storefront:order_cancel", args=[number])).status_code == 404
    assert not order_selectors.orders_for_buyer(user=other_customer).exists()


def test_orders_need_sign_in(client, paid_order):
    response = client.get(reverse("storefront:order", args=[paid_order.number]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("storefront:login"))


def test_reorder_makes_a_new_order_to_the_saved_address_and_goes_to_pay(shopper, customer, paid_order):
    key = str(uuid.uuid4())
    response = shopper.post(
        reverse("storefront:order_reorder", args=[paid_order.number]), {"idempotency_key": key}
    )
    orders = list(order_selectors.orders_for_buyer(user=customer))
    assert len(orders) == 2
    new = next(o for o in orders if o.number != paid_order.number)
    assert response.url == reverse("storefront:pay", args=[new.number])
    assert new.status == "pending_payment"
    assert new.shipping_address == paid_order.shipping_address
    assert [(line.sku_id, line.quantity) for line in new.lines.all()] == [
        (line.sku_id, line.quantity) for line in paid_order.lines.all()
    ]
    # A double tap with the same key does not buy twice.
    again = shopper.post(
        reverse("storefront:order_reorder", args=[paid_order.number]), {"idempotency_key": key}
    )
    assert again.url == response.url
    assert order_selectors.orders_for_buyer(user=customer).count() == 2


def test_reorder_of_a_sold_out_item_explains_instead_of_failing(shopper, customer, paid_order, shop):
    from loopmall.catalog import services as catalog_services

    catalog_services.stock_set(sku_id=shop.tea_small.pk, stock=0)
    response = shopper.post(reverse("storefront:order_reorder", args=[paid_order.number]), follow=True)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert order_selectors.orders_for_buyer(user=customer).count() == 1


def test_reorder_is_post_only(shopper, paid_order):
    assert shopper.get(reverse("storefront:order_reorder", args=[paid_order.number])).status_code == 405


def test_cancel_a_pending_order(shopper, customer, shop):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    order = order_services.order_place(user=customer)
    response = shopper.post(reverse("storefront:order_cancel", args=[order.number]), follow=True)
    assert response.status_code == 200
    assert order_selectors.order_get_for_buyer(user=customer, order_number=order.number).status == "cancelled"
    assert 'data-status="cancelled"' in response.content.decode()
