"""Per-customer facts the KPI trends and cohort pages read: customer_orders, customers, customer_weeks,
customer_offsets (derive.py)."""

from loopmall.analytics.warehouse import derive


def apply(con) -> None:
    derive.refresh_customers(con)
