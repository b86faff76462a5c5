"""Reads for orders: the cart, a buyer's orders, and orders for staff."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from loopmall.catalog import selectors as catalog_selectors
from loopmall.core.errors import NotFound
from loopmall.orders.contracts import CartLineView, CartSummary
from loopmall.orders.models import Cart, CartLine, Order, OrderLine, OrderStatus, Payment, Refund


def cart_get(*, user) -> CartSummary:
    """The cart with today's prices and stock for each line."""
    cart = Cart.objects.filter(user=user).first()
    if cart is None:
        return CartSummary(lines=(), currency="CNY")
    lines = list(
        CartLine.objects.filter(cart=cart)
        .select_related("sku__product")
        .prefetch_related("sku__product__images")
        .order_by("id")
    )
    stock = catalog_selectors.skus_available_stock(sku_ids=[line.sku_id for line in lines])
    views = []
    for line in lines:
        sku, product = line.sku, line.sku.product
        images = list(product.images.all())
        image = images[0] if images else None
        views.append(
            CartLineView(
                sku_id=sku.pk,
                product_id=product.pk,
                product_name=product.name,
                product_slug=product.slug,
                sku_name=sku.name,
                sku_code=sku.code,
                image_url=(image.url or (image.image.url if image.image else "")) if image else "",
                unit_price_minor=sku.price_minor,
                currency=sku.currency,
                quantity=line.quantity,
                available_stock=stock.get(sku.pk, 0),
                is_on_sale=sku.is_active and product.is_active,
            )
        )
    currency = views[0].currency if views else "CNY"
    return CartSummary(lines=tuple(views), currency=currency)


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product").order_by("id")),
        Prefetch("payments", queryset=Payment.objects.order_by("id")),
        Prefetch("refunds", queryset=Refund.objects.order_by("id")),
        "shipments",
    )


def orders_for_buyer(*, user, status: str | None = None) -> QuerySet[Order]:
    """The buyer's own orders, newest first, with lines prefetched."""
    orders = Order.objects.filter(user_id=user.pk)
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders.order_by("-placed_at", "-id"))


def order_get_for_buyer(*, user, order_number: str) -> Order:
    """One of the buyer's orders. Anyone else's order is NotFound, exactly like a missing one."""
    order = _with_details(Order.objects.filter(number=str(order_number), user_id=user.pk)).first()
    if order is None:
        raise NotFound(_("Order not found."), field="order_number")
    return order


def order_get_for_staff(*, order_number: str) -> Order:
    order = _with_details(Order.objects.select_related("user").filter(number=str(order_number))).first()
    if order is None:
        raise NotFound(_("Order not found."), field="order_number")
    return order


def orders_for_console(
    *,
    status: str | None = None,
    channel: str | None = None,
    query: str | None = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
) -> QuerySet[Order]:
    """Orders for the staff console, newest first. `query` matches the number or the buyer's login."""
    orders = Order.objects.select_related("user").order_by("-placed_at", "-id")
    if status:
        orders = orders.filter(status=status)
    if channel:
        orders = orders.filter(channel=channel)
    if query:
        orders = orders.filter(
            Q(number__icontains=query)
            | Q(user__login__icontains=query)
            | Q(user__display_name__icontains=query)
        )
    if placed_from:
        orders = orders.filter(placed_at__gte=placed_from)
    if placed_to:
        orders = orders.filter(placed_at__lt=placed_to)
    return orders


def refunds_for_console(*, status: str | None = None) -> QuerySet[Refund]:
    refunds = Refund.objects.select_related("order", "line").order_by("-created_at", "-id")
    if status:
        refunds = refunds.filter(status=status)
    return refunds


def refund_get(*, refund_id: int) -> Refund:
    refund = Refund.objects.select_related("order").filter(pk=refund_id).first()
    if refund is None:
        raise NotFound(_("Refund not found."), field="refund_id")
    return refund


def buyer_ids(*, since=None, category: str | None = None, min_orders: int = 1) -> QuerySet:
    """User ids with at least `min_orders` paid orders since a time, optionally with a line in a category
    (slug or name): a sub-query for segment rules ("viewed X and not bought")."""
    from django.db.models import Count

    paid = Order.objects.exclude(status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED])
    if since is not None:
        paid = paid.filter(placed_at__gte=since)
    if category:
        paid = paid.filter(
            Q(lines__sku__product__category__slug=category) | Q(lines__sku__product__category__name=category)
        )
    grouped = (
        paid.order_by().values("user_id").annotate(n=Count("id", distinct=True)).filter(n__gte=min_orders)
    )
    return grouped.values("user_id")


# ---- reads for other apps (insight): plain values, no model instances

SALE_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def order_ids_existing(*, order_ids: Iterable[int]) -> set[int]:
    """Those of `order_ids` that are orders."""
    wanted = {int(i) for i in order_ids if i}
    if not wanted:
        return set()
    return set(Order.objects.filter(id__in=wanted).values_list("id", flat=True))


def order_ids_by_external(*, external_ids: Iterable[str]) -> dict[str, int]:
    """Orders whose `external_id` is one of `external_ids`: external id → id."""
    return dict(Order.objects.filter(external_id__in=set(external_ids)).values_list("external_id", "id"))


def product_sales_minor_since(*, product_ids: Iterable[int], since: datetime) -> int:
    """Sales (line totals less line discounts, minor units) of the given products in orders paid since
    `since` and still paid, shipped, delivered or completed."""
    ids = [int(i) for i in product_ids]
    if not ids:
        return 0
    lines = OrderLine.objects.filter(
        sku__product_id__in=ids, order__paid_at__gte=since, order__status__in=SALE_STATUSES
    ).values_list("unit_price_minor", "quantity", "discount_minor")
    return sum(price * quantity - discount for price, quantity, discount in lines)


def product_buyer_ids(*, product_ids: Iterable[int], since: datetime, until: datetime) -> set[int]:
    """Users with a sale (paid, shipped, delivered or completed order) of the given products paid in
    [since, until)."""
    ids = [int(i) for i in product_ids]
    if not ids:
        return set()
    return set(
        OrderLine.objects.filter(
            sku__product_id__in=ids,
            order__paid_at__gte=since,
            order__paid_at__lt=until,
            order__status__in=SALE_STATUSES,
        ).values_list("order__user_id", flat=True)
    )
