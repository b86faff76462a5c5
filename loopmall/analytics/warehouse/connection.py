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
_OPEN_RETRY_SECONDS = 15.0


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


def spark_session(master: str = "local[1]"):
    """A small local Spark session tuned for tests and single-machine runs (UTC, few partitions, no UI)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
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
