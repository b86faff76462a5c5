import pytest
from django.db import transaction

from loopmall.core.events import consumer_advance, event_emit, events_after
from loopmall.core.models import OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_event_outside_transaction_is_refused():
    with pytest.raises(RuntimeError, match="outside a transaction"):
        event_emit("Order Completed")


def test_event_rolls_back_with_its_change():
    def change_then_fail():
        with transaction.atomic():
            event_emit("Order Completed", properties={"order_id": "1"})
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        change_then_fail()
    assert OutboxEvent.objects.count() == 0


def test_consumer_reads_each_event_once():
    with transaction.atomic():
        first = event_emit("Product Viewed", properties={"sku_id": "a"})
        event_emit("Product Added", properties={"sku_id": "a"})
    batch, position = events_after(consumer="test")
    assert position == 0
    assert [e.name for e in batch] == ["Product Viewed", "Product Added"]
    consumer_advance(consumer="test", last_event_id=first.id)
    batch, _ = events_after(consumer="test")
    assert [e.name for e in batch] == ["Product Added"]
