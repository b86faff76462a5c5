"""Orders API: cart, checkout, payment, the buyer's own orders, refunds; fulfilment for staff.

Unsafe calls honour an `Idempotency-Key` header (see core/idempotency.py). A buyer only ever sees
their own orders: anyone else's answers 404 exactly like a missing one."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Header, Path, Router, Schema, Status

from loopmall.accounts.auth import staff_required, user_auth
from loopmall.core.idempotency import idempotent
from loopmall.orders import selectors, services
from loopmall.orders.payments.sandbox import SIGNATURE_HEADER

router = Router(tags=["orders"])

# Path segments are checked before any query runs (order numbers are digits; providers are names).
OrderNumber = Annotated[str, Path(..., pattern=r"^[0-9A-Za-z-]{1,32}$")]
ProviderName = Annotated[str, Path(..., pattern=r"^[a-z][a-z0-9_]{0,31}$")]


# -- schemas ----------------------------------------------------------------------------------


class CartLineOut(Schema):
    sku_id: int
    product_id: int
    product_name: str
    product_slug: str
    sku_name: str
    unit_price_minor: int
    quantity: int
    line_total_minor: int
    available_stock: int
    is_available: bool


class CartOut(Schema):
    lines: list[CartLineOut]
    currency: str
    subtotal_minor: int
    subtotal: str
    item_count: int


class CartAddIn(Schema):
    sku_id: int
    quantity: int = Field(1, ge=1, le=99)


class CartQuantityIn(Schema):
    quantity: int = Field(..., ge=0, le=99)


class CheckoutItemIn(Schema):
    sku_id: int
    quantity: int = Field(1, ge=1, le=99)


class CheckoutIn(Schema):
    address_id: int | None = None
    items: list[CheckoutItemIn] | None = Field(None, max_length=50, description="Omit to check out the cart")
    note: str = Field("", max_length=500)
    channel: str = Field("storefront", max_length=32)
    attribution: dict | None = None


class OrderLineOut(Schema):
    id: int
    sku_id: int
    product_name: str
    sku_name: str
    unit_price_minor: int
    quantity: int
    line_total_minor: int
    refunded_quantity: int
    refunded_minor: int


class RefundOut(Schema):
    id: int
    order_number: str
    line_id: int | None
    quantity: int
    amount_minor: int
    currency: str
    status: str
    reason: str


class OrderOut(Schema):
    number: str
    status: str
    currency: str
    subtotal_minor: int
    total_minor: int
    total: str
    paid_minor: int
    refunded_minor: int
    channel: str
    shipping_address: dict
    placed_at: datetime
    payment_deadline: datetime | None
    paid_at: datetime | None
    reordered_from: str | None
    lines: list[OrderLineOut]
    refunds: list[RefundOut]


class OrderSummaryOut(Schema):
    number: str
    status: str
    total_minor: int
    total: str
    currency: str
    placed_at: datetime
    item_count: int


class PayIn(Schema):
    provider: str = Field("sandbox", max_length=32)


class PaymentIntentOut(Schema):
    order_number: str
    provider: str
    provider_transaction_id: str
    amount_minor: int
    currency: str


class ConfirmIn(Schema):
    provider_transaction_id: str = Field(..., max_length=128)


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class RefundIn(Schema):
    reason: str = Field(..., max_length=500)
    line_id: int | None = None
    quantity: int | None = Field(None, ge=1, le=99)
    amount_minor: int | None = Field(None, ge=1, le=10**12)


class ShipIn(Schema):
    carrier: str = Field("", max_length=64)
    tracking_number: str = Field("", max_length=64)


class RejectIn(Schema):
    reason: str = Field("", max_length=200)


class CallbackAck(Schema):
    order_number: str
    status: str


# -- presenters -------------------------------------------------------------------------------


def cart_out(summary) -> dict:
    return {
        "lines": [
            {
                "sku_id": line.sku_id,
                "product_id": line.product_id,
                "product_name": line.product_name,
                "product_slug": line.product_slug,
                "sku_name": line.sku_name,
                "unit_price_minor": line.unit_price_minor,
                "quantity": line.quantity,
                "line_total_minor": line.line_total_minor,
                "available_stock": line.available_stock,
                "is_available": line.is_available,
            }
            for line in summary.lines
        ],
        "currency": summary.currency,
        "subtotal_minor": summary.subtotal_minor,
        "subtotal": summary.subtotal.to_decimal_string(),
        "item_count": summary.item_count,
    }


def refund_out(refund, order_number: str) -> dict:
    return {
        "id": refund.pk,
        "order_number": order_number,
        "line_id": refund.line_id,
        "quantity": refund.quantity,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency,
        "status": refund.status,
        "reason": refund.reason,
    }


def order_out(order) -> dict:
    return {
        "number": order.number,
        "status": order.status,
        "currency": order.currency,
        "subtotal_minor": order.subtotal_minor,
        "total_minor": order.total_minor,
        "total": order.total.to_decimal_string(),
        "paid_minor": order.paid_minor,
        "refunded_minor": order.refunded_minor,
        "channel": order.channel,
        "shipping_address": order.shipping_address,
        "placed_at": order.placed_at,
        "payment_deadline": order.payment_deadline,
        "paid_at": order.paid_at,
        "reordered_from": order.reordered_from.number if order.reordered_from_id else None,
        "lines": [
            {
                "id": line.pk,
                "sku_id": line.sku_id,
                "product_name": line.product_name,
                "sku_name": line.sku_name,
                "unit_price_minor": line.unit_price_minor,
                "quantity": line.quantity,
                "line_total_minor": line.total_minor,
                "refunded_quantity": line.refunded_quantity,
                "refunded_minor": line.refunded_minor,
            }
            for line in order.lines.all()
        ],
        "refunds": [refund_out(r, order.number) for r in order.refunds.all()],
    }


def _buyer_order(request: HttpRequest, number: str) -> dict:
    return order_out(selectors.order_get_for_buyer(user=request.auth, order_number=number))


# -- cart -------------------------------------------------------------------------------------


@router.get("/cart", response=CartOut, auth=user_auth, tags=["cart"])
def cart_get(request: HttpRequest):
    return cart_out(selectors.cart_get(user=request.auth))


@router.post("/cart/items", response=CartOut, auth=user_auth, tags=["cart"])
def cart_add(request: HttpRequest, payload: CartAddIn):
    services.cart_add(user=request.auth, sku_id=payload.sku_id, quantity=payload.quantity)
    return cart_out(selectors.cart_get(user=request.auth))


@router.put("/cart/items/{sku_id}", response=CartOut, auth=user_auth, tags=["cart"])
def cart_update(request: HttpRequest, sku_id: int, payload: CartQuantityIn):
    services.cart_update(user=request.auth, sku_id=sku_id, quantity=payload.quantity)
    return cart_out(selectors.cart_get(user=request.auth))


@router.delete("/cart/items/{sku_id}", response=CartOut, auth=user_auth, tags=["cart"])
def cart_remove(request: HttpRequest, sku_id: int):
    services.cart_update(user=request.auth, sku_id=sku_id, quantity=0)
    return cart_out(selectors.cart_get(user=request.auth))


@router.delete("/cart", response=CartOut, auth=user_auth, tags=["cart"])
def cart_clear(request: HttpRequest):
    services.cart_clear(user=request.auth)
    return cart_out(selectors.cart_get(user=request.auth))


# -- checkout and payment ---------------------------------------------------------------------


@router.post("/checkout", response={201: OrderOut}, auth=user_auth, tags=["checkout"])
@idempotent("checkout")
def checkout(
    request: HttpRequest,
    payload: CheckoutIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=128),
):
    """Place an order from the cart (or from `items`) with stock reserved until the payment deadline."""
    order = services.order_place(
        user=request.auth,
        address_id=payload.address_id,
        items=[(i.sku_id, i.quantity) for i in payload.items] if payload.items is not None else None,
        channel=payload.channel,
        note=payload.note,
        attribution=payload.attribution,
        idempotency_key=idempotency_key,
    )
    return Status(201, _buyer_order(request, order.number))


@router.post("/orders/{number}/reorder", response={201: OrderOut}, auth=user_auth, tags=["checkout"])
@idempotent("reorder")
def reorder(
    request: HttpRequest,
    number: OrderNumber,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=128),
):
    """One-tap repurchase of a past order to the default address at today's prices."""
    order = services.order_reorder(user=request.auth, order_number=number, idempotency_key=idempotency_key)
    return Status(201, _buyer_order(request, order.number))


@router.post("/orders/{number}/pay", response={201: PaymentIntentOut}, auth=user_auth, tags=["payment"])
@idempotent("payment_start")
def payment_start(request: HttpRequest, number: OrderNumber, payload: PayIn):
    intent = services.payment_start(user=request.auth, order_number=number, provider=payload.provider)
    return Status(
        201,
        {
            "order_number": intent.order_number,
            "provider": intent.provider,
            "provider_transaction_id": intent.provider_transaction_id,
            "amount_minor": intent.amount_minor,
            "currency": intent.currency,
        },
    )


@router.post("/orders/{number}/pay/sandbox", response=OrderOut, auth=user_auth, tags=["payment"])
@idempotent("sandbox_pay")
def sandbox_pay(request: HttpRequest, number: OrderNumber):
    """Sandbox only: approve the payment in the simulated wallet, which then sends its signed callback."""
    services.sandbox_pay(user=request.auth, order_number=number)
    return _buyer_order(request, number)


@router.post("/orders/{number}/pay/confirm", response=OrderOut, auth=user_auth, tags=["payment"])
def payment_confirm(request: HttpRequest, number: OrderNumber, payload: ConfirmIn):
    """The buyer is back from the wallet: ask the provider and mark the order paid if it is."""
    services.payment_confirm_by_buyer(
        user=request.auth, order_number=number, provider_transaction_id=payload.provider_transaction_id
    )
    return _buyer_order(request, number)


@router.post("/payments/{provider}/callback", response=CallbackAck, auth=None, tags=["payment"])
def payment_callback(
    request: HttpRequest,
    provider: ProviderName,
    signature: str = Header("", alias=SIGNATURE_HEADER, max_length=256),
):
    """Provider notification, signed with HMAC-SHA256 over the raw body (hex, in X-LoopMall-Signature).
    Delivering the same callback again is harmless."""
    order = services.payment_callback_handle(provider=provider, body=request.body, signature=signature)
    return {"order_number": order.number, "status": order.status}


# -- the buyer's orders -----------------------------------------------------------------------


@router.get("/orders", response=list[OrderSummaryOut], auth=user_auth, tags=["orders"])
def orders_list(request: HttpRequest, status: str | None = None):
    return [
        {
            "number": o.number,
            "status": o.status,
            "total_minor": o.total_minor,
            "total": o.total.to_decimal_string(),
            "currency": o.currency,
            "placed_at": o.placed_at,
            "item_count": sum(line.quantity for line in o.lines.all()),
        }
        for o in selectors.orders_for_buyer(user=request.auth, status=status)[:200]
    ]


@router.get("/orders/{number}", response=OrderOut, auth=user_auth, tags=["orders"])
def order_detail(request: HttpRequest, number: OrderNumber):
    return _buyer_order(request, number)


@router.post("/orders/{number}/cancel", response=OrderOut, auth=user_auth, tags=["orders"])
def order_cancel(request: HttpRequest, number: OrderNumber, payload: CancelIn):
    selectors.order_get_for_buyer(user=request.auth, order_number=number)
    services.order_cancel(order_number=number, reason=payload.reason or "buyer", actor=request.auth)
    return _buyer_order(request, number)


@router.post("/orders/{number}/receive", response=OrderOut, auth=user_auth, tags=["orders"])
def order_receive(request: HttpRequest, number: OrderNumber):
    """The buyer confirms the parcel arrived: the order completes."""
    selectors.order_get_for_buyer(user=request.auth, order_number=number)
    services.order_complete(order_number=number, actor=request.auth)
    return _buyer_order(request, number)


@router.post("/orders/{number}/refunds", response={201: RefundOut}, auth=user_auth, tags=["refunds"])
@idempotent("refund_request")
def refund_request(request: HttpRequest, number: OrderNumber, payload: RefundIn):
    refund = services.refund_request(
        user=request.auth,
        order_number=number,
        reason=payload.reason,
        line_id=payload.line_id,
        quantity=payload.quantity,
        amount_minor=payload.amount_minor,
    )
    return Status(201, refund_out(refund, number))


# -- staff ------------------------------------------------------------------------------------


@router.get("/staff/orders/{number}", response=OrderOut, auth=user_auth, tags=["staff"])
def staff_order_detail(request: HttpRequest, number: OrderNumber):
    staff_required(request)
    return order_out(selectors.order_get_for_staff(order_number=number))


@router.post("/staff/orders/{number}/ship", response=OrderOut, auth=user_auth, tags=["staff"])
def staff_order_ship(request: HttpRequest, number: OrderNumber, payload: ShipIn):
    actor = staff_required(request)
    services.order_ship(
        order_number=number, carrier=payload.carrier, tracking_number=payload.tracking_number, actor=actor
    )
    return order_out(selectors.order_get_for_staff(order_number=number))


@router.post("/staff/orders/{number}/deliver", response=OrderOut, auth=user_auth, tags=["staff"])
def staff_order_deliver(request: HttpRequest, number: OrderNumber):
    actor = staff_required(request)
    services.order_mark_delivered(order_number=number, actor=actor)
    return order_out(selectors.order_get_for_staff(order_number=number))


@router.post("/staff/orders/{number}/cancel", response=OrderOut, auth=user_auth, tags=["staff"])
def staff_order_cancel(request: HttpRequest, number: OrderNumber, payload: CancelIn):
    actor = staff_required(request)
    services.order_cancel(order_number=number, reason=payload.reason or "staff", actor=actor)
    return order_out(selectors.order_get_for_staff(order_number=number))


@router.post("/staff/refunds/{refund_id}/approve", response=RefundOut, auth=user_auth, tags=["staff"])
def staff_refund_approve(request: HttpRequest, refund_id: int):
    actor = staff_required(request)
    refund = services.refund_approve(refund_id=refund_id, actor=actor)
    return refund_out(refund, refund.order.number)


@router.post("/staff/refunds/{refund_id}/reject", response=RefundOut, auth=user_auth, tags=["staff"])
def staff_refund_reject(request: HttpRequest, refund_id: int, payload: RejectIn):
    actor = staff_required(request)
    refund = services.refund_reject(refund_id=refund_id, actor=actor, reason=payload.reason)
    return refund_out(refund, refund.order.number)
