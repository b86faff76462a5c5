"""What insight reads from the shop's other apps (catalog, orders, social, accounts), in one place.

Insight mostly learns from the outbox; these reads fill in what events do not carry (a product's
category and attributes, a review's text when backfilling, sales after a launch). Each goes through the
owning app's selectors, so insight imports no other app's models; this file turns their plain values
into insight's own shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from loopmall.accounts import selectors as accounts_selectors
from loopmall.catalog import selectors as catalog_selectors
from loopmall.orders import selectors as orders_selectors
from loopmall.social import selectors as social_selectors

# Which app answers "which of these ids exist" and "which ids have these external ids", by model label.
_EXISTING: dict[str, Callable[..., set[int]]] = {
    "accounts.User": lambda ids: accounts_selectors.user_ids_existing(user_ids=ids),
    "orders.Order": lambda ids: orders_selectors.order_ids_existing(order_ids=ids),
}
_BY_EXTERNAL: dict[str, Callable[..., dict[str, int]]] = {
    "accounts.User": lambda ids: accounts_selectors.user_ids_by_external(external_ids=ids),
    "catalog.Product": lambda ids: catalog_selectors.product_ids_by_external(external_ids=ids),
    "catalog.Sku": lambda ids: catalog_selectors.sku_ids_by_external(external_ids=ids),
    "orders.Order": lambda ids: orders_selectors.order_ids_by_external(external_ids=ids),
}


@dataclass(frozen=True)
class ProductInfo:
    id: int
    name: str
    category_id: int | None
    category_name: str
    attributes: tuple[str, ...]
    price_minor: int | None


def products_info(product_ids: Iterable[int]) -> dict[int, ProductInfo]:
    return {
        r["id"]: ProductInfo(
            id=r["id"],
            name=r["name"],
            category_id=r["category_id"],
            category_name=r["category_name"],
            attributes=tuple(str(a) for a in r["attributes"] if a),
            price_minor=r["price_minor"],
        )
        for r in catalog_selectors.product_summaries(product_ids=product_ids)
    }


def category_names(category_ids: Iterable[int]) -> dict[int, str]:
    return catalog_selectors.category_names(category_ids=category_ids)


def categories_all() -> list[tuple[int, str]]:
    return catalog_selectors.category_ids_and_names()


def existing_ids(label: str, ids: Iterable[int]) -> set[int]:
    """Those of `ids` that exist as `label` ("accounts.User" or "orders.Order")."""
    return _EXISTING[label](ids)


def ids_by_external(label: str, external_ids: Iterable[str]) -> dict[str, int]:
    """Map external ids (as imported) to primary keys; imports may prefix them with their source."""
    wanted = {str(e) for e in external_ids if e}
    if not wanted:
        return {}
    candidates = wanted | {f"bundle:{e}" for e in wanted}
    found: dict[str, int] = {}
    for external, pk in _BY_EXTERNAL[label](candidates).items():
        found[external.removeprefix("bundle:")] = pk
    return found


def sku_products(sku_ids: Iterable[int]) -> dict[int, int]:
    return catalog_selectors.sku_product_ids(sku_ids=sku_ids)


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
        for r in social_selectors.reviews_after(review_id=review_id, limit=limit)
    ]


def review_ratings_after(
    *, product_ids: Iterable[int], category_id: int | None, since: datetime
) -> list[int]:
    """Ratings of reviews on the given products (or category) written after `since`."""
    return social_selectors.review_ratings_since(
        since=since, product_ids=product_ids, category_id=category_id
    )


def sales_minor_after(*, product_ids: Iterable[int], since: datetime) -> int:
    """Paid sales (line totals, minor units) of the given products since a moment."""
    return orders_selectors.product_sales_minor_since(product_ids=product_ids, since=since)


def buyers_between(*, product_ids: Iterable[int], since: datetime, until: datetime) -> set[int]:
    """Users who bought the given products (paid sales) in [since, until)."""
    return orders_selectors.product_buyer_ids(product_ids=product_ids, since=since, until=until)


def staff_users() -> list[tuple[int, str]]:
    return accounts_selectors.staff_active_names()
