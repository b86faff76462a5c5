"""Row locks for orders, always taken the same way so concurrent writers queue instead of deadlocking.

On SQLite `select_for_update` is a no-op; the database's IMMEDIATE transactions serialise writers."""

from __future__ import annotations

from django.db.models import QuerySet

from loopmall.orders.models import Order, Payment, Refund


def order_lock(*, number: str) -> Order | None:
    """Lock one order row for the rest of the transaction (payments, refunds and cancels take it first)."""
    return Order.objects.select_for_update().filter(number=number).first()


def order_lock_by_id(*, order_id: int) -> Order | None:
    return Order.objects.select_for_update().filter(pk=order_id).first()


def orders_lock(*, numbers: list[str]) -> QuerySet[Order]:
    return Order.objects.select_for_update().filter(number__in=numbers).order_by("pk")


def payment_lock(*, provider: str, provider_transaction_id: str) -> Payment | None:
    return (
        Payment.objects.select_for_update()
        .filter(provider=provider, provider_transaction_id=provider_transaction_id)
        .first()
    )


def refund_lock(*, refund_id: int) -> Refund | None:
    return Refund.objects.select_for_update().filter(pk=refund_id).first()
