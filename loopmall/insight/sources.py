"""What insight reads from the shop's other apps (catalog, orders, social, accounts), in one place.

Insight mostly learns from the outbox; these reads fill in what events do not carry (a product's
category and attributes, a review's text when backfilling, sales after a launch). They go through the
app registry so that insight imports no other app's models module; when those apps publish selectors
for these reads, this file is the only one to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps


def _model(label: str):
    return apps.get_model(label)


@dataclass(frozen=True)
class ProductInfo:
    id: int
    name: str
    category_id: int | None
    category_name: str
    attributes: tuple[str, ...]
    price_minor: int | None


def products_info(product_ids: Iterable[int]) -> dict[int, ProductInfo]:
    ids = {int(i) for i in product_ids if i}
    if not ids:
        return {}
    product_model = _model("catalog.Product")
    sku_model = _model("catalog.Sku")
    prices: dict[int, int] = {}
    for product_id, price in sku_model.objects.filter(product_id__in=ids).values_list(
        "product_id", "price_minor"
    ):
        prices[product_id] = min(price, prices.get(product_id, price))
    rows = product_model.objects.filter(id__in=ids).values(
        "id", "name", "category_id", "category__name", "attributes"
    )
    return {
        r["id"]: ProductInfo(
            id=r["id"],
            name=r["name"],
            category_id=r["category_id"],
            category_name=r["category__name"] or "",
            attributes=tuple(str(a) for a in (r["attributes"] or []) if a),
            price_minor=prices.get(r["id"]),
        )
        for r in rows
    }


def category_names(category_ids: Iterable[int]) -> dict[int, str]:
    ids = {int(i) for i in category_ids if i}
    return dict(_model("catalog.Category").objects.filter(id__in=ids).values_list("id", "name"))


def categories_all() -> list[tuple[int, str]]:
    return list(_model("catalog.Category").objects.values_list("id", "name"))


def existing_ids(label: str, ids: Iterable[int]) -> set[int]:
    wanted = {int(i) for i in ids if i}
    if not wanted:
        return set()
    return set(_model(label).objects.filter(id__in=wanted).values_list("id", flat=True))


def ids_by_external(label: str, external_ids: Iterable[str]) -> dict[str, int]:
    """Map external ids (as imported) to primary keys; imports may prefix them with their source."""
    wanted = {str(e) for e in external_ids if e}
    if not wanted:
        return {}
    model = _model(label)
    candidates = wanted | {f"bundle:{e}" for e in wanted}
    found: dict[str, int] = {}
    for pk, external in model.objects.filter(external_id__in=candidates).values_list("id", "external_id"):
        found[external.removeprefix("bundle:")] = pk
    return found


def sku_products(sku_ids: Iterable[int]) -> dict[int, int]:
    ids = {int(i) for i in sku_ids if i}
    return dict(_model("catalog.Sku").objects.filter(id__in=ids).values_list("id", "product_id"))


@dataclass(frozen=True)
class ReviewRow:
    id: int
    user_id: int | None
    product_id: int
    sku_id: int | None
    order_id: int | None
    rating: int
    text: str
    lang: str
    created_at: datetime


def reviews_after(review_id: int, *, limit: int = 5000) -> list[ReviewRow]:
    rows = (
        _model("social.Review")
        .objects.filter(id__gt=review_id)
        .order_by("id")
        .values(
            "id",
            "user_id",
            "product_id",
            "sku_id",
            "order_id",
            "rating",
            "title",
            "text",
            "lang",
            "created_at",
        )[:limit]
    )
    return [
        ReviewRow(
            id=r["id"],
            user_id=r["user_id"],
            product_id=r["product_id"],
            sku_id=r["sku_id"],
            order_id=r["order_id"],
            rating=r["rating"],
            text=" ".join(part for part in (r["title"], r["text"]) if part),
            lang=r["lang"] or "",
            created_at=r["created_at"],
        )
        for r in rows
    ]


def review_ratings_after(
    *, product_ids: Iterable[int], category_id: int | None, since: datetime
) -> list[int]:
    """Ratings of reviews on the given products (or category) written after `since`."""
    queryset = _model("social.Review").objects.filter(created_at__gte=since)
    ids = [int(i) for i in product_ids]
    if ids:
        queryset = queryset.filter(product_id__in=ids)
    elif category_id:
        queryset = queryset.filter(product__category_id=category_id)
    else:
        return []
    return list(queryset.values_list("rating", flat=True))


def sales_minor_after(*, product_ids: Iterable[int], since: datetime) -> int:
    """Paid sales (line totals, minor units) of the given products since a moment."""
    ids = [int(i) for i in product_ids]
    if not ids:
        return 0
    lines = (
        _model("orders.OrderLine")
        .objects.filter(
            sku__product_id__in=ids,
            order__paid_at__gte=since,
            order__status__in=["paid", "shipped", "delivered", "completed"],
        )
        .values_list("unit_price_minor", "quantity", "discount_minor")
    )
    return sum(price * quantity - discount for price, quantity, discount in lines)


def staff_users() -> list[tuple[int, str]]:
    rows = (
        _model("accounts.User")
        .objects.filter(is_staff=True, is_active=True)
        .values_list("id", "display_name", "login")
    )
    return [(pk, name or login) for pk, name, login in rows]
