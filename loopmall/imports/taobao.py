"""`loopmall import taobao DIR`: Alibaba's public Taobao UserBehavior data (Tianchi dataset 649).

Every `.csv` / `.csv.gz` file in DIR is read: no header, columns user_id, item_id, category_id,
behavior (pv, cart, fav, buy) and timestamp (Unix seconds, UTC). Each row becomes one outbox event;
users, categories and products are made from the ids they name:

- a user `taobao:<user_id>` (joined at their first event in the file, channel "taobao");
- a category per category_id (slug `taobao-<category_id>`);
- a product and one SKU per item_id (`taobao:<item_id>`, SKU code `taobao-<item_id>`). The data has no
  names and no prices, so they are created inactive at price 0 with a note saying so: staff must
  name and price them before they can be sold. An item seen under two categories keeps the first.

Event ids are `taobao:<user>:<item>:<behavior>:<timestamp>`, so a re-run (or a repeated row) adds
nothing. Purchases become "Order Completed" events only: without prices no orders are made.
Like the bundle, a file is checked completely first, then written in one transaction.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from loopmall.accounts.models import Role, User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.core.models import OutboxEvent
from loopmall.imports.base import (
    BATCH,
    ImportFailed,
    ImportResult,
    RowError,
    RowInvalid,
    bar,
    existing,
    save_in_batches,
    with_prefix,
)
from loopmall.imports.bundle import BundleFailed

PREFIX = "taobao:"
CHANNEL = "taobao"
EVENT_NAMES = {
    "pv": "Product Viewed",
    "cart": "Product Added",
    "fav": "Product Added to Wishlist",
    "buy": "Order Completed",
}
COLUMNS = ("user_id", "item_id", "category_id", "behavior", "timestamp")
PRODUCT_NOTE = (
    "Imported from Taobao UserBehavior, which has no product names or prices: not on sale until "
    "staff give it a name and a price."
)


@dataclass(frozen=True, slots=True)
class Behaviour:
    user_id: str
    item_id: str
    category_id: str
    behavior: str
    timestamp: int

    @property
    def event_id(self) -> str:
        return f"{PREFIX}{self.user_id}:{self.item_id}:{self.behavior}:{self.timestamp}"


def _id(value: str, column: str) -> str:
    value = value.strip()
    if not value.isdigit():
        raise RowInvalid(column, f"not a numeric id: {value!r}")
    if len(value) > 20:
        raise RowInvalid(column, "longer than 20 digits")
    return value.lstrip("0") or "0"


def parse(values: list[str]) -> Behaviour:
    if len(values) != len(COLUMNS):
        raise RowInvalid(None, f"expected {len(COLUMNS)} columns ({', '.join(COLUMNS)}), got {len(values)}")
    behavior = values[3].strip()
    if behavior not in EVENT_NAMES:
        raise RowInvalid("behavior", f"must be one of {', '.join(EVENT_NAMES)}, not {behavior!r}")
    try:
        timestamp = int(values[4].strip())
    except ValueError:
        raise RowInvalid("timestamp", f"not Unix seconds: {values[4]!r}") from None
    if not 0 <= timestamp < 2**32:
        raise RowInvalid("timestamp", f"out of range: {timestamp}")
    return Behaviour(
        user_id=_id(values[0], "user_id"),
        item_id=_id(values[1], "item_id"),
        category_id=_id(values[2], "category_id"),
        behavior=behavior,
        timestamp=timestamp,
    )


def rows(path: Path):
    """(line, Behaviour or RowError) for every line; a header line naming the columns is skipped."""
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # noqa: SIM115 (closed by the wrapper)
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
        for number, values in enumerate(csv.reader(handle), start=1):
            if not values or values == [""]:
                continue
            if number == 1 and values[0].strip().lower() in ("user_id", "userid", "user id"):
                continue
            try:
                yield number, parse(values)
            except RowInvalid as exc:
                yield number, RowError(path.name, number, exc.field, exc.message)


def moment(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


@dataclass
class Seen:
    """What the checking pass learnt about one file."""

    errors: list[RowError] = field(default_factory=list)
    first_seen: dict[str, int] = field(default_factory=dict)  # user -> earliest timestamp
    item_category: dict[str, str] = field(default_factory=dict)  # item -> first category


def check(path: Path, *, progress: bool) -> Seen:
    seen = Seen()
    for _, row in bar(rows(path), description=f"{path.name}: checking", progress=progress):
        if isinstance(row, RowError):
            seen.errors.append(row)
            continue
        earliest = seen.first_seen.get(row.user_id)
        if earliest is None or row.timestamp < earliest:
            seen.first_seen[row.user_id] = row.timestamp
        seen.item_category.setdefault(row.item_id, row.category_id)
    return seen


def load_file(path: Path, result: ImportResult, *, skip_bad: bool, progress: bool) -> list[RowError]:
    seen = check(path, progress=progress)
    if seen.errors and not skip_bad:
        return seen.errors
    with transaction.atomic():
        users = users_ensure(seen, result, progress=progress, name=path.name)
        skus = catalog_ensure(seen, result, progress=progress, name=path.name)
        events_write(path, users, skus, result, progress=progress)
    return seen.errors


def users_ensure(seen: Seen, result: ImportResult, *, progress: bool, name: str) -> dict[str, int]:
    known = with_prefix(User, PREFIX)
    new = [user_id for user_id in seen.first_seen if PREFIX + user_id not in known]
    save_in_batches(
        User,
        [
            User(
                login=PREFIX + user_id,
                external_id=PREFIX + user_id,
                password=make_password(None),
                role=Role.CUSTOMER,
                channel=CHANNEL,
                date_joined=moment(seen.first_seen[user_id]),
            )
            for user_id in new
        ],
        description=f"{name}: writing users",
        progress=progress,
    )
    known.update(existing(User, "external_id", (PREFIX + user_id for user_id in new)))
    result.count("users", created=len(new), unchanged=len(seen.first_seen) - len(new))
    return {external_id[len(PREFIX) :]: pk for external_id, pk in known.items()}


def catalog_ensure(
    seen: Seen, result: ImportResult, *, progress: bool, name: str
) -> dict[str, tuple[int, int, str]]:
    """{item_id: (sku pk, product pk, category slug)} for every item of the file."""
    slugs = {category_id: f"taobao-{category_id}" for category_id in set(seen.item_category.values())}
    categories = dict(Category.objects.filter(slug__startswith="taobao-").values_list("slug", "pk"))
    new_categories = [
        Category(name=f"Taobao category {category_id}", slug=slug)
        for category_id, slug in sorted(slugs.items())
        if slug not in categories
    ]
    Category.objects.bulk_create(new_categories, batch_size=BATCH)
    categories.update(existing(Category, "slug", (c.slug for c in new_categories)))
    result.count("categories", created=len(new_categories), unchanged=len(slugs) - len(new_categories))

    products = with_prefix(Product, PREFIX)
    new_products = [
        Product(
            category_id=categories[slugs[category_id]],
            name=f"Taobao item {item_id}",
            slug=f"taobao-item-{item_id}",
            description=PRODUCT_NOTE,
            is_active=False,
            external_id=PREFIX + item_id,
        )
        for item_id, category_id in seen.item_category.items()
        if PREFIX + item_id not in products
    ]
    save_in_batches(Product, new_products, description=f"{name}: writing products", progress=progress)
    products.update(existing(Product, "external_id", (p.external_id for p in new_products)))
    result.count("products", created=len(new_products), unchanged=len(seen.item_category) - len(new_products))

    skus = with_prefix(Sku, PREFIX, "pk", "product_id", "product__category__slug")
    new_skus = [
        Sku(
            product_id=products[PREFIX + item_id],
            code=f"taobao-{item_id}",
            price_minor=0,
            is_active=False,
            external_id=PREFIX + item_id,
        )
        for item_id in seen.item_category
        if PREFIX + item_id not in skus
    ]
    save_in_batches(Sku, new_skus, description=f"{name}: writing SKUs", progress=progress)
    skus.update(
        existing(
            Sku,
            "external_id",
            (s.external_id for s in new_skus),
            "pk",
            "product_id",
            "product__category__slug",
        )
    )
    result.count("skus", created=len(new_skus), unchanged=len(seen.item_category) - len(new_skus))
    return {external_id[len(PREFIX) :]: values for external_id, values in skus.items()}


def events_write(
    path: Path,
    users: dict[str, int],
    skus: dict[str, tuple[int, int, str]],
    result: ImportResult,
    *,
    progress: bool,
) -> None:
    """Second pass over the file: one outbox event per good row, in batches."""
    created = unchanged = 0
    batch: list[Behaviour] = []

    def flush() -> None:
        nonlocal created, unchanged
        there = set(existing(OutboxEvent, "event_id", (row.event_id for row in batch)))
        fresh: dict[str, OutboxEvent] = {}
        for row in batch:
            event_id = row.event_id
            if event_id in there or event_id in fresh:
                unchanged += 1
                continue
            sku_pk, product_pk, category = skus[row.item_id]
            fresh[event_id] = OutboxEvent(
                event_id=event_id,
                name=EVENT_NAMES[row.behavior],
                occurred_at=moment(row.timestamp),
                user_id=users[row.user_id],
                channel=CHANNEL,
                properties={
                    "sku_id": sku_pk,
                    "product_id": product_pk,
                    "category": category,
                    "taobao_item_id": row.item_id,
                    "taobao_category_id": row.category_id,
                },
            )
        OutboxEvent.objects.bulk_create(list(fresh.values()), batch_size=BATCH)
        created += len(fresh)
        batch.clear()

    for _, row in bar(rows(path), description=f"{path.name}: writing events", progress=progress):
        if isinstance(row, RowError):
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    result.count("events", created=created, unchanged=unchanged)


def run(directory: Path, *, skip_bad: bool = False, progress: bool = True) -> ImportResult:
    directory = Path(directory)
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith((".csv", ".csv.gz")))
    if not files:
        raise ImportFailed(
            [RowError(directory.name, 0, None, "no UserBehavior .csv or .csv.gz file in the folder")]
        )
    result = ImportResult()
    failures: list[tuple[str, list[RowError]]] = []
    for path in files:
        errors = load_file(path, result, skip_bad=skip_bad, progress=progress)
        if errors and skip_bad:
            result.skipped.extend(errors)
        elif errors:
            failures.append((path.name, errors))
    if failures:
        raise BundleFailed(failures, result)
    return result
