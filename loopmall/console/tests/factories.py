"""Small ORM builders for console tests (the console itself never writes these tables)."""

from __future__ import annotations

import itertools
from datetime import datetime

from loopmall.accounts.models import User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.orders.models import Order, OrderLine
from loopmall.social.models import Review

_numbers = itertools.count(1)
PASSWORD = "console-Test-pass-42"


def user_make(
    login: str, *, role: str = "customer", is_staff: bool = False, password: str | None = None
) -> User:
    return User.objects.create_user(
        login, password, role=role, is_staff=is_staff, display_name=login.split("@")[0]
    )


def staff_make(login: str, role: str, *, password: str | None = None) -> User:
    return user_make(login, role=role, is_staff=True, password=password)


def product_make(
    name: str,
    *,
    price_minor: int = 1000,
    stock: int = 50,
    tier: str = "standard",
    category: Category | None = None,
    code: str | None = None,
) -> Product:
    n = next(_numbers)
    category = category or Category.objects.get_or_create(slug="general", defaults={"name": "日用"})[0]
    product = Product.objects.create(category=category, name=name, slug=f"p-{n}")
    Sku.objects.create(
        product=product, code=code or f"SKU-{n}", name="默认", price_minor=price_minor, stock=stock, tier=tier
    )
    return product


def order_make(
    user: User,
    *,
    placed_at: datetime,
    status: str,
    channel: str = "storefront",
    currency: str = "CNY",
    lines: list[tuple[Product, int, int]] | None = None,
    paid_minor: int | None = None,
    refunded_minor: int = 0,
    line_refunds: dict[int, tuple[int, int]] | None = None,
    number: str | None = None,
) -> Order:
    """lines: (product, unit_price_minor, quantity); line_refunds: line index -> (quantity, minor)."""
    lines = lines or []
    subtotal = sum(price * qty for _p, price, qty in lines)
    is_paid = status in {"paid", "shipped", "delivered", "completed", "refund_requested", "refunded"}
    if paid_minor is None:
        paid_minor = subtotal if is_paid else 0
    order = Order.objects.create(
        number=number or f"T{next(_numbers):08d}",
        user=user,
        status=status,
        currency=currency,
        subtotal_minor=subtotal,
        total_minor=subtotal,
        paid_minor=paid_minor,
        refunded_minor=refunded_minor,
        channel=channel,
        placed_at=placed_at,
        paid_at=placed_at if is_paid else None,
        shipping_address={
            "recipient": "王小明",
            "phone": "13800000000",
            "province": "上海市",
            "city": "上海市",
            "district": "徐汇区",
            "detail": "漕溪北路 1 号",
        },
    )
    for index, (product, price, qty) in enumerate(lines):
        refunded_qty, refunded = (line_refunds or {}).get(index, (0, 0))
        OrderLine.objects.create(
            order=order,
            sku=product.skus.first(),
            product_name=product.name,
            unit_price_minor=price,
            quantity=qty,
            refunded_quantity=refunded_qty,
            refunded_minor=refunded,
        )
    return order


def review_make(
    product: Product, *, rating: int, text: str, lang: str = "zh", created_at: datetime
) -> Review:
    return Review.objects.create(
        product=product, rating=rating, text=text, lang=lang, created_at=created_at, source="demo"
    )
