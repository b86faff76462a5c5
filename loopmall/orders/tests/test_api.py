import json

import pytest

from loopmall.accounts import services as accounts_services
from loopmall.catalog.models import Sku
from loopmall.core.models import OutboxEvent
from loopmall.orders.models import Order
from loopmall.orders.payments.sandbox import sign
from loopmall.orders.tests import factories

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts_services.api_token_issue(user=user)}"}


@pytest.fixture
def auth(buyer):
    return bearer(buyer)


def post(client, url, body=None, **headers):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def test_signup_then_token_then_me(client):
    response = post(client, "/api/v1/accounts/signup", {"login": "13912345678", "password": "Loop-mall-2026"})
    assert response.status_code == 201
    response = post(client, "/api/v1/accounts/token", {"login": "13912345678", "password": "Loop-mall-2026"})
    assert response.status_code == 201
    token = response.json()["token"]
    me = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["login"] == "13912345678"


def test_signup_errors_name_the_field(client):
    bad_login = post(
        client, "/api/v1/accounts/signup", {"login": "not-a-phone", "password": "Loop-mall-2026"}
    )
    weak = post(client, "/api/v1/accounts/signup", {"login": "13912345670", "password": "123"})
    missing = post(client, "/api/v1/accounts/signup", {"login": "13912345671"})
    assert (bad_login.status_code, bad_login.json()["error"]["field"]) == (400, "login")
    assert (weak.status_code, weak.json()["error"]["field"]) == (400, "password")
    assert (missing.status_code, missing.json()["error"]["field"]) == (422, "password")


def test_wrong_password_is_401(client, buyer):
    response = post(client, "/api/v1/accounts/token", {"login": buyer.login, "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "password"


def test_browse_and_search_in_chinese(client, tea):
    factories.sku(name="云南普洱")
    response = client.get("/api/v1/catalog/products", {"q": "龙井"})
    assert response.status_code == 200
    names = [p["name"] for p in response.json()["items"]]
    assert names == ["龙井绿茶"]
    detail = client.get(f"/api/v1/catalog/products/{tea.product.slug}")
    assert detail.json()["skus"][0]["price"] == "59.90"
    assert client.get("/api/v1/catalog/products/nope").status_code == 404


def test_full_purchase_over_the_api(client, auth, tea):
    assert post(client, "/api/v1/cart/items", {"sku_id": tea.pk, "quantity": 3}, **auth).status_code == 200
    placed = post(client, "/api/v1/checkout", {}, **auth)
    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert order["total_minor"] == 3 * 5990
    assert order["status"] == "pending_payment"
    paid = post(client, f"/api/v1/orders/{order['number']}/pay/sandbox", **auth)
    assert paid.json()["status"] == "paid"
    listed = client.get("/api/v1/orders", **auth).json()
    assert [o["number"] for o in listed] == [order["number"]]
    reordered = post(client, f"/api/v1/orders/{order['number']}/reorder", **auth)
    assert reordered.status_code == 201
    assert reordered.json()["reordered_from"] == order["number"]
    tea.refresh_from_db()
    assert tea.stock == 4


def test_another_customers_order_is_404(client, buyer, other_buyer, tea):
    from loopmall.orders import services

    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intruder = bearer(other_buyer)
    for response in (
        client.get(f"/api/v1/orders/{order.number}", **intruder),
        post(client, f"/api/v1/orders/{order.number}/pay/sandbox", **intruder),
        post(client, f"/api/v1/orders/{order.number}/cancel", **intruder),
        post(client, f"/api/v1/orders/{order.number}/reorder", **intruder),
        post(client, f"/api/v1/orders/{order.number}/refunds", {"reason": "x"}, **intruder),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_anonymous_is_401(client):
    assert client.get("/api/v1/cart").status_code == 401
    assert post(client, "/api/v1/checkout", {}).status_code == 401


def test_checkout_idempotency_replay_and_conflict(client, auth, tea):
    headers = {**auth, "HTTP_IDEMPOTENCY_KEY": "checkout-1"}
    body = {"items": [{"sku_id": tea.pk, "quantity": 2}]}
    first = post(client, "/api/v1/checkout", body, **headers)
    second = post(client, "/api/v1/checkout", body, **headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=tea.pk).stock == 8
    different = post(client, "/api/v1/checkout", {"items": [{"sku_id": tea.pk, "quantity": 1}]}, **headers)
    assert different.status_code == 409
    assert different.json()["error"]["field"] == "Idempotency-Key"


def test_failed_request_releases_its_key(client, auth, tea):
    headers = {**auth, "HTTP_IDEMPOTENCY_KEY": "k-2"}
    body = {"items": [{"sku_id": tea.pk, "quantity": 11}]}
    assert post(client, "/api/v1/checkout", body, **headers).status_code == 409  # out of stock
    Sku.objects.filter(pk=tea.pk).update(stock=20)
    assert post(client, "/api/v1/checkout", body, **headers).status_code == 201


def test_callback_with_bad_signature_is_refused(client, buyer, tea):
    from loopmall.orders import services

    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    body = json.dumps(
        {"transaction_id": intent.provider_transaction_id, "order_number": order.number,
         "amount_minor": order.total_minor, "currency": "CNY", "status": "succeeded"}
    ).encode()  # fmt: skip
    forged = client.post(
        "/api/v1/payments/sandbox/callback", data=body, content_type="application/json",
        HTTP_X_LOOPMALL_SIGNATURE="0" * 64,
    )  # fmt: skip
    assert forged.status_code == 403
    assert forged.json()["error"]["field"] == "signature"
    order.refresh_from_db()
    assert order.status == "pending_payment"
    for _ in range(3):
        genuine = client.post(
            "/api/v1/payments/sandbox/callback", data=body, content_type="application/json",
            HTTP_X_LOOPMALL_SIGNATURE=sign(body),
        )  # fmt: skip
        assert genuine.json() == {"order_number": order.number, "status": "paid"}
    assert OutboxEvent.objects.filter(name="Order Completed").count() == 1


def test_staff_endpoints_are_403_for_customers(client, auth, operator, tea):
    staff = bearer(operator)
    url = f"/api/v1/catalog/skus/{tea.pk}/stock"
    assert client.put(url, data={"stock": 5}, content_type="application/json", **auth).status_code == 403
    response = client.put(url, data={"stock": 5}, content_type="application/json", **staff)
    assert response.status_code == 200
    assert response.json()["stock"] == 5
    bad = client.put(url, data={"stock": -1}, content_type="application/json", **staff)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "stock"


def test_staff_create_product_and_sku(client, operator, tea):
    staff = bearer(operator)
    created = post(client, "/api/v1/catalog/products",
                   {"category_id": tea.product.category_id, "name": "白茶", "name_en": "White tea"}, **staff)  # fmt: skip
    assert created.status_code == 201, created.content
    product_id = created.json()["id"]
    sku = post(client, f"/api/v1/catalog/products/{product_id}/skus",
               {"code": "WT-1", "price_minor": 8800, "stock": 3}, **staff)  # fmt: skip
    assert sku.status_code == 201
    duplicate = post(client, f"/api/v1/catalog/products/{product_id}/skus",
                     {"code": "WT-1", "price_minor": 8800}, **staff)  # fmt: skip
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["field"] == "code"


def test_session_auth_requires_csrf(buyer, tea):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    assert client.get("/api/v1/cart").status_code == 200
    refused = post(client, "/api/v1/cart/items", {"sku_id": tea.pk})
    assert refused.status_code == 403
    client.get("/api/v1/cart")  # no csrf cookie set by the API; set one like a page would
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    accepted = post(client, "/api/v1/cart/items", {"sku_id": tea.pk}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


def test_query_and_header_errors_name_the_field(client, auth):
    page = client.get("/api/v1/catalog/products", {"page": 0})
    assert (page.status_code, page.json()["error"]["field"]) == (422, "page")
    long_key = post(client, "/api/v1/checkout", {}, HTTP_IDEMPOTENCY_KEY="k" * 200, **auth)
    assert (long_key.status_code, long_key.json()["error"]["field"]) == (422, "Idempotency-Key")


def test_ids_beyond_64_bits_are_bad_input(client, auth):
    huge = 2**70
    response = post(client, "/api/v1/cart/items", {"sku_id": huge}, **auth)
    assert response.status_code in (400, 404, 422)
    assert client.put(f"/api/v1/cart/items/{huge}", data={"quantity": 1}, content_type="application/json",
                      **auth).status_code in (400, 404, 422)  # fmt: skip
