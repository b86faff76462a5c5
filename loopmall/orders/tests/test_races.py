"""Race tests on PostgreSQL: real threads, each with its own database connection.

PostgreSQL here allows 100 connections shared with other work, so at most WORKERS run at once;
every attempt still races the others for the same rows."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from loopmall.catalog.models import Sku
from loopmall.core.errors import DomainError
from loopmall.core.models import OutboxEvent
from loopmall.orders import services
from loopmall.orders.models import Order, Payment, Refund
from loopmall.orders.payments.sandbox import SandboxProvider
from loopmall.orders.tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 30


def run_concurrently(calls: list, workers: int = WORKERS) -> list:
    """Run the callables on `workers` threads released together; return each result or exception."""
    barrier = threading.Barrier(min(workers, len(calls)))
    results: list = [None] * len(calls)
    started = threading.local()

    def run(index: int):
        try:
            if not getattr(started, "done", False):
                started.done = True
                barrier.wait(timeout=30)
            results[index] = calls[index]()
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, range(len(calls))))
    return results


def test_100_checkouts_for_10_in_stock_make_10_orders():
    sku = factories.sku(stock=10)
    buyers = [factories.customer() for _ in range(100)]
    results = run_concurrently(
        [lambda b=b: services.order_place(user=b, items=[(sku.pk, 1)]) for b in buyers]
    )
    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, DomainError)]
    unexpected = [r for r in results if not isinstance(r, Order | DomainError)]
    assert not unexpected
    assert len(orders) == 10
    assert len(refused) == 90
    assert all(r.code == "out_of_stock" for r in refused)
    assert Order.objects.count() == 10
    assert Sku.objects.get(pk=sku.pk).stock == 0


def test_same_callback_20_times_pays_once():
    sku = factories.sku(stock=10)
    buyer = factories.customer()
    order = services.order_place(user=buyer, items=[(sku.pk, 2)])
    intent = services.payment_start(user=buyer, order_number=order.number)
    body, signature = SandboxProvider().approve(provider_transaction_id=intent.provider_transaction_id)
    results = run_concurrently(
        [lambda: services.payment_callback_handle(provider="sandbox", body=body, signature=signature)] * 20,
        workers=20,
    )
    assert all(isinstance(r, Order) for r in results), results
    order.refresh_from_db()
    assert (order.status, order.paid_minor) == ("paid", 2 * 5990)
    assert Payment.objects.filter(order=order, status="succeeded").count() == 1
    assert OutboxEvent.objects.filter(name="Order Completed", aggregate_id=order.number).count() == 1


def test_callback_racing_buyer_confirmation_pays_once():
    sku = factories.sku(stock=50)
    for _round in range(5):
        buyer = factories.customer()
        order = services.order_place(user=buyer, items=[(sku.pk, 1)])
        intent = services.payment_start(user=buyer, order_number=order.number)
        body, signature = SandboxProvider().approve(provider_transaction_id=intent.provider_transaction_id)
        calls = [
            lambda b=body, s=signature: services.payment_callback_handle(
                provider="sandbox", body=b, signature=s
            ),
            lambda b=buyer, o=order, t=intent.provider_transaction_id: services.payment_confirm_by_buyer(
                user=b, order_number=o.number, provider_transaction_id=t
            ),
        ] * 5
        results = run_concurrently(calls, workers=10)
        assert all(isinstance(r, Order) for r in results), results
        order.refresh_from_db()
        assert order.status == "paid"
        assert Payment.objects.filter(order=order, status="succeeded").count() == 1
        assert OutboxEvent.objects.filter(name="Order Completed", aggregate_id=order.number).count() == 1


def test_concurrent_refund_requests_never_exceed_paid():
    sku = factories.sku(stock=10, price_minor=1000)
    buyer = factories.customer()
    operator = factories.staff()
    order = services.order_place(user=buyer, items=[(sku.pk, 3)])
    services.sandbox_pay(user=buyer, order_number=order.number)
    line = order.lines.get()
    calls = [
        lambda: services.refund_request(
            user=buyer, order_number=order.number, reason="坏了", amount_minor=700
        )
    ] * 10 + [
        lambda: services.refund_request(
            user=buyer, order_number=order.number, reason="少了", line_id=line.pk, quantity=1
        )
    ] * 10
    results = run_concurrently(calls, workers=20)
    made = [r for r in results if isinstance(r, Refund)]
    assert all(isinstance(r, Refund | DomainError) for r in results), results
    assert sum(r.amount_minor for r in made) <= 3000
    approvals = run_concurrently(
        [lambda r=r: services.refund_approve(refund_id=r.pk, actor=operator) for r in made] * 2, workers=10
    )
    assert all(isinstance(a, Refund) for a in approvals), approvals
    order.refresh_from_db()
    assert order.refunded_minor == sum(r.amount_minor for r in made) <= order.paid_minor
    line.refresh_from_db()
    assert line.refunded_minor <= line.total_minor
    assert line.refunded_quantity <= line.quantity
