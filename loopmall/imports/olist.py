"""`loopmall import olist DIR`: the public Olist e-commerce tables (Brazil, 2016-2018).

Files (`.csv` or `.csv.gz`, Olist's own names and columns): olist_customers_dataset,
olist_products_dataset, product_category_name_translation, olist_orders_dataset,
olist_order_items_dataset, olist_order_payments_dataset, olist_order_reviews_dataset.

- Customers become users keyed `olist:<customer_unique_id>` (Olist gives a new customer_id per order;
  the unique id is the person), acquisition channel "organic".
- Products become one product with one SKU each, keyed `olist:<product_id>`, in a category named by
  the translation table; Olist has no product names, so the name is the category and a short id.
  The SKU price is the product's most frequent item price.
- Orders keep Olist's times (São Paulo local time), map the status to ours, are placed on the
  "storefront" channel in BRL; items become order lines, freight the shipping, payments the paid total.
- Reviews are kept in Portuguese, marked `lang="pt"` and `source="olist"`: the insight engine does not
  analyse Portuguese yet, but the feedback is not thrown away. Olist reviews an order, not a product,
  so the review sits on the order's first product.

Every row is validated first (file, line and field for each problem). Without `skip_bad` any bad row
means nothing is written; with it, the good rows load and the bad ones (and rows that depend on them)
are listed. External ids are the keys: a second run of the same files creates nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from loopmall.accounts.models import User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.imports.base import (
    ImportFailed,
    ImportResult,
    RowError,
    RowInvalid,
    bar,
    existing,
    find_file,
    require,
    save_in_batches,
    save_new_and_count,
    validate_file,
)
from loopmall.orders.models import Order, OrderLine, OrderStatus, Payment, PaymentStatus
from loopmall.social.models import Review

PREFIX = "olist:"
CURRENCY = "BRL"
ZONE = ZoneInfo("America/Sao_Paulo")
BATCH = 1000
UNCATEGORISED = "olist-uncategorised"

FILES = {
    "translation": "product_category_name_translation",
    "customers": "olist_customers_dataset",
    "products": "olist_products_dataset",
    "orders": "olist_orders_dataset",
    "items": "olist_order_items_dataset",
    "payments": "olist_order_payments_dataset",
    "reviews": "olist_order_reviews_dataset",
}
REQUIRED = ("customers", "products", "orders", "items")

STATUSES = {
    "created": OrderStatus.PENDING_PAYMENT,
    "approved": OrderStatus.PAID,
    "processing": OrderStatus.PAID,
    "invoiced": OrderStatus.PAID,
    "shipped": OrderStatus.SHIPPED,
    # Olist's "delivered" is final: nothing else happens to the order, as with our "completed".
    "delivered": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELLED,
    "unavailable": OrderStatus.CANCELLED,
}
PAID_STATES = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED}


@dataclass(frozen=True)
class CustomerRow:
    customer_id: str
    unique_id: str
    city: str
    state: str
    zip_prefix: str


@dataclass(frozen=True)
class ProductRow:
    product_id: str
    category: str
    attributes: dict


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    customer_id: str
    status: str
    placed_at: datetime
    approved_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class ItemRow:
    order_id: str
    product_id: str
    price_minor: int
    freight_minor: int


@dataclass(frozen=True)
class PaymentRow:
    order_id: str
    sequential: int
    kind: str
    installments: int
    value_minor: int


@dataclass(frozen=True)
class ReviewRow:
    review_id: str
    order_id: str
    score: int
    title: str
    message: str
    created_at: datetime


# ---------- field parsers ----------
def _moment(row: dict, column: str, *, required: bool = False) -> datetime | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise RowInvalid(column, "is required")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowInvalid(column, f"{value!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return parsed.replace(tzinfo=ZONE) if parsed.tzinfo is None else parsed


def _money(row: dict, column: str) -> int:
    value = require(row, column)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise RowInvalid(column, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise RowInvalid(column, f"{value!r} must be zero or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise RowInvalid(column, f"{value!r} has more than 2 decimals")
    return int(amount * 100)


def _integer(row: dict, column: str, *, low: int, high: int | None = None) -> int:
    value = require(row, column)
    try:
        number = int(value)
    except ValueError:
        raise RowInvalid(column, f"{value!r} is not a whole number") from None
    if number < low or (high is not None and number > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        raise RowInvalid(column, f"{number} must be {span}")
    return number


def _optional_number(row: dict, column: str) -> float | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise RowInvalid(column, f"{value!r} is not a number") from None


# ---------- validation ----------
@dataclass
class Parsed:
    translation: dict[str, str]
    customers: dict[str, CustomerRow]
    products: dict[str, ProductRow]
    orders: dict[str, OrderRow]
    items: list[ItemRow]
    payments: list[PaymentRow]
    reviews: list[ReviewRow]
    errors: list[RowError]


def _check(path: Path | None, parse, errors: list[RowError], *, progress: bool) -> list:
    if path is None:
        return []
    good, bad = validate_file(path, parse, skip_bad=True, progress=progress)
    errors.extend(bad)
    return good


def validate(directory: Path, *, progress: bool) -> Parsed:
    paths = {key: find_file(directory, stem) for key, stem in FILES.items()}
    errors: list[RowError] = [
        RowError(f"{FILES[key]}.csv", 0, None, "file is missing") for key in REQUIRED if paths[key] is None
    ]

    def parse_translation(row):
        return require(row, "product_category_name"), require(row, "product_category_name_english")

    translation = dict(_check(paths["translation"], parse_translation, errors, progress=progress))

    def parse_customer(row):
        return CustomerRow(
            customer_id=require(row, "customer_id"),
            unique_id=require(row, "customer_unique_id"),
            city=(row.get("customer_city") or "").strip()[:64],
            state=(row.get("customer_state") or "").strip(),
            zip_prefix=(row.get("customer_zip_code_prefix") or "").strip(),
        )

    customers = {
        c.customer_id: c for c in _check(paths["customers"], parse_customer, errors, progress=progress)
    }

    def parse_product(row):
        attributes = {}
        for column, key in (
            ("product_weight_g", "weight_g"),
            ("product_length_cm", "length_cm"),
            ("product_height_cm", "height_cm"),
            ("product_width_cm", "width_cm"),
            ("product_photos_qty", "photos"),
        ):
            number = _optional_number(row, column)
            if number is not None:
                attributes[key] = number
        return ProductRow(
            require(row, "product_id"), (row.get("product_category_name") or "").strip(), attributes
        )

    products = {p.product_id: p for p in _check(paths["products"], parse_product, errors, progress=progress)}

    def parse_order(row):
        status = require(row, "order_status")
        if status not in STATUSES:
            raise RowInvalid("order_status", f"{status!r} is not one of {', '.join(sorted(STATUSES))}")
        customer_id = require(row, "customer_id")
        if customer_id not in customers:
            raise RowInvalid("customer_id", f"{customer_id} is not in {FILES['customers']}")
        return OrderRow(
            order_id=require(row, "order_id"),
            customer_id=customer_id,
            status=status,
            placed_at=_moment(row, "order_purchase_timestamp", required=True),
            approved_at=_moment(row, "order_approved_at"),
            shipped_at=_moment(row, "order_delivered_carrier_date"),
            delivered_at=_moment(row, "order_delivered_customer_date"),
        )

    orders = {o.order_id: o for o in _check(paths["orders"], parse_order, errors, progress=progress)}

    def known_order(row) -> str:
        order_id = require(row, "order_id")
        if order_id not in orders:
            raise RowInvalid("order_id", f"{order_id} is not in {FILES['orders']} (or was not loaded)")
        return order_id

    def parse_item(row):
        order_id = known_order(row)
        _integer(row, "order_item_id", low=1)
        product_id = require(row, "product_id")
        if product_id not in products:
            raise RowInvalid("product_id", f"{product_id} is not in {FILES['products']}")
        return ItemRow(order_id, product_id, _money(row, "price"), _money(row, "freight_value"))

    items = _check(paths["items"], parse_item, errors, progress=progress)

    def parse_payment(row):
        return PaymentRow(
            order_id=known_order(row),
            sequential=_integer(row, "payment_sequential", low=1),
            kind=require(row, "payment_type"),
            installments=_integer(row, "payment_installments", low=0),
            value_minor=_money(row, "payment_value"),
        )

    payments = _check(paths["payments"], parse_payment, errors, progress=progress)

    def parse_review(row):
        return ReviewRow(
            review_id=require(row, "review_id"),
            order_id=known_order(row),
            score=_integer(row, "review_score", low=1, high=5),
            title=(row.get("review_comment_title") or "").strip()[:200],
            message=(row.get("review_comment_message") or "").strip(),
            created_at=_moment(row, "review_creation_date", required=True),
        )

    reviews = _check(paths["reviews"], parse_review, errors, progress=progress)
    return Parsed(translation, customers, products, orders, items, payments, reviews, errors)


# ---------- loading ----------
def _category_slug(portuguese: str, english: str) -> str:
    return "olist-" + (slugify(english or portuguese) or "other")


def run(directory: Path, *, skip_bad: bool = False, progress: bool = True) -> ImportResult:
    directory = Path(directory)
    parsed = validate(directory, progress=progress)
    if parsed.errors and not skip_bad:
        raise ImportFailed(parsed.errors)
    result = ImportResult(skipped=list(parsed.errors))
    with transaction.atomic():
        category_ids = _load_categories(parsed, result)
        sku_ids = _load_products(parsed, result, category_ids, progress=progress)
        user_ids = _load_customers(parsed, result)
        order_ids, new_orders = _load_orders(parsed, result, user_ids, progress=progress)
        _load_lines_and_payments(parsed, result, order_ids, new_orders, sku_ids)
        _load_reviews(parsed, result, order_ids, sku_ids, user_ids, progress=progress)
    return result


def _load_categories(parsed: Parsed, result: ImportResult) -> dict[str, int]:
    wanted: dict[str, str] = {}
    for product in parsed.products.values():
        english = parsed.translation.get(product.category, "")
        slug = _category_slug(product.category, english) if product.category else UNCATEGORISED
        wanted[slug] = (english or product.category or "uncategorised").replace("_", " ").capitalize()
    there = existing(Category, "slug", list(wanted))
    new = [
        Category(name=name, name_en=name, slug=slug)
        for slug, name in sorted(wanted.items())
        if slug not in there
    ]
    save_new_and_count(result, "categories", Category, new, unchanged=len(there), batch=BATCH)
    return existing(Category, "slug", list(wanted))


def _load_products(
    parsed: Parsed, result: ImportResult, category_ids: dict[str, int], *, progress: bool
) -> dict:
    prices: dict[str, Counter] = defaultdict(Counter)
    for item in parsed.items:
        prices[item.product_id][item.price_minor] += 1
    keys = [PREFIX + product_id for product_id in parsed.products]
    there = existing(Product, "external_id", keys)
    products, skus = [], []
    for product_id, row in bar(
        parsed.products.items(), description="products", progress=progress, leave=False
    ):
        external_id = PREFIX + product_id
        if external_id in there:
            continue
        english = parsed.translation.get(row.category, "")
        slug = _category_slug(row.category, english) if row.category else UNCATEGORISED
        label = (english or row.category or "product").replace("_", " ")
        product = Product(
            category_id=category_ids[slug],
            name=f"{label} {product_id[:8]}",
            name_en=f"{label} {product_id[:8]}",
            slug=f"olist-{product_id}"[:200],
            external_id=external_id,
        )
        products.append(product)
        price = prices[product_id].most_common(1)[0][0] if prices[product_id] else 0
        skus.append(
            Sku(
                product=product,
                code=f"olist-{product_id}"[:64],
                currency=CURRENCY,
                price_minor=price,
                stock=0,
                attributes=row.attributes,
                external_id=external_id,
            )
        )
    save_in_batches(Product, products, description="products: writing", progress=progress, batch=BATCH)
    for sku in skus:
        sku.product_id = sku.product.pk
    save_new_and_count(result, "skus", Sku, skus, unchanged=len(there), progress=progress, batch=BATCH)
    result.count("products", created=len(products), unchanged=len(there))
    return existing(Sku, "external_id", keys)


def _load_customers(parsed: Parsed, result: ImportResult) -> dict[str, int]:
    first_order: dict[str, datetime] = {}
    for order in parsed.orders.values():
        unique_id = parsed.customers[order.customer_id].unique_id
        if unique_id not in first_order or order.placed_at < first_order[unique_id]:
            first_order[unique_id] = order.placed_at
    people: dict[str, CustomerRow] = {}
    for customer in parsed.customers.values():
        people.setdefault(customer.unique_id, customer)
    keys = [PREFIX + unique_id for unique_id in people]
    there = existing(User, "external_id", keys)
    unusable = make_password(None)  # imported customers sign in only after a password reset
    new = []
    for unique_id, customer in people.items():
        if PREFIX + unique_id in there:
            continue
        user = User(
            login=PREFIX + unique_id,
            city=customer.city,
            channel="organic",
            password=unusable,
            external_id=PREFIX + unique_id,
        )
        if unique_id in first_order:
            user.date_joined = first_order[unique_id]
        new.append(user)
    save_new_and_count(result, "users", User, new, unchanged=len(there), batch=BATCH)
    by_unique = existing(User, "external_id", keys)
    return {customer_id: by_unique[PREFIX + c.unique_id] for customer_id, c in parsed.customers.items()}


def _load_orders(parsed: Parsed, result: ImportResult, user_ids: dict[str, int], *, progress: bool):
    lines_by_order: dict[str, list[ItemRow]] = defaultdict(list)
    for item in parsed.items:
        lines_by_order[item.order_id].append(item)
    paid_by_order: Counter[str] = Counter()
    for payment in parsed.payments:
        paid_by_order[payment.order_id] += payment.value_minor
    keys = [PREFIX + order_id for order_id in parsed.orders]
    there = existing(Order, "external_id", keys)
    new = []
    for order_id, row in bar(parsed.orders.items(), description="orders", progress=progress, leave=False):
        if PREFIX + order_id in there:
            continue
        status = STATUSES[row.status]
        items = lines_by_order.get(order_id, [])
        subtotal = sum(item.price_minor for item in items)
        shipping = sum(item.freight_minor for item in items)
        customer = parsed.customers[row.customer_id]
        is_paid = status in PAID_STATES
        delivered = row.delivered_at if status == OrderStatus.COMPLETED else None
        new.append(
            Order(
                number=order_id[:32],  # the Olist order id is the order number there
                user_id=user_ids[row.customer_id],
                status=status,
                currency=CURRENCY,
                subtotal_minor=subtotal,
                shipping_minor=shipping,
                total_minor=subtotal + shipping,
                paid_minor=paid_by_order[order_id] if is_paid else 0,
                channel="storefront",
                shipping_address={
                    "city": customer.city,
                    "province": customer.state,
                    "postal_code": customer.zip_prefix,
                    "country": "BR",
                },
                placed_at=row.placed_at,
                paid_at=row.approved_at if is_paid else None,
                shipped_at=row.shipped_at if status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED) else None,
                delivered_at=delivered,
                completed_at=delivered,
                cancelled_at=(row.approved_at or row.placed_at) if status == OrderStatus.CANCELLED else None,
                external_id=PREFIX + order_id,
            )
        )
    save_new_and_count(result, "orders", Order, new, unchanged=len(there), progress=progress, batch=BATCH)
    new_orders = {order.external_id[len(PREFIX) :] for order in new}
    return {key[len(PREFIX) :]: pk for key, pk in existing(Order, "external_id", keys).items()}, new_orders


def _load_lines_and_payments(
    parsed: Parsed, result: ImportResult, order_ids: dict, new_orders: set, sku_ids: dict
):
    # Olist lists one row per unit; units of one product at one price make one line.
    quantities: Counter[tuple[str, str, int]] = Counter()
    for item in parsed.items:
        quantities[(item.order_id, item.product_id, item.price_minor)] += 1
    names = dict(Sku.objects.filter(external_id__startswith=PREFIX).values_list("pk", "product__name"))
    lines = [
        OrderLine(
            order_id=order_ids[order_id],
            sku_id=sku_ids[PREFIX + product_id],
            product_name=names[sku_ids[PREFIX + product_id]],
            unit_price_minor=price,
            quantity=quantity,
        )
        for (order_id, product_id, price), quantity in quantities.items()
        if order_id in new_orders
    ]
    OrderLine.objects.bulk_create(lines, batch_size=BATCH)
    result.count(
        "order_lines", created=len(lines), unchanged=sum(1 for key in quantities if key[0] not in new_orders)
    )
    # One payment row per order (an order is paid by one succeeded payment); Olist's parts stay in `raw`.
    parts: dict[str, list[PaymentRow]] = defaultdict(list)
    for payment in parsed.payments:
        parts[payment.order_id].append(payment)
    payments = []
    for order_id, rows in parts.items():
        order = parsed.orders[order_id]
        if order_id not in new_orders or STATUSES[order.status] not in PAID_STATES:
            continue
        rows.sort(key=lambda p: p.sequential)
        payments.append(
            Payment(
                order_id=order_ids[order_id],
                provider="olist",
                provider_transaction_id=PREFIX + order_id,
                amount_minor=sum(p.value_minor for p in rows),
                currency=CURRENCY,
                status=PaymentStatus.SUCCEEDED,
                method="+".join(dict.fromkeys(p.kind for p in rows)),
                confirmed_at=order.approved_at,
                raw={
                    "payments": [
                        {
                            "sequential": p.sequential,
                            "type": p.kind,
                            "installments": p.installments,
                            "value": f"{p.value_minor / 100:.2f}",
                        }
                        for p in rows
                    ]
                },  # fmt: skip
            )
        )
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    already = sum(
        1 for key in parts if key not in new_orders and STATUSES[parsed.orders[key].status] in PAID_STATES
    )
    result.count("payments", created=len(payments), unchanged=already)


def _load_reviews(
    parsed: Parsed, result: ImportResult, order_ids: dict, sku_ids: dict, user_ids: dict, *, progress: bool
) -> None:
    first_product: dict[str, str] = {}
    for item in parsed.items:
        first_product.setdefault(item.order_id, item.product_id)
    keys = [f"{PREFIX}{row.review_id}:{row.order_id}" for row in parsed.reviews]
    there = existing(Review, "external_id", keys)
    sku_products = dict(Sku.objects.filter(external_id__startswith=PREFIX).values_list("pk", "product_id"))
    new, without_product = [], 0
    reviews = list(zip(keys, parsed.reviews, strict=True))
    for key, row in bar(reviews, description="reviews", progress=progress, leave=False):
        if key in there:
            continue
        product_id = first_product.get(row.order_id)
        if product_id is None:  # an order with no items (e.g. unavailable): nothing to review
            without_product += 1
            continue
        sku_id = sku_ids[PREFIX + product_id]
        order = parsed.orders[row.order_id]
        new.append(
            Review(
                user_id=user_ids[order.customer_id],
                product_id=sku_products[sku_id],
                sku_id=sku_id,
                order_id=order_ids[row.order_id],
                rating=row.score,
                title=row.title,
                text=row.message,
                lang="pt",
                source="olist",
                created_at=row.created_at,
                external_id=key,
            )
        )
    save_new_and_count(result, "reviews", Review, new, unchanged=len(there), progress=progress, batch=BATCH)
    if without_product:
        result.notes.append(
            f"{without_product} review(s) of orders without items were not loaded (no product to put them on)"
        )
