"""Outbox consumer: turns events from every channel into Feedback as they happen.

What each event becomes:
  Product Reviewed            -> review (text, rating, product, sku, order)
  Comment Posted              -> comment, or live_comment when it carries a live_session_id
  Survey Answered             -> questionnaire
  Ticket Opened               -> service_chat
  Return Requested            -> return_reason
  Products Searched           -> search_query when it found no or few results
  Product Viewed              -> a watch; viewed_not_bought if no Order Completed for that user and
                                 product follows within VIEW_WINDOW
  Product Added, Checkout Started -> a watch; cart_abandoned if no order follows within CART_WINDOW

Time windows run on the event stream's own clock (the newest event read), so replaying months of
history gives the same signals as living through them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from loopmall.core import clock
from loopmall.core.events import consumer_advance, events_after
from loopmall.insight import services, sources
from loopmall.insight.models import BehaviourWatch, Channel, FeedbackOrigin

logger = logging.getLogger(__name__)

CONSUMER = "insight.feedback"
REVIEW_BACKFILL_CONSUMER = "insight.review_backfill"


def view_window() -> timedelta:
    return timedelta(days=getattr(settings, "LOOPMALL_INSIGHT_VIEW_WINDOW_DAYS", 7))


def cart_window() -> timedelta:
    return timedelta(hours=getattr(settings, "LOOPMALL_INSIGHT_CART_WINDOW_HOURS", 24))


def few_results() -> int:
    return getattr(settings, "LOOPMALL_INSIGHT_FEW_SEARCH_RESULTS", 2)


_TEXT_KEYS = ("text", "body", "content", "message", "comment", "answer", "reason", "description", "subject")


def _text(props: dict[str, Any]) -> str:
    for key in _TEXT_KEYS:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    answers = props.get("answers")
    if isinstance(answers, list):
        return " ".join(str(a.get("text") if isinstance(a, dict) else a) for a in answers if a).strip()
    if isinstance(answers, dict):
        return " ".join(str(v) for v in answers.values() if isinstance(v, str)).strip()
    return ""


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _rating(props: dict[str, Any]) -> int | None:
    for key in ("rating", "score", "stars"):
        value = _int(props.get(key))
        if value is not None:
            return value if 1 <= value <= 5 else None
    return None


def _external_id(event, *keys: str) -> str:
    for key in keys:
        value = event.properties.get(key)
        if value not in (None, ""):
            return str(value)
    return f"event:{event.event_id}"


def _product_ids(props: dict[str, Any]) -> list[int]:
    ids = []
    if _int(props.get("product_id")):
        ids.append(_int(props["product_id"]))
    for item in props.get("products") or []:
        if isinstance(item, dict) and _int(item.get("product_id")):
            ids.append(_int(item["product_id"]))
    return ids


def _sku_ids(props: dict[str, Any]) -> list[int]:
    ids = []
    if _int(props.get("sku_id")):
        ids.append(_int(props["sku_id"]))
    for item in props.get("products") or props.get("lines") or []:
        if isinstance(item, dict) and _int(item.get("sku_id")):
            ids.append(_int(item["sku_id"]))
    return ids


def feedback_from_event(event) -> services.FeedbackInput | None:
    """The feedback one outbox event carries, or None."""
    props = event.properties or {}
    common = {
        "created_at": event.occurred_at,
        "user_id": event.user_id,
        "product_id": _int(props.get("product_id")),
        "sku_id": _int(props.get("sku_id")),
        "order_id": _int(props.get("order_id")),
        "lang": str(props.get("lang") or ""),
    }
    name = event.name
    if name == "Product Reviewed":
        text = _text(props)
        if not text:
            return None
        return services.FeedbackInput(
            channel=Channel.REVIEW, external_id=_external_id(event, "review_id"), text=text,
            rating=_rating(props), **common,
        )  # fmt: skip
    if name == "Comment Posted":
        text = _text(props)
        if not text:
            return None
        channel = Channel.LIVE_COMMENT if props.get("live_session_id") else Channel.COMMENT
        return services.FeedbackInput(
            channel=channel, external_id=_external_id(event, "comment_id"), text=text, **common,
            properties={k: props[k] for k in ("post_id", "community_id", "live_session_id") if k in props},
        )  # fmt: skip
    if name == "Survey Answered":
        text = _text(props)
        rating = _rating(props)
        if not text and rating is None:
            return None
        return services.FeedbackInput(
            channel=Channel.QUESTIONNAIRE, external_id=_external_id(event, "answer_id", "response_id"),
            text=text or "", rating=rating, **common,
        )  # fmt: skip
    if name == "Ticket Opened":
        text = _text(props)
        if not text:
            return None
        return services.FeedbackInput(
            channel=Channel.SERVICE_CHAT, external_id=_external_id(event, "ticket_id"), text=text, **common
        )
    if name == "Return Requested":
        text = _text(props)
        if not text:
            return None
        return services.FeedbackInput(
            channel=Channel.RETURN_REASON, external_id=_external_id(event, "return_id", "refund_id"),
            text=text, **common,
        )  # fmt: skip
    if name == "Products Searched":
        query = str(props.get("query") or "").strip()
        count = _int(props.get("results_count", props.get("result_count", props.get("results"))))
        if not query or count is None or count > few_results():
            return None
        return services.FeedbackInput(
            channel=Channel.SEARCH_QUERY, external_id=_external_id(event), text=query[:500],
            properties={"results_count": count}, **common,
        )  # fmt: skip
    return None


@dataclass
class CollectResult:
    events: int = 0
    feedback: int = 0
    behaviour: int = 0
    last_event_id: int = 0


class _Watches:
    """Views and carts of one batch, kept in memory and written in a few queries: replaying months of
    history would otherwise cost several queries per event."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, int, int], list] = {}
        self.cleared: list[tuple[int, set[int], datetime]] = []

    def add(self, kind: str, event, product_ids: Iterable[int]) -> None:
        props = event.properties or {}
        for product_id in product_ids:
            key = (kind, event.user_id, product_id)
            entry = self.pending.get(key)
            if entry is None:
                kept = {k: props[k] for k in ("price", "category", "sku_id") if k in props}
                self.pending[key] = [event.occurred_at, event.occurred_at, 1, kept]
            else:
                entry[0] = min(entry[0], event.occurred_at)
                entry[1] = max(entry[1], event.occurred_at)
                entry[2] += 1

    def clear(self, user_id: int, product_ids: set[int], at: datetime) -> None:
        """An order: the user's watches on these products (all of them if the order lists none) end."""
        for key in [k for k in self.pending if k[1] == user_id and (not product_ids or k[2] in product_ids)]:
            del self.pending[key]
        self.cleared.append((user_id, product_ids, at))

    def flush(self) -> None:
        for user_id, product_ids, at in self.cleared:
            stale = BehaviourWatch.objects.filter(user_id=user_id)
            if product_ids:
                stale = stale.filter(product_id_value__in=product_ids)
            else:
                stale = stale.filter(started_at__lte=at)
            stale.delete()
        if not self.pending:
            return
        existing = {
            (w.kind, w.user_id, w.product_id_value): w
            for w in BehaviourWatch.objects.filter(
                user_id__in={k[1] for k in self.pending}, product_id_value__in={k[2] for k in self.pending}
            )
        }
        new, changed = [], []
        for key, (started, last, count, props) in self.pending.items():
            watch = existing.get(key)
            if watch is None:
                new.append(BehaviourWatch(kind=key[0], user_id=key[1], product_id_value=key[2], started_at=started,
                                          last_seen_at=last, count=count, properties=props))  # fmt: skip
            else:
                watch.count += count
                watch.last_seen_at = max(watch.last_seen_at, last)
                changed.append(watch)
        BehaviourWatch.objects.bulk_create(new, batch_size=1000)
        BehaviourWatch.objects.bulk_update(changed, ["count", "last_seen_at"], batch_size=500)


def behaviour_sweep(*, stream_time: datetime) -> int:
    """Turn watches whose window passed without an order into behaviour feedback."""
    items: list[services.FeedbackInput] = []
    done: list[int] = []
    for kind, channel, window in (
        (BehaviourWatch.Kind.VIEW, Channel.VIEWED_NOT_BOUGHT, view_window()),
        (BehaviourWatch.Kind.CART, Channel.CART_ABANDONED, cart_window()),
    ):
        for watch in BehaviourWatch.objects.filter(kind=kind, last_seen_at__lt=stream_time - window):
            done.append(watch.id)
            items.append(
                services.FeedbackInput(
                    channel=channel,
                    external_id=f"{watch.user_id}:{watch.product_id_value}:{watch.started_at:%Y%m%d%H%M%S}",
                    created_at=watch.last_seen_at,
                    user_id=watch.user_id,
                    product_id=watch.product_id_value,
                    properties={**watch.properties, "times": watch.count},
                )
            )
    with transaction.atomic():
        created = services.feedback_record_many(items, origin=FeedbackOrigin.OUTBOX)
        BehaviourWatch.objects.filter(id__in=done).delete()
    return created


def collect(*, batch_size: int = 2000, max_batches: int = 1000) -> CollectResult:
    """Read new outbox events into feedback and behaviour signals; safe to run concurrently with itself
    only in one worker (the consumer position is the lock)."""
    result = CollectResult()
    stream_time = None
    caught_up = True
    for _ in range(max_batches):
        batch, _position = events_after(consumer=CONSUMER, limit=batch_size)
        if not batch:
            break
        items = []
        watches = _Watches()
        sku_product = sources.sku_products(s for e in batch for s in _sku_ids(e.properties or {}))
        with transaction.atomic():
            for event in batch:
                props = event.properties or {}
                item = feedback_from_event(event)
                if item is not None:
                    items.append(item)
                elif not event.user_id:
                    continue
                elif event.name == "Product Viewed":
                    watches.add(BehaviourWatch.Kind.VIEW, event, _product_ids(props))
                elif event.name in {"Product Added", "Checkout Started"}:
                    ids = set(_product_ids(props)) | {
                        sku_product[s] for s in _sku_ids(props) if s in sku_product
                    }
                    watches.add(BehaviourWatch.Kind.CART, event, sorted(ids))
                elif event.name == "Order Completed":
                    ids = set(_product_ids(props)) | {
                        sku_product[s] for s in _sku_ids(props) if s in sku_product
                    }
                    watches.clear(event.user_id, ids, event.occurred_at)
            watches.flush()
            result.feedback += services.feedback_record_many(items, origin=FeedbackOrigin.OUTBOX)
            consumer_advance(consumer=CONSUMER, last_event_id=batch[-1].id)
        result.events += len(batch)
        result.last_event_id = batch[-1].id
        stream_time = batch[-1].occurred_at
        if len(batch) < batch_size:
            break
    else:
        caught_up = False
    # Caught up with the stream: the window ends now; still replaying history: it ends at the last event.
    sweep_at = clock.now() if caught_up or stream_time is None else min(stream_time, clock.now())
    result.behaviour = behaviour_sweep(stream_time=sweep_at)
    return result


def backfill_reviews(*, batch_size: int = 5000) -> int:
    """Reviews written before the outbox carried them (imports, the demo's history) become feedback.
    Same external id as the Product Reviewed collector (the review id), so nothing is counted twice."""
    from loopmall.core.models import ConsumerPosition

    position, _ = ConsumerPosition.objects.get_or_create(consumer=REVIEW_BACKFILL_CONSUMER)
    last = position.last_event_id
    created = 0
    while True:
        rows = sources.reviews_after(last, limit=batch_size)
        if not rows:
            break
        items = [
            services.FeedbackInput(
                channel=Channel.REVIEW,
                external_id=str(r.id),
                created_at=r.created_at,
                text=r.text,
                user_id=r.user_id,
                product_id=r.product_id,
                sku_id=r.sku_id,
                order_id=r.order_id,
                rating=r.rating,
                lang=r.lang,
            )  # fmt: skip
            for r in rows
            if r.text.strip()
        ]
        with transaction.atomic():
            created += services.feedback_record_many(items, origin=FeedbackOrigin.BACKFILL)
            last = rows[-1].id
            consumer_advance(consumer=REVIEW_BACKFILL_CONSUMER, last_event_id=last)
    return created
