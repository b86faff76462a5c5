"""A brand's users with hidden traits and realistic, noisy behaviour, written as an import bundle.

The traits (price-sensitive, quality-oriented, gift buyer, family buyer) are never written into the
bundle itself: they only shift probabilities of what a user does (which tier they pick, whether they
wait for a discount, gift-wrap, buy baby goods). `hidden_traits.csv` beside the bundle holds the truth,
so the tag engine can be scored against it. Everything is vectorised with NumPy so a million users and
tens of millions of events take minutes, not hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

NEED_TAGS = ("price_sensitive", "quality_oriented", "scenario_gift", "scenario_family")

# category -> (is_family, base price in minor units)
CATEGORIES: dict[str, tuple[bool, int]] = {
    "skincare": (False, 12900),
    "haircare": (False, 5900),
    "snacks": (False, 3900),
    "tea": (False, 8900),
    "kitchen": (False, 15900),
    "home_textiles": (False, 19900),
    "electronics": (False, 59900),
    "apparel": (False, 14900),
    "baby_care": (True, 8900),
    "kids_toys": (True, 12900),
    "family_kits": (True, 29900),
}
TIERS = ("budget", "standard", "premium")
TIER_PRICE_FACTOR = np.array([0.55, 1.0, 2.1])
USER_CHANNELS = np.array(
    ["community", "mini_shop", "douyin", "xiaohongshu", "video_channel", "live", "referral", "organic"]
)
USER_CHANNEL_P = np.array([0.22, 0.18, 0.14, 0.12, 0.06, 0.08, 0.1, 0.1])
CITIES = np.array(["上海", "北京", "杭州", "深圳", "广州", "成都", "武汉", "南京", "西安", "苏州"])
# Festivals when gift buyers shop (month, day): Spring Festival-ish, 520, Qixi-ish, Mid-Autumn-ish, Double 11.
FESTIVALS = ((2, 1), (5, 20), (8, 10), (9, 25), (11, 11))


@dataclass(frozen=True)
class SimulationConfig:
    users: int = 2000
    seed: int = 7
    days: int = 365
    as_of: datetime = datetime(2026, 11, 30, tzinfo=UTC)
    products_per_category: int = 6
    events_per_order: float = 6.0
    # Share of users who registered but never ordered (no evidence: they must get no need tag).
    share_without_orders: float = 0.1
    # Put before every id, so chunks of a large simulation never collide ("c7-U12").
    id_prefix: str = ""
    # Social, growth and service events (posts and their views, invites, group buys, tickets, surveys,
    # the checkout path). They come from their own random stream, so the commerce data above is the same
    # with or without them.
    social: bool = True
    # Posts belong to the brand, not to a chunk of users: a large simulation in chunks publishes them
    # (`Post Published`) in one chunk only; every chunk's users view the same posts.
    publish_posts: bool = True


@dataclass
class SimulatedBrand:
    """Warehouse-shaped frames (money in minor units, naive-UTC timestamps, real booleans) plus the
    hidden traits. `write_bundle` turns them into the data contract's text format."""

    users: pd.DataFrame
    products: pd.DataFrame
    orders: pd.DataFrame
    order_items: pd.DataFrame
    events: pd.DataFrame
    traits: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {n: getattr(self, n) for n in ("users", "products", "orders", "order_items", "events")}

    def write_bundle(self, directory: Path, *, fmt: str = "csv") -> dict[str, Path]:
        """Write the bundle files (data contract) plus hidden_traits next to them."""
        directory.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, frame in self.contract_frames().items():
            path = directory / f"{name}.{'csv' if fmt == 'csv' else 'parquet'}"
            frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
            written[name] = path
        traits_path = directory / "hidden_traits.csv"
        self.traits.to_csv(traits_path, index=False)
        written["hidden_traits"] = traits_path
        return written

    def contract_frames(self) -> dict[str, pd.DataFrame]:
        users, products, orders, items, events = (self.users, self.products, self.orders, self.order_items,
                                                  self.events)  # fmt: skip
        return {
            "users": users.assign(created_at=_iso(users["created_at"])),
            "products": pd.DataFrame(
                {"sku_id": products["sku_id"], "product_id": products["product_id"], "name": products["name"],
                 "category": products["category"], "price": _decimal(products["price_minor"]),
                 "list_price": _decimal(products["list_price_minor"]), "currency": "CNY",
                 "attributes": products["attributes"], "tier": products["tier"]}
            ),
            "orders": pd.DataFrame(
                {"order_id": orders["order_id"], "user_id": orders["user_id"], "created_at": _iso(orders["placed_at"]),
                 "status": orders["status"], "paid_at": _iso(orders["paid_at"]), "channel": orders["channel"],
                 "total": _decimal(orders["total_minor"]), "discount": _decimal(orders["discount_minor"]),
                 "coupon_code": orders["coupon_code"], "group_buy_id": orders["group_buy_id"],
                 "ship_to_self": np.where(orders["ship_to_self"], "true", "false"),
                 "gift_wrap": np.where(orders["is_gift_wrapped"], "true", "false")}
            ),
            "order_items": pd.DataFrame(
                {"order_id": items["order_id"], "sku_id": items["sku_id"], "quantity": items["quantity"],
                 "unit_price": _decimal(items["unit_price_minor"]), "discount": _decimal(items["discount_minor"])}
            ),
            "events": pd.DataFrame(
                {"event_id": events["event_id"], "name": events["name"], "timestamp": _iso(events["occurred_at"]),
                 "user_id": events["user_id"], "anonymous_id": events["anonymous_id"],
                 "properties": _properties_json(events),
                 "channel": events["channel"]}
            ),
        }  # fmt: skip


def _properties_json(events: pd.DataFrame) -> pd.Series:
    """The event's properties as a JSON object (data contract), from the frame's property columns."""
    text = pd.Series("", index=events.index)
    for key in ("sku_id", "category", *EVENT_EXTRA_COLUMNS):
        if key not in events:
            continue
        values = events[key].astype(str)
        part = ('"' + key + '": ' + values) if key == "need_tags" else ('"' + key + '": "' + values + '"')
        part = part.where(values != "", "")
        text = text.where((text == "") | (part == ""), text + ", ") + part
    if "score" in events:
        score = events["score"]
        part = ('"score": ' + score.fillna(0).astype(int).astype(str)).where(score.notna(), "")
        text = text.where((text == "") | (part == ""), text + ", ") + part
    return "{" + text + "}"


def _iso(stamps: pd.Series) -> pd.Series:
    return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _decimal(minor: pd.Series) -> pd.Series:
    values = minor.astype(np.int64)
    return (values // 100).astype(str) + "." + (values % 100).astype(str).str.zfill(2)


def _stamp(seconds: np.ndarray, epoch: datetime) -> pd.Series:
    """Naive-UTC timestamps (the warehouse convention) from seconds after the simulation's start."""
    base = np.datetime64(epoch.replace(tzinfo=None), "s")
    return pd.Series(base + seconds.astype("timedelta64[s]"))


def _catalog(config: SimulationConfig, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for category, (is_family, base) in CATEGORIES.items():
        for product_index in range(config.products_per_category):
            product_id = f"P-{category}-{product_index}"
            spread = rng.uniform(0.8, 1.25)
            gift_box = product_index == 0 or category == "tea" and product_index < 3
            for tier_index, tier in enumerate(TIERS):
                price = int(round(base * spread * TIER_PRICE_FACTOR[tier_index] / 100) * 100 - 10)
                attributes = [tier] if tier == "premium" else []
                if gift_box:
                    attributes.append("gift_box")
                if is_family:
                    attributes.append("family")
                if product_index == 1:
                    attributes.append("eco")
                rows.append(
                    {
                        "sku_id": f"{product_id}-{tier}",
                        "product_id": product_id,
                        "name": f"{category} {product_index} {tier}",
                        "category": category,
                        "price_minor": price,
                        "list_price_minor": int(price * 1.25),
                        "tier": tier,
                        "attributes": ";".join(attributes),
                        "is_family_category": is_family,
                    }
                )
    return pd.DataFrame(rows)


def simulate(config: SimulationConfig | None = None) -> SimulatedBrand:
    config = config or SimulationConfig()
    rng = np.random.default_rng(config.seed)
    n_users = config.users
    epoch = config.as_of - timedelta(days=config.days)
    horizon = config.days * 86400

    # --- users and their hidden traits -------------------------------------------------------
    draw = rng.random(n_users)
    price_sensitive = draw < 0.3
    quality_oriented = (draw >= 0.3) & (draw < 0.5)
    gift = rng.random(n_users) < 0.18
    family = rng.random(n_users) < 0.22
    joined = rng.uniform(0, horizon * 0.97, n_users)
    user_ids = np.char.add(config.id_prefix + "U", np.arange(1, n_users + 1).astype(str))
    channels = rng.choice(USER_CHANNELS, n_users, p=USER_CHANNEL_P)
    inviter_index = rng.integers(0, n_users, n_users)
    # nobody invites themselves (the import refuses it): such a draw goes to the next user instead
    inviter_index = np.where(
        inviter_index == np.arange(n_users), (inviter_index + 1) % n_users, inviter_index
    )
    inviter = np.where(
        (channels == "referral") & (inviter_index != np.arange(n_users)), user_ids[inviter_index], ""
    )
    users = pd.DataFrame(
        {
            "user_id": user_ids,
            "created_at": _stamp(joined, epoch),
            "channel": channels,
            "invited_by": inviter,
            "city": rng.choice(CITIES, n_users),
        }
    )
    traits = pd.DataFrame(
        {
            "user_id": user_ids,
            "price_sensitive": price_sensitive.astype(int),
            "quality_oriented": quality_oriented.astype(int),
            "scenario_gift": gift.astype(int),
            "scenario_family": family.astype(int),
        }
    )

    # --- orders ---------------------------------------------------------------------------------
    orders_per_user = rng.geometric(0.33, n_users)
    orders_per_user[rng.random(n_users) < config.share_without_orders] = 0
    order_user = np.repeat(np.arange(n_users), orders_per_user)
    n_orders = order_user.size
    span = horizon - joined[order_user]
    placed = joined[order_user] + rng.random(n_orders) * span
    # gift buyers move a third of their orders onto a festival week
    festival_days = (
        np.array([(datetime(config.as_of.year, m, d, tzinfo=UTC) - epoch).days for m, d in FESTIVALS])
        % config.days
    )
    to_festival = gift[order_user] & (rng.random(n_orders) < 0.35)
    festival_pick = festival_days[rng.integers(0, len(festival_days), n_orders)] * 86400.0
    placed = np.where(
        to_festival, np.maximum(festival_pick - rng.random(n_orders) * 5 * 86400, joined[order_user]), placed
    )
    order_ids = np.char.add(config.id_prefix + "O", np.arange(1, n_orders + 1).astype(str))

    ps_o, qo_o, gift_o, fam_o = (price_sensitive[order_user], quality_oriented[order_user],
                                 gift[order_user], family[order_user])  # fmt: skip
    p_deal = np.where(ps_o, 0.68, np.where(qo_o, 0.08, 0.22))
    mechanism = rng.random(n_orders)
    uses_deal = rng.random(n_orders) < p_deal
    coupon = uses_deal & (mechanism < 0.45)
    group_buy = uses_deal & (mechanism >= 0.45) & (mechanism < 0.7)
    flash = uses_deal & (mechanism >= 0.7)
    order_channel = rng.choice(
        np.array(["storefront", "community", "live", "referral_link"]), n_orders, p=[0.45, 0.3, 0.15, 0.1]
    )
    order_channel = np.where(group_buy, "group_buy", np.where(flash, "flash_sale", order_channel))
    gift_wrap = rng.random(n_orders) < np.where(gift_o, 0.42, 0.03)
    ship_elsewhere = rng.random(n_orders) < np.where(gift_o, 0.5, 0.06)

    # --- items ----------------------------------------------------------------------------------
    # The catalog depends only on its own seed, so chunks of one large simulation share it.
    catalog = _catalog(config, np.random.default_rng(1234))
    items_per_order = 1 + rng.poisson(0.6, n_orders)
    item_order = np.repeat(np.arange(n_orders), items_per_order)
    n_items = item_order.size
    sku_row = _pick_skus(
        rng, config, ps_o[item_order], qo_o[item_order], gift_o[item_order], fam_o[item_order], PURCHASE_TASTE
    )
    sku = catalog.iloc[sku_row]
    unit_price = sku["price_minor"].to_numpy()
    quantity = 1 + (rng.random(n_items) < 0.15).astype(int)
    # deals take 10-30 % off
    deal_rate = np.where(uses_deal[item_order], rng.uniform(0.1, 0.3, n_items), 0.0)
    item_discount = (unit_price * quantity * deal_rate).astype(np.int64)

    order_items = pd.DataFrame(
        {
            "order_id": order_ids[item_order],
            "sku_id": sku["sku_id"].to_numpy(),
            "product_id": sku["product_id"].to_numpy(),
            "category": sku["category"].to_numpy(),
            "quantity": quantity,
            "unit_price_minor": unit_price.astype(np.int64),
            "discount_minor": item_discount,
            "tier": sku["tier"].to_numpy(),
        }
    )
    order_total = np.bincount(item_order, weights=unit_price * quantity - item_discount, minlength=n_orders)
    order_discount = np.bincount(item_order, weights=item_discount, minlength=n_orders)
    age_days = (horizon - placed) / 86400
    status = np.where(age_days > 10, "completed", np.where(age_days > 3, "shipped", "paid"))
    status = np.where(rng.random(n_orders) < 0.04, "refunded", status)
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "user_id": user_ids[order_user],
            "placed_at": _stamp(placed, epoch),
            "paid_at": _stamp(placed + 60, epoch),
            "status": status,
            "channel": order_channel,
            "total_minor": order_total.astype(np.int64),
            "discount_minor": order_discount.astype(np.int64),
            "coupon_code": np.where(coupon, "SAVE20", ""),
            "group_buy_id": np.where(
                group_buy, np.char.add(config.id_prefix + "G", np.arange(n_orders).astype(str)), ""
            ),
            "ship_to_self": ~ship_elsewhere,
            "is_gift_wrapped": gift_wrap,
        }
    )

    events = _events(
        config,
        rng,
        epoch,
        user_ids,
        orders_per_user,
        joined,
        catalog,
        horizon,
        (price_sensitive, quality_oriented, gift, family),
    )
    if config.social:
        social = _social_events(
            config, epoch, horizon, users, orders, order_items, catalog,
            (price_sensitive, quality_oriented, gift, family), first_event_number=len(events) + 1,
        )  # fmt: skip
        events = pd.concat([events, social], ignore_index=True)
    for column in ("anonymous_id", *EVENT_EXTRA_COLUMNS):
        events[column] = events[column].fillna("") if column in events else ""
    events["score"] = events.pop("score_value").astype(float) if "score_value" in events else np.nan
    products = catalog[[c for c in catalog.columns if not c.startswith("_")]].reset_index(drop=True)
    return SimulatedBrand(users, products, orders, order_items, events, traits)


@dataclass(frozen=True)
class Taste:
    """How strongly a trait shows in what a user picks (purchases show it more than browsing)."""

    family: tuple[float, float]  # P(family category) with / without the trait
    tiers_price_sensitive: tuple[float, float, float]
    tiers_quality: tuple[float, float, float]
    tiers_other: tuple[float, float, float]
    gift_box: tuple[float, float]


PURCHASE_TASTE = Taste((0.55, 0.07), (0.62, 0.3, 0.08), (0.05, 0.3, 0.65), (0.28, 0.5, 0.22), (0.35, 0.04))
BROWSING_TASTE = Taste((0.4, 0.1), (0.5, 0.35, 0.15), (0.12, 0.35, 0.53), (0.3, 0.45, 0.25), (0.25, 0.06))


def _pick_skus(rng, config, price_sensitive, quality, gift, family, taste: Taste) -> np.ndarray:
    """Row numbers into the catalog for n picks, leaning on each picker's traits."""
    n = price_sensitive.size
    cat_names = np.array(list(CATEGORIES))
    family_cats = np.array([i for i, c in enumerate(cat_names) if CATEGORIES[c][0]])
    other_cats = np.array([i for i, c in enumerate(cat_names) if not CATEGORIES[c][0]])
    wants_family = rng.random(n) < np.where(family, *taste.family)
    category_index = np.where(
        wants_family,
        family_cats[rng.integers(0, family_cats.size, n)],
        other_cats[rng.integers(0, other_cats.size, n)],
    )
    tier_p = np.where(
        price_sensitive[:, None],
        taste.tiers_price_sensitive,
        np.where(quality[:, None], taste.tiers_quality, taste.tiers_other),
    )
    tier_index = (rng.random(n)[:, None] > np.cumsum(tier_p, axis=1)).sum(axis=1).clip(0, len(TIERS) - 1)
    # gift buyers lean on gift-box products (product 0 of every category)
    product_index = np.where(
        rng.random(n) < np.where(gift, *taste.gift_box), 0, rng.integers(1, config.products_per_category, n)
    )
    return (category_index * config.products_per_category + product_index) * len(TIERS) + tier_index


def _events(config, rng, epoch, user_ids, orders_per_user, joined, catalog, horizon, traits) -> pd.DataFrame:
    price_sensitive, quality, gift, family = traits
    n_users = user_ids.size
    per_user = rng.poisson(config.events_per_order * (orders_per_user + 0.5))
    event_user = np.repeat(np.arange(n_users), per_user)
    n = event_user.size
    names = np.array(
        [
            "Product Viewed",
            "Product Added",
            "Products Searched",
            "Product Shared",
            "Group Buy Started",
            "Coupon Entered",
        ]
    )
    weights = np.where(
        price_sensitive[event_user, None],
        [0.66, 0.13, 0.08, 0.04, 0.02, 0.07],
        [0.73, 0.14, 0.08, 0.04, 0.005, 0.005],
    )
    name = names[(rng.random(n)[:, None] > np.cumsum(weights, axis=1)).sum(axis=1).clip(0, names.size - 1)]
    sku_row = _pick_skus(
        rng,
        config,
        price_sensitive[event_user],
        quality[event_user],
        gift[event_user],
        family[event_user],
        BROWSING_TASTE,
    )
    when = joined[event_user] + rng.random(n) * (horizon - joined[event_user])
    has_product = np.isin(name, ["Product Viewed", "Product Added", "Product Shared"])
    return pd.DataFrame(
        {
            "event_id": np.char.add(config.id_prefix + "E", np.arange(1, n + 1).astype(str)),
            "name": name,
            "occurred_at": _stamp(when, epoch),
            "user_id": user_ids[event_user],
            "channel": "",
            "sku_id": np.where(has_product, catalog["sku_id"].to_numpy()[sku_row], ""),
            "category": np.where(has_product, catalog["category"].to_numpy()[sku_row], ""),
        }
    )


# --- social, growth and service events -------------------------------------------------------------

# Property columns of the events frame besides sku_id / category ("" when absent; `score` is a float).
EVENT_EXTRA_COLUMNS = (
    "post_id", "order_id", "group_buy_id", "live_session_id", "community_id", "ticket_id", "need_tags",
)  # fmt: skip
# Posts a week per channel (the brand's content matrix: private channels and public platforms).
POST_CHANNELS = {"community": 2.5, "mini_shop": 2.0, "douyin": 3.0, "xiaohongshu": 2.5, "video_channel": 1.5}
# Which need a post is made for ("" = none: how-to, know-how, topic challenges).
POST_TARGETS = (*NEED_TAGS, "")
POST_TARGET_P = (0.25, 0.2, 0.15, 0.15, 0.25)
BRAND_STAFF_ID = "brand-ops"
DAY = 86400.0


@dataclass
class _Posts:
    post_id: np.ndarray
    published: np.ndarray  # seconds after the simulation's start
    channel: np.ndarray
    target: np.ndarray  # index into NEED_TAGS, -1 for none
    sku_row: np.ndarray  # catalog row, -1 when the post links no product
    need_tags: np.ndarray  # the JSON list written on Post Published, "" when the post carries none


def _posts(config: SimulationConfig, horizon: float, catalog: pd.DataFrame) -> _Posts:
    """The brand's posts over the year; like the catalog they depend only on their own seed."""
    rng = np.random.default_rng(4321)
    weeks = config.days / 7
    counts = {channel: rng.poisson(rate * weeks) for channel, rate in POST_CHANNELS.items()}
    channel = np.concatenate([np.full(n, c) for c, n in counts.items()])
    n = channel.size
    published = rng.uniform(0, horizon, n)
    target = rng.choice(np.arange(-1, len(NEED_TAGS)), n, p=(POST_TARGET_P[-1], *POST_TARGET_P[:-1]))
    ppc = config.products_per_category
    cat_names = list(CATEGORIES)
    family_cats = np.array([i for i, c in enumerate(cat_names) if CATEGORIES[c][0]])
    other_cats = np.array([i for i, c in enumerate(cat_names) if not CATEGORIES[c][0]])
    any_cat = rng.integers(0, len(cat_names), n)
    category = np.select(
        [target == 2, target == 3],
        [other_cats[rng.integers(0, other_cats.size, n)], family_cats[rng.integers(0, family_cats.size, n)]],
        default=any_cat,
    )
    product = np.where(
        target == 2, 0, np.where(target == -1, rng.integers(0, ppc, n), rng.integers(1, ppc, n))
    )
    tier = np.select([target == 0, target == 1], [0, 2], default=1)
    links = rng.random(n) < np.where(target >= 0, 0.8, 0.5)
    sku_row = np.where(links, (category * ppc + product) * len(TIERS) + tier, -1)
    # The content team labels most targeted posts with the need they serve (now and then wrongly).
    labelled = rng.random(n) < np.where(target >= 0, 0.6, 0.15)
    wrong = rng.random(n) < 0.05
    label = np.where(wrong, rng.integers(0, len(NEED_TAGS), n), target)
    codes = np.array([f'["{code}"]' for code in NEED_TAGS] + ["[]"])
    need_tags = np.where(labelled, codes[np.where(label >= 0, label, len(NEED_TAGS))], "")
    return _Posts(np.char.add("POST-", np.arange(1, n + 1).astype(str)), published, channel, target, sku_row,
                  need_tags)  # fmt: skip


def _social_events(
    config, epoch, horizon, users, orders, order_items, catalog, traits, *, first_event_number
):
    """Posts and their views, likes, shares and comments; invites, group buys, coupons, points, live
    sessions, communities; the checkout path and Order Completed; tickets, surveys and return requests.

    Their own random stream; timestamps never pass the simulation's end."""
    rng = np.random.default_rng([config.seed, 7])
    prefix = config.id_prefix
    base = np.datetime64(epoch.replace(tzinfo=None), "s")
    trait_matrix = np.column_stack(traits)
    n_users = len(users)
    user_ids = users["user_id"].to_numpy()
    joined = (users["created_at"].to_numpy() - base) / np.timedelta64(1, "s")
    placed = (orders["placed_at"].to_numpy() - base) / np.timedelta64(1, "s")
    order_user = pd.Index(user_ids).get_indexer(orders["user_id"])
    order_ids = orders["order_id"].to_numpy()
    orders_per_user = np.bincount(order_user, minlength=n_users)
    sku_ids = catalog["sku_id"].to_numpy()
    blocks: list[pd.DataFrame] = []

    def add(name, when, user, **columns):
        keep = when < horizon
        frame = pd.DataFrame({"name": name, "at": when[keep], "user_id": user[keep]})
        for key, value in columns.items():
            frame[key] = value[keep] if isinstance(value, np.ndarray) else value
        blocks.append(frame)

    # -- posts, views and interactions
    posts = _posts(config, horizon, catalog)
    if config.publish_posts:
        add("Post Published", posts.published, np.full(posts.post_id.size, ""), post_id=posts.post_id,
            channel=posts.channel, need_tags=posts.need_tags,
            sku_id=np.where(posts.sku_row >= 0, sku_ids[posts.sku_row.clip(0)], ""),
            anonymous_id=BRAND_STAFF_ID)  # fmt: skip
    views_per_user = rng.poisson(2.4 * (orders_per_user + 1))
    viewer = np.repeat(np.arange(n_users), views_per_user)
    n = viewer.size
    post = rng.integers(0, posts.post_id.size, n)
    # People with a need look for content about it: most of their views go to posts made for one of
    # their needs; the rest (and everyone else's) land anywhere.
    has_need = trait_matrix[viewer].any(axis=1)
    prefers = has_need & (rng.random(n) < 0.6)
    wanted_need = np.argmax(rng.random((n, trait_matrix.shape[1])) * trait_matrix[viewer], axis=1)
    for k in range(len(NEED_TAGS)):
        pool = np.flatnonzero(posts.target == k)
        pick = prefers & (wanted_need == k)
        post[pick] = pool[rng.integers(0, pool.size, pick.sum())]
    seen_at = np.maximum(posts.published[post], joined[viewer]) + rng.exponential(2 * DAY, n)
    add("Post Viewed", seen_at, user_ids[viewer], post_id=posts.post_id[post], channel=posts.channel[post])
    target = posts.target[post]
    matches = (target >= 0) & trait_matrix[viewer, target.clip(0)]
    for name, p_base, p_match in (("Post Liked", 0.05, 0.12), ("Post Shared", 0.015, 0.04),
                                  ("Comment Posted", 0.01, 0.025)):  # fmt: skip
        did = rng.random(n) < np.where(matches, p_match, p_base)
        add(name, seen_at[did] + rng.uniform(5, 900, did.sum()), user_ids[viewer[did]],
            post_id=posts.post_id[post[did]], channel=posts.channel[post[did]])  # fmt: skip

    # -- communities, live sessions, challenges, invites
    community = users["channel"].to_numpy() == "community"
    add(
        "Community Joined",
        joined[community] + 60,
        user_ids[community],
        community_id="CM-1",
        channel="community",
    )
    lives = rng.poisson(0.5, n_users)
    live_user = np.repeat(np.arange(n_users), lives)
    live_at = joined[live_user] + rng.random(live_user.size) * (horizon - joined[live_user])
    session = (live_at // (3.5 * DAY)).astype(int).astype(str)
    add("Live Session Joined", live_at, user_ids[live_user], live_session_id=np.char.add("LIVE-", session),
        channel="live")  # fmt: skip
    clicked = rng.random(live_user.size) < 0.3
    add("Live Product Clicked", live_at[clicked] + 300, user_ids[live_user[clicked]],
        live_session_id=np.char.add("LIVE-", session[clicked]), channel="live")  # fmt: skip
    challengers = rng.random(n_users) < 0.05
    add("Challenge Entered", joined[challengers] + rng.random(challengers.sum()) * (horizon - joined[challengers]),
        user_ids[challengers])  # fmt: skip
    invited = users["invited_by"].to_numpy() != ""
    inviter = pd.Index(user_ids).get_indexer(users["invited_by"].to_numpy()[invited])
    sent_at = np.maximum(joined[invited] - rng.uniform(0, 3 * DAY, invited.sum()), joined[inviter])
    add("Invite Sent", np.minimum(sent_at, joined[invited]), user_ids[inviter], channel="referral")
    add("Invite Accepted", joined[invited] + 30, user_ids[invited], channel="referral")
    unanswered = rng.poisson(0.2, n_users)
    idle_user = np.repeat(np.arange(n_users), unanswered)
    add("Invite Sent", joined[idle_user] + rng.random(idle_user.size) * (horizon - joined[idle_user]),
        user_ids[idle_user], channel="referral")  # fmt: skip

    # -- the checkout path, Order Completed, deals, points
    n_orders = placed.size
    path = {"Product Clicked": rng.poisson(1.2, n_orders), "Cart Viewed": (rng.random(n_orders) < 0.7).astype(int),
            "Checkout Started": np.ones(n_orders, int),
            "Payment Info Entered": (rng.random(n_orders) < 0.9).astype(int)}  # fmt: skip
    for name, counts in path.items():
        step_order = np.repeat(np.arange(n_orders), counts)
        add(name, placed[step_order] - rng.uniform(30, 3 * 3600, step_order.size),
            orders["user_id"].to_numpy()[step_order])  # fmt: skip
    buyer = orders["user_id"].to_numpy()
    add("Order Completed", placed + 60, buyer, order_id=order_ids, channel=orders["channel"].to_numpy())
    coupon = orders["coupon_code"].to_numpy() != ""
    add("Coupon Applied", placed[coupon] - 90, buyer[coupon], order_id=order_ids[coupon])
    group = orders["group_buy_id"].to_numpy()
    in_group = group != ""
    add("Group Buy Joined", placed[in_group] - rng.uniform(60, 2 * 3600, in_group.sum()), buyer[in_group],
        group_buy_id=group[in_group], channel="group_buy")  # fmt: skip
    add("Group Buy Completed", placed[in_group] + 30, buyer[in_group], group_buy_id=group[in_group],
        channel="group_buy")  # fmt: skip
    failed = in_group & (rng.random(n_orders) < 0.15)
    failed_group = np.char.add(group[failed], "-F")
    failed_at = placed[failed] - rng.uniform(DAY, 5 * DAY, failed.sum())
    add("Group Buy Joined", failed_at, buyer[failed], group_buy_id=failed_group, channel="group_buy")
    add("Group Buy Failed", failed_at + DAY, buyer[failed], group_buy_id=failed_group, channel="group_buy")
    earned = rng.random(n_orders) < 0.5
    add("Points Earned", placed[earned] + DAY, buyer[earned], order_id=order_ids[earned])
    redeemed = rng.random(n_orders) < 0.08
    add("Points Redeemed", placed[redeemed] - 120, buyer[redeemed], order_id=order_ids[redeemed])

    # -- after-sales: tickets, first responses, resolutions, surveys, return requests
    refunded = orders["status"].to_numpy() == "refunded"
    ticket = rng.random(n_orders) < np.where(refunded, 0.6, 0.04)
    opened = placed[ticket] + rng.uniform(DAY, 10 * DAY, ticket.sum())
    ticket_ids = np.char.add(prefix + "T", np.arange(1, ticket.sum() + 1).astype(str))
    add("Ticket Opened", opened, buyer[ticket], ticket_id=ticket_ids, order_id=order_ids[ticket],
        channel="service_chat")  # fmt: skip
    response_hours = rng.lognormal(np.log(1.2), 1.0, opened.size)
    answered = rng.random(opened.size) > 0.03
    responded = opened + response_hours * 3600
    add("Ticket First Response", responded[answered], buyer[ticket][answered], ticket_id=ticket_ids[answered],
        channel="service_chat")  # fmt: skip
    resolved = responded + rng.lognormal(np.log(20), 0.8, opened.size) * 3600
    add("Ticket Resolved", resolved[answered], buyer[ticket][answered], ticket_id=ticket_ids[answered],
        channel="service_chat")  # fmt: skip
    surveyed = answered & (rng.random(opened.size) < 0.55)
    p_satisfied = np.select([response_hours < 2, response_hours < 8], [0.92, 0.75], default=0.5)[surveyed]
    satisfied = rng.random(surveyed.sum()) < p_satisfied
    score = np.where(satisfied, rng.choice([4, 5], surveyed.sum(), p=[0.4, 0.6]),
                     rng.choice([1, 2, 3], surveyed.sum(), p=[0.3, 0.3, 0.4]))  # fmt: skip
    add("Survey Answered", resolved[surveyed] + rng.uniform(600, 2 * DAY, surveyed.sum()),
        buyer[ticket][surveyed], ticket_id=ticket_ids[surveyed], score_value=score.astype(float))  # fmt: skip
    add("Return Requested", placed[refunded] + rng.uniform(2 * DAY, 8 * DAY, refunded.sum()), buyer[refunded],
        order_id=order_ids[refunded])  # fmt: skip

    social = pd.concat(blocks, ignore_index=True)
    for column in ("channel", "sku_id", "category", "anonymous_id", *EVENT_EXTRA_COLUMNS):
        social[column] = social[column].fillna("") if column in social else ""
    social["occurred_at"] = _stamp(social.pop("at").to_numpy(), epoch)
    social.insert(0, "event_id", np.char.add(prefix + "E", np.arange(first_event_number,
                                                                   first_event_number + len(social)).astype(str)))  # fmt: skip
    return social


def social_events(
    config: SimulationConfig, users: pd.DataFrame, orders: pd.DataFrame, traits: tuple[np.ndarray, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The social, growth and service events (what `simulate` adds when `config.social`) for users and
    orders simulated elsewhere, e.g. the demo brand.

    users: user_id, created_at (naive UTC), channel, invited_by (a user_id of `users` or "");
    orders: order_id, user_id, placed_at (naive UTC), channel, coupon_code, group_buy_id, status;
    traits: four boolean arrays aligned with `users` (price-sensitive, quality-oriented, gift, family),
    which steer which posts people view and how they react. Times run over the `config.days` before
    `config.as_of`. Returns the events frame (its `sku_id` values are rows of the returned catalog, the
    posts' linked products; `score_value` on survey answers) and that catalog."""
    epoch = config.as_of - timedelta(days=config.days)
    catalog = _catalog(config, np.random.default_rng(1234))
    events = _social_events(
        config, epoch, config.days * 86400, users, orders, None, catalog, traits, first_event_number=1
    )
    products = catalog[[c for c in catalog.columns if not c.startswith("_")]].reset_index(drop=True)
    return events, products
