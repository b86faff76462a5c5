"""Copies the outbox and the OLTP facts into the warehouse: incrementally (every minute) or from scratch.

Incremental rules:
- events: outbox rows above the stored watermark, re-reading a tail of OUTBOX_OVERLAP_IDS ids (on
  PostgreSQL a lower id can commit after a higher one); rows already copied are skipped by event_id.
- orders (+ their items): new ids, orders whose paid/shipped/delivered/completed/cancelled/refund time
  moved since the previous run, and orders named by the new events.
- users: new ids and users named by the new events. products: copied whole (the catalogue is small).
- feedback: copied whole from the insight app when it provides rows.

Sync lag per event = (time the run committed) − (time the event reached the outbox). The outbox stores
when the event occurred; for live events that is the commit time. Back-dated events (imports, client
clocks) cannot have been committed before the previous run read the outbox, so their lag is counted from
that read instead: an upper bound, never an underestimate.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
from django.db import connection, transaction

from loopmall.analytics.warehouse import derive, extract
from loopmall.analytics.warehouse.connection import opened, run_sql, table_names
from loopmall.analytics.warehouse.schema import (
    ANONYMOUS_KEYS_TABLE,
    KEYS,
    MIGRATIONS_TABLE,
    SYNC_STATE_TABLE,
    TABLES,
    migrate,
)
from loopmall.core import clock

log = logging.getLogger(__name__)

# Re-check orders whose state changed this long before the previous run read (clock skew between hosts).
CHANGE_MARGIN = timedelta(minutes=5)
OUTBOX_OVERLAP_IDS = 1000


@dataclass
class SyncResult:
    kind: str
    outbox_id_before: int = 0
    outbox_id_after: int = 0
    events_copied: int = 0
    rows_copied: dict[str, int] = field(default_factory=dict)
    lags_seconds: list[float] = field(default_factory=list)

    def lag_percentile(self, q: float) -> float | None:
        return float(np.percentile(self.lags_seconds, q)) if self.lags_seconds else None


# ---- state ----------------------------------------------------------------------------------------


def _state(con) -> dict[str, tuple[int | None, datetime | None]]:
    if SYNC_STATE_TABLE not in table_names(con):
        return {}
    rows = con.table(SYNC_STATE_TABLE).to_pyarrow().to_pylist()
    return {r["key"]: (r["int_value"], r["time_value"]) for r in rows}


def _state_set(con, **values: tuple[int | None, datetime | None]) -> None:
    for key, (int_value, time_value) in values.items():
        run_sql(con, f"DELETE FROM {SYNC_STATE_TABLE} WHERE key = ?", [key])
        run_sql(con, f"INSERT INTO {SYNC_STATE_TABLE} VALUES (?, ?, ?)", [key, int_value, time_value])


def _replace_rows(con, table: str, rows: pa.Table, *, key: str | None = None, key_values=None) -> int:
    """Delete the rows with the given keys (default: the keys in `rows`), then append `rows`."""
    key = key or KEYS[table]
    raw = con.con
    raw.register("_incoming", rows)
    try:
        if key_values is not None:
            raw.register("_keys", pa.table({"k": pa.array(key_values, type=rows.schema.field(key).type)}))
            run_sql(con, f"DELETE FROM {table} WHERE {key} IN (SELECT k FROM _keys)")
            raw.unregister("_keys")
        else:
            run_sql(con, f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM _incoming)")
        columns = ", ".join(rows.schema.names)
        run_sql(con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _incoming")
    finally:
        raw.unregister("_incoming")
    return rows.num_rows


def append_events(con, events: pa.Table, *, with_times: bool = False):
    """Bulk-append the events (Arrow, `events` schema) whose event_id the warehouse lacks, with their
    derived `actor_key` (see derive.py).

    Returns the number added, or (number, their occurred_at values) with `with_times`.
    """
    raw = con.con
    raw.register("_incoming_events", events)
    try:
        columns = ", ".join(events.schema.names)
        source = "_incoming_events"
        repeated = run_sql(con, "SELECT count(*) - count(DISTINCT event_id) FROM _incoming_events")[0][0]
        if repeated:
            source = (
                "(SELECT * FROM _incoming_events "
                "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY outbox_id) = 1)"
            )
        derive.key_anonymous_ids(con, "_incoming_events")
        picked = ", ".join(f"i.{c}" for c in events.schema.names)
        fresh = (
            f"SELECT {picked}, coalesce(i.user_id, k.actor_key) AS actor_key FROM {source} i "
            f"LEFT JOIN {ANONYMOUS_KEYS_TABLE} k ON k.anonymous_id = i.anonymous_id "
            "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = i.event_id)"
        )
        run_sql(con, f"CREATE OR REPLACE TEMP TABLE _new_events AS {fresh}")
        added = run_sql(con, "SELECT count(*) FROM _new_events")[0][0]
        times = [row[0] for row in run_sql(con, "SELECT occurred_at FROM _new_events")] if with_times else []
        run_sql(
            con,
            f"INSERT INTO events ({columns}, actor_key) SELECT {columns}, actor_key FROM _new_events "
            "ORDER BY occurred_at",
        )
        derive.refresh_ticket_answers(con, "_new_events")
        run_sql(con, "DROP TABLE _new_events")
        return (added, times) if with_times else added
    finally:
        raw.unregister("_incoming_events")


# ---- runs -----------------------------------------------------------------------------------------


def run(*, rebuild: bool = False, path: str | None = None) -> SyncResult:
    """One sync (or rebuild) of the DuckDB warehouse, recorded as a SyncRun with its lag.

    The OLTP database sees one short write, after the warehouse has committed (on SQLite other apps'
    minute tasks contend for the single write lock; holding a row open from the start would make every
    run a second writer). That write retries while the database is locked (`_retry_locked`)."""
    from loopmall.analytics.models import SyncRun

    kind = SyncRun.Kind.REBUILD if rebuild else SyncRun.Kind.SYNC
    started_at = clock.now()
    try:
        if rebuild:
            with opened("duckdb", path=path) as con:
                result = _rebuild(con)
        else:
            result = _sync(path)
    except Exception as exc:
        error = repr(exc)[:2000]
        try:
            _retry_locked(
                lambda: SyncRun.objects.create(
                    kind=kind, started_at=started_at, finished_at=clock.now(), error=error
                )
            )
        except Exception:  # the OLTP database itself may be what failed (e.g. locked); keep the first error
            log.exception("could not record the failed sync run")
        raise
    finished_at = clock.now()
    _retry_locked(
        lambda: SyncRun.objects.create(
            kind=kind,
            started_at=started_at,
            finished_at=finished_at,
            is_ok=True,
            outbox_id_before=result.outbox_id_before,
            outbox_id_after=result.outbox_id_after,
            events_copied=result.events_copied,
            rows_copied=result.rows_copied,
            lag_p50_seconds=result.lag_percentile(50),
            lag_p95_seconds=result.lag_percentile(95),
            lag_max_seconds=max(result.lags_seconds) if result.lags_seconds else None,
        )
    )
    return result


LOCKED_RETRY_SECONDS = 90.0


def _retry_locked(write, *, within: float = LOCKED_RETRY_SECONDS):
    """Run a short OLTP write, again (with backoff) while SQLite reports the database locked."""
    import time

    from django.db import OperationalError

    deadline = time.monotonic() + within
    delay = 0.2
    while True:
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() + delay > deadline:
                raise
            log.warning("OLTP database locked; retrying the sync's write in %.1f s", delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _rebuild(con) -> SyncResult:
    for name in [*TABLES, ANONYMOUS_KEYS_TABLE, SYNC_STATE_TABLE, MIGRATIONS_TABLE]:
        if name in table_names(con):
            con.drop_table(name)
    migrate(con)
    read_at = clock.now()
    result = SyncResult(kind="rebuild")
    result.outbox_id_after = 0
    run_sql(con, "BEGIN TRANSACTION")
    try:
        for batch in extract.outbox_batches(after_id=0):
            result.events_copied += append_events(con, extract.events_arrow(batch))
            result.outbox_id_after = batch[-1][0]
        result.rows_copied["events"] = result.events_copied
        for table, rows in (
            ("orders", extract.orders_arrow(None)),
            ("order_items", extract.order_items_arrow(None)),
            ("users", extract.users_arrow(None)),
            ("products", extract.products_arrow()),
        ):
            result.rows_copied[table] = _replace_rows(con, table, rows)
        feedback = extract.feedback_arrow()
        if feedback is not None:
            result.rows_copied["feedback"] = _replace_rows(con, "feedback", feedback)
        derive.derive_all(con)
        _state_set(
            con,
            outbox_id=(result.outbox_id_after, None),
            order_id=(_max_key(con, "orders", "order_id"), None),
            user_id=(_max_key(con, "users", "user_id"), None),
            read_at=(None, extract.naive_utc(read_at)),
        )
        run_sql(con, "COMMIT")
    except Exception:
        run_sql(con, "ROLLBACK")
        raise
    return result


def _max_key(con, table: str, column: str) -> int:
    value = run_sql(con, f"SELECT max({column}) FROM {table}")[0][0]
    return int(value or 0)


def _sync(path: str | None) -> SyncResult:
    """Read the watermarks, extract from the OLTP database with the warehouse file closed (other
    processes may read it meanwhile), then open it again only to write."""
    with opened("duckdb", path=path) as con:
        migrate(con)
        state = _state(con)
    outbox_id = int((state.get("outbox_id") or (0, None))[0] or 0)
    order_id = int((state.get("order_id") or (0, None))[0] or 0)
    user_id = int((state.get("user_id") or (0, None))[0] or 0)
    previous_read = (state.get("read_at") or (None, None))[1]
    previous_read = previous_read.replace(tzinfo=UTC) if previous_read else None

    # Read the OLTP side first, outside the warehouse transaction.
    read_at = clock.now()
    result = SyncResult(kind="sync", outbox_id_before=outbox_id, outbox_id_after=outbox_id)
    event_tables: list[pa.Table] = []
    occurred: list[datetime] = []
    touched: dict[str, set[int]] = {"orders": set(), "users": set()}
    # One consistent snapshot of the OLTP tables on PostgreSQL. Not on SQLite: there BEGIN is IMMEDIATE
    # (settings), so a transaction would take the write lock and stall every writer while we read.
    snapshot = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with snapshot:
        # Re-read a tail of ids already copied: on PostgreSQL a lower id can commit after a higher one.
        # Events already in the warehouse are skipped by event_id, so the overlap costs nothing else.
        for batch in extract.outbox_batches(after_id=max(0, outbox_id - OUTBOX_OVERLAP_IDS)):
            table = extract.events_arrow(batch)
            event_tables.append(table)
            for r in batch:
                if r[7] in extract.TOUCH_TYPES["orders"] and extract.as_int(r[8]) is not None:
                    touched["orders"].add(int(r[8]))
                if r[7] in extract.TOUCH_TYPES["users"] and extract.as_int(r[8]) is not None:
                    touched["users"].add(int(r[8]))
                if r[4] is not None:
                    touched["users"].add(r[4])
            touched["orders"].update(v for v in table.column("order_id").to_pylist() if v is not None)
            result.outbox_id_after = max(result.outbox_id_after, batch[-1][0])
        since = previous_read - CHANGE_MARGIN if previous_read else None
        changed_orders = extract.orders_changed(after_id=order_id, since=since, touched=touched["orders"])
        orders = extract.orders_arrow(changed_orders) if changed_orders else None
        items = extract.order_items_arrow(changed_orders) if changed_orders else None
        touched_users = extract.user_ids_of(sorted(touched["users"]))
        changed_users = extract.users_changed(after_id=user_id, touched=set(touched_users))
        users = extract.users_arrow(changed_users) if changed_users else None
        products = extract.products_arrow()
    feedback = extract.feedback_arrow()
    with opened("duckdb", path=path) as con:
        _write(con, result, event_tables, occurred, orders, items, changed_orders, users, products, feedback,
               order_id=order_id, user_id=user_id, read_at=read_at)  # fmt: skip
    visible_at = clock.now()
    floor = extract.naive_utc(previous_read or read_at)
    visible = extract.naive_utc(visible_at)
    result.lags_seconds = [
        max(0.0, (visible - max(moment, floor)).total_seconds()) for moment in occurred if moment
    ]
    return result


def _write(con, result, event_tables, occurred, orders, items, changed_orders, users, products, feedback, *,
           order_id: int, user_id: int, read_at: datetime) -> None:  # fmt: skip
    run_sql(con, "BEGIN TRANSACTION")
    try:
        for table in event_tables:
            added, times = append_events(con, table, with_times=True)
            result.events_copied += added
            occurred.extend(times)
        result.rows_copied["events"] = result.events_copied
        if orders is not None:
            result.rows_copied["orders"] = _replace_rows(con, "orders", orders)
            result.rows_copied["order_items"] = _replace_rows(
                con, "order_items", items, key="order_id", key_values=changed_orders
            )
            derive.refresh_customers(con, orders.column("user_id").to_pylist())
        if users is not None:
            result.rows_copied["users"] = _replace_rows(con, "users", users)
        run_sql(con, "DELETE FROM products")
        result.rows_copied["products"] = _replace_rows(con, "products", products)
        if feedback is not None:
            run_sql(con, "DELETE FROM feedback")
            result.rows_copied["feedback"] = _replace_rows(con, "feedback", feedback)
        _state_set(
            con,
            outbox_id=(result.outbox_id_after, None),
            order_id=(max(order_id, _max_key(con, "orders", "order_id")), None),
            user_id=(max(user_id, _max_key(con, "users", "user_id")), None),
            read_at=(None, extract.naive_utc(read_at)),
        )
        run_sql(con, "COMMIT")
    except Exception:
        run_sql(con, "ROLLBACK")
        raise


def status(path: str | None = None) -> dict:
    """Row counts, schema version and watermarks of the warehouse."""
    from loopmall.analytics.warehouse.schema import schema_version

    with opened("duckdb", path=path) as con:
        existing = table_names(con)
        counts = {
            name: (run_sql(con, f"SELECT count(*) FROM {name}")[0][0] if name in existing else None)
            for name in TABLES
        }
        return {
            "schema_version": schema_version(con),
            "tables": counts,
            "state": {k: (v[0] if v[0] is not None else v[1]) for k, v in _state(con).items()},
        }
