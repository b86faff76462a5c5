"""Fixtures shared by every app's tests."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    is_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(reason="race test: needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _huey_immediate(settings):
    """Queue jobs run inline in tests unless a test drives the queue itself."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages and scorecards are keyed by database state
    (e.g. the latest sync run's id), which a rolled-back test database can repeat for another test."""
    from django.core.cache import cache

    cache.clear()
