"""An unpaid order is cancelled within a minute of its payment deadline, by the job scheduled for it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from loopmall.catalog.models import Sku
from loopmall.orders import services, tasks
from loopmall.orders.models import Order

pytestmark = pytest.mark.django_db


def run_due_jobs() -> None:
    """What the huey consumer's scheduler does each second: run the jobs whose eta has come."""
    for task in HUEY.read_schedule():
        HUEY.execute(task)


def test_unpaid_order_cancelled_within_a_minute_of_deadline(
    buyer, tea, settings, django_capture_on_commit_callbacks
):
    settings.LOOPMALL_PAYMENT_TIMEOUT_MINUTES = 30
    HUEY.flush()
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            order = services.order_place(user=buyer, items=[(tea.pk, 3)])
        assert order.payment_deadline == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
        assert Sku.objects.get(pk=tea.pk).stock == 7

        traveller.move_to(order.payment_deadline - timedelta(seconds=5))
        run_due_jobs()
        assert Order.objects.get(pk=order.pk).status == "pending_payment"

        traveller.move_to(order.payment_deadline + timedelta(seconds=1))
        run_due_jobs()
        order.refresh_from_db()
        assert order.status == "cancelled"
        assert order.cancel_reason == "timeout"
        assert order.cancelled_at - order.payment_deadline < timedelta(minutes=1)
        assert Sku.objects.get(pk=tea.pk).stock == 10


def test_paid_order_is_left_alone_by_its_job(buyer, tea, django_capture_on_commit_callbacks):
    HUEY.flush()
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            order = services.order_place(user=buyer, items=[(tea.pk, 1)])
        services.sandbox_pay(user=buyer, order_number=order.number)
        traveller.move_to(order.payment_deadline + timedelta(seconds=1))
        run_due_jobs()
        assert Order.objects.get(pk=order.pk).status == "paid"
        assert Sku.objects.get(pk=tea.pk).stock == 9


def test_minute_sweep_catches_orders_whose_job_was_lost(buyer, tea):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as traveller:
        late = services.order_place(user=buyer, items=[(tea.pk, 2)])
        traveller.move_to(datetime(2026, 3, 2, 10, 20, tzinfo=UTC))
        fresh = services.order_place(user=buyer, items=[(tea.pk, 1)])
        traveller.move_to(late.payment_deadline + timedelta(seconds=30))
        assert tasks.orders_cancel_overdue_sweep.call_local() == 1
        assert Order.objects.get(pk=late.pk).status == "cancelled"
        assert Order.objects.get(pk=fresh.pk).status == "pending_payment"
        assert Sku.objects.get(pk=tea.pk).stock == 9


def test_sweep_runs_every_minute():
    schedule = tasks.orders_cancel_overdue_sweep.task_class().validate_datetime
    assert schedule(datetime(2026, 3, 2, 10, 0))
    assert schedule(datetime(2026, 3, 2, 10, 1))
