"""A covering index for the console dashboard (loopmall/orders/reporting.py).

Every dashboard query reads the orders placed in a date range and only these columns: the grouped
scan (currency, day, channel, status, paid minus refunded), the buyer counts (user, status) and the
top products (the range's order ids). With them all in one index whose first column is `placed_at`,
SQLite and PostgreSQL answer from the index alone instead of fetching every order row of the range
(measured at 50k orders in bench: see the commit message).

Plain SQL rather than `Meta.indexes`: the index is a reporting concern and this change does not touch
the model; moving it to `Order.Meta.indexes` later needs `SeparateDatabaseAndState` with this name.
"""

from django.db import migrations

NAME = "order_dashboard_range_idx"
COLUMNS = "placed_at, currency, status, channel, user_id, paid_minor, refunded_minor"


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_checkout_idempotency_sandbox_ledger")]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX "{NAME}" ON "orders_order" ({COLUMNS})',
            reverse_sql=f'DROP INDEX "{NAME}"',
        ),
    ]
