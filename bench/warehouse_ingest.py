"""Bulk event import speed into the analytics warehouse (target: ≥ 100,000 events/s on this machine).

Reads the Taobao UserBehavior sample (../shared/data/taobao_userbehavior_sample), replicates it
`--copies` times with fresh users and event ids, maps pv/cart/fav/buy to the event catalog, and loads it
into a fresh DuckDB warehouse through the same append path the sync uses
(`loopmall.analytics.warehouse.sync.append_events`: Arrow in, duplicates by event_id skipped).
Prints events/s for the load alone and end to end (CSV parse + mapping + load).

    .venv/bin/python bench/warehouse_ingest.py --copies 24
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
os.environ.setdefault("LOOPMALL_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))

SAMPLE = ROOT.parent / "shared" / "data" / "taobao_userbehavior_sample" / "UserBehavior_first814users.csv.gz"
NAMES = {
    "pv": "Product Viewed",
    "cart": "Product Added",
    "fav": "Product Added to Wishlist",
    "buy": "Order Completed",
}


def read_sample() -> pa.Table:
    return pacsv.read_csv(
        SAMPLE,
        read_options=pacsv.ReadOptions(column_names=["user", "item", "category", "behavior", "ts"]),
        convert_options=pacsv.ConvertOptions(
            column_types={
                "user": pa.int64(),
                "item": pa.int64(),
                "category": pa.int64(),
                "behavior": pa.string(),
                "ts": pa.int64(),
            }  # fmt: skip
        ),
    )


def to_events(raw: pa.Table, copy: int) -> pa.Table:
    """One replica of the sample in the warehouse `events` schema (vectorised, no Python loop per row)."""
    from loopmall.analytics.warehouse.schema import TABLES

    schema = TABLES["events"].to_pyarrow()
    n = raw.num_rows
    row = pa.array(np.arange(n, dtype=np.int64))
    prefix = pa.scalar(f"tb{copy}-")
    codes = list(NAMES)
    names = pc.take(pa.array([NAMES[c] for c in codes]), pc.index_in(raw["behavior"], pa.array(codes)))
    columns = {
        "event_id": pc.binary_join_element_wise(prefix, pc.cast(row, pa.string()), ""),
        "outbox_id": pc.add(row, copy * n),
        "name": names,
        "occurred_at": pc.cast(pc.multiply(raw["ts"], 1_000_000), pa.timestamp("us")),
        "user_id": pc.add(raw["user"], copy * 10_000_000),
        "anonymous_id": pa.nulls(n, pa.string()),
        "channel": pa.nulls(n, pa.string()),
        "sku_id": raw["item"],
        "product_id": raw["item"],
        "category": pc.cast(raw["category"], pa.string()),
        "price_minor": pa.nulls(n, pa.int64()),
        "order_id": pa.nulls(n, pa.int64()),
    }
    for name in schema.names:
        columns.setdefault(name, pa.nulls(n, schema.field(name).type))
    return pa.table([columns[name].cast(schema.field(name).type) for name in schema.names], schema=schema)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=24, help="replicas of the 84,287-event sample")
    parser.add_argument("--batch-copies", type=int, default=6, help="replicas per append (one Arrow batch)")
    args = parser.parse_args()
    if not SAMPLE.exists():
        raise SystemExit(f"missing {SAMPLE}: the Taobao sample is needed for this benchmark")
    import django

    django.setup()
    from loopmall.analytics import warehouse
    from loopmall.analytics.warehouse.sync import append_events

    started = time.perf_counter()
    raw = read_sample()
    parse_seconds = time.perf_counter() - started
    path = Path(tempfile.mkdtemp(prefix="bench-warehouse-")) / "w.duckdb"
    load_seconds = build_seconds = 0.0
    total = 0
    with warehouse.opened(path=str(path)) as con:
        warehouse.migrate(con)
        for first in range(0, args.copies, args.batch_copies):
            t0 = time.perf_counter()
            batch = pa.concat_tables(
                [to_events(raw, copy) for copy in range(first, min(args.copies, first + args.batch_copies))]
            )
            t1 = time.perf_counter()
            total += append_events(con, batch)
            t2 = time.perf_counter()
            build_seconds += t1 - t0
            load_seconds += t2 - t1
        # Loading the same events again must add nothing (idempotent by event_id).
        t0 = time.perf_counter()
        again = append_events(con, to_events(raw, 0))
        recheck_seconds = time.perf_counter() - t0
        stored = con.con.execute("SELECT count(*) FROM events").fetchone()[0]
    end_to_end = parse_seconds + build_seconds + load_seconds
    print(f"events loaded          {total:,} (stored {stored:,}; re-load of one replica added {again})")
    print(f"load (append, dedupe)  {load_seconds:6.2f} s  {total / load_seconds:12,.0f} events/s")
    print(f"end to end             {end_to_end:6.2f} s  {total / end_to_end:12,.0f} events/s "
          f"(csv parse {parse_seconds:.2f} s, arrow mapping {build_seconds:.2f} s)")  # fmt: skip
    print(f"re-load check          {recheck_seconds:6.2f} s for {raw.num_rows:,} duplicate events")
    print(f"target ≥ 100,000 events/s: {'met' if total / end_to_end >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
