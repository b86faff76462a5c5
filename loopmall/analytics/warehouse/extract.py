"""Reads the OLTP facts the warehouse copies, as Arrow tables in the warehouse's schema.

This module is the one place analytics reads other apps' tables: a read-only extract for the warehouse,
through the app registry (no model imports), so the owning apps stay free to add fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
from django.apps import apps
from django.db.models import Q

from loopmall.analytics.warehouse.schema import TABLES

TOUCH_TYPES = {
    "orders": {"order", "orders.order"},
    "users": {"user", "accounts.user", "customer"},
}


def arrow_schema(table: str) -> pa.Schema:
    return TABLES[table].to_pyarrow()


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = arrow_schema(table)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


def naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def as_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def price_to_minor(properties: dict) -> int | None:
    if properties.get("price_minor") is not None:
        return as_int(properties["price_minor"])
    price = properties.get("price")
    if price is None or price == "" or isinstance(price, bool):
        return None
    try:
        return int((Decimal(str(price)) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return None


def as_score(properties: dict) -> float | None:
    for key in ("score", "rating", "value"):
        value = properties.get(key)
        if value is None or isinstance(value, bool):
            continue
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


# ---- events -------------------------------------------------------------------------------------


def event_row(
    *,
    outbox_id: int,
    event_id: str,
    name: str,
    occurred_at: datetime,
    user_id: int | None,
    anonymous_id: str,
    channel: str,
    aggregate_type: str,
    aggregate_id: str,
    properties: dict | None,
) -> dict[str, Any]:
    properties = properties if isinstance(properties, dict) else {}
    order_id = as_int(properties.get("order_id"))
    if order_id is None and aggregate_type in TOUCH_TYPES["orders"]:
        order_id = as_int(aggregate_id)
    return {
        "event_id": event_id,
        "outbox_id": outbox_id,
        "name": name,
        "occurred_at": naive_utc(occurred_at),
        "user_id": user_id,
        "anonymous_id": anonymous_id or None,
        "channel": channel or as_text(properties.get("channel")),
        "sku_id": as_int(properties.get("sku_id")),
        "product_id": as_int(properties.get("product_id")),
        "category": as_text(properties.get("category")),
        "price_minor": price_to_minor(properties),
        "order_id": order_id,
        "post_id": as_text(properties.get("post_id")),
        "community_id": as_text(properties.get("community_id")),
        "live_session_id": as_text(properties.get("live_session_id")),
        "group_buy_id": as_text(properties.get("group_buy_id")),
        "ticket_id": as_text(properties.get("ticket_id")),
        "score": as_score(properties),
        "properties_json": json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
        if properties
        else None,
    }


OUTBOX_FIELDS = (
    "id",
    "event_id",
    "name",
    "occurred_at",
    "user_id",
    "anonymous_id",
    "channel",
    "aggregate_type",
    "aggregate_id",
    "properties",
)


def outbox_batches(*, after_id: int, batch_size: int = 20_000) -> Iterator[list[tuple]]:
    """Outbox rows with id > after_id, oldest first, in batches of value tuples (OUTBOX_FIELDS order)."""
    outbox = apps.get_model("core", "OutboxEvent")
    last = after_id
    while True:
        batch = list(
            outbox.objects.filter(id__gt=last).order_by("id").values_list(*OUTBOX_FIELDS)[:batch_size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def outbox_max_id() -> int:
    outbox = apps.get_model("core", "OutboxEvent")
    return outbox.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_arrow(batch: Iterable[tuple]) -> pa.Table:
    rows = [
        event_row(
            outbox_id=r[0],
            event_id=r[1],
            name=r[2],
            occurred_at=r[3],
            user_id=r[4],
            anonymous_id=r[5],
            channel=r[6],
            aggregate_type=r[7],
            aggregate_id=r[8],
            properties=r[9],
        )
        for r in batch
    ]
    return to_arrow("events", rows)


# ---- OLTP facts -----------------------------------------------------------------------------------


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def orders_changed(*, after_id: int, since: datetime | None, touched: set[int]) -> list[int]:
    """Ids of orders that are new (id > after_id), changed state since `since`, or named by an event."""
    order = apps.get_model("orders", "Order")
    condition = Q(id__gt=after_id)
    if since is not None:
        for field in ("paid_at", "shipped_at", "delivered_at", "completed_at", "cancelled_at"):
            condition |= Q(**{f"{field}__gte": since})
        condition |= Q(refunds__created_at__gte=since) | Q(refunds__decided_at__gte=since)
    ids = set(order.objects.filter(condition).values_list("id", flat=True).distinct())
    return sorted(ids | touched)


def orders_arrow(order_ids: list[int] | None) -> pa.Table:
    """Orders (all when order_ids is None) in the warehouse's `orders` schema."""
    order = apps.get_model("orders", "Order")
    fields = (
        "id", "user_id", "placed_at", "paid_at", "status", "channel", "currency", "total_minor",
        "discount_minor", "refunded_minor", "coupon_code", "attribution", "ship_to_self", "is_gift_wrapped",
    )  # fmt: skip
    querysets = (
        [order.objects.all()]
        if order_ids is None
        else [order.objects.filter(id__in=chunk) for chunk in _chunks(order_ids)]
    )
    rows = []
    for queryset in querysets:
        for r in queryset.order_by().values_list(*fields).iterator(chunk_size=5000):
            attribution = r[11] if isinstance(r[11], dict) else {}
            rows.append(
                {
                    "order_id": r[0],
                    "user_id": r[1],
                    "placed_at": naive_utc(r[2]),
                    "paid_at": naive_utc(r[3]),
                    "status": r[4],
                    "channel": r[5],
                    "currency": r[6],
                    "total_minor": r[7],
                    "discount_minor": r[8],
                    "refunded_minor": r[9],
                    "coupon_code": r[10] or None,
                    "group_buy_id": as_text(attribution.get("group_buy_id")),
                    "referrer_id": as_int(attribution.get("referrer_id")),
                    "ship_to_self": r[12],
                    "is_gift_wrapped": r[13],
                }
            )
    return to_arrow("orders", rows)


def order_items_arrow(order_ids: list[int] | None) -> pa.Table:
    line = apps.get_model("orders", "OrderLine")
    fields = (
        "id", "order_id", "sku_id", "sku__product_id", "sku__product__category__slug", "quantity",
        "unit_price_minor", "discount_minor", "sku__tier",
    )  # fmt: skip
    names = ("line_id", "order_id", "sku_id", "product_id", "category", "quantity", "unit_price_minor",
             "discount_minor", "tier")  # fmt: skip
    querysets = (
        [line.objects.all()]
        if order_ids is None
        else [line.objects.filter(order_id__in=chunk) for chunk in _chunks(order_ids)]
    )
    rows = [
        dict(zip(names, r, strict=True))
        for queryset in querysets
        for r in queryset.order_by().values_list(*fields).iterator(chunk_size=5000)
    ]
    return to_arrow("order_items", rows)


def users_changed(*, after_id: int, touched: set[int]) -> list[int]:
    user = apps.get_model("accounts", "User")
    ids = set(user.objects.filter(id__gt=after_id, is_staff=False).values_list("id", flat=True))
    return sorted(ids | touched)


def users_arrow(user_ids: list[int] | None) -> pa.Table:
    user = apps.get_model("accounts", "User")
    fields = ("id", "date_joined", "channel", "invited_by_id", "city")
    querysets = (
        [user.objects.filter(is_staff=False)]
        if user_ids is None
        else [user.objects.filter(is_staff=False, id__in=chunk) for chunk in _chunks(user_ids)]
    )
    rows = [
        {
            "user_id": r[0],
            "created_at": naive_utc(r[1]),
            "channel": r[2] or None,
            "invited_by": r[3],
            "city": r[4] or None,
        }
        for queryset in querysets
        for r in queryset.order_by().values_list(*fields).iterator(chunk_size=5000)
    ]
    return to_arrow("users", rows)


def user_ids_of(user_ids: list[int]) -> list[int]:
    """Those of user_ids that exist as customers (staff never enter the warehouse)."""
    user = apps.get_model("accounts", "User")
    found: list[int] = []
    for chunk in _chunks(user_ids):
        found.extend(user.objects.filter(id__in=chunk, is_staff=False).values_list("id", flat=True))
    return found


def products_arrow() -> pa.Table:
    """Every SKU with its product and category (the catalogue is small: copied whole each run)."""
    sku = apps.get_model("catalog", "Sku")
    fields = (
        "id", "product_id", "product__name", "product__category__slug", "price_minor", "list_price_minor",
        "tier", "product__attributes", "product__category__is_family",
    )  # fmt: skip
    rows = []
    for r in sku.objects.order_by().values_list(*fields).iterator(chunk_size=5000):
        attributes = r[7]
        if isinstance(attributes, list | tuple):
            attributes = ";".join(str(a) for a in attributes)
        rows.append(
            {
                "sku_id": r[0],
                "product_id": r[1],
                "name": r[2],
                "category": r[3],
                "price_minor": r[4],
                "list_price_minor": r[5],
                "tier": r[6],
                "attributes": attributes or None,
                "is_family_category": bool(r[8]),
            }
        )
    return to_arrow("products", rows)


def feedback_arrow() -> pa.Table | None:
    """Feedback from the insight app, when it offers `selectors.feedback_for_warehouse()`; else None.

    The insight app owns the feedback table; it hands rows over as dicts with the warehouse's
    `feedback` columns (demands as a list of codes or a `;`-joined string).
    """
    try:
        from loopmall.insight import selectors as insight_selectors
    except ImportError:
        return None
    provider = getattr(insight_selectors, "feedback_for_warehouse", None)
    if provider is None:
        return None
    rows = []
    for item in provider():
        demands = item.get("demands")
        if isinstance(demands, list | tuple | set):
            demands = ";".join(sorted(str(d) for d in demands))
        rows.append(
            {
                "feedback_id": str(item["feedback_id"]),
                "channel": item.get("channel"),
                "created_at": naive_utc(item.get("created_at")),
                "user_id": as_int(item.get("user_id")),
                "product_id": as_int(item.get("product_id")),
                "rating": as_int(item.get("rating")),
                "lang": item.get("lang"),
                "demands": demands or None,
            }
        )
    return to_arrow("feedback", rows)
