"""Queue jobs for orders: thin wrappers around services.

Each placed order schedules `order_cancel_when_overdue` for its payment deadline (huey `eta`), so
an unpaid order is cancelled within a minute of it; `orders_cancel_overdue_sweep` runs every
minute as the safety net for jobs lost while the queue was down."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from loopmall.orders import services


@db_task(retries=3, retry_delay=10)
def order_cancel_when_overdue(order_number: str) -> bool:
    return services.order_cancel_if_overdue(order_number=order_number)


@db_periodic_task(crontab(minute="*"), priority=50)
@lock_task("orders-cancel-overdue-sweep")
def orders_cancel_overdue_sweep() -> int:
    return services.orders_cancel_overdue()
