"""Segment rules: a small JSON language over tags, profile facts, user properties and events.

    {"match": "all" | "any",
     "conditions": [
        {"type": "tag", "tag": "price_sensitive", "min_score": 0.8},
        {"type": "event", "name": "Product Viewed", "within_days": 14, "property": "category", "value": "tea"},
        {"type": "bought", "within_days": 14, "category": "tea", "negate": true},
        {"type": "profile", "field": "lifecycle", "value": "active"},
        {"type": "user", "field": "channel", "value": "douyin"}]}

Every condition may carry "negate": true. Rules compile to one SQL query on the users table (EXISTS
sub-queries), so a preview count is a single COUNT and the same rules run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from loopmall.core import clock
from loopmall.core.errors import DomainError
from loopmall.core.models import OutboxEvent
from loopmall.orders import selectors as orders_selectors
from loopmall.profiles.models import UserProfile, UserTag

CONDITION_TYPES = ("tag", "profile", "user", "event", "bought")
PROFILE_FIELDS = ("lifecycle", "rfm_segment", "preferred_channel")
USER_FIELDS = ("channel", "city")
MAX_WINDOW_DAYS = 3650


def _fail(index: int, field: str, message: str) -> DomainError:
    return DomainError(message, field=f"conditions[{index}].{field}")


def validate(rules: Any) -> None:
    """Raise DomainError naming the condition and field at fault."""
    if not isinstance(rules, dict):
        raise DomainError("Rules must be a JSON object.", field="rules")
    if rules.get("match", "all") not in ("all", "any"):
        raise DomainError('match must be "all" or "any".', field="match")
    conditions = rules.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise DomainError("Add at least one condition.", field="conditions")
    if len(conditions) > 20:
        raise DomainError("At most 20 conditions.", field="conditions")
    for index, condition in enumerate(conditions):
        if not isinstance(condition, dict):
            raise _fail(index, "type", "each condition must be an object")
        kind = condition.get("type")
        if kind not in CONDITION_TYPES:
            raise _fail(index, "type", f"must be one of {', '.join(CONDITION_TYPES)}")
        if "negate" in condition and not isinstance(condition["negate"], bool):
            raise _fail(index, "negate", "must be true or false")
        if kind == "tag":
            if not isinstance(condition.get("tag"), str) or not condition["tag"].strip():
                raise _fail(index, "tag", "name the tag")
            score = condition.get("min_score", 0)
            if not isinstance(score, int | float) or isinstance(score, bool) or not 0 <= score <= 1:
                raise _fail(index, "min_score", "must be a number from 0 to 1")
        elif kind in ("profile", "user"):
            allowed = PROFILE_FIELDS if kind == "profile" else USER_FIELDS
            if condition.get("field") not in allowed:
                raise _fail(index, "field", f"must be one of {', '.join(allowed)}")
            if not isinstance(condition.get("value"), str):
                raise _fail(index, "value", "must be text")
        else:
            if kind == "event" and (
                not isinstance(condition.get("name"), str) or not condition["name"].strip()
            ):
                raise _fail(index, "name", "name the event, e.g. Product Viewed")
            days = condition.get("within_days", 30)
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_WINDOW_DAYS:
                raise _fail(
                    index, "within_days", f"must be a whole number of days from 1 to {MAX_WINDOW_DAYS}"
                )
            count = condition.get("min_count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise _fail(index, "min_count", "must be a whole number ≥ 1")
            if "property" in condition and (
                not isinstance(condition["property"], str) or not condition["property"].isidentifier()
            ):
                raise _fail(index, "property", "must be a property name (letters, digits, _)")
            if kind == "bought" and "category" in condition and not isinstance(condition["category"], str):
                raise _fail(index, "category", "must be text")


def _condition_q(condition: dict) -> Q | Exists:
    kind = condition["type"]
    if kind == "tag":
        return Exists(
            UserTag.objects.filter(
                user_id=OuterRef("pk"), tag=condition["tag"], score__gte=condition.get("min_score", 0)
            )
        )
    if kind == "profile":
        return Exists(
            UserProfile.objects.filter(user_id=OuterRef("pk"), **{condition["field"]: condition["value"]})
        )
    if kind == "user":
        return Q(**{condition["field"]: condition["value"]})
    since = clock.now() - timedelta(days=condition.get("within_days", 30))
    if kind == "event":
        return Exists(_events(condition["name"], since, condition.get("property"), condition.get("value"),
                              condition.get("min_count", 1)))  # fmt: skip
    # bought: a paid order in the window, optionally with a line in a category (by slug or name).
    buyers = orders_selectors.buyer_ids(since=since, category=condition.get("category") or None,
                                        min_orders=condition.get("min_count", 1))  # fmt: skip
    return Q(pk__in=buyers)


def _events(name, since, prop, value, min_count):
    from django.db.models import Count

    events = OutboxEvent.objects.filter(user_id=OuterRef("pk"), name=name, occurred_at__gte=since)
    if prop:
        events = events.filter(**{f"properties__{prop}": value})
    if min_count > 1:
        events = events.order_by().values("user_id").annotate(n=Count("id")).filter(n__gte=min_count)
    return events


def users_matching(rules: dict) -> QuerySet:
    validate(rules)
    parts = []
    for condition in rules["conditions"]:
        q = _condition_q(condition)
        parts.append(~q if condition.get("negate") else q)
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if rules.get("match", "all") == "all" else (combined | part)
    return get_user_model().objects.filter(combined, is_staff=False)


def preview_count(rules: dict) -> int:
    return users_matching(rules).count()
