"""Connections to the warehouse engine: DuckDB (default, one file) or Spark (Ibis' PySpark backend).

DuckDB lets one process at a time open a file for writing, so connections here are short-lived
(`opened()` closes on exit) and opening retries while another process (the sync worker) holds it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
from django.conf import settings

BACKENDS = ("duckdb", "spark")
_OPEN_RETRY_SECONDS = 45.0


class WarehouseBusy(RuntimeError):
    """Another process kept the DuckDB file locked for longer than we were willing to wait."""


def connect(backend: str = "duckdb", *, path: str | Path | None = None, session: Any = None):
    """An Ibis backend for the warehouse.

    duckdb: the file at `path` (default settings.LOOPMALL_WAREHOUSE_PATH; ":memory:" for a scratch one).
    spark:  Ibis' PySpark backend on `session` (default: a local session, see `spark_session`).
    """
    if backend == "duckdb":
        target = str(path or settings.LOOPMALL_WAREHOUSE_PATH)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        return _duckdb_connect_with_retry(target)
    if backend == "spark":
        return ibis.pyspark.connect(session or spark_session())
    raise ValueError(f"unknown warehouse backend {backend!r}; choose one of {BACKENDS}")


def _duckdb_connect_with_retry(target: str):
    import duckdb

    deadline = time.monotonic() + _OPEN_RETRY_SECONDS
    delay = 0.02
    while True:
        try:
            con = ibis.duckdb.connect(target)
            # Timestamps are naive UTC in the warehouse; keep DuckDB from shifting them.
            run_sql(con, "SET TimeZone = 'UTC'")
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                if "lock" in str(exc).lower():
                    raise WarehouseBusy(str(exc)) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def opened(backend: str = "duckdb", **kwargs: Any) -> Iterator[Any]:
    """`connect()` for the length of a block; DuckDB files are released at the end."""
    con = connect(backend, **kwargs)
    try:
        yield con
    finally:
        if backend == "duckdb":
            con.disconnect()


def spark_session(master: str = "local[1]", *, warehouse_dir: str | Path | None = None):
    """A small local Spark session tuned for tests and single-machine runs (UTC, few partitions, no UI).

    Tables Spark creates go under `warehouse_dir` (default: a `spark-warehouse` folder in VAR_DIR)."""
    from pyspark.sql import SparkSession

    warehouse_dir = warehouse_dir or Path(settings.VAR_DIR) / "spark-warehouse"
    return (
        SparkSession.builder.master(master)
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .appName("loopmall-warehouse")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def table(name: str, *, con: Any = None):
    """The Ibis table expression for one warehouse table (see schema.TABLES)."""
    from loopmall.analytics.warehouse.schema import TABLES

    if name not in TABLES:
        raise KeyError(f"no warehouse table {name!r}; tables: {sorted(TABLES)}")
    return (con or connect()).table(name)


def table_names(con) -> set[str]:
    """Tables in the warehouse. (Ibis 12's DuckDB `list_tables` calls a cursor method duckdb 2.0 dropped,
    so DuckDB is asked directly.)"""
    if getattr(con, "name", "") == "duckdb":
        rows = con.con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        return {r[0] for r in rows}
    return set(con.list_tables())


def run_sql(con, sql: str, params: list | None = None) -> list[tuple]:
    """Run SQL on a DuckDB backend and read the whole result (duckdb 2.0 refuses new work on a connection
    while an earlier result is unread)."""
    return con.con.execute(sql, params or []).fetchall()


def load_frames(con, frames: dict[str, Any]) -> None:
    """Put pandas frames in as warehouse tables, typed by schema.TABLES (replacing any there), with the
    derived columns (schema.DERIVED) computed when a frame lacks them.

    DuckDB: real tables. Spark: temporary views built with the exact Spark schema (Spark cannot infer a
    type for an all-empty column). Used by tests and to hand a DuckDB snapshot to Spark.
    """
    from loopmall.analytics.warehouse.schema import stored_schema

    frames = {name: with_derived_columns(name, frame) for name, frame in frames.items()}
    if getattr(con, "name", "") == "pyspark":
        from ibis.backends.pyspark.datatypes import PySparkSchema

        session = con._session
        for name, frame in frames.items():
            schema = stored_schema(name)
            rows = frame[list(schema.names)].astype(object).where(frame[list(schema.names)].notna(), None)
            records = [
                tuple(None if _is_missing(v) else _plain(v) for v in row)
                for row in rows.itertuples(index=False)
            ]
            session.createDataFrame(records, schema=PySparkSchema.from_ibis(schema)).createOrReplaceTempView(
                name
            )
        return
    for name, frame in frames.items():
        schema = stored_schema(name)
        con.create_table(name, frame[list(schema.names)], schema=schema, overwrite=True)
    # What the warehouse derives from these rows (warehouse/derive.py).
    from loopmall.analytics.warehouse import derive

    if "orders" in frames:
        derive.refresh_customers(con)
    if "events" in frames:
        derive.refresh_ticket_answers(con)


def with_derived_columns(name: str, frame):
    """`frame` plus the derived columns of table `name` (see derive.py) when it lacks them."""
    if name != "events" or "actor_key" in frame.columns:
        return frame
    import pandas as pd

    frame = frame.copy()
    anonymous = frame["anonymous_id"].where(frame["anonymous_id"].notna(), None)
    codes, _ = pd.factorize(anonymous, sort=True)  # -1 where missing
    anonymous_key = pd.Series(-(codes + 1), index=frame.index, dtype="Int64").where(codes >= 0)
    frame["actor_key"] = frame["user_id"].astype("Int64").fillna(anonymous_key)
    return frame


def spark_from_duckdb(session=None, *, path: str | Path | None = None):
    """A Spark-backed Ibis connection holding a snapshot of the DuckDB warehouse (for running the same
    KPI and profile code on Spark)."""
    from loopmall.analytics.warehouse.schema import TABLES

    with opened("duckdb", path=path) as duck:
        frames = {name: duck.table(name).to_pandas() for name in TABLES if name in table_names(duck)}
    spark = connect("spark", session=session)
    load_frames(spark, frames)
    return spark


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd

        return value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """numpy / pandas scalars as the Python values Spark expects."""
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value
