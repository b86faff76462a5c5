"""A tiny, hand-checked warehouse: the expected KPI values below were worked out by hand from these rows
(see the comments) before the KPI code was run on them. Window: January 2026 (UTC)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from loopmall.analytics.warehouse.schema import TABLES

JAN = (datetime(2026, 1, 1), datetime(2026, 1, 31))


def at(month: int, day: int, hour: int = 2, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute)


USERS = [
    # user_id, created_at, channel, invited_by, city
    (1, at(12, 1, year=2025), "community", None, "上海"),
    (2, at(1, 5), "referral", 1, "杭州"),
    (3, at(1, 10), "douyin", 1, None),
    (4, at(1, 12), "organic", None, None),
]
ORDERS = [
    # order_id, user_id, placed_at, paid_at, status, channel, total, refunded, group_buy_id
    (101, 1, at(1, 3, 1, 30), at(1, 3, 1, 30), "paid", "community", 10000, 0, None),
    (102, 1, at(1, 20), at(1, 20), "completed", "storefront", 5000, 1000, None),
    (103, 2, at(1, 8, 2, 10), at(1, 8, 2, 10), "paid", "group_buy", 3000, 0, "g1"),
    (104, 4, at(1, 15), None, "pending_payment", "storefront", 7000, 0, None),
    (105, 3, at(2, 20), at(2, 20), "paid", "storefront", 2000, 0, None),
    (106, 4, at(12, 20, year=2025), at(12, 20, year=2025), "paid", "storefront", 4000, 0, None),
    (107, 1, at(12, 10, year=2025), at(12, 10, year=2025), "paid", "storefront", 1000, 0, None),
]
EVENTS = [
    # event_id, name, occurred_at, user_id, anonymous_id, channel, extra properties
    ("e1", "Product Viewed", at(1, 3, 1, 0), 1, None, None, {}),
    ("e2", "Product Added", at(1, 3, 1, 10), 1, None, None, {}),
    ("e3", "Checkout Started", at(1, 3, 1, 20), 1, None, None, {}),
    ("e4", "Order Completed", at(1, 3, 1, 30), 1, None, None, {"order_id": 101}),
    ("e5", "Product Viewed", at(1, 8, 2, 0), 2, None, None, {}),
    ("e6", "Group Buy Joined", at(1, 8, 2, 5), 2, None, None, {"group_buy_id": "g1"}),
    ("e7", "Order Completed", at(1, 8, 2, 10), 2, None, None, {"order_id": 103}),
    ("e8", "Product Viewed", at(1, 9), None, "a1", None, {}),
    ("e9", "Post Viewed", at(1, 11), 3, None, "douyin", {"post_id": "p1"}),
    ("e10", "Post Liked", at(1, 11, 3), 3, None, "douyin", {"post_id": "p1"}),
    ("e11", "Post Viewed", at(1, 12), 4, None, None, {"post_id": "p1"}),
    ("e12", "Post Published", at(1, 2), None, "ops", "douyin", {"post_id": "p1"}),
    ("e13", "Ticket Opened", at(1, 4, 10, 0), 1, None, None, {"ticket_id": "t1"}),
    ("e14", "Ticket First Response", at(1, 4, 11, 30), 1, None, None, {"ticket_id": "t1"}),
    ("e15", "Ticket Opened", at(1, 9, 8, 0), 2, None, None, {"ticket_id": "t2"}),
    ("e16", "Ticket First Response", at(1, 9, 11, 0), 2, None, None, {"ticket_id": "t2"}),
    ("e17", "Survey Answered", at(1, 5), 1, None, None, {"score": 5}),
    ("e18", "Survey Answered", at(1, 10), 2, None, None, {"score": 3}),
    ("e19", "Survey Answered", at(1, 13), 4, None, None, {"score": 4}),
    ("e20", "Post Published", at(1, 15), None, "ops", "community", {"post_id": "p2"}),
]
FEEDBACK = [
    ("f1", "review", at(1, 5), 1, 5),
    ("f2", "service_chat", at(1, 6), 2, 2),
    ("f3", "review", at(1, 7), 4, 4),
]
SPEND = [("community", date(2026, 1, 1), 31_000), ("referral", date(2026, 1, 1), 6_000)]
SYNC_RUNS = [(datetime(2026, 1, 10, tzinfo=None), 30.0), (datetime(2026, 1, 20), 90.0)]

# Hand-computed over JAN. Active people in January: users 1, 2, 3, 4, visitors a1 and ops = 6.
EXPECTED = {
    "social_interaction_rate": 1 / 6,  # only user 3 liked a post
    "content_interaction_rate": 1 / 2,  # 1 like / 2 post views
    "activity_participation": 1 / 6,  # user 2 joined a group buy (and bought through it)
    "social_module_coverage": 4 / 6,  # 3, 4 (posts), 2 (group buy; social order), 1 (community order)
    "core_channel_coverage": 2 / 6,  # community and douyin of the six core channels
    "content_cadence_private": 1 / (30 / 7),  # post p2 in community over 30 days
    "content_cadence_public": 1 / (30 / 7),  # post p1 on douyin
    "fission_user_conversion": 1 / 2,  # invited 2 (paid after 3 days) and 3 (paid after 41 days)
    # spend (31,000 + 6,000) over January's 31 Shanghai days; days 2..31 start inside the UTC window;
    # one new customer (user 2): users 1 and 4 first paid in December, user 3 in February
    "acquisition_cost": 37_000 * 30 / 31 / 1,
    "social_revenue_share": 13_000 / 17_000,  # 101 + 103 of 101 + (102 − refund) + 103
    "payment_conversion": 2 / 3,  # payers 1, 2 of viewers 1, 2, a1
    "steps_to_buy": 3.0,  # median of 4 (3 steps + payment) and 2 (1 step + payment)
    "repurchase_rate": 1 / 2,  # user 1 paid twice, user 2 once
    "retention": 1 / 2,  # December payers 1 and 4; 1 paid again in January
    "after_sales_response_hours": 2.25,  # median of 1.5 h and 3 h
    "service_satisfaction": 2 / 3,  # scores 5, 3, 4
    "demand_collection_coverage": 2 / 7,  # review and service_chat
    "data_sync_hours": 90 / 3600,  # worst run p95 = 90 s
}


def frames() -> dict[str, pd.DataFrame]:
    import json

    events = []
    for event_id, name, moment, user_id, anonymous_id, channel, props in EVENTS:
        events.append(
            {
                "event_id": event_id,
                "outbox_id": int(event_id[1:]),
                "name": name,
                "occurred_at": moment,
                "user_id": user_id,
                "anonymous_id": anonymous_id,
                "channel": channel,
                "order_id": props.get("order_id"),
                "post_id": props.get("post_id"),
                "group_buy_id": props.get("group_buy_id"),
                "ticket_id": props.get("ticket_id"),
                "score": props.get("score"),
                "properties_json": json.dumps(props),
            }
        )
    orders = [
        {
            "order_id": o[0], "user_id": o[1], "placed_at": o[2], "paid_at": o[3], "status": o[4],
            "channel": o[5], "currency": "CNY", "total_minor": o[6], "discount_minor": 0,
            "refunded_minor": o[7], "group_buy_id": o[8], "ship_to_self": True, "is_gift_wrapped": False,
        }
        for o in ORDERS
    ]  # fmt: skip
    users = [
        dict(zip(("user_id", "created_at", "channel", "invited_by", "city"), u, strict=True)) for u in USERS
    ]
    feedback = [
        dict(zip(("feedback_id", "channel", "created_at", "user_id", "rating"), f, strict=True))
        for f in FEEDBACK
    ]
    data = {
        "events": events,
        "orders": orders,
        "users": users,
        "feedback": feedback,
        "order_items": [],
        "products": [],
    }
    result = {}
    for name, rows in data.items():
        schema = TABLES[name]
        frame = pd.DataFrame(rows, columns=list(schema.names))
        result[name] = _typed(frame, schema)
    return result


def _typed(frame: pd.DataFrame, schema) -> pd.DataFrame:
    types = {}
    for name, dtype in schema.items():
        if dtype.is_timestamp():
            types[name] = "datetime64[us]"
        elif dtype.is_integer():
            types[name] = "Int64"
        elif dtype.is_floating():
            types[name] = "float64"
        elif dtype.is_boolean():
            types[name] = "boolean"
        else:
            types[name] = "object"
    return frame.astype(types)


def load(con) -> None:
    """Create the warehouse tables on any Ibis backend from the rows above."""
    from loopmall.analytics.warehouse.connection import load_frames

    load_frames(con, frames())
