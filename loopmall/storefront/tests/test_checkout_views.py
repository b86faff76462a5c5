"""Cart, checkout (saved or inline address, idempotent), sandbox pay."""

import uuid

import pytest
from django.urls import reverse

from loopmall.accounts import selectors as account_selectors
from loopmall.orders import selectors as order_selectors
from loopmall.orders import services as order_services

pytestmark = pytest.mark.django_db


def _checkout_page_key(client) -> str:
    html = client.get(reverse("storefront:checkout")).content.decode()
    marker = 'name="idempotency_key" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_adding_to_cart_needs_sign_in_and_comes_back_to_the_product(client, shop):
    product_url = reverse("storefront:product", args=["longjing"])
    response = client.post(
        reverse("storefront:cart_add"), {"sku_id": shop.tea_small.pk, "quantity": 1, "next": product_url}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("storefront:login"))
    assert response.url.endswith("next=" + product_url)


def test_add_to_cart_then_change_quantity_then_remove(shopper, customer, shop):
    response = shopper.post(reverse("storefront:cart_add"), {"sku_id": shop.tea_small.pk, "quantity": 2})
    assert response.status_code == 302
    assert order_selectors.cart_get(user=customer).item_count == 2

    html = shopper.get(reverse("storefront:cart")).content.decode()
    assert "明前龙井绿茶" in html
    assert "¥119.80" in html

    shopper.post(
        reverse("storefront:cart_update"), {"sku_id": shop.tea_small.pk, "quantity": 2, "set_quantity": 5}
    )
    assert order_selectors.cart_get(user=customer).item_count == 5
    shopper.post(reverse("storefront:cart_update"), {"sku_id": shop.tea_small.pk, "quantity": 3})
    assert order_selectors.cart_get(user=customer).item_count == 3

    shopper.post(reverse("storefront:cart_update"), {"sku_id": shop.tea_small.pk, "quantity": 0})
    assert order_selectors.cart_get(user=customer).is_empty
    assert 'data-testid="cart-empty"' in shopper.get(reverse("storefront:cart")).content.decode()


def test_adding_more_than_in_stock_is_refused_with_a_message(shopper, customer, shop):
    response = shopper.post(
        reverse("storefront:cart_add"), {"sku_id": shop.tea_gift.pk, "quantity": 4}, follow=True
    )
    assert response.status_code == 200
    assert order_selectors.cart_get(user=customer).is_empty
    assert 'class="message error"' in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sku_id": "abc", "quantity": 1},
        {"sku_id": 999999, "quantity": 1},
        {"sku_id": 1, "quantity": -5},
        {"sku_id": 1, "quantity": "1e9"},
    ],
)
def test_bad_cart_input_never_fails(shopper, customer, shop, data):
    response = shopper.post(reverse("storefront:cart_add"), data, follow=True)
    assert response.status_code == 200
    response = shopper.post(reverse("storefront:cart_update"), data, follow=True)
    assert response.status_code == 200
    assert order_selectors.cart_get(user=customer).is_empty


def test_buy_now_goes_straight_to_checkout(shopper, shop):
    response = shopper.post(
        reverse("storefront:cart_add"), {"sku_id": shop.tea_small.pk, "quantity": 1, "buy_now": "1"}
    )
    assert response.url == reverse("storefront:checkout")


def test_checkout_with_empty_cart_goes_back_to_cart(shopper):
    assert shopper.get(reverse("storefront:checkout")).url == reverse("storefront:cart")


def test_newcomer_checks_out_with_an_inline_address_once_even_when_submitting_twice(client, newcomer, shop):
    client.force_login(newcomer)
    order_services.cart_add(user=newcomer, sku_id=shop.tea_small.pk, quantity=2)
    html = client.get(reverse("storefront:checkout")).content.decode()
    assert 'data-testid="address-form"' in html
    key = _checkout_page_key(client)
    data = {
        "idempotency_key": key,
        "address_id": "new",
        "address-recipient": "李华",
        "address-phone": "13912345678",
        "address-province": "浙江省",
        "address-city": "杭州市",
        "address-district": "西湖区",
        "address-detail": "文三路 1 号",
        "note": "请尽快发货",
    }
    first = client.post(reverse("storefront:checkout"), data)
    second = client.post(reverse("storefront:checkout"), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    orders = list(order_selectors.orders_for_buyer(user=newcomer))
    assert len(orders) == 1
    order = orders[0]
    assert first.url == reverse("storefront:pay", args=[order.number])
    assert order.shipping_address["city"] == "杭州市"
    assert order.note == "请尽快发货"
    addresses = list(account_selectors.addresses_for_user(user=newcomer))
    assert len(addresses) == 1
    assert addresses[0].is_default


def test_inline_address_errors_show_next_to_their_fields(client, newcomer, shop):
    client.force_login(newcomer)
    order_services.cart_add(user=newcomer, sku_id=shop.tea_small.pk, quantity=1)
    response = client.post(
        reverse("storefront:checkout"),
        {
            "idempotency_key": str(uuid.uuid4()),
            "address_id": "new",
            "address-recipient": "",
            "address-phone": "not a phone",
            "address-province": "浙江省",
            "address-city": "杭州市",
            "address-detail": "文三路 1 号",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_address-recipient-error"' in html
    assert order_selectors.orders_for_buyer(user=newcomer).count() == 0
    # The service's phone check lands on the phone field.
    response = client.post(
        reverse("storefront:checkout"),
        {
            "idempotency_key": str(uuid.uuid4()),
            "address_id": "new",
            "address-recipient": "李华",
            "address-phone": "not a phone",
            "address-province": "浙江省",
            "address-city": "杭州市",
            "address-detail": "文三路 1 号",
        },
    )
    assert 'id="id_address-phone-error"' in response.content.decode()
    assert not account_selectors.addresses_for_user(user=newcomer).exists()


def test_repeat_buyer_checks_out_with_the_saved_address_without_typing_it(shopper, customer, shop):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    html = shopper.get(reverse("storefront:checkout")).content.decode()
    saved = account_selectors.address_default_for(user=customer)
    assert f'name="address_id" value="{saved.pk}" checked' in html
    assert '<details class="inline-add" data-new-address>' in html  # the new-address form stays folded
    response = shopper.post(
        reverse("storefront:checkout"),
        {"idempotency_key": _checkout_page_key(shopper), "address_id": saved.pk},
    )
    assert response.status_code == 302
    order = order_selectors.orders_for_buyer(user=customer).get()
    assert order.shipping_address["detail"] == "世纪大道100号"


def test_someone_elses_address_is_refused_on_its_field(shopper, customer, other_customer, shop):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    foreign = account_selectors.address_default_for(user=other_customer)
    response = shopper.post(
        reverse("storefront:checkout"), {"idempotency_key": str(uuid.uuid4()), "address_id": foreign.pk}
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not order_selectors.orders_for_buyer(user=customer).exists()


def test_checkout_shows_a_stock_problem_instead_of_failing(shopper, customer, shop):
    order_services.cart_add(user=customer, sku_id=shop.tea_gift.pk, quantity=3)
    from loopmall.catalog import services as catalog_services

    catalog_services.stock_set(sku_id=shop.tea_gift.pk, stock=1)
    saved = account_selectors.address_default_for(user=customer)
    response = shopper.post(
        reverse("storefront:checkout"), {"idempotency_key": str(uuid.uuid4()), "address_id": saved.pk}
    )
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert not order_selectors.orders_for_buyer(user=customer).exists()


def test_deep_link_attribution_reaches_the_order(shopper, customer, shop):
    shopper.get(reverse("storefront:product", args=["longjing"]), {"from": "post:42"})
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    saved = account_selectors.address_default_for(user=customer)
    shopper.post(
        reverse("storefront:checkout"), {"idempotency_key": str(uuid.uuid4()), "address_id": saved.pk}
    )
    order = order_selectors.orders_for_buyer(user=customer).get()
    assert order.attribution["post_id"] == 42


def test_pay_page_pays_through_the_sandbox(shopper, customer, shop):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    order = order_services.order_place(user=customer)
    page = shopper.get(reverse("storefront:pay", args=[order.number]))
    assert page.status_code == 200
    assert "¥59.90" in page.content.decode()
    response = shopper.post(reverse("storefront:pay", args=[order.number]))
    assert response.url == reverse("storefront:order", args=[order.number])
    assert order_selectors.order_get_for_buyer(user=customer, order_number=order.number).status == "paid"
    # Paying again, or opening the pay page of a paid order, lands on the order.
    assert shopper.get(reverse("storefront:pay", args=[order.number])).status_code == 302
    assert shopper.post(reverse("storefront:pay", args=[order.number])).status_code == 302


@pytest.mark.parametrize("key", ["", "not-a-uuid", "x" * 500])
def test_a_tampered_checkout_key_asks_to_place_again_instead_of_failing(shopper, customer, shop, key):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    saved = account_selectors.address_default_for(user=customer)
    response = shopper.post(reverse("storefront:checkout"), {"idempotency_key": key, "address_id": saved.pk})
    assert response.status_code == 200
    assert "页面已过期" in response.content.decode()
    assert not order_selectors.orders_for_buyer(user=customer).exists()


@pytest.mark.parametrize("address_id", ["abc", "-1", "99999999999999999999"])
def test_a_bad_address_choice_is_an_error_on_the_address(shopper, customer, shop, address_id):
    order_services.cart_add(user=customer, sku_id=shop.tea_small.pk, quantity=1)
    response = shopper.post(
        reverse("storefront:checkout"), {"idempotency_key": str(uuid.uuid4()), "address_id": address_id}
    )
    assert response.status_code == 200
    assert "请选择一个已保存的地址。" in response.content.decode()
