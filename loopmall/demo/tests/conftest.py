from datetime import UTC, datetime

import pytest

from loopmall.demo import simulator

DEMO_NOW = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)


@pytest.fixture
def small_demo(db):
    """A small demo brand (300 customers) built at a fixed moment."""
    counts = simulator.build(seed=7, customers=300, now=DEMO_NOW)
    return counts
