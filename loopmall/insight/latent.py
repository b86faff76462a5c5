"""Latent demands: needs customers show by what they do rather than say.

Each detector reads the outbox (views, carts, orders) and behaviour feedback for one window and writes
hypotheses with their numbers and the users behind them:
  low_conversion            a product many view but few buy, against its category's conversion
  attribute_low_conversion  the same for a product attribute (e.g. `eco`) against the same categories
  cart_abandonment          abandonment concentrated on a price band or an attribute
  unmet_search              searches with no or few results, grouped by meaning (可降解 / 降解袋)
  rising_interest           views of an attribute rising week over week
A difference counts only when a one-sided two-proportion test gives p < ALPHA and the volume clears
the minimums below, so one curious shopper does not make a hypothesis.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loopmall.core import clock
from loopmall.core.models import OutboxEvent
from loopmall.insight import engine, frequency, sources, weeks
from loopmall.insight.models import Channel, Feedback, LatentDemand

ALPHA = 0.05
MIN_VIEWERS = 20
MIN_CARTS = 10
MIN_SEARCHES = 3
MAX_USERS = 200
PRICE_BANDS_MINOR = (0, 5_000, 10_000, 20_000, 50_000, 100_000)  # CNY 0-50-100-200-500-1000+


@dataclass(frozen=True)
class Hypothesis:
    kind: str
    key: str
    evidence: dict[str, Any]
    user_ids: list[int]
    strength: float
    first_signal_at: datetime | None

    @property
    def title(self) -> str:
        """The title in the active language (see `latent_title`)."""
        return latent_title(self.kind, self.evidence)


def _percent(value: Any, digits: int = 0) -> str:
    return f"{float(value):.{digits}%}"


def _group_label(group: str) -> str:
    """A cart group key (`price:50-100`, `price:unknown`, `attribute:eco`) as words."""
    kind, value = group.split(":", 1)
    if kind == "price":
        if value == "unknown":
            return _("an unknown price")
        return _("price band ¥%(band)s") % {"band": value}
    return _("“%(attribute)s”") % {"attribute": value}


def latent_title(kind: str, evidence: dict[str, Any], *, fallback: str = "") -> str:
    """A hypothesis' one-line title in the active language, from the numbers kept in its evidence.

    Titles are rendered when shown, not stored in one language: the stored `LatentDemand.title` is only
    the site-language rendering at detection time, used when the evidence lacks a number (rows made
    before the evidence carried everything the title needs).
    """
    e = evidence or {}
    try:
        if kind == LatentDemand.Kind.LOW_CONVERSION:
            return _(
                "%(product)s: %(viewers)d viewers, %(conversion)s bought vs %(category_conversion)s in its "
                "category"
            ) % {"product": e["product"], "viewers": e["viewers"], "conversion": _percent(e["conversion"]),
                 "category_conversion": _percent(e["category_conversion"])}  # fmt: skip
        if kind == LatentDemand.Kind.ATTRIBUTE_LOW_CONVERSION:
            return _(
                "“%(attribute)s” products: %(viewers)d viewers, %(conversion)s bought vs "
                "%(comparison_conversion)s for similar products"
            ) % {"attribute": e["attribute"], "viewers": e["viewers"], "conversion": _percent(e["conversion"]),
                 "comparison_conversion": _percent(e["comparison_conversion"])}  # fmt: skip
        if kind == LatentDemand.Kind.CART_ABANDONMENT:
            return _("Carts with %(group)s: %(rate)s abandoned vs %(other_rate)s elsewhere") % {
                "group": _group_label(e["group"]), "rate": _percent(e["rate"]),
                "other_rate": _percent(e["other_rate"]),
            }  # fmt: skip
        if kind == LatentDemand.Kind.UNMET_SEARCH:
            similar = e.get("similar_searches", len(e.get("queries") or {}) - 1)
            return _(
                "“%(label)s” and %(similar)d similar searches: %(searches)d times, %(zero)d with no results"
            ) % {"label": e["label"], "similar": max(0, similar), "searches": e["searches"],
                 "zero": e["zero_results"]}  # fmt: skip
        if kind == LatentDemand.Kind.RISING_INTEREST:
            return _(
                "Interest in “%(attribute)s” rising: %(share)s of product views vs %(previous_share)s in the "
                "4 weeks before"
            ) % {"attribute": e["attribute"], "share": _percent(e["share"], 1),
                 "previous_share": _percent(e["previous_share"], 1)}  # fmt: skip
    except (KeyError, TypeError, ValueError):
        pass
    return fallback


# What the evidence numbers are called on the latent-demand page; ratios are shown as percentages.
EVIDENCE_LABELS = {
    "product_id": gettext_lazy("product id"),
    "product": gettext_lazy("product"),
    "category": gettext_lazy("category"),
    "attribute": gettext_lazy("attribute"),
    "attributes": gettext_lazy("attributes"),
    "group": gettext_lazy("cart group"),
    "label": gettext_lazy("search"),
    "viewers": gettext_lazy("viewers"),
    "buyers": gettext_lazy("buyers"),
    "carts": gettext_lazy("carts"),
    "abandoned": gettext_lazy("abandoned"),
    "searches": gettext_lazy("searches"),
    "similar_searches": gettext_lazy("similar searches"),
    "zero_results": gettext_lazy("with no results"),
    "users": gettext_lazy("users"),
    "views": gettext_lazy("views"),
    "all_views": gettext_lazy("all product views"),
    "previous_views": gettext_lazy("views, 4 weeks before"),
    "previous_all_views": gettext_lazy("all product views, 4 weeks before"),
    "conversion": gettext_lazy("bought"),
    "category_conversion": gettext_lazy("bought in its category"),
    "comparison_conversion": gettext_lazy("bought, similar products"),
    "rate": gettext_lazy("abandoned share"),
    "other_rate": gettext_lazy("abandoned elsewhere"),
    "share": gettext_lazy("share of views"),
    "previous_share": gettext_lazy("share of views, 4 weeks before"),
    "p_value": gettext_lazy("p-value"),
}
_RATIOS = frozenset(
    {
        "conversion",
        "category_conversion",
        "comparison_conversion",
        "rate",
        "other_rate",
        "share",
        "previous_share",
    }
)
_NOT_SHOWN = frozenset({"queries", "products"})  # shown on their own line / too long


def latent_evidence(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of a hypothesis' evidence for display, in the active language."""
    out = []
    for key, value in (evidence or {}).items():
        if key in _NOT_SHOWN:
            continue
        if key in _RATIOS and isinstance(value, int | float):
            shown = _percent(value, 1)
        elif key == "group" and isinstance(value, str) and ":" in value:
            shown = _group_label(value)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "—"
        else:
            shown = str(value)
        out.append((str(EVIDENCE_LABELS.get(key, key)), shown))
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _strength(p_value: float) -> float:
    return round(min(10.0, -math.log10(max(p_value, 1e-10))), 3)


def price_band(price_minor: int | None) -> str:
    if price_minor is None:
        return "unknown"
    bounds = PRICE_BANDS_MINOR
    for low, high in zip(bounds, bounds[1:], strict=False):
        if low <= price_minor < high:
            return f"{low // 100}-{high // 100}"
    return f"{bounds[-1] // 100}+"


@dataclass
class _Behaviour:
    viewers: dict[int, set[int]]  # product -> users who viewed
    buyers: dict[int, set[int]]  # product -> users who bought
    first_view: dict[int, datetime]
    carts: dict[int, set[int]]  # product -> users who put it in a cart / started checkout


def _behaviour(start: datetime, end: datetime, *, purchase_grace: timedelta) -> _Behaviour:
    viewers: dict[int, set[int]] = defaultdict(set)
    buyers: dict[int, set[int]] = defaultdict(set)
    carts: dict[int, set[int]] = defaultdict(set)
    first_view: dict[int, datetime] = {}
    skus: list[int] = []
    rows = list(
        OutboxEvent.objects.filter(
            occurred_at__gte=start,
            occurred_at__lt=end + purchase_grace,
            user_id__isnull=False,
            name__in=["Product Viewed", "Product Added", "Checkout Started", "Order Completed"],
        ).values_list("name", "user_id", "properties", "occurred_at")
    )
    for _name, _user, props, _at in rows:
        props = props or {}
        skus += [_int(props.get("sku_id"))] + [
            _int(i.get("sku_id")) for i in props.get("products") or [] if isinstance(i, dict)
        ]
    sku_product = sources.sku_products(s for s in skus if s)
    for name, user, props, at in rows:
        props = props or {}
        products = {_int(props.get("product_id")), sku_product.get(_int(props.get("sku_id")))}
        for item in props.get("products") or []:
            if isinstance(item, dict):
                products |= {_int(item.get("product_id")), sku_product.get(_int(item.get("sku_id")))}
        products.discard(None)
        for product in products:
            if name == "Order Completed":
                buyers[product].add(user)
            elif at < end and name == "Product Viewed":
                viewers[product].add(user)
                first_view[product] = min(first_view.get(product, at), at)
            elif at < end:
                carts[product].add(user)
    return _Behaviour(viewers, buyers, first_view, carts)


def _low_conversion(behaviour: _Behaviour, info: dict[int, sources.ProductInfo]) -> list[Hypothesis]:
    out = []
    by_category: dict[int | None, list[int]] = defaultdict(list)
    for product in behaviour.viewers:
        by_category[info[product].category_id if product in info else None].append(product)
    converted = {p: behaviour.viewers[p] & behaviour.buyers.get(p, set()) for p in behaviour.viewers}
    for products in by_category.values():
        category_viewers = sum(len(behaviour.viewers[p]) for p in products)
        category_buyers = sum(len(converted[p]) for p in products)
        for product in products:
            n = len(behaviour.viewers[product])
            x = len(converted[product])
            rest_n, rest_x = category_viewers - n, category_buyers - x
            if n < MIN_VIEWERS or rest_n < MIN_VIEWERS:
                continue
            z, p_value = frequency.two_proportion_increase(
                rest_x, rest_n, x, n
            )  # category higher than product
            if p_value >= ALPHA:
                continue
            name = info[product].name if product in info else str(product)
            not_bought = sorted(behaviour.viewers[product] - converted[product])
            out.append(
                Hypothesis(
                    kind=LatentDemand.Kind.LOW_CONVERSION,
                    key=f"product:{product}",
                    evidence={
                        "product_id": product, "product": name,
                        "category": info[product].category_name if product in info else "",
                        "viewers": n, "buyers": x, "conversion": round(x / n, 4),
                        "category_conversion": round(rest_x / rest_n, 4), "p_value": round(p_value, 6),
                        "attributes": list(info[product].attributes) if product in info else [],
                    },
                    user_ids=not_bought[:MAX_USERS],
                    strength=_strength(p_value),
                    first_signal_at=behaviour.first_view.get(product),
                )
            )  # fmt: skip
    return out


def _attribute_low_conversion(
    behaviour: _Behaviour, info: dict[int, sources.ProductInfo]
) -> list[Hypothesis]:
    out = []
    attributes = sorted({a for p in behaviour.viewers if p in info for a in info[p].attributes})
    for attribute in attributes:
        with_attr = [p for p in behaviour.viewers if p in info and attribute in info[p].attributes]
        categories = {info[p].category_id for p in with_attr}
        others = [
            p
            for p in behaviour.viewers
            if p in info and p not in with_attr and info[p].category_id in categories
        ]
        n = sum(len(behaviour.viewers[p]) for p in with_attr)
        x = sum(len(behaviour.viewers[p] & behaviour.buyers.get(p, set())) for p in with_attr)
        rest_n = sum(len(behaviour.viewers[p]) for p in others)
        rest_x = sum(len(behaviour.viewers[p] & behaviour.buyers.get(p, set())) for p in others)
        if n < MIN_VIEWERS or rest_n < MIN_VIEWERS:
            continue
        z, p_value = frequency.two_proportion_increase(rest_x, rest_n, x, n)
        if p_value >= ALPHA:
            continue
        users = set().union(*(behaviour.viewers[p] - behaviour.buyers.get(p, set()) for p in with_attr))
        out.append(
            Hypothesis(
                kind=LatentDemand.Kind.ATTRIBUTE_LOW_CONVERSION,
                key=f"attribute:{attribute}",
                evidence={
                    "attribute": attribute, "products": len(with_attr), "viewers": n, "buyers": x,
                    "conversion": round(x / n, 4), "comparison_conversion": round(rest_x / rest_n, 4),
                    "p_value": round(p_value, 6),
                },
                user_ids=sorted(users)[:MAX_USERS],
                strength=_strength(p_value),
                first_signal_at=min((behaviour.first_view[p] for p in with_attr if p in behaviour.first_view), default=None),
            )
        )  # fmt: skip
    return out


def _cart_abandonment(behaviour: _Behaviour, info: dict[int, sources.ProductInfo]) -> list[Hypothesis]:
    """Group carts by price band and attribute; a group whose carts end without an order more often than
    the rest is a hypothesis (price too high for what it is, an attribute that puts people off)."""
    groups: dict[str, set[tuple[int, int]]] = defaultdict(set)
    abandoned: set[tuple[int, int]] = set()
    all_carts: set[tuple[int, int]] = set()
    for product, users in behaviour.carts.items():
        item = info.get(product)
        for user in users:
            pair = (user, product)
            all_carts.add(pair)
            if user not in behaviour.buyers.get(product, set()):
                abandoned.add(pair)
            groups[f"price:{price_band(item.price_minor if item else None)}"].add(pair)
            for attribute in item.attributes if item else ():
                groups[f"attribute:{attribute}"].add(pair)
    out = []
    for key, pairs in sorted(groups.items()):
        n, x = len(pairs), len(pairs & abandoned)
        rest_n, rest_x = len(all_carts) - n, len(abandoned) - x
        if x < MIN_CARTS or rest_n < MIN_CARTS:
            continue
        z, p_value = frequency.two_proportion_increase(x, n, rest_x, rest_n)
        if p_value >= ALPHA:
            continue
        out.append(
            Hypothesis(
                kind=LatentDemand.Kind.CART_ABANDONMENT,
                key=key,
                evidence={
                    "group": key, "carts": n, "abandoned": x, "rate": round(x / n, 4),
                    "other_rate": round(rest_x / rest_n, 4), "p_value": round(p_value, 6),
                    "products": sorted({p for _, p in pairs})[:50],
                },
                user_ids=sorted({u for u, _ in pairs & abandoned})[:MAX_USERS],
                strength=_strength(p_value),
                first_signal_at=None,
            )
        )  # fmt: skip
    return out


def _bigrams(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact[i : i + 2] for i in range(len(compact) - 1)} or {compact}


def group_queries(queries: Iterable[str]) -> list[list[str]]:
    """Group search queries that mean the same thing: shared content tokens or overlapping character
    pairs after normalisation ("可降解" / "降解袋" / "可降解垃圾袋" end up together)."""
    unique = sorted({q.strip() for q in queries if q and q.strip()})
    tokens = {q: {t for t in engine.tokenize(q) if len(t) >= 2} for q in unique}
    grams = {q: _bigrams(q.lower()) for q in unique}
    parent = {q: q for q in unique}

    def find(q: str) -> str:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for i, a in enumerate(unique):
        for b in unique[i + 1 :]:
            shared_token = tokens[a] & tokens[b]
            overlap = len(grams[a] & grams[b]) / max(1, min(len(grams[a]), len(grams[b])))
            if shared_token or overlap >= 0.5:
                parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for q in unique:
        groups[find(q)].append(q)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _unmet_search(start: datetime, end: datetime) -> list[Hypothesis]:
    rows = list(
        Feedback.objects.filter(
            channel=Channel.SEARCH_QUERY, created_at__gte=start, created_at__lt=end
        ).values_list("text", "user_id", "created_at", "properties")
    )
    counts = Counter(r[0].strip() for r in rows)
    out = []
    for group in group_queries(counts):
        members = [r for r in rows if r[0].strip() in group]
        searches = len(members)
        users = sorted({r[1] for r in members if r[1]})
        if searches < MIN_SEARCHES:
            continue
        label = max(group, key=lambda q: (counts[q], -len(q)))
        zero = sum(1 for r in members if (r[3] or {}).get("results_count") == 0)
        out.append(
            Hypothesis(
                kind=LatentDemand.Kind.UNMET_SEARCH,
                key=f"search:{label}",
                evidence={
                    "label": label, "similar_searches": len(group) - 1, "searches": searches, "zero_results": zero, "users": len(users),
                    "queries": {q: counts[q] for q in sorted(group, key=lambda q: -counts[q])[:20]},
                },
                user_ids=users[:MAX_USERS],
                strength=round(math.log2(1 + searches) + math.log2(1 + len(users)), 3),
                first_signal_at=min(r[2] for r in members),
            )
        )  # fmt: skip
    return out


def _rising_interest(end: datetime, info_for) -> list[Hypothesis]:
    """Views of products with an attribute this window vs the four windows before, as a share of views."""
    start = end - timedelta(days=7)
    baseline_start = start - timedelta(days=28)
    rows = list(
        OutboxEvent.objects.filter(
            name="Product Viewed", occurred_at__gte=baseline_start, occurred_at__lt=end
        ).values_list("user_id", "properties", "occurred_at")
    )
    products = {_int((p or {}).get("product_id")) for _, p, _ in rows} - {None}
    info = info_for(products)
    now_views: Counter = Counter()
    before_views: Counter = Counter()
    now_users: dict[str, set[int]] = defaultdict(set)
    now_total = before_total = 0
    for user, props, at in rows:
        product = _int((props or {}).get("product_id"))
        attributes = info[product].attributes if product in info else ()
        if at >= start:
            now_total += 1
            for attribute in attributes:
                now_views[attribute] += 1
                if user:
                    now_users[attribute].add(user)
        else:
            before_total += 1
            for attribute in attributes:
                before_views[attribute] += 1
    out = []
    for attribute, x in now_views.items():
        x0 = before_views.get(attribute, 0)
        if x < MIN_VIEWERS or before_total == 0:
            continue
        z, p_value = frequency.two_proportion_increase(x, now_total, x0, before_total)
        if p_value >= ALPHA:
            continue
        share, share0 = x / now_total, x0 / before_total
        out.append(
            Hypothesis(
                kind=LatentDemand.Kind.RISING_INTEREST,
                key=f"attribute:{attribute}",
                evidence={
                    "attribute": attribute, "views": x, "all_views": now_total, "share": round(share, 4),
                    "previous_views": x0, "previous_all_views": before_total, "previous_share": round(share0, 4),
                    "p_value": round(p_value, 6),
                },
                user_ids=sorted(now_users[attribute])[:MAX_USERS],
                strength=_strength(p_value),
                first_signal_at=start,
            )
        )  # fmt: skip
    return out


def detect(*, end: datetime | None = None, days: int = 7) -> list[Hypothesis]:
    """Every latent-demand hypothesis for the `days` before `end` (default: now)."""
    end = end or clock.now()
    start = end - timedelta(days=days)
    behaviour = _behaviour(start, end, purchase_grace=timedelta(days=0))
    products = set(behaviour.viewers) | set(behaviour.carts)
    info = sources.products_info(products)
    found = []
    found += _low_conversion(behaviour, info)
    found += _attribute_low_conversion(behaviour, info)
    found += _cart_abandonment(behaviour, info)
    found += _unmet_search(start, end)
    found += _rising_interest(end, sources.products_info)
    found.sort(key=lambda h: -h.strength)
    return found


def latent_refresh(*, week: str | None = None) -> list[LatentDemand]:
    """Detect hypotheses for a closed week, or for the last 7 days (stored under the current week)."""
    if week:
        start, end = weeks.week_bounds(week)
        end = min(end, clock.now())
    else:
        end = clock.now()
        week = weeks.week_of(end)
    hypotheses = detect(end=end)
    now = clock.now()
    stored = []
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for h in hypotheses:
            # The stored title is the site-language rendering; pages render it again in the viewer's.
            values = {"title": h.title[:300], "evidence": h.evidence, "user_ids": h.user_ids,
                      "strength": h.strength, "first_signal_at": h.first_signal_at}  # fmt: skip
            # detected_at keeps the first detection: signal-to-detection time is a goal (72 hours).
            row, created = LatentDemand.objects.get_or_create(
                kind=h.kind, key=h.key[:200], week=week, defaults={**values, "detected_at": now}
            )
            if not created:
                for name, value in values.items():
                    setattr(row, name, value)
                row.save(update_fields=list(values))
            stored.append(row)
    return stored
