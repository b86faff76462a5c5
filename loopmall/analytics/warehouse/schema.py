"""Warehouse tables and their numbered migrations.

Each migration is a module `migrations/NNNN_name.py` with `apply(con)`; `migrate(con)` runs the ones not
yet recorded in `schema_migrations`, in number order. Table and column names here are a contract: the
profiles app, KPIs and benchmarks read them. Add columns by a new migration; never rename.

Conventions: ids are int64 (OLTP primary keys); money is int64 minor units; timestamps are naive UTC.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

import ibis
import ibis.expr.datatypes as dt

from loopmall.analytics.warehouse.connection import table_names

EVENTS = ibis.schema(
    {
        "event_id": dt.string,
        "outbox_id": dt.int64,
        "name": dt.string,
        "occurred_at": dt.timestamp,
        "user_id": dt.int64,
        "anonymous_id": dt.string,
        "channel": dt.string,
        "sku_id": dt.int64,
        "product_id": dt.int64,
        "category": dt.string,
        "price_minor": dt.int64,
        "order_id": dt.int64,
        # frequently read properties, lifted out of the JSON so every engine can group by them
        "post_id": dt.string,
        "community_id": dt.string,
        "live_session_id": dt.string,
        "group_buy_id": dt.string,
        "ticket_id": dt.string,
        "score": dt.float64,
        "properties_json": dt.string,
    }
)
ORDERS = ibis.schema(
    {
        "order_id": dt.int64,
        "user_id": dt.int64,
        "placed_at": dt.timestamp,
        "paid_at": dt.timestamp,
        "status": dt.string,
        "channel": dt.string,
        "currency": dt.string,
        "total_minor": dt.int64,
        "discount_minor": dt.int64,
        "refunded_minor": dt.int64,
        "coupon_code": dt.string,
        "group_buy_id": dt.string,
        "referrer_id": dt.int64,
        "ship_to_self": dt.boolean,
        "is_gift_wrapped": dt.boolean,
    }
)
ORDER_ITEMS = ibis.schema(
    {
        "line_id": dt.int64,
        "order_id": dt.int64,
        "sku_id": dt.int64,
        "product_id": dt.int64,
        "category": dt.string,
        "quantity": dt.int64,
        "unit_price_minor": dt.int64,
        "discount_minor": dt.int64,
        "tier": dt.string,
    }
)
USERS = ibis.schema(
    {
        "user_id": dt.int64,
        "created_at": dt.timestamp,
        "channel": dt.string,
        "invited_by": dt.int64,
        "city": dt.string,
    }
)
PRODUCTS = ibis.schema(
    {
        "sku_id": dt.int64,
        "product_id": dt.int64,
        "name": dt.string,
        "category": dt.string,
        "price_minor": dt.int64,
        "list_price_minor": dt.int64,
        "tier": dt.string,
        # `;`-separated attribute tags, as in the import contract (e.g. "eco;gift_box")
        "attributes": dt.string,
        "is_family_category": dt.boolean,
    }
)
FEEDBACK = ibis.schema(
    {
        "feedback_id": dt.string,
        "channel": dt.string,
        "created_at": dt.timestamp,
        "user_id": dt.int64,
        "product_id": dt.int64,
        "rating": dt.int64,
        "lang": dt.string,
        # `;`-separated demand codes from demand-taxonomy.md
        "demands": dt.string,
    }
)

TABLES: dict[str, ibis.Schema] = {
    "events": EVENTS,
    "orders": ORDERS,
    "order_items": ORDER_ITEMS,
    "users": USERS,
    "products": PRODUCTS,
    "feedback": FEEDBACK,
}
# Columns the warehouse derives from the contract columns and stores next to them (migration 0003;
# filled by the sync, `derive`, and `load_frames`). Not part of the import contract: rows arrive without
# them. events.actor_key: one int64 per person, what KPIs, funnels and cohorts count and join on — the
# user id, or for a visitor who has not signed in a negative number standing for the anonymous id
# (anonymous_keys). Same people as kpis.base.actor(), cheaper to group by than a string.
DERIVED: dict[str, dict[str, dt.DataType]] = {"events": {"actor_key": dt.int64}}
ANONYMOUS_KEYS_TABLE = "anonymous_keys"
ANONYMOUS_KEYS = ibis.schema({"anonymous_id": dt.string, "actor_key": dt.int64})


def stored_schema(name: str) -> ibis.Schema:
    """The schema a warehouse table is stored with: the contract columns plus the derived ones."""
    extra = DERIVED.get(name)
    if not extra:
        return TABLES[name]
    return ibis.schema({**dict(TABLES[name].items()), **extra})


# The primary key of each fact table: the sync replaces rows by it.
KEYS = {
    "events": "event_id",
    "orders": "order_id",
    "order_items": "line_id",
    "users": "user_id",
    "products": "sku_id",
    "feedback": "feedback_id",
}
MIGRATIONS_TABLE = "schema_migrations"
SYNC_STATE_TABLE = "sync_state"


def _migration_modules() -> list[tuple[int, str, object]]:
    from loopmall.analytics.warehouse import migrations

    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        number, _, label = info.name.partition("_")
        if number.isdigit():
            found.append(
                (int(number), info.name, importlib.import_module(f"{migrations.__name__}.{info.name}"))
            )
    return sorted(found, key=lambda item: item[0])


def applied_versions(con) -> set[int]:
    if MIGRATIONS_TABLE not in table_names(con):
        return set()
    return {int(v) for v in con.table(MIGRATIONS_TABLE).version.to_pyarrow().to_pylist()}


def migrate(con) -> list[str]:
    """Apply the warehouse migrations not yet applied; returns the names applied."""
    if MIGRATIONS_TABLE not in table_names(con):
        con.create_table(
            MIGRATIONS_TABLE,
            schema=ibis.schema({"version": dt.int64, "name": dt.string, "applied_at": dt.timestamp}),
        )
    done = applied_versions(con)
    applied = []
    for number, name, module in _migration_modules():
        if number in done:
            continue
        module.apply(con)
        record = ibis.memtable(
            {"version": [number], "name": [name], "applied_at": [datetime.now(UTC).replace(tzinfo=None)]},
            schema=con.table(MIGRATIONS_TABLE).schema(),
        )
        con.insert(MIGRATIONS_TABLE, record)
        applied.append(name)
    return applied


def schema_version(con) -> int:
    versions = applied_versions(con)
    return max(versions) if versions else 0
