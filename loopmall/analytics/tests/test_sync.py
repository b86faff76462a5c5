"""Warehouse sync: incremental copies of the outbox and OLTP rows, rebuild equality, lag recorded."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from loopmall.analytics import warehouse
from loopmall.analytics.models import SyncRun
from loopmall.analytics.warehouse import sync
from loopmall.analytics.warehouse.schema import TABLES
from loopmall.core import clock
from loopmall.core.events import event_emit

pytestmark = pytest.mark.django_db


def _catalog():
    category = apps.get_model("catalog", "Category").objects.create(name="母婴", slug="baby", is_family=True)
    product = apps.get_model("catalog", "Product").objects.create(
        category=category, name="婴儿湿巾", slug="wipes", attributes=["eco", "gift_box"]
    )
    return apps.get_model("catalog", "Sku").objects.create(
        product=product, code="W-1", price_minor=2990, list_price_minor=3990, tier="budget"
    )


def _order(user, sku, *, number: str, channel: str = "storefront", **fields):
    order_model = apps.get_model("orders", "Order")
    with transaction.atomic():
        order = order_model.objects.create(
            number=number, user=user, placed_at=clock.now(), channel=channel, total_minor=2990, **fields
        )
        apps.get_model("orders", "OrderLine").objects.create(
            order=order, sku=sku, product_name="婴儿湿巾", unit_price_minor=2990, quantity=1
        )
        event_emit(
            "Checkout Started", user_id=user.pk, aggregate=("order", order.pk), properties={"sku_id": sku.pk}
        )
    return order


def _rows(path, table):
    with warehouse.opened(path=str(path)) as con:
        key = sync.KEYS[table]
        columns = ", ".join(c for c in TABLES[table].names if c != "outbox_id")
        return con.con.execute(f"SELECT {columns} FROM {table} ORDER BY {key}").fetchall()


def test_incremental_sync_then_rebuild_gives_the_same_warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    user = get_user_model().objects.create_user("13800000001", channel="community", city="上海")
    get_user_model().objects.create_user("staff@example.com", is_staff=True)
    sku = _catalog()
    order = _order(user, sku, number="A1", channel="community", attribution={"group_buy_id": "g9"})
    with transaction.atomic():
        event_emit(
            "Product Viewed",
            user_id=user.pk,
            properties={"sku_id": sku.pk, "price": "29.90", "category": "baby"},
        )

    first = sync.run(path=str(path))
    assert first.events_copied == 2
    assert first.rows_copied["orders"] == 1
    assert first.rows_copied["users"] == 1
    assert _rows(path, "products")[0][:4] == (sku.pk, sku.product_id, "婴儿湿巾", "baby")

    # Changes after the first run: the order is paid (an event names it), a new customer, a new order.
    order_model = apps.get_model("orders", "Order")
    with transaction.atomic():
        order_model.objects.filter(pk=order.pk).update(status="paid", paid_at=clock.now(), paid_minor=2990)
        event_emit(
            "Order Completed",
            user_id=user.pk,
            aggregate=("order", order.pk),
            properties={"order_id": order.pk},
        )
    second_user = get_user_model().objects.create_user("13800000002", channel="douyin", invited_by=user)
    _order(second_user, sku, number="A2")

    second = sync.run(path=str(path))
    assert second.events_copied == 2  # the tail re-read skips what is already there
    assert second.rows_copied["orders"] == 2
    again = sync.run(path=str(path))
    assert again.events_copied == 0

    orders = {r[0]: r for r in _rows(path, "orders")}
    assert orders[order.pk][4] == "paid"
    assert orders[order.pk][3] is not None
    assert orders[order.pk][11] == "g9"  # group_buy_id from the order's attribution
    events = _rows(path, "events")
    viewed = next(e for e in events if e[1] == "Product Viewed")
    assert (viewed[6], viewed[8], viewed[9]) == (sku.pk, "baby", 2990)  # sku_id, category, price_minor

    rebuilt = tmp_path / "rebuilt.duckdb"
    sync.run(rebuild=True, path=str(rebuilt))
    for table in ("events", "orders", "order_items", "users", "products"):
        assert _rows(path, table) == _rows(rebuilt, table), table
    # The per-customer tables the sync maintains equal a fresh derivation from orders.
    from loopmall.analytics.cohorts import CUSTOMER_TABLES

    for target in (path, rebuilt):
        with warehouse.opened(path=str(target)) as con:
            for name, build in CUSTOMER_TABLES.items():
                stored = sorted(con.table(name).to_pyarrow().to_pylist(), key=repr)
                derived = sorted(build(con.table("orders")).to_pyarrow().to_pylist(), key=repr)
                assert stored, name
                assert stored == derived, name


def test_each_run_is_recorded_with_its_lag(tmp_path):
    user = get_user_model().objects.create_user("13800000003")
    path = str(tmp_path / "w.duckdb")
    sync.run(path=path)
    with transaction.atomic():
        event_emit("Product Viewed", user_id=user.pk)
        # an event back-dated a day (e.g. an import) is counted from the previous run's read, not its date
        event_emit("Product Viewed", user_id=user.pk, occurred_at=clock.now() - timedelta(days=1))
    sync.run(path=path)
    run = SyncRun.objects.filter(kind="sync").first()
    assert run.is_ok
    assert run.events_copied == 2
    assert 0 <= run.lag_p50_seconds <= run.lag_p95_seconds <= run.lag_max_seconds < 60


def test_schema_migrations_are_numbered_and_applied_once(tmp_path):
    with warehouse.opened(path=str(tmp_path / "m.duckdb")) as con:
        first = warehouse.migrate(con)
        assert first == [
            "0001_fact_tables",
            "0002_sync_state",
            "0003_actor_key",
            "0004_customers",
            "0005_ticket_answers",
        ]
        assert warehouse.migrate(con) == []
        assert warehouse.schema_version(con) == 5
        assert set(TABLES) <= warehouse.connection.table_names(con)


def test_actor_key_stands_for_one_person_each(tmp_path):
    """events.actor_key groups exactly as kpis.base.actor() does, after syncs and after a rebuild."""
    user = get_user_model().objects.create_user("13800000004")
    path = str(tmp_path / "w.duckdb")
    with transaction.atomic():
        event_emit("Product Viewed", user_id=user.pk)
        event_emit("Product Viewed", anonymous_id="v-1")
        event_emit("Product Viewed", anonymous_id="v-2")
        event_emit("Ticket First Response", properties={"ticket_id": "t1"})
        event_emit("Ticket First Response", properties={"ticket_id": "t2"})
    sync.run(path=path)
    with transaction.atomic():
        # an earlier answer to t1 arrives late; a later one to t2 changes nothing
        event_emit(
            "Ticket First Response",
            properties={"ticket_id": "t1"},
            occurred_at=clock.now() - timedelta(hours=1),
        )
        event_emit(
            "Ticket First Response",
            properties={"ticket_id": "t2"},
            occurred_at=clock.now() + timedelta(hours=1),
        )
        event_emit("Product Added", anonymous_id="v-2")
        event_emit("Product Viewed", anonymous_id="v-3")
        event_emit("Product Viewed", user_id=user.pk, anonymous_id="v-1")
    sync.run(path=path)
    rebuilt = str(tmp_path / "rebuilt.duckdb")
    sync.run(rebuild=True, path=rebuilt)
    for target in (path, rebuilt):
        with warehouse.opened(path=target) as con:
            pairs = con.con.execute(
                "SELECT DISTINCT coalesce(CAST(user_id AS VARCHAR), 'anon:' || anonymous_id), actor_key "
                "FROM events"
            ).fetchall()
            from loopmall.analytics.kpis.service import ticket_answers_expression

            stored = sorted(con.table("ticket_answers").to_pyarrow().to_pylist(), key=repr)
            derived = sorted(
                ticket_answers_expression(con.table("events")).to_pyarrow().to_pylist(), key=repr
            )
        assert len(stored) == 2
        assert stored == derived
        pairs = [p for p in pairs if p[1] is not None]  # the ticket events name nobody
        people = {p for p, _ in pairs}
        keys = {k for _, k in pairs}
        assert len(pairs) == len(people) == len(keys) == 4, pairs
        assert (str(user.pk), user.pk) in pairs
        assert all(k < 0 for p, k in pairs if p.startswith("anon:"))
