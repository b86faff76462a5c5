"""Writes for orders: cart, checkout, payment, cancellation, shipping and refunds.

Every function owns its transaction, moves an order only through the table in `states.py`, and
appends its outbox event in the same transaction. Order rows are locked (`locks.order_lock`) before
anything that reads-then-writes money, so payments and refunds serialise per order."""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from loopmall.accounts import selectors as accounts_selectors
from loopmall.catalog import selectors as catalog_selectors
from loopmall.catalog import services as catalog_services
from loopmall.core import clock
from loopmall.core.errors import Conflict, DomainError, NotFound, OutOfStock, PermissionDenied
from loopmall.core.events import event_emit
from loopmall.core.money import Money
from loopmall.orders import locks
from loopmall.orders.contracts import CallbackResult, PaymentIntent
from loopmall.orders.models import (
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Shipment,
)
from loopmall.orders.payments import provider_get
from loopmall.orders.payments.sandbox import SandboxProvider
from loopmall.orders.states import PAID_STATES, REFUNDABLE, transition_check

logger = logging.getLogger(__name__)

MAX_QUANTITY = 99
MAX_LINES = 50


# -- helpers ----------------------------------------------------------------------------------


def _major(minor: int, currency: str) -> str:
    return Money(int(minor), currency).to_decimal_string()


def _sku_properties(sku, quantity: int) -> dict[str, Any]:
    return {
        "sku_id": sku.pk,
        "product_id": sku.product_id,
        "category": sku.product.category.slug,
        "name": sku.product.name,
        "price": _major(sku.price_minor, sku.currency),
        "price_minor": sku.price_minor,
        "quantity": quantity,
    }


def _order_products(order: Order, lines: list[OrderLine] | None = None) -> list[dict[str, Any]]:
    if lines is None:
        lines = list(order.lines.select_related("sku__product__category"))
    return [
        {
            "sku_id": line.sku_id,
            "product_id": line.sku.product_id,
            "category": line.sku.product.category.slug,
            "name": line.product_name,
            "price": _major(line.unit_price_minor, order.currency),
            "price_minor": line.unit_price_minor,
            "quantity": line.quantity,
        }
        for line in lines
    ]


def _order_properties(order: Order, lines: list[OrderLine] | None = None, **extra) -> dict[str, Any]:
    properties = {
        "order_id": order.number,
        "status": order.status,
        "total": _major(order.total_minor, order.currency),
        "total_minor": order.total_minor,
        "subtotal": _major(order.subtotal_minor, order.currency),
        "discount": _major(order.discount_minor, order.currency),
        "shipping": _major(order.shipping_minor, order.currency),
        "currency": order.currency,
        "channel": order.channel,
        "products": _order_products(order, lines),
    }
    if order.attribution:
        properties["attribution"] = order.attribution
    properties.update(extra)
    return properties


def _order_event(name: str, order: Order, lines: list[OrderLine] | None = None, **extra) -> None:
    event_emit(
        name,
        user_id=order.user_id,
        aggregate=("order", order.number),
        channel=order.channel,
        properties=_order_properties(order, lines, **extra),
    )


def _quantity_check(quantity, *, field: str = "quantity", allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not low <= quantity <= MAX_QUANTITY:
        raise DomainError(
            _("Quantity must be a whole number from %(low)s to %(high)s.")
            % {"low": low, "high": MAX_QUANTITY},
            field=field,
        )
    return quantity


def _sku_for_sale(sku_id) -> Any:
    if not isinstance(sku_id, int) or isinstance(sku_id, bool):
        raise DomainError(_("Choose a product variant."), field="sku_id")
    sku = catalog_selectors.skus_get(sku_ids=[sku_id]).get(sku_id)
    if sku is None or not sku.is_active or not sku.product.is_active:
        raise NotFound(_("This product is not on sale."), field="sku_id")
    return sku


def _staff_check(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only staff may do this."))


def _order_for_buyer(user, order_number: str) -> Order:
    order = Order.objects.filter(number=str(order_number), user_id=user.pk).first()
    if order is None:
        raise NotFound(_("Order not found."), field="order_number")
    return order


def _locked_order(order_number: str) -> Order:
    order = locks.order_lock(number=str(order_number))
    if order is None:
        raise NotFound(_("Order not found."), field="order_number")
    return order


# -- cart -------------------------------------------------------------------------------------


def _cart_for(user) -> Cart:
    cart = Cart.objects.filter(user=user).first()
    if cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(user=user)
        except IntegrityError:  # created by a concurrent request
            cart = Cart.objects.get(user=user)
    return cart


def cart_add(*, user, sku_id: int, quantity: int = 1) -> CartLine:
    """Put a SKU in the cart (adding to the quantity already there), up to what is in stock."""
    _quantity_check(quantity)
    sku = _sku_for_sale(sku_id)
    cart = _cart_for(user)
    with transaction.atomic():
        line = CartLine.objects.select_for_update().filter(cart=cart, sku=sku).first()
        current = line.quantity if line else 0
        wanted = current + quantity
        if wanted > MAX_QUANTITY:
            raise DomainError(
                _("At most %(n)s of one item per order.") % {"n": MAX_QUANTITY}, field="quantity"
            )
        available = catalog_selectors.sku_available_stock(sku=sku)
        if wanted > available:
            raise OutOfStock(_("Only %(n)s left in stock.") % {"n": available}, field="quantity")
        if line is None:
            line = CartLine.objects.create(cart=cart, sku=sku, quantity=wanted)
        else:
            line.quantity = wanted
            line.save(update_fields=["quantity"])
        Cart.objects.filter(pk=cart.pk).update(updated_at=clock.now())
        event_emit(
            "Product Added",
            user_id=user.pk,
            aggregate=("cart", cart.pk),
            properties={"cart_id": cart.pk, **_sku_properties(sku, quantity)},
        )
    return line


def cart_update(*, user, sku_id: int, quantity: int) -> CartLine | None:
    """Set the quantity of a SKU in the cart; 0 removes it. Returns the line, or None when removed."""
    _quantity_check(quantity, allow_zero=True)
    cart = _cart_for(user)
    with transaction.atomic():
        line = CartLine.objects.select_for_update().select_related("sku__product__category")
        line = line.filter(cart=cart, sku_id=sku_id).first()
        if line is None:
            if quantity == 0:
                return None
            return cart_add(user=user, sku_id=sku_id, quantity=quantity)
        sku = line.sku
        delta = quantity - line.quantity
        if delta > 0:
            available = catalog_selectors.sku_available_stock(sku=sku)
            if quantity > available:
                raise OutOfStock(_("Only %(n)s left in stock.") % {"n": available}, field="quantity")
        if quantity == 0:
            line.delete()
            line = None
        elif delta:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
        if delta:
            event_emit(
                "Product Added" if delta > 0 else "Product Removed",
                user_id=user.pk,
                aggregate=("cart", cart.pk),
                properties={"cart_id": cart.pk, **_sku_properties(sku, abs(delta))},
            )
    return line


def cart_remove(*, user, sku_id: int) -> None:
    cart_update(user=user, sku_id=sku_id, quantity=0)


def cart_clear(*, user) -> None:
    cart = Cart.objects.filter(user=user).first()
    if cart is None:
        return
    with transaction.atomic():
        for line in cart.lines.select_related("sku__product__category"):
            event_emit(
                "Product Removed",
                user_id=user.pk,
                aggregate=("cart", cart.pk),
                properties={"cart_id": cart.pk, **_sku_properties(line.sku, line.quantity)},
            )
        cart.lines.all().delete()


# -- checkout ---------------------------------------------------------------------------------


def _items_normalize(items) -> list[tuple[int, int]]:
    """[(sku_id, quantity)] from tuples or {"sku_id", "quantity"} dicts, duplicates merged, order kept."""
    if not isinstance(items, list | tuple):
        raise DomainError(_("Items must be a list."), field="items")
    merged: dict[int, int] = defaultdict(int)
    for item in items:
        if isinstance(item, dict):
            sku_id, quantity = item.get("sku_id"), item.get("quantity", 1)
        elif isinstance(item, list | tuple) and len(item) == 2:
            sku_id, quantity = item
        else:
            raise DomainError(_("Each item needs a sku_id and a quantity."), field="items")
        if not isinstance(sku_id, int) or isinstance(sku_id, bool):
            raise DomainError(_("Choose a product variant."), field="sku_id")
        merged[sku_id] += _quantity_check(quantity)
    if len(merged) > MAX_LINES:
        raise DomainError(_("At most %(n)s different items per order.") % {"n": MAX_LINES}, field="items")
    for quantity in merged.values():
        _quantity_check(quantity)
    return list(merged.items())


def _idempotency_key_clean(key) -> str | None:
    if key is None or key == "":
        return None
    key = str(key).strip()
    if not key or len(key) > 128:
        raise DomainError(_("The idempotency key must be 1 to 128 characters."), field="idempotency_key")
    return key


def _attribution_clean(attribution) -> dict:
    if attribution is None:
        return {}
    if not isinstance(attribution, dict) or len(attribution) > 20:
        raise DomainError(_("Attribution must be a small object."), field="attribution")
    cleaned = {}
    for name, value in attribution.items():
        if not isinstance(name, str) or len(name) > 64:
            raise DomainError(_("Attribution keys must be short text."), field="attribution")
        if value is not None and not isinstance(value, str | int | bool):
            raise DomainError(_("Attribution values must be text or numbers."), field="attribution")
        if isinstance(value, str) and len(value) > 200:
            raise DomainError(_("Attribution values must be short."), field="attribution")
        cleaned[name] = value
    return cleaned


def _order_number() -> str:
    return f"{clock.business_date():%Y%m%d}{secrets.randbelow(10**10):010d}"


def _cancel_schedule(order_number: str, deadline) -> None:
    """Ask the queue to cancel the order at its deadline. The minute sweep is the safety net if the
    queue is down, so a failure here is logged, not raised."""
    from loopmall.orders.tasks import order_cancel_when_overdue

    try:
        order_cancel_when_overdue.schedule(args=(order_number,), eta=deadline)
    except Exception:  # the queue being unavailable must not fail a placed order
        logger.exception("could not schedule the payment-timeout job for order %s", order_number)


def order_place(
    *,
    user,
    address_id: int | None = None,
    items: list | None = None,
    channel: str = "storefront",
    idempotency_key: str | None = None,
    attribution: dict | None = None,
    note: str = "",
    reordered_from_id: int | None = None,
) -> Order:
    """Turn the cart (or `items`: [(sku_id, quantity)] or [{"sku_id", "quantity"}]) into an order
    awaiting payment, with stock reserved. A repeated idempotency key returns the first order."""
    key = _idempotency_key_clean(idempotency_key)
    if key:
        existing = Order.objects.filter(user_id=user.pk, idempotency_key=key).first()
        if existing is not None:
            return existing
    from_cart = items is None
    if from_cart:
        cart = Cart.objects.filter(user=user).first()
        items = list(cart.lines.values_list("sku_id", "quantity")) if cart else []
    wanted = _items_normalize(items)
    if not wanted:
        raise DomainError(_("Your cart is empty."), field="items")
    channel = (channel or "storefront").strip()
    if len(channel) > 32:
        raise DomainError(_("Unknown channel."), field="channel")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError(_("The note is too long (500 characters at most)."), field="note")
    attribution = _attribution_clean(attribution)

    if address_id is None:
        address = accounts_selectors.address_default_for(user=user)
        if address is None:
            raise DomainError(_("Add a shipping address first."), field="address_id", code="no_address")
    else:
        address = accounts_selectors.address_get_for_user(user=user, address_id=address_id)
        if address is None:
            raise NotFound(_("Address not found."), field="address_id")

    skus = catalog_selectors.skus_get(sku_ids=[sku_id for sku_id, _q in wanted])
    for sku_id, _quantity in wanted:
        sku = skus.get(sku_id)
        if sku is None or not sku.is_active or not sku.product.is_active:
            name = str(sku) if sku else f"#{sku_id}"
            raise NotFound(_("%(name)s is no longer on sale.") % {"name": name}, field="sku_id")
    currencies = {skus[sku_id].currency for sku_id, _q in wanted}
    if len(currencies) != 1:
        raise DomainError(_("All items of one order must be in one currency."), field="items")
    currency = currencies.pop()
    subtotal = sum(skus[sku_id].price_minor * quantity for sku_id, quantity in wanted)
    moment = clock.now()
    deadline = moment + timedelta(minutes=settings.LOOPMALL_PAYMENT_TIMEOUT_MINUTES)

    try:
        with transaction.atomic():
            catalog_services.stock_reserve(items=wanted)
            order = Order.objects.create(
                number=_order_number(),
                user_id=user.pk,
                status=OrderStatus.PENDING_PAYMENT,
                currency=currency,
                subtotal_minor=subtotal,
                total_minor=subtotal,
                channel=channel,
                shipping_address=address.as_snapshot(),
                note=note,
                attribution=attribution,
                placed_at=moment,
                payment_deadline=deadline,
                idempotency_key=key,
                reordered_from_id=reordered_from_id,
            )
            lines = OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        sku=skus[sku_id],
                        product_name=skus[sku_id].product.name,
                        sku_name=skus[sku_id].name,
                        unit_price_minor=skus[sku_id].price_minor,
                        quantity=quantity,
                    )
                    for sku_id, quantity in wanted
                ]
            )
            if from_cart:
                CartLine.objects.filter(cart__user=user, sku_id__in=[s for s, _q in wanted]).delete()
            _order_event("Checkout Started", order, lines)
            number = order.number
            transaction.on_commit(lambda: _cancel_schedule(number, deadline))
    except IntegrityError:
        if key:
            existing = Order.objects.filter(user_id=user.pk, idempotency_key=key).first()
            if existing is not None:  # the same checkout committed first in a concurrent request
                return existing
        raise
    return order


def order_reorder(*, user, order_number: str, idempotency_key: str | None = None) -> Order:
    """One-tap repurchase: the same items at today's prices, to the saved default address."""
    source = _order_for_buyer(user, order_number)
    lines = list(source.lines.select_related("sku__product"))
    for line in lines:
        if not line.sku.is_active or not line.sku.product.is_active:
            raise NotFound(_("%(name)s is no longer on sale.") % {"name": line.product_name}, field="sku_id")
        available = catalog_selectors.sku_available_stock(sku=line.sku)
        if available < line.quantity:
            raise OutOfStock(
                _("Only %(n)s left of %(name)s.") % {"n": available, "name": line.product_name},
                field="sku_id",
            )
    return order_place(
        user=user,
        items=[(line.sku_id, line.quantity) for line in lines],
        channel=source.channel,
        idempotency_key=idempotency_key,
        reordered_from_id=source.pk,
    )


# -- payment ----------------------------------------------------------------------------------


def _intent_of(payment: Payment, order: Order) -> PaymentIntent:
    return PaymentIntent(
        order_number=order.number,
        provider=payment.provider,
        provider_transaction_id=payment.provider_transaction_id,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
    )


def payment_start(*, user, order_number: str, provider: str = "sandbox") -> PaymentIntent:
    """Open a payment at the provider for an order awaiting payment (reusing an open one)."""
    gateway = provider_get(provider)
    _order_for_buyer(user, order_number)
    with transaction.atomic():
        order = _locked_order(order_number)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise Conflict(_("This order is not awaiting payment."), field="status")
        if order.payment_deadline and order.payment_deadline <= clock.now():
            raise Conflict(_("The time to pay this order is over."), field="status", code="payment_expired")
        existing = (
            Payment.objects.filter(
                order=order, provider=provider, status=PaymentStatus.PENDING, amount_minor=order.total_minor
            )
            .order_by("-id")
            .first()
        )
        if existing is not None:
            return _intent_of(existing, order)
        intent = gateway.payment_open(
            order_number=order.number, amount_minor=order.total_minor, currency=order.currency
        )
        Payment.objects.create(
            order=order,
            provider=provider,
            provider_transaction_id=intent.provider_transaction_id,
            amount_minor=intent.amount_minor,
            currency=intent.currency,
        )
        _order_event("Payment Info Entered", order, payment_method=provider)
    return intent


def _payment_settle(result: CallbackResult) -> Order:
    """Record a payment the provider vouches for. Idempotent: the order row lock makes concurrent
    deliveries of the same result queue up, and the second finds the payment already succeeded."""
    with transaction.atomic():
        order = _locked_order(result.order_number)
        payment = locks.payment_lock(
            provider=result.provider, provider_transaction_id=result.provider_transaction_id
        )
        if payment is not None and payment.order_id != order.pk:
            raise DomainError(_("The transaction belongs to another order."), field="order_number")
        if payment is not None and payment.status == PaymentStatus.SUCCEEDED:
            return order
        if result.amount_minor != order.total_minor or result.currency != order.currency:
            raise DomainError(
                _("The amount paid does not match the order total."),
                field="amount_minor",
                code="amount_mismatch",
            )
        if payment is None:
            payment = Payment(
                order=order,
                provider=result.provider,
                provider_transaction_id=result.provider_transaction_id,
                amount_minor=result.amount_minor,
                currency=result.currency,
            )
        moment = clock.now()
        if order.status != OrderStatus.PENDING_PAYMENT:
            # Paid twice, or paid after the order was cancelled: hand the money straight back.
            refund_id = provider_get(result.provider).refund_issue(
                provider_transaction_id=result.provider_transaction_id,
                amount_minor=result.amount_minor,
                currency=result.currency,
            )
            payment.status = PaymentStatus.FAILED
            payment.raw = {**result.raw, "rejected": order.status, "refund_id": refund_id}
            payment.confirmed_at = moment
            payment.save()
            logger.warning("payment %s for %s order %s refunded", payment.provider_transaction_id,
                           order.status, order.number)  # fmt: skip
            return order
        transition_check(order.status, OrderStatus.PAID)
        payment.status = PaymentStatus.SUCCEEDED
        payment.confirmed_at = moment
        payment.raw = result.raw
        payment.save()
        order.status = OrderStatus.PAID
        order.paid_minor = result.amount_minor
        order.paid_at = moment
        order.save(update_fields=["status", "paid_minor", "paid_at"])
        _order_event(
            "Order Completed",
            order,
            payment_method=result.provider,
            provider_transaction_id=result.provider_transaction_id,
        )
    return order


def payment_callback_handle(*, provider: str, body: bytes, signature: str) -> Order:
    """The provider's signed notification. Forged signatures are refused (field "signature");
    the same callback any number of times pays once."""
    gateway = provider_get(provider)
    result = gateway.callback_verify(body=body, signature=signature)
    if not result.is_succeeded:
        order = Order.objects.filter(number=result.order_number).first()
        if order is None:
            raise NotFound(_("Order not found."), field="order_number")
        return order
    return _payment_settle(result)


def payment_confirm_by_buyer(*, user, order_number: str, provider_transaction_id: str) -> Order:
    """The shopper came back from the wallet: ask the provider and settle if it says paid."""
    order = _order_for_buyer(user, order_number)
    payment = Payment.objects.filter(
        order=order, provider_transaction_id=str(provider_transaction_id)
    ).first()
    if payment is None:
        raise NotFound(_("Payment not found."), field="provider_transaction_id")
    if payment.status == PaymentStatus.SUCCEEDED:
        return order
    status = provider_get(payment.provider).transaction_query(provider_transaction_id=provider_transaction_id)
    if status is None or status.order_number != order.number:
        raise NotFound(_("Payment not found."), field="provider_transaction_id")
    if not status.is_succeeded:
        raise Conflict(
            _("The payment has not gone through yet."),
            field="provider_transaction_id",
            code="payment_pending",
        )
    return _payment_settle(
        CallbackResult(
            provider=payment.provider,
            provider_transaction_id=status.provider_transaction_id,
            order_number=status.order_number,
            amount_minor=status.amount_minor,
            currency=status.currency,
            is_succeeded=True,
            raw={"source": "buyer_confirmation"},
        )
    )


def sandbox_pay(*, user, order_number: str) -> Order:
    """The storefront's sandbox pay button: the sandbox approves and delivers its signed callback."""
    order = _order_for_buyer(user, order_number)
    if order.status in PAID_STATES:
        return order
    intent = payment_start(user=user, order_number=order_number, provider="sandbox")
    body, signature = SandboxProvider().approve(provider_transaction_id=intent.provider_transaction_id)
    return payment_callback_handle(provider="sandbox", body=body, signature=signature)


# -- cancellation -----------------------------------------------------------------------------


def _cancel_locked(order: Order, *, reason: str, actor_id: int | None) -> Order:
    transition_check(order.status, OrderStatus.CANCELLED)
    lines = list(order.lines.select_related("sku__product__category"))
    catalog_services.stock_release(items=[(line.sku_id, line.quantity) for line in lines])
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = clock.now()
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    order.payments.filter(status=PaymentStatus.PENDING).update(status=PaymentStatus.FAILED)
    _order_event("Order Cancelled", order, lines, reason=reason, actor_id=actor_id)
    return order


def order_cancel(*, order_number: str, reason: str, actor=None) -> Order:
    """Cancel an order awaiting payment and give its stock back. `actor` None is the system;
    a customer may cancel only their own order."""
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        order = _locked_order(order_number)
        if actor is not None and not getattr(actor, "is_staff", False) and actor.pk != order.user_id:
            raise NotFound(_("Order not found."), field="order_number")
        if order.status == OrderStatus.CANCELLED:
            return order
        return _cancel_locked(order, reason=reason, actor_id=getattr(actor, "pk", None))


def order_cancel_if_overdue(*, order_number: str) -> bool:
    """Cancel the order if it is still unpaid past its deadline. True when it was cancelled now."""
    with transaction.atomic():
        order = locks.order_lock(number=order_number)
        if (
            order is None
            or order.status != OrderStatus.PENDING_PAYMENT
            or order.payment_deadline is None
            or order.payment_deadline > clock.now()
        ):
            return False
        _cancel_locked(order, reason="timeout", actor_id=None)
        return True


def orders_cancel_overdue(*, limit: int = 1000) -> int:
    """Cancel every unpaid order past its deadline (the minute sweep). Returns how many."""
    numbers = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, payment_deadline__lte=clock.now())
        .order_by("payment_deadline")
        .values_list("number", flat=True)[:limit]
    )
    return sum(order_cancel_if_overdue(order_number=number) for number in numbers)


# -- fulfilment -------------------------------------------------------------------------------


def order_ship(*, order_number: str, carrier: str = "", tracking_number: str = "", actor) -> Order:
    _staff_check(actor)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if len(carrier) > 64:
        raise DomainError(_("Too long (64 characters at most)."), field="carrier")
    if len(tracking_number) > 64:
        raise DomainError(_("Too long (64 characters at most)."), field="tracking_number")
    with transaction.atomic():
        order = _locked_order(order_number)
        transition_check(order.status, OrderStatus.SHIPPED)
        moment = clock.now()
        Shipment.objects.create(
            order=order, carrier=carrier, tracking_number=tracking_number, shipped_at=moment
        )
        order.status = OrderStatus.SHIPPED
        order.shipped_at = moment
        order.save(update_fields=["status", "shipped_at"])
        _order_event("Order Updated", order, carrier=carrier, tracking_number=tracking_number)
    return order


def order_mark_delivered(*, order_number: str, actor=None) -> Order:
    """The carrier delivered the parcel (staff, or the system on a carrier notice)."""
    if actor is not None:
        _staff_check(actor)
    with transaction.atomic():
        order = _locked_order(order_number)
        transition_check(order.status, OrderStatus.DELIVERED)
        moment = clock.now()
        order.status = OrderStatus.DELIVERED
        order.delivered_at = moment
        order.save(update_fields=["status", "delivered_at"])
        order.shipments.filter(delivered_at__isnull=True).update(delivered_at=moment)
        _order_event("Order Updated", order)
    return order


def order_complete(*, order_number: str, actor=None) -> Order:
    """The buyer confirms receipt (or staff, or the system after the confirmation window)."""
    with transaction.atomic():
        order = _locked_order(order_number)
        if actor is not None and not getattr(actor, "is_staff", False) and actor.pk != order.user_id:
            raise NotFound(_("Order not found."), field="order_number")
        transition_check(order.status, OrderStatus.COMPLETED)
        order.status = OrderStatus.COMPLETED
        order.completed_at = clock.now()
        order.save(update_fields=["status", "completed_at"])
        _order_event("Order Updated", order)
    return order


# -- refunds ----------------------------------------------------------------------------------


def _committed(refunds) -> tuple[int, int]:
    """(amount, quantity) already requested or refunded."""
    amount = quantity = 0
    for refund in refunds:
        amount += refund.amount_minor
        quantity += refund.quantity
    return amount, quantity


def refund_request(
    *,
    user,
    order_number: str,
    reason: str,
    line_id: int | None = None,
    quantity: int | None = None,
    amount_minor: int | None = None,
) -> Refund:
    """Ask for money back, for the whole order or for some units of one line. Requests and refunds
    together never exceed what was paid (per line: the line's total), however many run at once."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell us why you want a refund."), field="reason")
    if len(reason) > 500:
        raise DomainError(_("Too long (500 characters at most)."), field="reason")
    if amount_minor is not None and (
        not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor < 1
    ):
        raise DomainError(_("The amount must be a positive number of minor units."), field="amount_minor")
    with transaction.atomic():
        order = _locked_order(order_number)
        if order.user_id != user.pk:
            raise NotFound(_("Order not found."), field="order_number")
        if order.status not in REFUNDABLE:
            raise Conflict(_("This order cannot be refunded."), field="status", code="invalid_transition")
        open_refunds = list(order.refunds.filter(status__in=[RefundStatus.REQUESTED, RefundStatus.SUCCEEDED]))
        remaining = order.paid_minor - _committed(open_refunds)[0]
        line = None
        if line_id is not None:
            line = order.lines.filter(pk=line_id).first()
            if line is None:
                raise NotFound(_("Order line not found."), field="line_id")
            line_amount, line_quantity = _committed(r for r in open_refunds if r.line_id == line.pk)
            quantity_left = line.quantity - line_quantity
            amount_left = line.total_minor - line_amount
            if quantity is None:
                quantity = quantity_left
            if (
                not isinstance(quantity, int)
                or isinstance(quantity, bool)
                or not 1 <= quantity <= quantity_left
            ):
                raise DomainError(
                    _("You can ask for at most %(n)s more of this item.") % {"n": quantity_left},
                    field="quantity",
                )
            if amount_minor is None:
                amount_minor = (
                    amount_left if quantity == quantity_left else line.total_minor * quantity // line.quantity
                )
            if amount_minor > amount_left:
                raise DomainError(
                    _("More than this line cost."), field="amount_minor", code="refund_too_large"
                )
        else:
            if quantity is not None:
                raise DomainError(_("Choose the line these items belong to."), field="line_id")
            quantity = 0
            if amount_minor is None:
                amount_minor = remaining
        if amount_minor < 1 or remaining < 1:
            raise Conflict(_("Everything paid is already refunded or requested."), field="amount_minor")
        if amount_minor > remaining:
            raise DomainError(
                _("At most %(amount)s can still be refunded.")
                % {"amount": Money(max(remaining, 0), order.currency)},
                field="amount_minor",
                code="refund_too_large",
            )
        refund = Refund.objects.create(
            order=order,
            line=line,
            quantity=quantity,
            amount_minor=amount_minor,
            currency=order.currency,
            reason=reason,
            requested_by=user,
        )
        if order.status != OrderStatus.REFUND_REQUESTED:
            transition_check(order.status, OrderStatus.REFUND_REQUESTED)
            order.status_before_refund = order.status
            order.status = OrderStatus.REFUND_REQUESTED
            order.save(update_fields=["status", "status_before_refund"])
        _order_event(
            "Order Updated",
            order,
            refund_id=refund.pk,
            refund_amount=_major(amount_minor, order.currency),
            refund_reason=reason,
        )
    return refund


def _refund_for_decision(refund_id: int) -> tuple[Order, Refund]:
    order_id = Refund.objects.filter(pk=refund_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(_("Refund not found."), field="refund_id")
    order = locks.order_lock_by_id(order_id=order_id)  # order first, then refund: one lock order
    refund = locks.refund_lock(refund_id=refund_id)
    return order, refund


def _status_after_refund_decision(order: Order) -> None:
    if order.refunded_minor >= order.paid_minor and order.paid_minor > 0:
        target = OrderStatus.REFUNDED
    elif order.refunds.filter(status=RefundStatus.REQUESTED).exists():
        return
    else:
        target = order.status_before_refund or OrderStatus.PAID
    if order.status != target:
        transition_check(order.status, target)
        order.status = target
        if target != OrderStatus.REFUNDED:
            order.status_before_refund = ""


def refund_approve(*, refund_id: int, actor) -> Refund:
    """Staff approve a refund: the provider returns the money and the order records it."""
    _staff_check(actor)
    with transaction.atomic():
        order, refund = _refund_for_decision(refund_id)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        if refund.status != RefundStatus.REQUESTED:
            raise Conflict(_("This refund was already decided."), field="refund_id")
        if order.refunded_minor + refund.amount_minor > order.paid_minor:
            raise Conflict(_("More than was paid."), field="amount_minor", code="refund_too_large")
        payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
        if payment is not None:
            refund.provider_refund_id = provider_get(payment.provider).refund_issue(
                provider_transaction_id=payment.provider_transaction_id,
                amount_minor=refund.amount_minor,
                currency=refund.currency,
            )
        refund.status = RefundStatus.SUCCEEDED
        refund.decided_at = clock.now()
        refund.save(update_fields=["status", "decided_at", "provider_refund_id"])
        lines = list(order.lines.select_related("sku__product__category"))
        refunded_lines = lines
        if refund.line_id:
            line = next(line for line in lines if line.pk == refund.line_id)
            line.refunded_quantity += refund.quantity
            line.refunded_minor += refund.amount_minor
            line.save(update_fields=["refunded_quantity", "refunded_minor"])
            refunded_lines = [line]
        order.refunded_minor += refund.amount_minor
        _status_after_refund_decision(order)
        order.save(update_fields=["refunded_minor", "status", "status_before_refund"])
        event_emit(
            "Order Refunded",
            user_id=order.user_id,
            aggregate=("order", order.number),
            channel=order.channel,
            properties={
                "order_id": order.number,
                "status": order.status,
                "total": _major(refund.amount_minor, order.currency),
                "total_minor": refund.amount_minor,
                "currency": order.currency,
                "refund_id": refund.pk,
                "products": [
                    {**p, "quantity": refund.quantity} if refund.line_id else p
                    for p in _order_products(order, refunded_lines)
                ],
                "actor_id": actor.pk,
            },
        )
    return refund


def refund_reject(*, refund_id: int, actor, reason: str = "") -> Refund:
    _staff_check(actor)
    with transaction.atomic():
        order, refund = _refund_for_decision(refund_id)
        if refund.status != RefundStatus.REQUESTED:
            raise Conflict(_("This refund was already decided."), field="refund_id")
        refund.status = RefundStatus.REJECTED
        refund.decided_at = clock.now()
        refund.save(update_fields=["status", "decided_at"])
        _status_after_refund_decision(order)
        order.save(update_fields=["status", "status_before_refund"])
        _order_event("Order Updated", order, refund_id=refund.pk, refund_rejected=True, reason=reason[:200])
    return refund
