"""Where the sync remembers how far it has copied (outbox id and OLTP high-water marks)."""

from loopmall.analytics.warehouse.connection import table_names
import ibis
import ibis.expr.datatypes as dt

from loopmall.analytics.warehouse.schema import SYNC_STATE_TABLE


def apply(con) -> None:
    if SYNC_STATE_TABLE not in table_names(con):
        con.create_table(
            SYNC_STATE_TABLE,
            schema=ibis.schema({"key": dt.string, "int_value": dt.int64, "time_value": dt.timestamp}),
        )
