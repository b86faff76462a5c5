"""Read-only order queries for the staff console: dashboard KPIs and charts, the orders list, one order.

The reporting rules (the dashboard and its tests rely on them):

- **Days** are calendar days in the business time zone (Asia/Shanghai). A range of N days "ending
  today" covers today and the N-1 days before it; an order belongs to the day of its `placed_at`
  in that zone, so 2026-03-01 23:30 UTC counts on 2026-03-02.
- **Currency**: every figure is for one currency (the shop's by default); orders in another
  currency are not counted at all, never converted.
- **Orders** are all orders placed in the range, whatever their status.
- **Paid orders** are orders placed in the range whose status shows they were paid (paid, shipped,
  delivered, completed, refund requested, refunded).
- **Revenue** is the net of paid orders: paid minus refunded, in integer minor units, booked on the
  day the order was placed.
- **Paid conversion** = paid orders / orders (None when there are no orders).
- **Average order value** = revenue / paid orders, rounded half up to a minor unit (None when none).
- **Repeat-buyer share** = of the customers with a paid order in the range, the share who have at
  least two paid orders placed up to the end of the range (earlier ones count too).
- **Product revenue** (top products) = line totals after line discounts minus line refunds of the
  paid orders' lines; shipping and order-level discounts are not spread over products.

Every aggregation runs in SQL through the ORM, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from loopmall.core import clock
from loopmall.core.models import OutboxEvent
from loopmall.core.money import Money
from loopmall.orders.models import Order, OrderLine, OrderStatus

PAID_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUND_REQUESTED,
    OrderStatus.REFUNDED,
)
RANGE_CHOICES = (7, 30, 90, 180)


@dataclass(frozen=True)
class DayRange:
    """Business-zone calendar days from `first` to `last`, both included."""

    first: date
    last: date

    @classmethod
    def ending_today(cls, days: int) -> DayRange:
        if days < 1:
            raise ValueError("a range has at least one day")
        today = clock.business_date()
        return cls(today - timedelta(days=days - 1), today)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=clock.business_zone())

    @property
    def end(self) -> datetime:
        """The first moment after the range (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=clock.business_zone())

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Kpis:
    orders: int
    paid_orders: int
    revenue: Money
    paid_conversion: Decimal | None  # 0..1
    average_order_value: Money | None
    buyers: int
    repeat_buyers: int
    repeat_buyer_share: Decimal | None  # 0..1


def _currency(currency: str | None) -> str:
    return (currency or settings.LOOPMALL_CURRENCY).upper()


def _placed_in(days: DayRange, currency: str) -> QuerySet[Order]:
    return Order.objects.filter(placed_at__gte=days.start, placed_at__lt=days.end, currency=currency)


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)) if whole else None


def kpis(*, days: DayRange, currency: str | None = None) -> Kpis:
    currency = _currency(currency)
    placed = _placed_in(days, currency)
    totals = placed.aggregate(
        orders=Count("id"),
        paid_orders=Count("id", filter=Q(status__in=PAID_STATUSES)),
        revenue=Coalesce(Sum(F("paid_minor") - F("refunded_minor"), filter=Q(status__in=PAID_STATUSES)), 0),
    )
    paid = placed.filter(status__in=PAID_STATUSES)
    buyer_ids = paid.values("user_id").distinct()
    buyers = buyer_ids.count()
    repeat_buyers = (
        Order.objects.filter(
            currency=currency,
            status__in=PAID_STATUSES,
            placed_at__lt=days.end,
            user_id__in=buyer_ids,
        )
        .values("user_id")
        .annotate(paid_count=Count("id"))
        .filter(paid_count__gte=2)
        .count()
    )
    revenue = int(totals["revenue"])
    paid_orders = totals["paid_orders"]
    average = None
    if paid_orders:
        # Half-up rounding in integers; revenue is never negative (refunds never exceed payments).
        average = Money((2 * revenue + paid_orders) // (2 * paid_orders), currency)
    return Kpis(
        orders=totals["orders"],
        paid_orders=paid_orders,
        revenue=Money(revenue, currency),
        paid_conversion=_ratio(paid_orders, totals["orders"]),
        average_order_value=average,
        buyers=buyers,
        repeat_buyers=repeat_buyers,
        repeat_buyer_share=_ratio(repeat_buyers, buyers),
    )


@dataclass(frozen=True)
class DayPoint:
    day: date
    orders: int
    paid_orders: int
    revenue_minor: int


def daily_series(*, days: DayRange, currency: str | None = None) -> list[DayPoint]:
    """One point per day of the range, days without orders included as zeros."""
    currency = _currency(currency)
    rows = (
        _placed_in(days, currency)
        .annotate(day=TruncDate("placed_at", tzinfo=clock.business_zone()))
        .values("day")
        .annotate(
            orders=Count("id"),
            paid_orders=Count("id", filter=Q(status__in=PAID_STATUSES)),
            revenue=Coalesce(
                Sum(F("paid_minor") - F("refunded_minor"), filter=Q(status__in=PAID_STATUSES)), 0
            ),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    points = []
    for day in days.days():
        row = by_day.get(day)
        points.append(
            DayPoint(
                day=day,
                orders=row["orders"] if row else 0,
                paid_orders=row["paid_orders"] if row else 0,
                revenue_minor=int(row["revenue"]) if row else 0,
            )
        )
    return points


@dataclass(frozen=True)
class ChannelPoint:
    channel: str
    orders: int
    paid_orders: int
    revenue_minor: int


def orders_by_channel(*, days: DayRange, currency: str | None = None) -> list[ChannelPoint]:
    """Orders placed in the range per channel, most orders first."""
    rows = (
        _placed_in(days, _currency(currency))
        .values("channel")
        .annotate(
            orders=Count("id"),
            paid_orders=Count("id", filter=Q(status__in=PAID_STATUSES)),
            revenue=Coalesce(
                Sum(F("paid_minor") - F("refunded_minor"), filter=Q(status__in=PAID_STATUSES)), 0
            ),
        )
        .order_by("-orders", "channel")
    )
    return [ChannelPoint(r["channel"], r["orders"], r["paid_orders"], int(r["revenue"])) for r in rows]


def orders_by_status(*, days: DayRange, currency: str | None = None) -> list[tuple[str, int]]:
    """Orders placed in the range by their current status, most first."""
    rows = (
        _placed_in(days, _currency(currency))
        .values("status")
        .annotate(orders=Count("id"))
        .order_by("-orders", "status")
    )
    return [(r["status"], r["orders"]) for r in rows]


@dataclass(frozen=True)
class ProductPoint:
    product_id: int
    name: str
    quantity: int
    revenue_minor: int


def top_products_by_revenue(
    *, days: DayRange, currency: str | None = None, limit: int = 10
) -> list[ProductPoint]:
    currency = _currency(currency)
    line_revenue = F("unit_price_minor") * F("quantity") - F("discount_minor") - F("refunded_minor")
    rows = (
        OrderLine.objects.filter(
            order__placed_at__gte=days.start,
            order__placed_at__lt=days.end,
            order__currency=currency,
            order__status__in=PAID_STATUSES,
        )
        .values("sku__product_id", "sku__product__name")
        .annotate(revenue=Coalesce(Sum(line_revenue), 0), quantity=Coalesce(Sum("quantity"), 0))
        .order_by("-revenue", "sku__product_id")[:limit]
    )
    return [
        ProductPoint(r["sku__product_id"], r["sku__product__name"], int(r["quantity"]), int(r["revenue"]))
        for r in rows
    ]


def currencies_in_use() -> list[str]:
    """Currencies that have orders, the shop's own first."""
    found = set(Order.objects.values_list("currency", flat=True).distinct())
    own = settings.LOOPMALL_CURRENCY
    return [own] + sorted(found - {own})


# -- orders list and detail ---------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    channel: str = ""
    first_day: date | None = None
    last_day: date | None = None
    search: str = ""


def orders_for_console(*, filters: OrderFilters, page: int = 1, per_page: int = 25) -> Page:
    """Orders newest first, filtered; `search` matches the order number or the customer's login."""
    orders = Order.objects.select_related("user")
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.channel:
        orders = orders.filter(channel=filters.channel)
    zone = clock.business_zone()
    if filters.first_day:
        orders = orders.filter(placed_at__gte=datetime.combine(filters.first_day, time.min, tzinfo=zone))
    if filters.last_day:
        after = datetime.combine(filters.last_day + timedelta(days=1), time.min, tzinfo=zone)
        orders = orders.filter(placed_at__lt=after)
    search = filters.search.strip()
    if search:
        orders = orders.filter(
            Q(number__icontains=search)
            | Q(user__login__icontains=search)
            | Q(user__display_name__icontains=search)
        )
    orders = orders.order_by("-placed_at", "-id")
    listed = Paginator(orders, per_page).get_page(page)
    # Line counts for this page only: annotating the whole filtered set would make the paginator's
    # count group every order in the table.
    counts = dict(
        OrderLine.objects.filter(order_id__in=[o.pk for o in listed])
        .values("order_id")
        .annotate(n=Count("id"))
        .values_list("order_id", "n")
    )
    for order in listed:
        order.line_count = counts.get(order.pk, 0)
    return listed


def order_channels() -> list[str]:
    return list(Order.objects.values_list("channel", flat=True).distinct().order_by("channel"))


def order_statuses() -> list[tuple[str, str]]:
    return list(OrderStatus.choices)


def order_for_console(*, number: str) -> Order | None:
    return (
        Order.objects.select_related("user")
        .prefetch_related("lines", "payments", "refunds", "shipments")
        .filter(number=number)
        .first()
    )


def order_timeline(*, order: Order) -> list[OutboxEvent]:
    """The order's outbox events, oldest first: its status history as the domain recorded it."""
    return list(
        OutboxEvent.objects.filter(
            aggregate_type="order", aggregate_id__in=[str(order.pk), order.number]
        ).order_by("occurred_at", "id")
    )
