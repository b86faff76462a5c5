from loopmall.core.models import OutboxEvent
from loopmall.orders import selectors, services


def test_cart_checkout_pay_ship_complete(buyer, tea, operator):
    services.cart_add(user=buyer, sku_id=tea.pk, quantity=2)
    cart = selectors.cart_get(user=buyer)
    assert cart.subtotal_minor == 11980
    order = services.order_place(user=buyer)
    tea.refresh_from_db()
    assert tea.stock == 8
    assert order.total_minor == 11980
    assert selectors.cart_get(user=buyer).is_empty
    order = services.sandbox_pay(user=buyer, order_number=order.number)
    assert order.status == "paid"
    order = services.order_ship(
        order_number=order.number, carrier="SF", tracking_number="SF1", actor=operator
    )
    order = services.order_mark_delivered(order_number=order.number, actor=operator)
    order = services.order_complete(order_number=order.number, actor=buyer)
    assert order.status == "completed"
    names = list(OutboxEvent.objects.values_list("name", flat=True))
    assert names.count("Order Completed") == 1
    assert "Checkout Started" in names
    assert "Product Added" in names
