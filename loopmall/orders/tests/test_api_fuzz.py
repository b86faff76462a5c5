"""Fuzz the whole OpenAPI spec (/api/v1/openapi.json) with schemathesis: no input may cause a 5xx.

Bounded so it stays well under a minute: a few examples per operation, half of them signed in."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from loopmall.accounts import services as accounts_services
from loopmall.orders import services as order_services
from loopmall.orders.tests import factories


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: do not close the connection (and the test's transaction) after each
    request the WSGI app serves."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(db, keep_test_connection):
    """A staff member who also shops, so both customer and staff operations get past auth."""
    user = accounts_services.staff_create(login="fuzz@loopmall.test", password="Loop-mall-2026", role="admin")
    accounts_services.address_create(
        user=user, recipient="测试", phone="13800000000", province="上海市", city="上海市", detail="1号"
    )
    sku = factories.sku(stock=1000)
    order_services.cart_add(user=user, sku_id=sku.pk, quantity=1)
    order_services.order_place(user=user, items=[(sku.pk, 1)])
    return {"Authorization": f"Bearer {accounts_services.api_token_issue(user=user)}"}


def _schema():
    from loopmall.wsgi import application

    # Serving the spec touches no database, so it can load while pytest collects.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=4,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, signed_in):
    response = case.call(headers=signed_in if hash(case.path) % 2 or case.method != "GET" else None)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )
