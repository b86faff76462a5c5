import pytest

from loopmall.orders.tests import factories


@pytest.fixture
def buyer(db):
    return factories.customer()


@pytest.fixture
def other_buyer(db):
    return factories.customer()


@pytest.fixture
def operator(db):
    return factories.staff()


@pytest.fixture
def tea(db):
    return factories.sku(price_minor=5990, stock=10)
