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
from django.db import connection
from django.db.models import Count, DateField, Exists, F, Func, Max, OuterRef, Q, Sum, Value
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


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)) if whole else None


class _ShiftedDate(Func):
    """The calendar date of a stored UTC datetime moved by a fixed number of seconds (SQLite only).

    Django's TruncDate with a time zone calls a Python function per row on SQLite; shifting by the
    zone's offset in SQL gives the same day whenever the offset is constant over the range, which
    `business_day` checks before using it.
    """

    function = "date"
    output_field = DateField()

    def __init__(self, expression, seconds: int):
        super().__init__(expression, Value(f"{seconds:+d} seconds"))


def business_day(field: str, days: DayRange):
    """An expression for the business-zone calendar day of `field`, for rows inside `days`."""
    offset = days.start.utcoffset()
    if connection.vendor == "sqlite" and offset is not None and not _zone_changes_offset(days):
        return _ShiftedDate(field, int(offset.total_seconds()))
    return TruncDate(field, tzinfo=clock.business_zone())


def _zone_changes_offset(days: DayRange) -> bool:
    """True if the business zone's UTC offset changes within the range (daylight saving)."""
    zone = clock.business_zone()
    first = days.start.utcoffset()
    moments = [datetime.combine(day, time(12), tzinfo=zone) for day in days.days()] + [days.end]
    return any(moment.utcoffset() != first for moment in moments)


@dataclass(frozen=True)
class _Cell:
    """Orders placed in the range sharing one currency, business day, channel and status."""

    currency: str
    day: date
    channel: str
    status: str
    orders: int
    revenue_minor: int  # paid minus refunded; only meaningful for paid statuses

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES


def _cells(days: DayRange) -> list[_Cell]:
    """One scan of the range, grouped in SQL; every order figure of the dashboard is a sum of these."""
    rows = (
        Order.objects.filter(placed_at__gte=days.start, placed_at__lt=days.end)
        .annotate(day=business_day("placed_at", days))
        .values("currency", "day", "channel", "status")
        .annotate(orders=Count("id"), revenue=Coalesce(Sum(F("paid_minor") - F("refunded_minor")), 0))
        .order_by()
    )
    return [
        _Cell(r["currency"], r["day"], r["channel"], r["status"], r["orders"], int(r["revenue"]))
        for r in rows
    ]


def _buyers(days: DayRange, currency: str) -> tuple[int, int]:
    """(customers with a paid order in the range, those of them with two or more paid orders up to its end).

    A buyer repeats if they paid twice inside the range or paid once before it; the earlier order is
    found through the (user, placed_at) index instead of scanning every order before the range.
    """
    paid_before = Order.objects.filter(
        user_id=OuterRef("user_id"), currency=currency, status__in=PAID_STATUSES, placed_at__lt=days.start
    )
    # The paid-status test sits in the aggregate, not in WHERE, so the range is read through the
    # placed_at index (SQLite would otherwise walk the status index over every paid order).
    per_customer = (
        Order.objects.filter(placed_at__gte=days.start, placed_at__lt=days.end, currency=currency)
        .values("user_id")
        .annotate(
            paid_in_range=Count("id", filter=Q(status__in=PAID_STATUSES)), has_earlier=Exists(paid_before)
        )
        .filter(paid_in_range__gte=1)
        .order_by()
    )
    counts = per_customer.aggregate(
        buyers=Count("user_id"),
        repeat=Count("user_id", filter=Q(paid_in_range__gte=2) | Q(has_earlier=True)),
    )
    return counts["buyers"] or 0, counts["repeat"] or 0


def _kpis_from(cells: list[_Cell], currency: str, buyers: int, repeat_buyers: int) -> Kpis:
    mine = [c for c in cells if c.currency == currency]
    orders = sum(c.orders for c in mine)
    paid_orders = sum(c.orders for c in mine if c.is_paid)
    revenue = sum(c.revenue_minor for c in mine if c.is_paid)
    average = None
    if paid_orders:
        # Half-up rounding in integers; revenue is never negative (refunds never exceed payments).
        average = Money((2 * revenue + paid_orders) // (2 * paid_orders), currency)
    return Kpis(
        orders=orders,
        paid_orders=paid_orders,
        revenue=Money(revenue, currency),
        paid_conversion=_ratio(paid_orders, orders),
        average_order_value=average,
        buyers=buyers,
        repeat_buyers=repeat_buyers,
        repeat_buyer_share=_ratio(repeat_buyers, buyers),
    )


def kpis(*, days: DayRange, currency: str | None = None) -> Kpis:
    currency = _currency(currency)
    return _kpis_from(_cells(days), currency, *_buyers(days, currency))


@dataclass(frozen=True)
class DayPoint:
    day: date
    orders: int
    paid_orders: int
    revenue_minor: int


def _daily_from(cells: list[_Cell], days: DayRange, currency: str) -> list[DayPoint]:
    totals: dict[date, list[int]] = {day: [0, 0, 0] for day in days.days()}
    for c in cells:
        if c.currency != currency or c.day not in totals:
            continue
        bucket = totals[c.day]
        bucket[0] += c.orders
        if c.is_paid:
            bucket[1] += c.orders
            bucket[2] += c.revenue_minor
    return [DayPoint(day, *values) for day, values in totals.items()]


def daily_series(*, days: DayRange, currency: str | None = None) -> list[DayPoint]:
    """One point per day of the range, days without orders included as zeros."""
    return _daily_from(_cells(days), days, _currency(currency))


@dataclass(frozen=True)
class ChannelPoint:
    channel: str
    orders: int
    paid_orders: int
    revenue_minor: int


def _channels_from(cells: list[_Cell], currency: str) -> list[ChannelPoint]:
    totals: dict[str, list[int]] = {}
    for c in cells:
        if c.currency != currency:
            continue
        bucket = totals.setdefault(c.channel, [0, 0, 0])
        bucket[0] += c.orders
        if c.is_paid:
            bucket[1] += c.orders
            bucket[2] += c.revenue_minor
    points = [ChannelPoint(channel, *values) for channel, values in totals.items()]
    return sorted(points, key=lambda p: (-p.orders, p.channel))


def orders_by_channel(*, days: DayRange, currency: str | None = None) -> list[ChannelPoint]:
    """Orders placed in the range per channel, most orders first."""
    return _channels_from(_cells(days), _currency(currency))


def _statuses_from(cells: list[_Cell], currency: str) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for c in cells:
        if c.currency == currency:
            totals[c.status] = totals.get(c.status, 0) + c.orders
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def orders_by_status(*, days: DayRange, currency: str | None = None) -> list[tuple[str, int]]:
    """Orders placed in the range by their current status, most first."""
    return _statuses_from(_cells(days), _currency(currency))


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
    is_paid = Q(order__status__in=PAID_STATUSES)
    # As in _buyers, the paid test is inside the aggregates so the range uses the placed_at index;
    # the name is the one on the order lines (what the product was called when it sold).
    rows = (
        OrderLine.objects.filter(
            order__placed_at__gte=days.start, order__placed_at__lt=days.end, order__currency=currency
        )
        .values("sku__product_id")
        .annotate(
            revenue=Coalesce(Sum(line_revenue, filter=is_paid), 0),
            quantity=Coalesce(Sum("quantity", filter=is_paid), 0),
            name=Max("product_name"),
        )
        .filter(quantity__gte=1)
        .order_by("-revenue", "sku__product_id")[:limit]
    )
    return [
        ProductPoint(r["sku__product_id"], r["name"], int(r["quantity"]), int(r["revenue"])) for r in rows
    ]


def _currencies_from(cells: list[_Cell]) -> list[str]:
    own = settings.LOOPMALL_CURRENCY
    return [own] + sorted({c.currency for c in cells} - {own})


def currencies_in_use(*, days: DayRange) -> list[str]:
    """The shop's currency, then any other currency with orders placed in the range."""
    return _currencies_from(_cells(days))


@dataclass(frozen=True)
class Dashboard:
    days: DayRange
    currency: str
    currencies: list[str]
    kpis: Kpis
    daily: list[DayPoint]
    channels: list[ChannelPoint]
    statuses: list[tuple[str, int]]
    top_products: list[ProductPoint]


def dashboard(*, days: DayRange, currency: str | None = None, top: int = 10) -> Dashboard:
    """Everything the console dashboard shows, from one grouped scan of the range plus the buyer and
    product queries. An unknown currency falls back to the shop's own."""
    cells = _cells(days)
    currencies = _currencies_from(cells)
    currency = _currency(currency)
    if currency not in currencies:
        currency = currencies[0]
    return Dashboard(
        days=days,
        currency=currency,
        currencies=currencies,
        kpis=_kpis_from(cells, currency, *_buyers(days, currency)),
        daily=_daily_from(cells, days, currency),
        channels=_channels_from(cells, currency),
        statuses=_statuses_from(cells, currency),
        top_products=top_products_by_revenue(days=days, currency=currency, limit=top),
    )


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
