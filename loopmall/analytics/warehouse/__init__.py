"""The analytics warehouse: Ibis tables rebuilt from the outbox and the OLTP database.

Public surface (the profiles app and benchmarks use it):

    from loopmall.analytics import warehouse
    con = warehouse.connect()                      # DuckDB file at settings.LOOPMALL_WAREHOUSE_PATH
    con = warehouse.connect(backend="spark")       # Ibis' PySpark backend on a local session
    events = warehouse.table("events", con=con)    # an Ibis table expression

The warehouse holds no data of its own: `loopmall warehouse rebuild` recreates it at any time.
"""

from loopmall.analytics.warehouse.connection import (
    BACKENDS,
    WarehouseBusy,
    connect,
    load_frames,
    opened,
    spark_from_duckdb,
    spark_session,
    table,
)
from loopmall.analytics.warehouse.schema import TABLES, migrate, schema_version

__all__ = [
    "BACKENDS",
    "TABLES",
    "WarehouseBusy",
    "connect",
    "load_frames",
    "migrate",
    "opened",
    "schema_version",
    "spark_from_duckdb",
    "spark_session",
    "table",
]
