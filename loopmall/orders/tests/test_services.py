import pytest

from loopmall.accounts import services as accounts_services
from loopmall.catalog.models import Sku
from loopmall.core.errors import Conflict, DomainError, NotFound, OutOfStock, PermissionDenied
from loopmall.core.models import OutboxEvent
from loopmall.orders import selectors, services
from loopmall.orders.models import Order, Payment
from loopmall.orders.tests import factories

pytestmark = pytest.mark.django_db


def stock_of(sku) -> int:
    return Sku.objects.get(pk=sku.pk).stock


def events(name):
    return list(OutboxEvent.objects.filter(name=name).order_by("id"))


def paid_order(buyer, items):
    order = services.order_place(user=buyer, items=items)
    return services.sandbox_pay(user=buyer, order_number=order.number)


# -- cart -------------------------------------------------------------------------------------


def test_cart_merges_quantities_and_reports_totals(buyer, tea):
    other = factories.sku(price_minor=1250, stock=5)
    services.cart_add(user=buyer, sku_id=tea.pk, quantity=1)
    services.cart_add(user=buyer, sku_id=tea.pk, quantity=2)
    services.cart_add(user=buyer, sku_id=other.pk, quantity=4)
    cart = selectors.cart_get(user=buyer)
    assert [(line.sku_id, line.quantity, line.line_total_minor) for line in cart.lines] == [
        (tea.pk, 3, 17970),
        (other.pk, 4, 5000),
    ]
    assert cart.subtotal_minor == 22970
    assert str(cart.subtotal) == "¥229.70"
    assert cart.item_count == 7


def test_cart_refuses_more_than_stock(buyer, tea):
    with pytest.raises(OutOfStock) as error:
        services.cart_add(user=buyer, sku_id=tea.pk, quantity=11)
    assert error.value.field == "quantity"


def test_cart_update_zero_removes_and_emits_product_removed(buyer, tea):
    services.cart_add(user=buyer, sku_id=tea.pk, quantity=2)
    assert services.cart_update(user=buyer, sku_id=tea.pk, quantity=0) is None
    assert selectors.cart_get(user=buyer).is_empty
    removed = events("Product Removed")[-1].properties
    assert removed["sku_id"] == tea.pk
    assert removed["quantity"] == 2
    assert removed["price"] == "59.90"


def test_cart_refuses_inactive_sku(buyer, tea):
    Sku.objects.filter(pk=tea.pk).update(is_active=False)
    with pytest.raises(NotFound):
        services.cart_add(user=buyer, sku_id=tea.pk)


# -- checkout ---------------------------------------------------------------------------------


def test_order_snapshots_address_prices_and_reserves_stock(buyer, tea):
    order = services.order_place(user=buyer, items=[(tea.pk, 2), (tea.pk, 1)])
    assert order.status == "pending_payment"
    assert order.total_minor == 3 * 5990
    assert order.shipping_address["city"] == "上海市"
    assert stock_of(tea) == 7
    line = order.lines.get()
    assert (line.quantity, line.unit_price_minor) == (3, 5990)
    Sku.objects.filter(pk=tea.pk).update(price_minor=9990)
    line.refresh_from_db()
    assert line.unit_price_minor == 5990
    started = events("Checkout Started")[-1].properties
    assert started["order_id"] == order.number
    assert started["total"] == "179.70"
    assert started["products"][0] | {"category": "?"} == {
        "sku_id": tea.pk, "product_id": tea.product_id, "category": "?", "name": "龙井绿茶",
        "price": "59.90", "price_minor": 5990, "quantity": 3,
    }  # fmt: skip


def test_out_of_stock_reserves_nothing(buyer, tea):
    plenty = factories.sku(stock=100)
    with pytest.raises(OutOfStock) as error:
        services.order_place(user=buyer, items=[(plenty.pk, 5), (tea.pk, 11)])
    assert error.value.field == "sku_id"
    assert (stock_of(plenty), stock_of(tea)) == (100, 10)
    assert not Order.objects.exists()


def test_bundle_reserves_its_components(buyer):
    cup = factories.sku(stock=10, name="茶杯")
    leaves = factories.sku(stock=5, name="茶叶")
    kit = factories.bundle(components=[(cup, 2), (leaves, 1)])
    from loopmall.catalog import selectors as catalog_selectors

    assert catalog_selectors.sku_available_stock(sku=kit) == 5
    services.order_place(user=buyer, items=[(kit.pk, 3)])
    assert (stock_of(cup), stock_of(leaves)) == (4, 2)
    assert catalog_selectors.sku_available_stock(sku=Sku.objects.get(pk=kit.pk)) == 2
    with pytest.raises(OutOfStock):
        services.order_place(user=buyer, items=[(kit.pk, 3)])
    assert (stock_of(cup), stock_of(leaves)) == (4, 2)


def test_checkout_from_cart_empties_it_and_needs_an_address(tea):
    nomad = factories.customer(with_address=False)
    services.cart_add(user=nomad, sku_id=tea.pk)
    with pytest.raises(DomainError) as error:
        services.order_place(user=nomad)
    assert error.value.field == "address_id"
    assert stock_of(tea) == 10
    with pytest.raises(DomainError) as empty:
        services.order_place(user=factories.customer())
    assert empty.value.field == "items"


def test_someone_elses_address_is_refused(buyer, other_buyer, tea):
    address = other_buyer.addresses.get()
    with pytest.raises(NotFound) as error:
        services.order_place(user=buyer, items=[(tea.pk, 1)], address_id=address.pk)
    assert error.value.field == "address_id"


def test_idempotency_key_returns_the_first_order(buyer, tea):
    first = services.order_place(user=buyer, items=[(tea.pk, 1)], idempotency_key="k1")
    again = services.order_place(user=buyer, items=[(tea.pk, 1)], idempotency_key="k1")
    assert first.pk == again.pk
    assert stock_of(tea) == 9


def test_reorder_uses_default_address_and_todays_prices(buyer, tea):
    first = paid_order(buyer, [(tea.pk, 2)])
    second_address = accounts_services.address_create(
        user=buyer, recipient="李雷", phone="13900001111", province="浙江省", city="杭州市", detail="西湖路1号",
        is_default=True,
    )  # fmt: skip
    Sku.objects.filter(pk=tea.pk).update(price_minor=4990)
    again = services.order_reorder(user=buyer, order_number=first.number)
    assert again.reordered_from_id == first.pk
    assert again.total_minor == 2 * 4990
    assert again.shipping_address["city"] == second_address.city


def test_reorder_names_a_sku_that_is_gone(buyer, tea):
    first = paid_order(buyer, [(tea.pk, 2)])
    Sku.objects.filter(pk=tea.pk).update(stock=1)
    with pytest.raises(OutOfStock) as short:
        services.order_reorder(user=buyer, order_number=first.number)
    assert "龙井绿茶" in short.value.message
    Sku.objects.filter(pk=tea.pk).update(is_active=False)
    with pytest.raises(NotFound) as gone:
        services.order_reorder(user=buyer, order_number=first.number)
    assert gone.value.field == "sku_id"


# -- payment ----------------------------------------------------------------------------------


def test_payment_flow_emits_order_completed_once(buyer, tea):
    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    assert services.payment_start(user=buyer, order_number=order.number) == intent
    assert intent.amount_minor == 5990
    services.sandbox_pay(user=buyer, order_number=order.number)
    services.sandbox_pay(user=buyer, order_number=order.number)
    order.refresh_from_db()
    assert (order.status, order.paid_minor) == ("paid", 5990)
    completed = events("Order Completed")
    assert len(completed) == 1
    assert completed[0].properties["total"] == "59.90"
    assert completed[0].properties["products"][0]["sku_id"] == tea.pk


def test_buyer_confirmation_needs_provider_approval(buyer, tea):
    from loopmall.orders.payments.sandbox import SandboxProvider

    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    with pytest.raises(Conflict) as pending:
        services.payment_confirm_by_buyer(
            user=buyer, order_number=order.number, provider_transaction_id=intent.provider_transaction_id
        )
    assert pending.value.code == "payment_pending"
    body, signature = SandboxProvider().approve(provider_transaction_id=intent.provider_transaction_id)
    paid = services.payment_confirm_by_buyer(
        user=buyer, order_number=order.number, provider_transaction_id=intent.provider_transaction_id
    )
    assert paid.status == "paid"
    services.payment_callback_handle(provider="sandbox", body=body, signature=signature)  # late callback
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert len(events("Order Completed")) == 1


def test_callback_amount_must_match(buyer, tea):
    import json

    from loopmall.orders.payments.sandbox import sign

    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    body = json.dumps({"transaction_id": intent.provider_transaction_id, "order_number": order.number,
                       "amount_minor": 1, "currency": "CNY", "status": "succeeded"}).encode()  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.payment_callback_handle(provider="sandbox", body=body, signature=sign(body))
    assert error.value.field == "amount_minor"
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_tampered_callback_is_refused(buyer, tea):
    from loopmall.orders.payments.sandbox import SandboxProvider

    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    body, signature = SandboxProvider().approve(provider_transaction_id=intent.provider_transaction_id)
    with pytest.raises(DomainError) as error:
        services.payment_callback_handle(
            provider="sandbox", body=body.replace(b"5990", b"5991"), signature=signature
        )
    assert error.value.field == "signature"
    with pytest.raises(DomainError):
        services.payment_callback_handle(provider="sandbox", body=body, signature="")


def test_payment_after_cancel_is_handed_back(buyer, tea):
    from loopmall.orders.payments.sandbox import SandboxProvider

    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    services.order_cancel(order_number=order.number, reason="buyer", actor=buyer)
    body, signature = SandboxProvider().approve(provider_transaction_id=intent.provider_transaction_id)
    result = services.payment_callback_handle(provider="sandbox", body=body, signature=signature)
    assert result.status == "cancelled"
    payment = Payment.objects.get()
    assert payment.status == "failed"
    assert payment.raw["refund_id"].startswith("sbx_refund_")
    assert stock_of(tea) == 10


# -- cancel and fulfilment --------------------------------------------------------------------


def test_cancel_releases_stock_once(buyer, tea):
    order = services.order_place(user=buyer, items=[(tea.pk, 4)])
    services.order_cancel(order_number=order.number, reason="buyer", actor=buyer)
    services.order_cancel(order_number=order.number, reason="buyer", actor=buyer)
    assert stock_of(tea) == 10
    assert len(events("Order Cancelled")) == 1


def test_paid_order_cannot_be_cancelled(buyer, tea):
    order = paid_order(buyer, [(tea.pk, 1)])
    with pytest.raises(Conflict):
        services.order_cancel(order_number=order.number, reason="buyer", actor=buyer)


def test_customer_cannot_cancel_someone_elses_order(buyer, other_buyer, tea):
    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    with pytest.raises(NotFound):
        services.order_cancel(order_number=order.number, reason="x", actor=other_buyer)


def test_shipping_needs_staff_and_a_paid_order(buyer, tea, operator):
    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    with pytest.raises(Conflict):
        services.order_ship(order_number=order.number, actor=operator)
    services.sandbox_pay(user=buyer, order_number=order.number)
    with pytest.raises(PermissionDenied):
        services.order_ship(order_number=order.number, actor=buyer)
    shipped = services.order_ship(
        order_number=order.number, carrier="SF", tracking_number="1", actor=operator
    )
    assert shipped.status == "shipped"
    assert events("Order Updated")[-1].properties["status"] == "shipped"


# -- refunds ----------------------------------------------------------------------------------


def test_line_refunds_never_exceed_the_line(buyer, tea, operator):
    cheap = factories.sku(price_minor=1001, stock=10)
    order = paid_order(buyer, [(tea.pk, 2), (cheap.pk, 3)])
    tea_line, cheap_line = order.lines.order_by("id")
    first = services.refund_request(user=buyer, order_number=order.number, reason="坏了", line_id=cheap_line.pk,
                                    quantity=1)  # fmt: skip
    assert first.amount_minor == 1001
    rest = services.refund_request(
        user=buyer, order_number=order.number, reason="坏了", line_id=cheap_line.pk
    )
    assert (rest.quantity, rest.amount_minor) == (2, 2002)
    with pytest.raises(DomainError) as error:
        services.refund_request(user=buyer, order_number=order.number, reason="again", line_id=cheap_line.pk,
                                quantity=1)  # fmt: skip
    assert error.value.field == "quantity"
    services.refund_approve(refund_id=first.pk, actor=operator)
    order.refresh_from_db()
    assert order.status == "refund_requested"  # another request is still open
    services.refund_approve(refund_id=rest.pk, actor=operator)
    order.refresh_from_db()
    assert (order.status, order.refunded_minor) == ("paid", 3003)
    cheap_line.refresh_from_db()
    assert (cheap_line.refunded_quantity, cheap_line.refunded_minor) == (3, 3003)
    refunded = events("Order Refunded")
    assert [e.properties["total"] for e in refunded] == ["10.01", "20.02"]
    assert refunded[0].properties["products"][0]["quantity"] == 1


def test_full_refund_ends_refunded_and_more_is_refused(buyer, tea, operator):
    order = paid_order(buyer, [(tea.pk, 2)])
    refund = services.refund_request(user=buyer, order_number=order.number, reason="不想要了")
    assert refund.amount_minor == 11980
    with pytest.raises(Conflict):
        services.refund_request(user=buyer, order_number=order.number, reason="again", amount_minor=1)
    services.refund_approve(refund_id=refund.pk, actor=operator)
    services.refund_approve(refund_id=refund.pk, actor=operator)  # repeated approval is harmless
    order.refresh_from_db()
    assert (order.status, order.refunded_minor) == ("refunded", 11980)
    assert len(events("Order Refunded")) == 1


def test_rejected_refund_returns_to_previous_status(buyer, tea, operator):
    order = paid_order(buyer, [(tea.pk, 1)])
    services.order_ship(order_number=order.number, actor=operator)
    refund = services.refund_request(user=buyer, order_number=order.number, reason="慢", amount_minor=100)
    services.refund_reject(refund_id=refund.pk, actor=operator)
    order.refresh_from_db()
    assert order.status == "shipped"


def test_refund_of_unpaid_order_is_refused(buyer, tea):
    order = services.order_place(user=buyer, items=[(tea.pk, 1)])
    with pytest.raises(Conflict):
        services.refund_request(user=buyer, order_number=order.number, reason="x")


def test_refund_amount_over_paid_names_the_field(buyer, tea):
    order = paid_order(buyer, [(tea.pk, 1)])
    with pytest.raises(DomainError) as error:
        services.refund_request(user=buyer, order_number=order.number, reason="x", amount_minor=5991)
    assert error.value.field == "amount_minor"
