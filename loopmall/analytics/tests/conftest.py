"""Fixtures shared by the analytics tests."""

import pytest

from loopmall.analytics import warehouse
from loopmall.analytics.tests import tiny


@pytest.fixture(scope="module")
def duck():
    """An in-memory DuckDB warehouse holding the tiny fixture data (one per test module)."""
    con = warehouse.connect(path=":memory:")
    warehouse.migrate(con)
    tiny.load(con)
    yield con
    con.disconnect()
