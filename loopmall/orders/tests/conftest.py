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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests that sign many users up do not need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
