"""`loopmall import bundle DIR`: the LoopMall import bundle (shared/docs/data-contract.md, "Import bundle").

Files load in contract order: users, products, orders, order_items, events, feedback. Each file is read
and validated completely (including references to rows of earlier files or of the database) before
anything from it is written, and it is written in one transaction. Without `skip_bad` a file with a bad
row loads not at all and the run goes on, so files that depend on it fail with "unknown ..." errors that
say why; with `skip_bad` the good rows load and the bad ones are listed.

Ids are the keys: every imported row carries its bundle id (`User.external_id = "bundle:<user_id>"`,
`Product`/`Sku`/`Order` likewise, `OutboxEvent.event_id` = the event id). A row whose id is already in the
database is counted as "already there" and left as it is, so re-running a bundle changes nothing.

Event properties name products by the bundle's ids; the outbox names them by database id (that is what
the warehouse and the insight collectors read). So a `sku_id`, `product_id` or `order_id` property that
names a row of this bundle is rewritten to its database id (an order to its number), the bundle's value
is kept under `bundle_sku_id` / `bundle_product_id` / `bundle_order_id`, and a `category` name becomes
the category's slug. Imported history does not emit per-row domain events: the events file is the history.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils.text import slugify

from loopmall.accounts.models import Role, User
from loopmall.catalog.models import Category, Product, Sku, Tier
from loopmall.core import clock
from loopmall.core.models import OutboxEvent
from loopmall.core.money import Money, MoneyError
from loopmall.imports.base import (
    BATCH,
    LOOKUP_CHUNK,
    ImportFailed,
    ImportResult,
    RowError,
    RowInvalid,
    bar,
    chunks,
    existing,
    find_file,
    read_rows,
    save_in_batches,
    validated,
    with_prefix,
)
from loopmall.orders.models import Order, OrderLine, OrderStatus

PREFIX = "bundle:"
FILES = ("users", "products", "orders", "order_items", "events", "feedback")

STATUSES = {
    "pending": OrderStatus.PENDING_PAYMENT,
    "paid": OrderStatus.PAID,
    "shipped": OrderStatus.SHIPPED,
    "completed": OrderStatus.COMPLETED,
    "cancelled": OrderStatus.CANCELLED,
    "refunded": OrderStatus.REFUNDED,
}
PAID_OR_LATER = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.REFUNDED}
FEEDBACK_CHANNELS = (
    "review", "comment", "questionnaire", "service_chat", "return_reason", "live_comment", "search_query",
)  # fmt: skip
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}


class BundleFailed(ImportFailed):
    """One or more files had bad rows and were not loaded; the others did load."""

    def __init__(self, failures: list[tuple[str, list[RowError]]], result: ImportResult) -> None:
        errors = [e for _, file_errors in failures for e in file_errors]
        super().__init__(errors)
        parts = []
        for name, file_errors in failures:
            shown = "\n".join(f"  {e}" for e in file_errors[:20])
            more = f"\n  ... and {len(file_errors) - 20} more" if len(file_errors) > 20 else ""
            parts.append(f"{name}: {len(file_errors)} bad row(s), nothing from it was loaded:\n{shown}{more}")
        loaded = result.summary()
        self.args = ("\n".join(parts) + (f"\nloaded from the other files:\n{loaded}" if loaded else ""),)

    def __str__(self) -> str:
        return self.args[0]


# -- reading cells ----------------------------------------------------------------------------


def cell(row: dict[str, Any], column: str) -> str | None:
    """The stripped text of a cell, or None when it is missing or empty. JSON numbers and booleans
    become their text; JSON floats are refused for money by `money` itself."""
    value = row.get(column)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise RowInvalid(column, "must be a single value, not a JSON object or list")
    text = str(value).strip()
    return text or None


def text(row: dict[str, Any], column: str, *, max_length: int, required: bool = False) -> str:
    value = cell(row, column)
    if value is None:
        if required:
            raise RowInvalid(column, "is required")
        return ""
    if len(value) > max_length:
        raise RowInvalid(column, f"longer than {max_length} characters")
    return value


def moment(row: dict[str, Any], column: str, *, required: bool = False) -> datetime | None:
    """An ISO-8601 time; without an offset it is Asia/Shanghai (data contract)."""
    value = cell(row, column)
    if value is None:
        if required:
            raise RowInvalid(column, "is required")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowInvalid(column, f"not an ISO-8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.business_zone())
    return parsed


def money(row: dict[str, Any], column: str, currency: str, *, required: bool = False) -> int | None:
    """Minor units of a major-unit decimal string; more decimals than the currency has is an error."""
    value = row.get(column)
    if isinstance(value, float):
        raise RowInvalid(column, 'write money as a decimal string, e.g. "59.90", not a JSON number')
    value = cell(row, column)
    if value is None:
        if required:
            raise RowInvalid(column, "is required")
        return None
    try:
        minor = Money.parse(value, currency).minor
    except MoneyError as exc:
        raise RowInvalid(column, str(exc)) from None
    if minor < 0:
        raise RowInvalid(column, "must not be negative")
    return minor


def flag(row: dict[str, Any], column: str, *, default: bool) -> bool:
    value = cell(row, column)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowInvalid(column, f"must be true or false, not {value!r}")


def whole_number(row: dict[str, Any], column: str, *, low: int, high: int | None = None) -> int:
    value = cell(row, column)
    if value is None:
        raise RowInvalid(column, "is required")
    try:
        number = int(value)
    except ValueError:
        raise RowInvalid(column, f"not a whole number: {value!r}") from None
    if number < low or (high is not None and number > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise RowInvalid(column, f"must be {bound}, not {number}")
    return number


def currency_code(row: dict[str, Any]) -> str:
    value = (cell(row, "currency") or "CNY").upper()
    if len(value) != 3 or not value.isalpha():
        raise RowInvalid("currency", f"not a 3-letter ISO currency code: {value!r}")
    return value


def key(row: dict[str, Any], column: str, *, max_length: int = 128 - len(PREFIX)) -> str:
    return text(row, column, max_length=max_length, required=True)


def digest(value: str, length: int = 10) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:length]


# -- the run ----------------------------------------------------------------------------------


@dataclass
class SkuRef:
    pk: int
    product_pk: int
    product_name: str
    sku_name: str
    currency: str
    category_slug: str


@dataclass
class OrderRef:
    pk: int
    number: str
    currency: str


@dataclass
class OrderFacts:
    """What this run's orders file said about an order's money, for totals computed from its items."""

    total_minor: int | None
    discount_minor: int | None
    status: str


@dataclass
class Bundle:
    directory: Path
    skip_bad: bool
    progress: bool
    result: ImportResult = field(default_factory=ImportResult)
    failures: list[tuple[str, list[RowError]]] = field(default_factory=list)
    # bundle id -> database row, filled from the database on first use and by each file as it loads
    users: dict[str, int] | None = None
    products: dict[str, tuple[int, str]] | None = None  # product_id -> (pk, category slug)
    skus: dict[str, SkuRef] | None = None
    orders: dict[str, OrderRef] | None = None
    order_facts: dict[str, OrderFacts] = field(default_factory=dict)

    # -- lookups ------------------------------------------------------------------------------
    def user_map(self) -> dict[str, int]:
        if self.users is None:
            self.users = {k[len(PREFIX) :]: pk for k, pk in with_prefix(User, PREFIX).items()}
        return self.users

    def product_map(self) -> dict[str, tuple[int, str]]:
        if self.products is None:
            rows = with_prefix(Product, PREFIX, "pk", "category__slug")
            self.products = {k[len(PREFIX) :]: (v[0], v[1]) for k, v in rows.items()}
        return self.products

    def sku_map(self, also_codes: Iterable[str] = ()) -> dict[str, SkuRef]:
        """Bundle SKUs already imported, plus SKUs made in LoopMall whose code is one of `also_codes`."""
        fields = ("pk", "product_id", "product__name", "name", "currency", "product__category__slug")
        if self.skus is None:
            self.skus = {k[len(PREFIX) :]: SkuRef(*v) for k, v in with_prefix(Sku, PREFIX, *fields).items()}
        missing = {code for code in also_codes if code not in self.skus}
        if missing:
            for code, values in existing(Sku, "code", missing, *fields).items():
                self.skus[code] = SkuRef(*values)
        return self.skus

    def order_map(self) -> dict[str, OrderRef]:
        if self.orders is None:
            rows = with_prefix(Order, PREFIX, "pk", "number", "currency")
            self.orders = {k[len(PREFIX) :]: OrderRef(*v) for k, v in rows.items()}
        return self.orders

    # -- one file -----------------------------------------------------------------------------
    def load(self, stem: str, loader: Callable[[Path], list[RowError]]) -> None:
        path = find_file(self.directory, stem)
        if path is None:
            return
        try:
            errors = loader(path)
        except IntegrityError as exc:
            errors = [RowError(path.name, 0, None, f"the database refused the file: {exc}")]
            self.failures.append((path.name, errors))
            return
        if errors and self.skip_bad:
            self.result.skipped.extend(errors)
        elif errors:
            self.failures.append((path.name, errors))

    def commit_or_refuse(self, errors: list[RowError]) -> bool:
        """Whether the good rows of a file may be written."""
        return not errors or self.skip_bad


def run(directory: Path, *, skip_bad: bool = False, progress: bool = True) -> ImportResult:
    bundle = Bundle(directory=Path(directory), skip_bad=skip_bad, progress=progress)
    bundle.load("users", lambda path: load_users(bundle, path))
    bundle.load("products", lambda path: load_products(bundle, path))
    bundle.load("orders", lambda path: load_orders(bundle, path))
    bundle.load("order_items", lambda path: load_order_items(bundle, path))
    bundle.load("events", lambda path: load_events(bundle, path))
    bundle.load("feedback", lambda path: load_feedback(bundle, path))
    if bundle.failures:
        raise BundleFailed(bundle.failures, bundle.result)
    return bundle.result


# -- users ------------------------------------------------------------------------------------


@dataclass
class UserRow:
    line: int
    user_id: str
    created_at: datetime
    channel: str
    invited_by: str
    city: str
    name: str
    phone: str
    email: str


def parse_user(line: int, row: dict[str, Any]) -> UserRow:
    email = text(row, "email", max_length=254)
    if email and ("@" not in email or " " in email):
        raise RowInvalid("email", f"not an email address: {email!r}")
    return UserRow(
        line=line,
        user_id=key(row, "user_id"),
        created_at=moment(row, "created_at", required=True),
        channel=text(row, "channel", max_length=32) or "organic",
        invited_by=text(row, "invited_by", max_length=128 - len(PREFIX)),
        city=text(row, "city", max_length=64),
        name=text(row, "name", max_length=100),
        phone=text(row, "phone", max_length=32),
        email=email,
    )


def load_users(bundle: Bundle, path: Path) -> list[RowError]:
    rows, errors = validated(path, parse_user, progress=bundle.progress)
    known = bundle.user_map()
    first_line: dict[str, int] = {}
    good: list[UserRow] = []
    for row in rows:
        if row.user_id in first_line:
            errors.append(
                RowError(path.name, row.line, "user_id", f"duplicate of line {first_line[row.user_id]}")
            )
            continue
        first_line[row.user_id] = row.line
        good.append(row)
    in_file = set(first_line)
    checked: list[UserRow] = []
    for row in good:
        if row.invited_by and row.invited_by == row.user_id:
            errors.append(RowError(path.name, row.line, "invited_by", "a user cannot invite themselves"))
        elif row.invited_by and row.invited_by not in in_file and row.invited_by not in known:
            errors.append(
                RowError(path.name, row.line, "invited_by", f"unknown user {row.invited_by!r} (not in users)")
            )
        else:
            checked.append(row)
    errors.sort(key=lambda e: e.line)
    if not bundle.commit_or_refuse(errors):
        return errors
    new = [row for row in checked if row.user_id not in known]
    # An inviter skipped as a bad row must not leave a dangling reference behind.
    loading = {row.user_id for row in checked}
    with transaction.atomic():
        save_in_batches(
            User,
            [
                User(
                    login=PREFIX + row.user_id,
                    external_id=PREFIX + row.user_id,
                    password=make_password(None),
                    role=Role.CUSTOMER,
                    date_joined=row.created_at,
                    channel=row.channel,
                    city=row.city,
                    display_name=row.name,
                    phone=row.phone,
                    email=row.email,
                )
                for row in new
            ],
            description=f"{path.name}: writing",
            progress=bundle.progress,
        )
        created = existing(User, "external_id", (PREFIX + row.user_id for row in new))
        known.update({external_id[len(PREFIX) :]: pk for external_id, pk in created.items()})
        invited = [
            (known[row.invited_by], known[row.user_id])
            for row in new
            if row.invited_by and (row.invited_by in loading or row.invited_by in known)
        ]
        rows_update(User, ("invited_by",), invited)
    bundle.result.count("users", created=len(new), unchanged=len(checked) - len(new))
    return errors


# -- products ---------------------------------------------------------------------------------


@dataclass
class ProductRow:
    line: int
    sku_id: str
    product_id: str
    name: str
    category: str
    currency: str
    price_minor: int
    list_price_minor: int | None
    attributes: list[str]
    tier: str


def parse_product(line: int, row: dict[str, Any]) -> ProductRow:
    currency = currency_code(row)
    price = money(row, "price", currency, required=True)
    list_price = money(row, "list_price", currency)
    if list_price is not None and list_price < price:
        raise RowInvalid("list_price", "must not be below price")
    tier = (cell(row, "tier") or Tier.STANDARD).lower()
    if tier not in Tier.values:
        raise RowInvalid("tier", f"must be one of {', '.join(Tier.values)}, not {tier!r}")
    attributes = cell(row, "attributes") or ""
    return ProductRow(
        line=line,
        sku_id=key(row, "sku_id", max_length=64),
        product_id=key(row, "product_id"),
        name=text(row, "name", max_length=200, required=True),
        category=text(row, "category", max_length=100, required=True),
        currency=currency,
        price_minor=price,
        list_price_minor=list_price,
        attributes=[a.strip() for a in attributes.split(";") if a.strip()],
        tier=tier,
    )


def category_slug(name: str) -> str:
    """A readable ASCII slug; names without Latin letters (e.g. 护肤) get a stable hashed one."""
    return slugify(name)[:90] or f"c-{digest(name)}"


def load_products(bundle: Bundle, path: Path) -> list[RowError]:
    rows, errors = validated(path, parse_product, progress=bundle.progress)
    known_skus = bundle.sku_map()
    known_products = bundle.product_map()
    first_line: dict[str, int] = {}
    product_first: dict[str, ProductRow] = {}
    good: list[ProductRow] = []
    for row in rows:
        if row.sku_id in first_line:
            errors.append(
                RowError(path.name, row.line, "sku_id", f"duplicate of line {first_line[row.sku_id]}")
            )
            continue
        first = product_first.setdefault(row.product_id, row)
        if first.category != row.category:
            errors.append(
                RowError(
                    path.name, row.line, "category",
                    f"product {row.product_id!r} is in {first.category!r} on line {first.line}",
                )
            )  # fmt: skip
            continue
        first_line[row.sku_id] = row.line
        good.append(row)
    new = [row for row in good if row.sku_id not in known_skus]
    # A SKU code made in LoopMall itself is not overwritten by an import.
    taken_codes = existing(Sku, "code", (row.sku_id for row in new))
    for row in new:
        if row.sku_id in taken_codes:
            errors.append(
                RowError(path.name, row.line, "sku_id", "already the code of a SKU not from a bundle")
            )
    if taken_codes:
        new = [row for row in new if row.sku_id not in taken_codes]
    errors.sort(key=lambda e: e.line)
    if not bundle.commit_or_refuse(errors):
        return errors
    with transaction.atomic():
        categories = dict(Category.objects.values_list("slug", "pk"))
        new_categories: dict[str, Category] = {}
        for row in new:
            slug = category_slug(row.category)
            if slug not in categories and slug not in new_categories:
                new_categories[slug] = Category(name=row.category, slug=slug)
        Category.objects.bulk_create(list(new_categories.values()), batch_size=BATCH)
        categories = dict(Category.objects.values_list("slug", "pk"))

        taken_slugs = set(Product.objects.values_list("slug", flat=True))
        known_products_new: set[str] = set()
        new_products: list[Product] = []
        for row in new:
            if row.product_id in known_products or row.product_id in known_products_new:
                continue
            known_products_new.add(row.product_id)
            first = product_first[row.product_id]
            base = f"{slugify(first.name)[:150] or 'product'}-{digest(PREFIX + first.product_id, 8)}"
            slug, suffix = base, 2
            while slug in taken_slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            taken_slugs.add(slug)
            new_products.append(
                Product(
                    category_id=categories[category_slug(first.category)],
                    name=first.name,
                    slug=slug,
                    attributes=first.attributes,
                    external_id=PREFIX + first.product_id,
                )
            )
        save_in_batches(
            Product, new_products, description=f"{path.name}: writing products", progress=bundle.progress
        )
        created = existing(
            Product, "external_id", (p.external_id for p in new_products), "pk", "category__slug"
        )
        known_products.update({k[len(PREFIX) :]: (v[0], v[1]) for k, v in created.items()})

        new_skus = [
            Sku(
                product_id=known_products[row.product_id][0],
                code=row.sku_id,
                name=row.name,
                currency=row.currency,
                price_minor=row.price_minor,
                list_price_minor=row.list_price_minor,
                tier=row.tier,
                external_id=PREFIX + row.sku_id,
            )
            for row in new
        ]
        save_in_batches(Sku, new_skus, description=f"{path.name}: writing SKUs", progress=bundle.progress)
        bundle.skus = None  # reload with the new rows (and their product names) on next use
    slugs_named = {category_slug(row.category) for row in good}
    products_named = {row.product_id for row in good}
    bundle.result.count(
        "categories", created=len(new_categories), unchanged=len(slugs_named) - len(new_categories)
    )
    bundle.result.count(
        "products", created=len(new_products), unchanged=len(products_named) - len(new_products)
    )
    bundle.result.count("skus", created=len(new), unchanged=len(good) - len(new))
    return errors


# -- orders -----------------------------------------------------------------------------------


@dataclass
class OrderRow:
    line: int
    order_id: str
    user_id: str
    created_at: datetime
    status: str
    paid_at: datetime | None
    channel: str
    currency: str
    total_minor: int | None
    discount_minor: int | None
    coupon_code: str
    attribution: dict[str, str]
    ship_to_self: bool
    gift_wrap: bool


def parse_order(line: int, row: dict[str, Any]) -> OrderRow:
    status_text = text(row, "status", max_length=32, required=True).lower()
    if status_text not in STATUSES:
        raise RowInvalid("status", f"must be one of {', '.join(STATUSES)}, not {status_text!r}")
    currency = currency_code(row)
    attribution = {
        column: value
        for column in ("group_buy_id", "referrer_id", "live_session_id")
        if (value := text(row, column, max_length=128))
    }
    return OrderRow(
        line=line,
        order_id=key(row, "order_id"),
        user_id=key(row, "user_id"),
        created_at=moment(row, "created_at", required=True),
        status=STATUSES[status_text],
        paid_at=moment(row, "paid_at"),
        channel=text(row, "channel", max_length=32) or "storefront",
        currency=currency,
        total_minor=money(row, "total", currency),
        discount_minor=money(row, "discount", currency),
        coupon_code=text(row, "coupon_code", max_length=64),
        attribution=attribution,
        ship_to_self=flag(row, "ship_to_self", default=True),
        gift_wrap=flag(row, "gift_wrap", default=False),
    )


def order_number(order_id: str) -> str:
    """Imported orders keep their id in the number where it fits; live numbers are all digits."""
    return f"B-{order_id}" if len(order_id) <= 30 else f"B-#{digest(order_id, 29)}"


def load_orders(bundle: Bundle, path: Path) -> list[RowError]:
    rows, errors = validated(path, parse_order, progress=bundle.progress)
    users = bundle.user_map()
    known = bundle.order_map()
    first_line: dict[str, int] = {}
    good: list[OrderRow] = []
    for row in rows:
        if row.order_id in first_line:
            errors.append(
                RowError(path.name, row.line, "order_id", f"duplicate of line {first_line[row.order_id]}")
            )
        elif row.user_id not in users:
            errors.append(
                RowError(path.name, row.line, "user_id", f"unknown user {row.user_id!r} (not in users)")
            )
        else:
            first_line[row.order_id] = row.line
            good.append(row)
    errors.sort(key=lambda e: e.line)
    if not bundle.commit_or_refuse(errors):
        return errors
    new = [row for row in good if row.order_id not in known]
    orders = []
    for row in new:
        is_paid = row.status in PAID_OR_LATER
        total = row.total_minor or 0
        orders.append(
            Order(
                number=order_number(row.order_id),
                user_id=users[row.user_id],
                status=row.status,
                currency=row.currency,
                discount_minor=row.discount_minor or 0,
                total_minor=total,
                paid_minor=total if is_paid else 0,
                refunded_minor=total if row.status == OrderStatus.REFUNDED else 0,
                channel=row.channel,
                ship_to_self=row.ship_to_self,
                is_gift_wrapped=row.gift_wrap,
                coupon_code=row.coupon_code,
                attribution=row.attribution,
                placed_at=row.created_at,
                paid_at=(row.paid_at or row.created_at) if is_paid else row.paid_at,
                external_id=PREFIX + row.order_id,
            )
        )
    with transaction.atomic():
        save_in_batches(Order, orders, description=f"{path.name}: writing", progress=bundle.progress)
    created = existing(Order, "external_id", (o.external_id for o in orders), "pk", "number", "currency")
    known.update({k[len(PREFIX) :]: OrderRef(*v) for k, v in created.items()})
    # Every order of the file, new or not: a re-run after fixing order_items completes their totals.
    for row in good:
        bundle.order_facts[row.order_id] = OrderFacts(row.total_minor, row.discount_minor, row.status)
    bundle.result.count("orders", created=len(new), unchanged=len(good) - len(new))
    return errors


# -- order items ------------------------------------------------------------------------------


@dataclass
class ItemRow:
    line: int
    order_id: str
    sku_id: str
    quantity: int
    unit_price: str
    discount: str | None
    # filled once the order (and so its currency) is known
    unit_price_minor: int = 0
    discount_minor: int = 0


def parse_item(line: int, row: dict[str, Any]) -> ItemRow:
    for column in ("unit_price", "discount"):
        if isinstance(row.get(column), float):
            raise RowInvalid(column, 'write money as a decimal string, e.g. "59.90", not a JSON number')
    unit_price = cell(row, "unit_price")
    if unit_price is None:
        raise RowInvalid("unit_price", "is required")
    return ItemRow(
        line=line,
        order_id=key(row, "order_id"),
        sku_id=key(row, "sku_id", max_length=64),
        quantity=whole_number(row, "quantity", low=1),
        unit_price=unit_price,
        discount=cell(row, "discount"),
    )


def load_order_items(bundle: Bundle, path: Path) -> list[RowError]:
    rows, errors = validated(path, parse_item, progress=bundle.progress)
    orders = bundle.order_map()
    skus = bundle.sku_map(also_codes={row.sku_id for row in rows})
    good: list[ItemRow] = []
    for row in rows:
        try:
            if row.order_id not in orders:
                raise RowInvalid("order_id", f"unknown order {row.order_id!r} (not in orders)")
            if row.sku_id not in skus:
                raise RowInvalid("sku_id", f"unknown SKU {row.sku_id!r} (not in products)")
            currency = orders[row.order_id].currency
            values = {"unit_price": row.unit_price, "discount": row.discount}
            row.unit_price_minor = money(values, "unit_price", currency, required=True)
            row.discount_minor = money(values, "discount", currency) or 0
            if row.discount_minor > row.unit_price_minor * row.quantity:
                raise RowInvalid("discount", "more than the line's amount")
        except RowInvalid as exc:
            errors.append(RowError(path.name, row.line, exc.field, exc.message))
            continue
        good.append(row)

    # Lines have no id of their own: a row is "already there" when its order already holds a line
    # with the same SKU, quantity, price and discount (each existing line matches one row).
    order_pks = sorted({orders[row.order_id].pk for row in good})
    held: dict[int, Counter] = {}
    for part in chunks(order_pks, LOOKUP_CHUNK):
        lines = OrderLine.objects.filter(order_id__in=part).values_list(
            "order_id", "sku_id", "quantity", "unit_price_minor", "discount_minor"
        )
        for order_pk, *rest in lines:
            held.setdefault(order_pk, Counter())[tuple(rest)] += 1
    new: list[ItemRow] = []
    for row in good:
        signature = (skus[row.sku_id].pk, row.quantity, row.unit_price_minor, row.discount_minor)
        counter = held.get(orders[row.order_id].pk)
        if counter and counter[signature] > 0:
            counter[signature] -= 1
        else:
            new.append(row)

    # Totals of this run's orders that gave none: sum of their lines less the order's discount.
    touched: dict[str, list[ItemRow]] = {}
    for row in new:
        touched.setdefault(row.order_id, []).append(row)
    sums = line_sums(orders[order_id].pk for order_id in touched)
    for row in new:
        subtotal, discounts = sums.setdefault(orders[row.order_id].pk, [0, 0])
        sums[orders[row.order_id].pk] = [
            subtotal + row.unit_price_minor * row.quantity,
            discounts + row.discount_minor,
        ]
    refused_orders = set()
    for order_id, order_rows in touched.items():
        facts = bundle.order_facts.get(order_id)
        subtotal, discounts = sums[orders[order_id].pk]
        if facts and facts.total_minor is None and subtotal - discounts - (facts.discount_minor or 0) < 0:
            last = order_rows[-1]
            errors.append(
                RowError(path.name, last.line, "discount", f"order {order_id!r}: discounts exceed its items")
            )
            refused_orders.add(order_id)
    if refused_orders:
        new = [row for row in new if row.order_id not in refused_orders]
        touched = {k: v for k, v in touched.items() if k not in refused_orders}
    errors.sort(key=lambda e: e.line)
    if not bundle.commit_or_refuse(errors):
        return errors

    with transaction.atomic():
        save_in_batches(
            OrderLine,
            [
                OrderLine(
                    order_id=orders[row.order_id].pk,
                    sku_id=skus[row.sku_id].pk,
                    product_name=skus[row.sku_id].product_name,
                    sku_name=skus[row.sku_id].sku_name,
                    unit_price_minor=row.unit_price_minor,
                    quantity=row.quantity,
                    discount_minor=row.discount_minor,
                )
                for row in new
            ],
            description=f"{path.name}: writing",
            progress=bundle.progress,
        )
        order_totals_update(bundle, [orders[order_id] for order_id in touched], touched)
    bundle.result.count("order_items", created=len(new), unchanged=len(good) - len(new) - sum(
        1 for row in good if row.order_id in refused_orders
    ))  # fmt: skip
    return errors


def line_sums(order_pks: Iterable[int]) -> dict[int, list[int]]:
    """{order pk: [subtotal, line discounts]} over the lines already in the database."""
    sums: dict[int, list[int]] = {}
    for part in chunks(sorted(set(order_pks)), LOOKUP_CHUNK):
        for order_pk, unit, quantity, discount in OrderLine.objects.filter(order_id__in=part).values_list(
            "order_id", "unit_price_minor", "quantity", "discount_minor"
        ):
            subtotal, discounts = sums.get(order_pk, [0, 0])
            sums[order_pk] = [subtotal + unit * quantity, discounts + discount]
    return sums


def order_totals_update(bundle: Bundle, refs: list[OrderRef], touched: dict[str, list[ItemRow]]) -> None:
    """Subtotals of orders that got lines; totals and paid/refunded amounts of this run's orders that
    gave no total (an order from an earlier run keeps the total it was imported with)."""
    sums = line_sums(ref.pk for ref in refs)
    by_pk = {ref.pk: order_id for order_id, ref in zip(touched, refs, strict=True)}
    columns = ("subtotal_minor", "discount_minor", "total_minor", "paid_minor", "refunded_minor")
    changed = []
    for part in chunks(sorted(by_pk), LOOKUP_CHUNK):
        for pk, status, *amounts in Order.objects.filter(pk__in=part).values_list("pk", "status", *columns):
            subtotal, discounts = sums.get(pk, [0, 0])
            _, discount, total, paid, refunded = amounts
            facts = bundle.order_facts.get(by_pk[pk])
            if facts is not None and facts.total_minor is None:
                discount = discounts + (facts.discount_minor or 0)
                total = subtotal - discount
                paid = total if status in PAID_OR_LATER else 0
                refunded = total if status == OrderStatus.REFUNDED else 0
            changed.append((subtotal, discount, total, paid, refunded, pk))
    rows_update(Order, columns, changed)


def rows_update(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """`UPDATE ... SET columns WHERE pk` for many rows as one prepared statement (each row: the
    column values, then the pk). Django's bulk_update builds a CASE per column and row, which is slow."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(meta.get_field(c).column)} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for part in chunks(rows, BATCH):
            cursor.executemany(sql, part)


# -- events -----------------------------------------------------------------------------------


@dataclass
class EventRow:
    event_id: str
    name: str
    occurred_at: datetime
    user_id: str
    anonymous_id: str
    channel: str
    properties: dict[str, Any]


def parse_event(line: int, row: dict[str, Any]) -> EventRow:
    user_id = text(row, "user_id", max_length=128 - len(PREFIX))
    anonymous_id = text(row, "anonymous_id", max_length=64)
    if not user_id and not anonymous_id:
        raise RowInvalid("user_id", "user_id or anonymous_id is required")
    raw = row.get("properties")
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RowInvalid("properties", f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    elif raw is None or (isinstance(raw, str) and not raw.strip()):
        raw = {}
    if not isinstance(raw, dict):
        raise RowInvalid("properties", "must be a JSON object")
    return EventRow(
        event_id=text(row, "event_id", max_length=64, required=True),
        name=text(row, "name", max_length=64, required=True),
        occurred_at=moment(row, "timestamp", required=True),
        user_id=user_id,
        anonymous_id=anonymous_id,
        channel=text(row, "channel", max_length=32),
        properties=raw,
    )


def properties_linked(bundle: Bundle, properties: dict[str, Any]) -> dict[str, Any]:
    """Bundle ids in event properties rewritten to database ids (see the module docstring)."""
    linked = dict(properties)
    sku_ref = product_ref = None
    sku = linked.pop("sku_id", None)
    if sku not in (None, ""):
        linked["bundle_sku_id"] = sku
        sku_ref = (bundle.skus or {}).get(str(sku))
    product = linked.pop("product_id", None)
    if product not in (None, ""):
        linked["bundle_product_id"] = product
        product_ref = (bundle.products or {}).get(str(product))
    category = linked.get("category")
    if sku_ref is not None:
        linked.update(sku_id=sku_ref.pk, product_id=sku_ref.product_pk, category=sku_ref.category_slug)
    elif product_ref is not None:
        linked.update(product_id=product_ref[0], category=product_ref[1])
    elif isinstance(category, str) and category.strip():
        linked["category"] = category_slug(category)
    order = linked.pop("order_id", None)
    if order not in (None, ""):
        linked["bundle_order_id"] = order
        order_ref = (bundle.orders or {}).get(str(order))
        if order_ref is not None:
            linked["order_id"] = order_ref.number
    return linked


def load_events(bundle: Bundle, path: Path) -> list[RowError]:
    """Two passes so a file of millions of events is never held in memory: check everything, then
    read again and write the good rows in batches inside one transaction."""
    users = bundle.user_map()
    bundle.sku_map()
    bundle.product_map()
    bundle.order_map()
    errors: list[RowError] = []

    def check(line: int, row: dict[str, Any]) -> None:
        event = parse_event(line, row)
        if event.user_id and event.user_id not in users:
            raise RowInvalid("user_id", f"unknown user {event.user_id!r} (not in users)")

    _, errors = validated(path, check, progress=bundle.progress)
    if not bundle.commit_or_refuse(errors):
        return errors
    bad_lines = {e.line for e in errors}
    created = unchanged = 0
    with transaction.atomic():
        batch: list[tuple[int, dict[str, Any]]] = []

        def flush() -> None:
            # Rows already in the outbox (a re-run) are counted without being parsed again.
            nonlocal created, unchanged
            ids = [cell(row, "event_id") for _, row in batch]
            there = set(existing(OutboxEvent, "event_id", ids))
            fresh: dict[str, OutboxEvent] = {}
            for event_id, (line, row) in zip(ids, batch, strict=True):
                if event_id in there or event_id in fresh:
                    unchanged += 1
                    continue
                event = parse_event(line, row)
                fresh[event_id] = OutboxEvent(
                    event_id=event.event_id,
                    name=event.name,
                    occurred_at=event.occurred_at,
                    user_id=users[event.user_id] if event.user_id else None,
                    anonymous_id=event.anonymous_id,
                    channel=event.channel,
                    properties=properties_linked(bundle, event.properties),
                )
            OutboxEvent.objects.bulk_create(list(fresh.values()), batch_size=BATCH)
            created += len(fresh)
            batch.clear()

        for line, row in bar(read_rows(path), description=f"{path.name}: writing", progress=bundle.progress):
            if line in bad_lines or "__error__" in row:
                continue
            batch.append((line, row))
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    bundle.result.count("events", created=created, unchanged=unchanged)
    return errors


# -- feedback ---------------------------------------------------------------------------------


def parse_feedback(line: int, row: dict[str, Any]) -> str:
    feedback_id = key(row, "feedback_id")
    channel = text(row, "channel", max_length=32, required=True)
    if channel not in FEEDBACK_CHANNELS:
        raise RowInvalid("channel", f"must be one of {', '.join(FEEDBACK_CHANNELS)}, not {channel!r}")
    moment(row, "created_at", required=True)
    text(row, "text", max_length=100_000, required=True)
    if cell(row, "rating") is not None:
        whole_number(row, "rating", low=1, high=5)
    text(row, "lang", max_length=8)
    return feedback_id


def load_feedback(bundle: Bundle, path: Path) -> list[RowError]:
    """Feedback belongs to the insight app; its importer writes it. Until that importer is installed,
    the rows are only checked against the contract."""
    try:
        from loopmall.imports import feedback as insight_feedback
    except ModuleNotFoundError as exc:
        if exc.name != "loopmall.imports.feedback":
            raise
        insight_feedback = None
    if insight_feedback is not None:
        return insight_feedback.load_bundle_file(
            path, skip_bad=bundle.skip_bad, progress=bundle.progress, result=bundle.result
        )
    rows, errors = validated(path, parse_feedback, progress=bundle.progress)
    bundle.result.notes.append(
        f"feedback: {len(rows)} rows validated, the insight importer is not installed yet"
    )
    return errors
