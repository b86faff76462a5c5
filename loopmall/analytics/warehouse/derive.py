"""What the warehouse derives from the copied facts so dashboards need not re-derive it on every query.

- `events.actor_key` (int64): one number per person — the user id, or for a visitor who never signed
  in a negative number standing for the anonymous id (table `anonymous_keys`, append-only: a key once
  given never changes). The same people as `kpis.base.actor()`, which builds a string per row; grouping
  and joining millions of rows on an int64 is several times cheaper.
- per-customer facts (`customer_orders`, `customers`, `customer_weeks`, `customer_offsets`, built by
  the Ibis expressions named in `analytics/cohorts.CUSTOMER_TABLES`): first paid order, net revenue, and the weeks a customer paid in — what the
  cohort pages read instead of grouping every paid order again. The sync recomputes them for the
  customers whose orders it copied; `rebuild` for everyone.
- `ticket_answers`: each ticket's first answer (kpis/service.py), folded in as events arrive.
- physical order: `rebuild` (and migration 0003) stores events by `occurred_at` and orders by
  `placed_at`. DuckDB keeps min/max per row group, so a query over a 30-day window reads the row groups
  of those 30 days only. The every-minute sync appends new events in roughly that order anyway.

DuckDB only (the sync's engine); `connection.load_frames` derives the same column for Spark and tests;
on Spark the cohort code derives the customer tables from `orders` per query.
"""

from __future__ import annotations

from loopmall.analytics.warehouse.connection import run_sql, table_names
from loopmall.analytics.warehouse.schema import ANONYMOUS_KEYS, ANONYMOUS_KEYS_TABLE, DERIVED, TABLES


def columns_of(con, table: str) -> list[str]:
    rows = run_sql(
        con,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in rows]


def ensure_structure(con) -> None:
    """The derived columns and the anonymous key table exist (empty / NULL until `rederive`)."""
    existing = table_names(con)
    if ANONYMOUS_KEYS_TABLE not in existing:
        con.create_table(ANONYMOUS_KEYS_TABLE, schema=ANONYMOUS_KEYS)
    for table, extra in DERIVED.items():
        if table not in existing:
            continue
        present = set(columns_of(con, table))
        for column, dtype in extra.items():
            if column not in present:
                sql_type = "BIGINT" if dtype.is_integer() else "VARCHAR"
                run_sql(con, f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")


def key_anonymous_ids(con, source: str) -> None:
    """Give a key to every anonymous id in `source` (a table or registered Arrow name) not keyed yet."""
    run_sql(
        con,
        f"""
        INSERT INTO {ANONYMOUS_KEYS_TABLE} (anonymous_id, actor_key)
        SELECT s.anonymous_id,
               (SELECT coalesce(min(actor_key), 0) FROM {ANONYMOUS_KEYS_TABLE})
               - row_number() OVER (ORDER BY s.anonymous_id)
        FROM (SELECT DISTINCT anonymous_id FROM {source} WHERE anonymous_id IS NOT NULL) s
        WHERE NOT EXISTS (SELECT 1 FROM {ANONYMOUS_KEYS_TABLE} k WHERE k.anonymous_id = s.anonymous_id)
        """,
    )


def _resorted(con, table: str, select: str, order: str) -> None:
    run_sql(con, f"CREATE TABLE _{table}_sorted AS {select} ORDER BY {order}")
    run_sql(con, f"DROP TABLE {table}")
    run_sql(con, f"ALTER TABLE _{table}_sorted RENAME TO {table}")


def rederive(con) -> None:
    """Recompute every derived column from the facts and store the fact tables in time order.
    Run inside the caller's transaction (rebuild, migration); seconds per ten million events."""
    ensure_structure(con)
    key_anonymous_ids(con, "events")
    contract = ", ".join(f"e.{c}" for c in TABLES["events"].names)
    _resorted(
        con,
        "events",
        f"SELECT {contract}, coalesce(e.user_id, k.actor_key) AS actor_key "
        f"FROM events e LEFT JOIN {ANONYMOUS_KEYS_TABLE} k ON k.anonymous_id = e.anonymous_id",
        "e.occurred_at, e.outbox_id, e.event_id",
    )
    _resorted(con, "orders", "SELECT * FROM orders", "placed_at, order_id")


def derive_all(con) -> None:
    """Everything this module derives, from scratch (rebuild, bulk loads)."""
    rederive(con)
    refresh_customers(con)
    refresh_ticket_answers(con)


def refresh_ticket_answers(con, new_events: str | None = None) -> None:
    """`ticket_answers` (each ticket's first answer, kpis/service.py): from all events, or folded in from
    the table `new_events` just appended (an earlier answer can only get earlier)."""
    from loopmall.analytics.kpis.service import ticket_answers_expression

    if new_events is None or "ticket_answers" not in table_names(con):
        if "ticket_answers" in table_names(con):
            con.drop_table("ticket_answers")
        sql = str(con.compile(ticket_answers_expression(con.table("events"))))
        run_sql(con, f"CREATE TABLE ticket_answers AS {sql}")
        return
    import ibis

    # `new_events` may be a temporary table, which Ibis does not look up: compile against its schema.
    fresh = ibis.table(con.table("events").schema(), name=new_events)
    sql = ibis.to_sql(ticket_answers_expression(fresh), dialect="duckdb")
    run_sql(con, f"CREATE OR REPLACE TEMP TABLE _new_answers AS {sql}")
    run_sql(
        con,
        "CREATE OR REPLACE TEMP TABLE _merged_answers AS "
        "SELECT n.ticket_id, least(n.answered_at, coalesce(a.answered_at, n.answered_at)) AS answered_at "
        "FROM _new_answers n LEFT JOIN ticket_answers a ON a.ticket_id = n.ticket_id",
    )
    run_sql(con, "DELETE FROM ticket_answers WHERE ticket_id IN (SELECT ticket_id FROM _new_answers)")
    run_sql(con, "INSERT INTO ticket_answers SELECT ticket_id, answered_at FROM _merged_answers")
    run_sql(con, "DROP TABLE _new_answers")
    run_sql(con, "DROP TABLE _merged_answers")


def refresh_customers(con, user_ids=None) -> None:
    """Recompute the per-customer tables for `user_ids` (an iterable of ints), or for everyone (None).
    Creates the tables when missing. Built from the same Ibis expressions the cohort code falls back to,
    so materialised and derived rows are the same by construction."""
    import pyarrow as pa

    from loopmall.analytics.cohorts import CUSTOMER_TABLES

    existing = table_names(con)
    orders = con.table("orders")
    if user_ids is None:
        for name, build in CUSTOMER_TABLES.items():
            if name in existing:
                con.drop_table(name)
            sort = "paid_at" if name == "customer_orders" else "user_id"  # windows filter by paid_at
            sql = str(con.compile(build(orders).order_by(sort)))
            run_sql(con, f"CREATE TABLE {name} AS {sql}")
        return
    ids = sorted({int(i) for i in user_ids if i is not None})
    if not ids:
        return
    if any(name not in existing for name in CUSTOMER_TABLES):
        refresh_customers(con, None)
        return
    raw = con.con
    raw.register("_touched_arrow", pa.table({"user_id": pa.array(ids, type=pa.int64())}))
    run_sql(con, "CREATE OR REPLACE TABLE _touched_customers AS SELECT user_id FROM _touched_arrow")
    raw.unregister("_touched_arrow")
    try:
        touched = orders.filter(orders.user_id.isin(con.table("_touched_customers").user_id))
        for name, build in CUSTOMER_TABLES.items():
            run_sql(con, f"DELETE FROM {name} WHERE user_id IN (SELECT user_id FROM _touched_customers)")
            columns = ", ".join(f'"{c}"' for c in con.table(name).columns)
            sql = str(con.compile(build(touched).select(*con.table(name).columns)))
            run_sql(con, f"INSERT INTO {name} ({columns}) {sql}")
    finally:
        run_sql(con, "DROP TABLE IF EXISTS _touched_customers")
