"""The data contract's `feedback` file (review, comment, questionnaire, service_chat, return_reason,
live_comment, search_query) into insight's Feedback.

Called by the bundle importer for `feedback.csv|jsonl[.gz]`, or on its own through `run(DIR)`. The file
is checked completely first; without `skip_bad` a bad row stops the whole file. `user_id`,
`product_id`, `sku_id` and `order_id` name rows of the bundle (imported as `bundle:<id>`); a reference
to a row that is not there is a bad row naming the column. The same channel + feedback_id again is
"already there" (idempotent re-runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from loopmall.core import clock
from loopmall.imports.base import (
    ImportFailed,
    ImportResult,
    RowError,
    RowInvalid,
    find_file,
    validated,
)
from loopmall.insight import services, sources
from loopmall.insight.models import FeedbackOrigin

CHANNELS = (
    "review",
    "comment",
    "questionnaire",
    "service_chat",
    "return_reason",
    "live_comment",
    "search_query",
)
MAX_TEXT = services.MAX_TEXT
BATCH = 2000


@dataclass(frozen=True)
class FeedbackRow:
    line: int
    feedback_id: str
    channel: str
    created_at: datetime
    text: str
    rating: int | None
    lang: str
    user_id: str
    product_id: str
    sku_id: str
    order_id: str


def _cell(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise RowInvalid(column, "must be a single value, not a JSON object or list")
    return str(value).strip()


def parse_row(line: int, row: dict[str, Any]) -> FeedbackRow:
    feedback_id = _cell(row, "feedback_id")
    if not feedback_id:
        raise RowInvalid("feedback_id", "is required")
    if len(feedback_id) > 128:
        raise RowInvalid("feedback_id", "longer than 128 characters")
    channel = _cell(row, "channel")
    if channel not in CHANNELS:
        raise RowInvalid("channel", f"must be one of {', '.join(CHANNELS)}, not {channel!r}")
    raw_time = _cell(row, "created_at")
    if not raw_time:
        raise RowInvalid("created_at", "is required")
    try:
        created_at = datetime.fromisoformat(raw_time)
    except ValueError:
        raise RowInvalid("created_at", f"not an ISO-8601 time: {raw_time!r}") from None
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=clock.business_zone())
    text = _cell(row, "text")
    if not text:
        raise RowInvalid("text", "is required")
    if len(text) > MAX_TEXT:
        raise RowInvalid("text", f"longer than {MAX_TEXT} characters")
    rating = None
    if _cell(row, "rating"):
        try:
            rating = int(_cell(row, "rating"))
        except ValueError:
            raise RowInvalid("rating", f"not a whole number: {_cell(row, 'rating')!r}") from None
        if not 1 <= rating <= 5:
            raise RowInvalid("rating", f"must be from 1 to 5, not {rating}")
    lang = _cell(row, "lang")
    if len(lang) > 8:
        raise RowInvalid("lang", "longer than 8 characters")
    return FeedbackRow(
        line=line, feedback_id=feedback_id, channel=channel, created_at=created_at, text=text, rating=rating,
        lang=lang, user_id=_cell(row, "user_id"), product_id=_cell(row, "product_id"),
        sku_id=_cell(row, "sku_id"), order_id=_cell(row, "order_id"),
    )  # fmt: skip


def load_bundle_file(
    path: Path, *, skip_bad: bool = False, progress: bool = False, result: ImportResult | None = None
) -> list[RowError]:
    """Validate and load one feedback file. Returns the bad rows (loaded nothing if any and not skip_bad)."""
    result = result if result is not None else ImportResult()
    rows, errors = validated(path, parse_row, progress=progress)
    users = sources.ids_by_external("accounts.User", {r.user_id for r in rows if r.user_id})
    products = sources.ids_by_external("catalog.Product", {r.product_id for r in rows if r.product_id})
    skus = sources.ids_by_external("catalog.Sku", {r.sku_id for r in rows if r.sku_id})
    orders = sources.ids_by_external("orders.Order", {r.order_id for r in rows if r.order_id})
    items: list[services.FeedbackInput] = []
    for r in rows:
        missing = next(
            (
                (column, value)
                for column, value, known in (
                    ("user_id", r.user_id, users),
                    ("product_id", r.product_id, products),
                    ("sku_id", r.sku_id, skus),
                    ("order_id", r.order_id, orders),
                )  # fmt: skip
                if value and value not in known
            ),
            None,
        )
        if missing:
            errors.append(RowError(path.name, r.line, missing[0], f"unknown {missing[0]} {missing[1]!r}"))
            continue
        items.append(
            services.FeedbackInput(
                channel=r.channel,
                external_id=r.feedback_id,
                created_at=r.created_at,
                text=r.text,
                rating=r.rating,
                lang=r.lang,
                user_id=users.get(r.user_id),
                product_id=products.get(r.product_id),
                sku_id=skus.get(r.sku_id),
                order_id=orders.get(r.order_id),
            )  # fmt: skip
        )
    if errors and not skip_bad:
        return errors
    created = 0
    with transaction.atomic():
        for start in range(0, len(items), BATCH):
            created += services.feedback_record_many(
                items[start : start + BATCH], origin=FeedbackOrigin.IMPORT
            )
    result.count("feedback", created=created, unchanged=len(items) - created)
    return errors


def run(directory: Path, *, skip_bad: bool = False, progress: bool = True) -> ImportResult:
    """`loopmall import feedback DIR`: load DIR/feedback.csv|jsonl[.gz]."""
    path = find_file(Path(directory), "feedback")
    if path is None:
        raise ImportFailed([RowError("feedback", 0, None, "no feedback.csv or feedback.jsonl in the folder")])
    result = ImportResult()
    errors = load_bundle_file(path, skip_bad=skip_bad, progress=progress, result=result)
    if errors and not skip_bad:
        raise ImportFailed(errors)
    result.skipped.extend(errors)
    return result
