"""Profiles and KPIs at scale: 1,000,000 users and 50,000,000 events on this machine.

Step 1 (not timed against the target) generates the simulated brand in chunks of users, as Parquet files
shaped like the warehouse tables (loopmall/analytics/warehouse/schema.py: int64 ids, money in minor units,
naive-UTC timestamps, NULL for absent values), plus the feedback table and the two staff inputs the KPIs
read (marketing spend per channel and month, sync runs):
    .venv/bin/python bench/profiles_scale.py generate --users 1000000 --events-per-order 8 --dir /tmp/lm-scale
Step 2 (the measured part) computes every need tag, lifecycle, RFM, repurchase cycle, fission role and
preferred channel for all users, then evaluates every warehouse-computed KPI of the registry
(loopmall.analytics.kpis: its own expressions and `evaluate_windows`, the latest window and, for KPIs
measured against a baseline, the default baseline window) and the content match rate (profiles), all on
DuckDB over those files, and prints each value, the times and the peak memory:
    .venv/bin/python bench/profiles_scale.py compute --dir /tmp/lm-scale [--memory-limit 6GB] [--traits]
"""

import argparse
import os
import resource
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

TABLES = ("users", "products", "orders", "order_items", "events", "feedback")
# Every id family of chunk i is numbered from i * ID_STRIDE + 1 (a chunk holds far fewer rows).
ID_STRIDE = 100_000_000
AS_OF = datetime(2026, 11, 30, tzinfo=UTC)


# --- generate ------------------------------------------------------------------------------------


def _int_ids(values: pd.Series, head: str, offset: int) -> pd.Series:
    """'c3-U17' (head 'c3-U') -> offset + 17; '' -> NULL."""
    values = values.astype(str)
    blank = values == ""
    numbers = values.str.slice(len(head)).where(~blank, "0").astype("int64") + offset
    return numbers.astype("Int64").mask(blank)


def _blank_to_null(values: pd.Series) -> pd.Series:
    values = values.astype("string")
    return values.mask(values == "")


def warehouse_frames(brand, index: int, sku_ids: dict, product_ids: dict, rng) -> dict[str, pd.DataFrame]:
    """One chunk's simulated frames as warehouse rows (the shape `loopmall warehouse sync` writes)."""
    prefix, offset = f"c{index}-", index * ID_STRIDE
    users, orders, items, events = brand.users, brand.orders, brand.order_items, brand.events
    user_id = _int_ids(users["user_id"], prefix + "U", offset)
    invited_by = _int_ids(users["invited_by"], prefix + "U", offset)
    out = {
        "users": pd.DataFrame(
            {
                "user_id": user_id,
                "created_at": users["created_at"],
                "channel": users["channel"],
                "invited_by": invited_by,
                "city": users["city"],
            }
        )  # fmt: skip
    }
    inviter_of = pd.Series(invited_by.to_numpy(), index=users["user_id"].to_numpy())
    order_user = _int_ids(orders["user_id"], prefix + "U", offset)
    refunded = orders["status"] == "refunded"
    referral = orders["channel"] == "referral_link"
    out["orders"] = pd.DataFrame(
        {"order_id": _int_ids(orders["order_id"], prefix + "O", offset), "user_id": order_user,
         "placed_at": orders["placed_at"], "paid_at": orders["paid_at"], "status": orders["status"],
         "channel": orders["channel"], "currency": "CNY", "total_minor": orders["total_minor"],
         "discount_minor": orders["discount_minor"],
         "refunded_minor": orders["total_minor"].astype("Int64").where(refunded),
         "coupon_code": _blank_to_null(orders["coupon_code"]),
         "group_buy_id": _blank_to_null(orders["group_buy_id"]),
         "referrer_id": pd.Series(inviter_of.reindex(orders["user_id"]).to_numpy(), dtype="Int64").where(
             referral.to_numpy()),
         "ship_to_self": orders["ship_to_self"], "is_gift_wrapped": orders["is_gift_wrapped"]}
    )  # fmt: skip
    out["order_items"] = pd.DataFrame(
        {"line_id": np.arange(1, len(items) + 1, dtype=np.int64) + offset,
         "order_id": _int_ids(items["order_id"], prefix + "O", offset),
         "sku_id": items["sku_id"].map(sku_ids).astype("int64"),
         "product_id": items["product_id"].map(product_ids).astype("int64"), "category": items["category"],
         "quantity": items["quantity"].astype("int64"), "unit_price_minor": items["unit_price_minor"],
         "discount_minor": items["discount_minor"], "tier": items["tier"]}
    )  # fmt: skip
    event_user = _int_ids(events["user_id"], prefix + "U", offset)
    anonymous = _blank_to_null(events["anonymous_id"])
    sku = events["sku_id"].map(sku_ids).astype("Int64")
    need_tags = events["need_tags"].astype(str)
    out["events"] = pd.DataFrame(
        {"event_id": events["event_id"], "outbox_id": pd.Series(pd.NA, index=events.index, dtype="Int64"),
         "name": events["name"], "occurred_at": events["occurred_at"], "user_id": event_user,
         "anonymous_id": anonymous, "channel": _blank_to_null(events["channel"]), "sku_id": sku,
         "product_id": events["sku_id"].map(product_ids).astype("Int64"),
         "category": _blank_to_null(events["category"]),
         "price_minor": pd.Series(pd.NA, index=events.index, dtype="Int64"),
         "order_id": _int_ids(events["order_id"], prefix + "O", offset),
         "post_id": _blank_to_null(events["post_id"]), "community_id": _blank_to_null(events["community_id"]),
         "live_session_id": _blank_to_null(events["live_session_id"]),
         "group_buy_id": _blank_to_null(events["group_buy_id"]), "ticket_id": _blank_to_null(events["ticket_id"]),
         "score": events["score"],
         "properties_json": ('{"post_id":"' + events["post_id"] + '","need_tags":' + need_tags + "}").where(
             need_tags != "").astype("string"),
         # warehouse-derived: one int64 per person (the user id; the brand's staff account as -1)
         "actor_key": event_user.fillna(-1).astype("int64")}
    )  # fmt: skip
    out["feedback"] = _feedback(out["orders"], out["events"], index, rng)
    return out


def _feedback(orders: pd.DataFrame, events: pd.DataFrame, index: int, rng) -> pd.DataFrame:
    """Warehouse feedback rows for the chunk (no text: the warehouse keeps channel, time, user, rating):
    reviews of a third of completed orders, return reasons, service chats, survey answers, post comments,
    some live comments and some search queries."""
    end = np.datetime64(AS_OF.replace(tzinfo=None), "s")
    parts = []

    def add(channel, created, user, rating=None):
        parts.append(pd.DataFrame({"channel": channel, "created_at": created, "user_id": user,
                                   "rating": pd.Series(rating, dtype="Int64") if rating is not None
                                   else pd.Series(pd.NA, index=range(len(created)), dtype="Int64")}))  # fmt: skip

    completed = orders[(orders["status"] == "completed") & (rng.random(len(orders)) < 0.33)]
    add("review", (completed["placed_at"] + pd.to_timedelta(rng.uniform(3, 15, len(completed)), unit="D")).to_numpy(),
        completed["user_id"].to_numpy(), rng.choice([1, 2, 3, 4, 5], len(completed), p=[0.04, 0.04, 0.1, 0.3, 0.52]))  # fmt: skip
    refunded = orders[orders["status"] == "refunded"]
    add("return_reason", (refunded["placed_at"] + pd.to_timedelta(rng.uniform(2, 8, len(refunded)), unit="D")).to_numpy(),
        refunded["user_id"].to_numpy())  # fmt: skip
    for name, channel, share in (("Ticket Opened", "service_chat", 1.0), ("Comment Posted", "comment", 1.0),
                                 ("Live Session Joined", "live_comment", 0.3), ("Products Searched", "search_query", 0.1)):  # fmt: skip
        rows = events[events["name"] == name]
        rows = rows[rng.random(len(rows)) < share]
        add(channel, rows["occurred_at"].to_numpy(), rows["user_id"].to_numpy())
    surveys = events[events["name"] == "Survey Answered"]
    add("questionnaire", surveys["occurred_at"].to_numpy(), surveys["user_id"].to_numpy(), surveys["score"].astype("int64").to_numpy())  # fmt: skip
    feedback = pd.concat(parts, ignore_index=True)
    feedback = feedback[feedback["created_at"] < end].reset_index(drop=True)
    feedback.insert(0, "feedback_id", [f"c{index}-F{i}" for i in range(1, len(feedback) + 1)])
    feedback["product_id"] = pd.Series(pd.NA, index=feedback.index, dtype="Int64")
    feedback["lang"] = "zh"
    feedback["demands"] = pd.Series(pd.NA, index=feedback.index, dtype="string")
    feedback["user_id"] = feedback["user_id"].astype("Int64")
    return feedback[
        ["feedback_id", "channel", "created_at", "user_id", "product_id", "rating", "lang", "demands"]
    ]


def _staff_inputs(root: Path, users: int, rng) -> None:
    """Marketing spend per channel and month (about 60 yuan per new user a year) and hourly sync runs over
    the last 30 days: the two staff/platform inputs the KPIs read besides the warehouse tables."""
    channels = {"community": 0.2, "mini_shop": 0.15, "douyin": 0.25, "xiaohongshu": 0.2, "video_channel": 0.1,
                "live": 0.1}  # fmt: skip
    rows = []
    for months_back in range(12, -1, -1):
        year, month = AS_OF.year, AS_OF.month - months_back
        while month < 1:
            year, month = year - 1, month + 12
        for channel, share in channels.items():
            amount = int(users * 6000 / 12 * share * rng.uniform(0.8, 1.2))
            rows.append((channel, date(year, month, 1), amount))
    pd.DataFrame(rows, columns=["channel", "month", "amount_minor"]).to_parquet(
        root / "spend.parquet", index=False
    )
    hours = np.arange(30 * 24)
    finished = [AS_OF.replace(tzinfo=None) - timedelta(hours=int(h)) for h in hours]
    lag = rng.lognormal(np.log(120), 0.5, hours.size)
    pd.DataFrame({"finished_at": finished, "lag_p95_seconds": lag}).to_parquet(
        root / "sync_runs.parquet", index=False
    )


def generate(args) -> None:
    from loopmall.profiles.simulator import SimulationConfig, simulate

    root = Path(args.dir)
    for name in TABLES:
        (root / name).mkdir(parents=True, exist_ok=True)
    chunks = (args.users + args.chunk - 1) // args.chunk
    totals = dict.fromkeys(TABLES, 0)
    started = time.perf_counter()
    sku_ids = product_ids = None
    rng = np.random.default_rng(args.seed)
    for index in range(chunks):
        users = min(args.chunk, args.users - index * args.chunk)
        brand = simulate(
            SimulationConfig(users=users, seed=args.seed + index, id_prefix=f"c{index}-",
                             events_per_order=args.events_per_order, publish_posts=index == 0)
        )  # fmt: skip
        if sku_ids is None:  # the catalog is the same in every chunk
            products = brand.products.reset_index(drop=True)
            sku_ids = dict(zip(products["sku_id"], range(1, len(products) + 1), strict=True))
            product_codes = list(dict.fromkeys(products["product_id"]))
            product_ids = dict(zip(product_codes, range(1, len(product_codes) + 1), strict=True))
            warehouse_products = products.assign(
                sku_id=products["sku_id"].map(sku_ids).astype("int64"),
                product_id=products["product_id"].map(product_ids).astype("int64"),
            )[["sku_id", "product_id", "name", "category", "price_minor", "list_price_minor", "tier", "attributes",
               "is_family_category"]]  # fmt: skip
            warehouse_products.to_parquet(root / "products" / "part-0000.parquet", index=False)
            totals["products"] = len(warehouse_products)
        for name, frame in warehouse_frames(brand, index, sku_ids, product_ids, rng).items():
            frame.to_parquet(root / name / f"part-{index:04d}.parquet", index=False)
            totals[name] += len(frame)
        traits = brand.traits.assign(
            user_id=_int_ids(brand.traits["user_id"], f"c{index}-U", index * ID_STRIDE)
        )
        traits.to_parquet(root / f"traits-{index:04d}.parquet", index=False)
        print(f"chunk {index + 1}/{chunks}: {totals['users']} users, {totals['events']} events, "
              f"{time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip
    _staff_inputs(root, args.users, rng)
    print(totals)


# --- compute -------------------------------------------------------------------------------------


def compute(args) -> None:
    import ibis

    from loopmall.profiles.content import content_match_rate
    from loopmall.profiles.tags import (
        evidence_table,
        fission_roles,
        lifecycle_and_rfm,
        preferred_channel,
        score_against_traits,
        score_need_tags,
    )

    root = Path(args.dir)
    con = ibis.duckdb.connect()
    con.raw_sql(f"SET memory_limit = '{args.memory_limit}'")
    con.raw_sql(f"SET threads = {os.cpu_count() or 2}")
    con.raw_sql("SET TimeZone = 'UTC'")
    started = time.perf_counter()
    tables = {name: con.read_parquet(str(root / name / "*.parquet"), table_name=name) for name in TABLES}
    counts = {name: int(tables[name].count().execute()) for name in TABLES}
    print("rows:", counts, flush=True)
    marks = {}
    evidence = evidence_table(
        tables["orders"], tables["order_items"], tables["products"], tables["events"]
    ).to_pandas()
    marks["need-tag evidence"] = time.perf_counter() - started
    need = score_need_tags(evidence)
    del evidence
    marks["need tags"] = time.perf_counter() - started
    facts = lifecycle_and_rfm(tables["orders"], tables["users"], as_of=AS_OF)
    marks["lifecycle, RFM, repurchase"] = time.perf_counter() - started
    roles = fission_roles(tables["users"], tables["events"])
    channel = preferred_channel(tables["orders"])
    marks["fission, channel"] = time.perf_counter() - started
    profiles_done = time.perf_counter() - started
    print(f"profiles: need tags {len(need):,}; profiles {len(facts):,}; fission roles {len(roles):,}; "
          f"channels {len(channel):,}; {profiles_done:.1f}s", flush=True)  # fmt: skip
    del facts, roles, channel

    kpi_seconds = _kpis(con, root, need, content_match_rate)
    total = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for step, at in marks.items():
        print(f"  {step:28} done at {at:7.1f}s")
    print(f"  {'KPIs':28} {kpi_seconds:7.1f}s")
    print(f"users {counts['users']:,}, events {counts['events']:,}, orders {counts['orders']:,}, "
          f"order items {counts['order_items']:,}, feedback {counts['feedback']:,}")  # fmt: skip
    print(f"profiles {profiles_done:.1f}s + KPIs {kpi_seconds:.1f}s = total {total:.1f}s, "
          f"peak memory {peak_kib / 1024 / 1024:.2f} GiB")  # fmt: skip
    if args.traits:
        traits = pd.concat(pd.read_parquet(p) for p in sorted(root.glob("traits-*.parquet")))
        traits["user_id"] = traits["user_id"].astype("int64")
        for code, f in score_against_traits(need, traits).items():
            print(f"  {code:18} precision {f['precision']:.3f} recall {f['recall']:.3f}")


def _kpis(con, root: Path, need: pd.DataFrame, content_match_rate) -> float:
    """Every KPI the registry computes in the warehouse, with the KPI code as it is, plus the content
    match rate; returns the seconds taken."""
    from loopmall.analytics.kpis.evaluate import (
        activity_span,
        business_midnight_after,
        default_baseline,
        evaluate_windows,
        tables_for,
    )
    from loopmall.analytics.kpis.registry import KPIS

    started = time.perf_counter()
    spend_rows = pd.read_parquet(root / "spend.parquet")
    spend = [(r.channel, r.month, int(r.amount_minor)) for r in spend_rows.itertuples(index=False)]
    runs = pd.read_parquet(root / "sync_runs.parquet")
    sync_runs = [
        (r.finished_at.to_pydatetime(), float(r.lag_p95_seconds)) for r in runs.itertuples(index=False)
    ]
    t = tables_for(con, spend=spend, sync_runs=sync_runs)
    first, last = activity_span(con)
    as_of = business_midnight_after(last)
    print(f"KPIs as of {as_of:%Y-%m-%d %H:%M} UTC (activity {first:%Y-%m-%d} .. {last:%Y-%m-%d})", flush=True)
    for kpi in KPIS:
        if kpi.source != "warehouse":
            continue
        step = time.perf_counter()
        windows = [(as_of - timedelta(days=kpi.period_days), as_of)]
        if kpi.comparison == "relative":
            windows.append(default_baseline(kpi, first))
        try:
            values = evaluate_windows(con, kpi, t, windows)
        except Exception as exc:  # report and go on: one failing KPI must not hide the others' figures
            print(f"  {kpi.key:34} FAILED: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
            continue
        shown = _show(values[0])
        if kpi.comparison == "relative":
            change = values[0] / values[1] - 1 if values[0] is not None and values[1] else None
            shown += f"  (baseline {_show(values[1])}, change {_show(change)})"
        print(f"  {kpi.key:34} {shown:60} {time.perf_counter() - step:6.1f}s", flush=True)
    step = time.perf_counter()
    user_tags = con.create_table("bench_need_tags", need[["user_id", "tag"]].astype({"user_id": "int64"}),
                                 temp=True)  # fmt: skip
    rate = content_match_rate(con.table("events"), con.table("products"), user_tags, as_of - timedelta(days=30),
                              as_of)  # fmt: skip
    print(f"  {'content_match_rate (profiles)':34} {_show(rate):60} {time.perf_counter() - step:6.1f}s")
    return time.perf_counter() - started


def _show(value) -> str:
    return "None" if value is None else f"{value:,.4f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--users", type=int, default=1_000_000)
    gen.add_argument("--chunk", type=int, default=50_000)
    gen.add_argument("--events-per-order", type=float, default=8.0)
    gen.add_argument("--seed", type=int, default=1000)
    gen.add_argument("--dir", required=True)
    comp = sub.add_parser("compute")
    comp.add_argument("--dir", required=True)
    comp.add_argument("--memory-limit", default="6GB")
    comp.add_argument("--traits", action="store_true", help="also score against the hidden traits")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    if args.step == "compute":
        import django

        django.setup()  # the KPI registry's names are translatable strings
    generate(args) if args.step == "generate" else compute(args)


if __name__ == "__main__":
    main()
