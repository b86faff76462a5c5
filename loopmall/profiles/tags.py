"""User tags computed in the warehouse.

Two stages, so the same code runs on DuckDB and on Spark:

1. **Evidence** (`evidence_table`): one Ibis expression that counts, per user, the observable signals
   behind each need tag (orders that used a deal, items bought at the budget tier, gift-wrapped orders,
   family-category items, ...). This is the heavy part and runs on whatever engine holds the data.
2. **Scoring** (`score_need_tags`): a latent-class model (a mixture of independent binomials, fitted
   by EM without any labels) on the *distinct* evidence vectors, so it handles millions of users with a
   small table. A user's score is the posterior probability of belonging to the trait class. A tag is
   given only when that probability reaches the threshold and the user has enough orders: too little
   evidence gives no tag rather than a guess.

Lifecycle, RFM, repurchase cycle, fission role and preferred channel are plain Ibis expressions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import ibis
import numpy as np
import pandas as pd
from ibis import _

PAID_STATUSES = ("paid", "shipped", "delivered", "completed", "refund_requested", "refunded")
DEAL_CHANNELS = ("group_buy", "flash_sale")


@dataclass(frozen=True)
class Signal:
    column: str
    per: str  # "orders" or "items": what the count is out of
    zh: str
    en: str


@dataclass(frozen=True)
class NeedTag:
    code: str
    definition: str
    signals: tuple[Signal, ...]


NEED_TAGS: tuple[NeedTag, ...] = (
    NeedTag(
        "price_sensitive",
        "Buying responds to price: most orders use a discount, coupon, flash sale or group buy, "
        "or the cheapest tier of a category.",
        (
            Signal(
                "deal_orders",
                "orders",
                "用了优惠/拼团/秒杀的订单",
                "orders with a discount, coupon, group buy or flash sale",
            ),
            Signal(
                "budget_items", "items", "买的是品类最便宜档", "items at the cheapest tier of their category"
            ),
            Signal("budget_views", "views", "浏览的是最便宜档", "product views at the cheapest tier"),
            Signal("coupon_events", "views", "领券/输入优惠码", "coupon entries"),
        ),
    ),
    NeedTag(
        "quality_oriented",
        "Buys the premium tier or the top price quartile of a category at full price, rarely with discounts.",
        (
            Signal(
                "premium_full_price_items",
                "items",
                "原价买高端档/品类价格前25%",
                "premium or top-quartile items at full price",
            ),
            Signal("full_price_orders", "orders", "未用任何优惠的订单", "orders without any discount"),
            Signal("premium_views", "views", "浏览高端档", "product views at the premium tier"),
        ),
    ),
    NeedTag(
        "scenario_gift",
        "Buys for others: gift wrap, ships to other people, gift sets.",
        (
            Signal("gift_wrapped_orders", "orders", "要求礼品包装的订单", "gift-wrapped orders"),
            Signal("shipped_to_others_orders", "orders", "寄给他人的订单", "orders shipped to someone else"),
            Signal("gift_set_items", "items", "礼盒装商品", "gift-box items"),
            Signal("gift_set_views", "views", "浏览礼盒装", "gift-box product views"),
        ),
    ),
    NeedTag(
        "scenario_family",
        "Buys mother-and-baby, kids' or family categories and kits.",
        (
            Signal(
                "family_items", "items", "母婴/儿童/家庭品类商品", "mother-and-baby, kids' or family items"
            ),
            Signal(
                "family_views",
                "views",
                "浏览母婴/儿童/家庭品类",
                "mother-and-baby, kids' or family product views",
            ),
        ),
    ),
)
NEED_TAG_CODES = tuple(t.code for t in NEED_TAGS)
FAMILY_ATTRIBUTES = ("family", "baby", "kids", "kit")
GIFT_ATTRIBUTES = ("gift_box", "gift_set")


@dataclass(frozen=True)
class ScoringPolicy:
    threshold: float = 0.8
    min_orders: int = 1
    classes: int = 3
    iterations: int = 200


def _has_any(attributes, words: Iterable[str]):
    condition = ibis.literal(False)
    for word in words:
        condition = condition | attributes.contains(word)
    return condition


def evidence_table(
    orders: ibis.Table,
    order_items: ibis.Table,
    products: ibis.Table,
    events: ibis.Table | None = None,
    *,
    family_categories: Iterable[str] = (),
) -> ibis.Table:
    """Per user: paid orders, items, product views and the count behind every need-tag signal."""
    paid = orders.filter(orders.status.isin(PAID_STATUSES))
    order_has_deal = (
        (paid.discount_minor.fill_null(0) > 0)
        | (paid.coupon_code.fill_null("") != "")
        | (paid.group_buy_id.fill_null("") != "")
        | paid.channel.isin(DEAL_CHANNELS)
    )
    paid = paid.mutate(
        has_deal=order_has_deal,
        gift_wrapped=paid.is_gift_wrapped.fill_null(False),
        shipped_to_others=~paid.ship_to_self.fill_null(True),
    )

    catalog = sku_catalog(products)
    items = order_items.select("order_id", "sku_id", "discount_minor").join(
        paid.select("order_id", "user_id", "has_deal"), "order_id"
    )
    items = items.left_join(catalog, items.sku_id == catalog.sku_id).select(
        "user_id",
        "has_deal",
        "discount_minor",
        "attributes",
        "tier",
        "top_quartile",
        "family_category",
        category="sku_category",
    )
    family_categories = list(family_categories)
    is_family = _has_any(items.attributes.fill_null(""), FAMILY_ATTRIBUTES) | items.family_category.fill_null(
        False
    )
    if family_categories:
        is_family = is_family | items.category.isin(family_categories)
    full_price = (items.discount_minor.fill_null(0) == 0) & ~items.has_deal
    items = items.mutate(
        budget=(items.tier == "budget").fill_null(False),
        premium_full=(
            ((items.tier == "premium") | items.top_quartile.fill_null(False)) & full_price
        ).fill_null(False),
        gift_set=_has_any(items.attributes.fill_null(""), GIFT_ATTRIBUTES),
        family=is_family.fill_null(False),
    )
    per_item = items.group_by("user_id").agg(
        items=_.count(),
        budget_items=_.budget.cast("int64").sum(),
        premium_full_price_items=_.premium_full.cast("int64").sum(),
        gift_set_items=_.gift_set.cast("int64").sum(),
        family_items=_.family.cast("int64").sum(),
    )
    per_order = paid.group_by("user_id").agg(
        orders=_.count(),
        deal_orders=_.has_deal.cast("int64").sum(),
        full_price_orders=(~_.has_deal).cast("int64").sum(),
        gift_wrapped_orders=_.gift_wrapped.cast("int64").sum(),
        shipped_to_others_orders=_.shipped_to_others.cast("int64").sum(),
    )
    per_view = _view_evidence(events, catalog, family_categories, user_id_type=orders.user_id.type())
    joined = per_order.join(per_item, "user_id", how="left").join(per_view, "user_id", how="left")
    return joined.select(
        per_order.user_id,
        per_order.orders,
        per_order.deal_orders,
        per_order.full_price_orders,
        per_order.gift_wrapped_orders,
        per_order.shipped_to_others_orders,
        items=per_item.items.fill_null(0),
        budget_items=per_item.budget_items.fill_null(0),
        premium_full_price_items=per_item.premium_full_price_items.fill_null(0),
        gift_set_items=per_item.gift_set_items.fill_null(0),
        family_items=per_item.family_items.fill_null(0),
        views=per_view.views.fill_null(0),
        budget_views=per_view.budget_views.fill_null(0),
        premium_views=per_view.premium_views.fill_null(0),
        gift_set_views=per_view.gift_set_views.fill_null(0),
        family_views=per_view.family_views.fill_null(0),
        coupon_events=per_view.coupon_events.fill_null(0),
    )


def sku_catalog(products: ibis.Table) -> ibis.Table:
    """sku_id, attributes, tier, sku_category and whether the SKU is in its category's top price quartile."""
    quartile = products.group_by("category").agg(p75=products.price_minor.quantile(0.75))
    priced = products.join(quartile, "category")
    family_category = (
        priced.is_family_category.fill_null(False)
        if "is_family_category" in priced.columns
        else ibis.literal(False)
    )
    return priced.select(
        "sku_id",
        "tier",
        attributes=priced.attributes.fill_null(""),
        sku_category=priced.category,
        top_quartile=priced.price_minor >= priced.p75,
        family_category=family_category,
    )


def _view_evidence(events, catalog, family_categories, *, user_id_type) -> ibis.Table:
    """Per user: product views by tier / gift set / family, and coupon entries (browsing shows taste too)."""
    if events is None:
        return ibis.memtable(
            {"user_id": [], "views": [], "budget_views": [], "premium_views": [], "gift_set_views": [],
             "family_views": [], "coupon_events": []},
            schema={"user_id": user_id_type, "views": "int64", "budget_views": "int64", "premium_views": "int64",
                    "gift_set_views": "int64", "family_views": "int64", "coupon_events": "int64"},
        )  # fmt: skip
    relevant = events.filter(
        events.name.isin(["Product Viewed", "Coupon Entered"]) & events.user_id.notnull()
    )
    relevant = relevant.select("user_id", "name", "sku_id")
    viewed = relevant.left_join(catalog, relevant.sku_id == catalog.sku_id).select(
        "user_id", "name", "attributes", "tier", "family_category", view_category="sku_category"
    )
    is_view = viewed.name == "Product Viewed"
    is_family = _has_any(
        viewed.attributes.fill_null(""), FAMILY_ATTRIBUTES
    ) | viewed.family_category.fill_null(False)
    family_categories = list(family_categories)
    if family_categories:
        is_family = is_family | viewed.view_category.isin(family_categories)
    viewed = viewed.mutate(
        is_view=is_view,
        budget_view=(is_view & (viewed.tier == "budget")).fill_null(False),
        premium_view=(is_view & (viewed.tier == "premium")).fill_null(False),
        gift_view=(is_view & _has_any(viewed.attributes.fill_null(""), GIFT_ATTRIBUTES)).fill_null(False),
        family_view=(is_view & is_family).fill_null(False),
        coupon=viewed.name == "Coupon Entered",
    )
    return viewed.group_by("user_id").agg(
        views=_.is_view.cast("int64").sum(),
        budget_views=_.budget_view.cast("int64").sum(),
        premium_views=_.premium_view.cast("int64").sum(),
        gift_set_views=_.gift_view.cast("int64").sum(),
        family_views=_.family_view.cast("int64").sum(),
        coupon_events=_.coupon.cast("int64").sum(),
    )


def _fit_latent_classes(
    successes: np.ndarray, trials: np.ndarray, weights: np.ndarray, policy: ScoringPolicy, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """EM for a mixture of independent binomials over distinct evidence rows.

    successes, trials: (rows, signals); weights: how many users share each row.
    Returns (class priors (K,), success rates (K, signals)).
    """
    rng = np.random.default_rng(seed)
    k = policy.classes
    rows, signals = successes.shape
    overall = (successes * weights[:, None]).sum(0) / np.maximum((trials * weights[:, None]).sum(0), 1)
    # Start the classes spread around the overall rate so the trait class can separate.
    spread = np.linspace(-0.6, 0.6, k)[:, None]
    rates = np.clip(overall[None, :] * (1 + spread) + rng.uniform(-0.01, 0.01, (k, signals)), 0.02, 0.98)
    priors = np.full(k, 1.0 / k)
    failures = trials - successes
    for _iteration in range(policy.iterations):
        log_like = (
            successes[:, None, :] * np.log(rates[None, :, :])
            + failures[:, None, :] * np.log1p(-rates[None, :, :])
        ).sum(-1) + np.log(priors)[None, :]
        log_like -= log_like.max(1, keepdims=True)
        resp = np.exp(log_like)
        resp /= resp.sum(1, keepdims=True)
        weighted = resp * weights[:, None]
        new_priors = weighted.sum(0) / weights.sum()
        new_rates = np.clip((weighted.T @ successes) / np.maximum(weighted.T @ trials, 1e-9), 1e-3, 1 - 1e-3)
        converged = np.abs(new_rates - rates).max() < 1e-6
        priors, rates = np.clip(new_priors, 1e-6, 1), new_rates
        if converged:
            break
    return priors, rates


def _posterior(successes, trials, priors, rates) -> np.ndarray:
    failures = trials - successes
    log_like = (
        successes[:, None, :] * np.log(rates[None, :, :])
        + failures[:, None, :] * np.log1p(-rates[None, :, :])
    ).sum(-1) + np.log(priors)[None, :]
    log_like -= log_like.max(1, keepdims=True)
    resp = np.exp(log_like)
    return resp / resp.sum(1, keepdims=True)


def score_need_tags(evidence: pd.DataFrame, policy: ScoringPolicy | None = None) -> pd.DataFrame:
    """Need tags from an evidence frame: columns user_id, tag, score, evidence (text)."""
    policy = policy or ScoringPolicy()
    out = []
    for tag in NEED_TAGS:
        columns = [s.column for s in tag.signals]
        trial_columns = [s.per for s in tag.signals]
        frame = evidence[["user_id", "orders", "items", "views", *columns]]
        frame = frame[frame["orders"] > 0]
        if frame.empty:
            continue
        key_columns = list(dict.fromkeys(["orders", "items", "views", *columns]))
        distinct = frame.groupby(key_columns, sort=False).size().reset_index(name="users")
        successes = distinct[columns].to_numpy(dtype=float)
        trials = distinct[trial_columns].to_numpy(dtype=float)
        priors, rates = _fit_latent_classes(
            successes, trials, distinct["users"].to_numpy(dtype=float), policy
        )
        trait_class = int(np.argmax(rates[:, 0]))
        distinct["score"] = _posterior(successes, trials, priors, rates)[:, trait_class]
        scored = frame.merge(distinct[[*key_columns, "score"]], on=key_columns, how="left")
        chosen = scored[(scored["score"] >= policy.threshold) & (scored["orders"] >= policy.min_orders)]
        if chosen.empty:
            continue
        text = pd.Series("", index=chosen.index)
        for signal, trial in zip(tag.signals, trial_columns, strict=True):
            part = (
                chosen[signal.column].astype(int).astype(str)
                + "/"
                + chosen[trial].astype(int).astype(str)
                + f" {signal.en}"
            )
            text = text.where(text == "", text + "; ") + part
        out.append(
            pd.DataFrame(
                {
                    "user_id": chosen["user_id"],
                    "tag": tag.code,
                    "score": chosen["score"].round(4),
                    "evidence": text,
                }
            )
        )
    if not out:
        return pd.DataFrame(columns=["user_id", "tag", "score", "evidence"])
    return pd.concat(out, ignore_index=True)


# --- lifecycle, RFM, repurchase cycle, fission role, preferred channel ---------------------------

RFM_SEGMENTS = {
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_retain",
    (False, False, True): "important_win_back",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_retain",
    (False, False, False): "general_win_back",
}


def order_summary(orders: ibis.Table, *, as_of: datetime) -> ibis.Table:
    paid = orders.filter(orders.status.isin(PAID_STATUSES))
    summary = paid.group_by("user_id").agg(
        orders=_.count(),
        revenue_minor=_.total_minor.sum(),
        first_order_at=_.placed_at.min(),
        last_order_at=_.placed_at.max(),
    )
    as_of_literal = ibis.literal(as_of.replace(tzinfo=None)).cast("timestamp")
    return summary.mutate(
        recency_days=(as_of_literal.epoch_seconds() - summary.last_order_at.epoch_seconds()) / 86400.0,
        tenure_days=(as_of_literal.epoch_seconds() - summary.first_order_at.epoch_seconds()) / 86400.0,
    )


def lifecycle_and_rfm(orders: ibis.Table, users: ibis.Table, *, as_of: datetime) -> pd.DataFrame:
    """lifecycle (new/active/dormant/churned), RFM segment, repurchase cycle per user."""
    summary = order_summary(orders, as_of=as_of).to_pandas()
    all_users = users.select("user_id", "created_at").to_pandas()
    frame = all_users.merge(summary, on="user_id", how="left")
    as_of_naive = pd.Timestamp(as_of).tz_localize(None) if pd.Timestamp(as_of).tzinfo else pd.Timestamp(as_of)
    joined = pd.to_datetime(frame["created_at"], utc=True).dt.tz_localize(None)
    joined_days = (as_of_naive - joined).dt.total_seconds() / 86400
    has_orders = frame["orders"].fillna(0) > 0
    recency = frame["recency_days"]
    lifecycle = np.select(
        [
            (has_orders & (frame["tenure_days"] <= 30)) | (~has_orders & (joined_days <= 30)),
            has_orders & (recency <= 90),
            (has_orders & (recency <= 180)) | ~has_orders,
        ],
        ["new", "active", "dormant"],
        default="churned",
    )
    frame["lifecycle"] = lifecycle
    buyers = frame[has_orders]
    if not buyers.empty:
        recent = buyers["recency_days"] <= buyers["recency_days"].median()
        frequent = (
            buyers["orders"] > buyers["orders"].median()
            if buyers["orders"].nunique() > 1
            else buyers["orders"] > 1
        )
        valuable = buyers["revenue_minor"] >= buyers["revenue_minor"].median()
        frame.loc[buyers.index, "rfm_segment"] = [
            RFM_SEGMENTS[(bool(r), bool(f), bool(v))]
            for r, f, v in zip(recent, frequent, valuable, strict=True)
        ]
    cycle = repurchase_cycle(orders).to_pandas()
    frame = frame.merge(cycle, on="user_id", how="left")
    frame["next_expected_at"] = pd.to_datetime(frame["last_order_at"]) + pd.to_timedelta(
        frame["median_gap_days"], unit="D"
    )
    return frame


def repurchase_cycle(orders: ibis.Table) -> ibis.Table:
    paid = orders.filter(orders.status.isin(PAID_STATUSES))
    window = ibis.window(group_by=paid.user_id, order_by=paid.placed_at)
    gaps = paid.mutate(
        gap_days=(paid.placed_at.epoch_seconds() - paid.placed_at.lag().over(window).epoch_seconds())
        / 86400.0
    )
    gaps = gaps.filter(gaps.gap_days.notnull())
    return gaps.group_by("user_id").agg(median_gap_days=gaps.gap_days.median(), repeat_gaps=_.count())


def fission_roles(users: ibis.Table, events: ibis.Table) -> pd.DataFrame:
    """inviter (invited someone), group_buy_starter, sharer (2+ shares)."""
    has_inviter = users.invited_by.notnull()
    if users.invited_by.type().is_string():
        has_inviter = has_inviter & (users.invited_by != "")
    inviters = users.filter(has_inviter).group_by(user_id=_.invited_by).agg(invited=_.count()).to_pandas()
    starters = (
        events.filter(events.name == "Group Buy Started")
        .group_by("user_id")
        .agg(started=_.count())
        .to_pandas()
    )
    sharers = (
        events.filter(events.name.isin(["Product Shared", "Post Shared", "Cart Shared"]))
        .group_by("user_id")
        .agg(shares=_.count())
        .to_pandas()
    )
    rows = [
        pd.DataFrame(
            {
                "user_id": inviters["user_id"],
                "tag": "inviter",
                "evidence": inviters["invited"].astype(str) + " invited",
            }
        ),
        pd.DataFrame(
            {
                "user_id": starters["user_id"],
                "tag": "group_buy_starter",
                "evidence": starters["started"].astype(str) + " group buys started",
            }
        ),
        pd.DataFrame(
            {
                "user_id": sharers.loc[sharers["shares"] >= 2, "user_id"],
                "tag": "sharer",
                "evidence": sharers.loc[sharers["shares"] >= 2, "shares"].astype(str) + " shares",
            }
        ),
    ]
    return pd.concat(rows, ignore_index=True)


def preferred_channel(orders: ibis.Table) -> pd.DataFrame:
    paid = orders.filter(orders.status.isin(PAID_STATUSES))
    counts = paid.group_by(["user_id", "channel"]).agg(n=_.count()).to_pandas()
    if counts.empty:
        return pd.DataFrame(columns=["user_id", "channel", "share"])
    counts["share"] = counts["n"] / counts.groupby("user_id")["n"].transform("sum")
    best = counts.sort_values(["user_id", "n", "channel"], ascending=[True, False, True]).drop_duplicates(
        "user_id"
    )
    return best[["user_id", "channel", "share"]]


def score_against_traits(tags: pd.DataFrame, traits: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 of each need tag against known traits (columns user_id + one 0/1 column
    per need tag), with how many users were tagged and how many truly have the trait."""
    truth = traits.set_index("user_id")
    result = {}
    for code in NEED_TAG_CODES:
        predicted = set(tags.loc[tags["tag"] == code, "user_id"])
        actual = set(truth.index[truth[code] == 1])
        hits = len(predicted & actual)
        precision = hits / max(len(predicted), 1)
        recall = hits / max(len(actual), 1)
        result[code] = {
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / max(precision + recall, 1e-9),
            "tagged": len(predicted),
            "true": len(actual),
        }
    return result
