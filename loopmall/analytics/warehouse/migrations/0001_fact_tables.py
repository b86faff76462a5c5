"""The six contract tables: events, orders, order_items, users, products, feedback."""

from loopmall.analytics.warehouse.connection import table_names
from loopmall.analytics.warehouse.schema import TABLES


def apply(con) -> None:
    existing = table_names(con)
    for name, schema in TABLES.items():
        if name not in existing:
            con.create_table(name, schema=schema)
