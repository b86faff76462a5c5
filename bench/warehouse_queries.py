"""Dashboard query latency on a simulated warehouse of 10 million events (target: p95 < 1 s per query).

Builds (once, cached at --path) a DuckDB warehouse with `--events` simulated events (a commerce path of
searches, views, adds and orders plus posts, likes, shares, group buys, tickets and surveys), 500k users
and ~1M orders over 26 weeks, generated inside DuckDB. Then runs the console's queries `--repeat` times
each and prints p50/p95: every warehouse KPI over its current window (what the scorecard needs per KPI),
a KPI's 12-week trend, a 4-step funnel, weekly and channel retention, and value by cohort.

    .venv/bin/python bench/warehouse_queries.py --events 10000000 --repeat 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
os.environ.setdefault("LOOPMALL_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))

END = datetime(2026, 12, 1)
DAYS = 182

EVENT_SQL = """
INSERT INTO events (event_id, outbox_id, name, occurred_at, user_id, anonymous_id, channel, sku_id, product_id,
                    category, price_minor, order_id, post_id, community_id, live_session_id, group_buy_id,
                    ticket_id, score, properties_json)
SELECT 'sim-' || i, i,
  CASE WHEN r < 0.30 THEN 'Product Viewed' WHEN r < 0.40 THEN 'Products Searched'
       WHEN r < 0.50 THEN 'Product List Viewed' WHEN r < 0.60 THEN 'Product Added'
       WHEN r < 0.64 THEN 'Checkout Started' WHEN r < 0.67 THEN 'Order Completed'
       WHEN r < 0.80 THEN 'Post Viewed' WHEN r < 0.85 THEN 'Post Liked' WHEN r < 0.87 THEN 'Post Shared'
       WHEN r < 0.89 THEN 'Comment Posted' WHEN r < 0.91 THEN 'Group Buy Joined' WHEN r < 0.92 THEN 'Invite Sent'
       WHEN r < 0.93 THEN 'Ticket Opened' WHEN r < 0.94 THEN 'Ticket First Response'
       WHEN r < 0.95 THEN 'Survey Answered' WHEN r < 0.951 THEN 'Post Published' ELSE 'Live Session Joined' END,
  TIMESTAMP '{start}' + to_microseconds(CAST(hash(i * 7) % {span_us} AS BIGINT)),
  CASE WHEN hash(i * 11) % 10 < 8 THEN CAST(hash(i * 13) % {users} AS BIGINT) + 1 END,
  CASE WHEN hash(i * 11) % 10 >= 8 THEN 'anon-' || CAST(hash(i * 17) % 2000000 AS VARCHAR) END,
  (['community','mini_shop','douyin','xiaohongshu','video_channel','live','storefront'])[CAST(hash(i * 19) % 7 AS INT) + 1],
  CAST(hash(i * 23) % 5000 AS BIGINT), CAST(hash(i * 23) % 5000 AS BIGINT) // 3,
  'cat-' || CAST(hash(i * 23) % 40 AS VARCHAR), 990 + CAST(hash(i * 29) % 50000 AS BIGINT), NULL,
  'post-' || CAST(hash(i * 31) % 20000 AS VARCHAR), NULL, NULL, NULL,
  'ticket-' || CAST(hash(i * 37) % 200000 AS VARCHAR), CAST(hash(i * 41) % 5 + 1 AS DOUBLE), NULL
FROM (SELECT i, (hash(i) % 1000000) / 1000000.0 AS r FROM range({events}) t(i))
"""

ORDER_SQL = """
INSERT INTO orders
SELECT i, CAST(hash(i * 3) % {users} AS BIGINT) + 1, placed, CASE WHEN hash(i * 5) % 10 < 9 THEN placed + INTERVAL 3 MINUTE END,
  CASE WHEN hash(i * 5) % 10 < 9 THEN 'paid' ELSE 'cancelled' END,
  (['storefront','community','live','group_buy','referral_link','mini_shop'])[CAST(hash(i * 7) % 6 AS INT) + 1],
  'CNY', 2000 + CAST(hash(i * 11) % 60000 AS BIGINT), 0, CASE WHEN hash(i * 13) % 50 = 0 THEN 1000 ELSE 0 END,
  NULL, CASE WHEN hash(i * 7) % 6 = 3 THEN 'g' || CAST(i // 3 AS VARCHAR) END, NULL, true, false
FROM (SELECT i, TIMESTAMP '{start}' + to_microseconds(CAST(hash(i * 2) % {span_us} AS BIGINT)) AS placed
      FROM range(1, {orders} + 1) t(i))
"""

USER_SQL = """
INSERT INTO users
SELECT i, TIMESTAMP '{start}' - INTERVAL 30 DAY + to_microseconds(CAST(hash(i * 3) % {span_us} AS BIGINT)),
  (['community','mini_shop','douyin','xiaohongshu','video_channel','live','referral','organic'])[CAST(hash(i * 5) % 8 AS INT) + 1],
  CASE WHEN hash(i * 7) % 8 = 0 THEN CAST(hash(i * 11) % {users} AS BIGINT) + 1 END, NULL
FROM range(1, {users} + 1) t(i)
"""


def build(path: Path, events: int, users: int, orders: int) -> None:
    from loopmall.analytics import warehouse
    from loopmall.analytics.warehouse import derive

    start = END - timedelta(days=DAYS)
    span_us = DAYS * 24 * 3600 * 1_000_000
    with warehouse.opened(path=str(path)) as con:
        warehouse.migrate(con)
        fill = {
            "start": start.isoformat(sep=" "),
            "span_us": span_us,
            "users": users,
            "events": events,
            "orders": orders,
        }
        for label, sql in (("users", USER_SQL), ("orders", ORDER_SQL), ("events", EVENT_SQL)):
            t0 = time.perf_counter()
            con.con.execute(sql.format(**fill)).fetchall()
            print(f"  built {label} in {time.perf_counter() - t0:.1f} s")
        # What `loopmall warehouse rebuild` does after copying: derived columns, tables in time order.
        t0 = time.perf_counter()
        derive.derive_all(con)
        print(f"  derived actor keys and time order in {time.perf_counter() - t0:.1f} s")
        con.con.execute("CHECKPOINT").fetchall()


def timed(function, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        function()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples) + 0.5) - 1))]
    return statistics.median(samples), p95


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=500_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--path", default=str(Path(tempfile.gettempdir()) / "loopmall-bench-10m.duckdb"))
    parser.add_argument("--only", default="", help="comma-separated query names to run")
    args = parser.parse_args()
    import django

    django.setup()
    from loopmall.analytics import cohorts, funnels, warehouse
    from loopmall.analytics.kpis import KPIS
    from loopmall.analytics.kpis.evaluate import evaluate_windows, tables_for, trend_windows

    path = Path(args.path)
    if not path.exists():
        print(f"building {args.events:,} events at {path} ...")
        build(path, args.events, args.users, args.orders)
    with warehouse.opened(path=str(path)) as con:
        t0 = time.perf_counter()
        applied = warehouse.migrate(con)  # a warehouse built by an older version is brought up to date
        if applied:
            con.con.execute("CHECKPOINT").fetchall()
            print(f"applied warehouse migrations {applied} in {time.perf_counter() - t0:.1f} s")
        count = con.con.execute("SELECT count(*) FROM events").fetchone()[0]
        threads = con.con.execute("SELECT current_setting('threads')").fetchone()[0]
        print(f"warehouse: {count:,} events; {args.repeat} runs per query; duckdb threads={threads}")
        t = tables_for(
            con, spend=[("douyin", datetime(2026, 11, 1).date(), 5_000_000)], sync_runs=[(END, 30.0)]
        )
        queries = {}
        for kpi in KPIS:
            if kpi.source == "warehouse":
                window = [(END - timedelta(days=kpi.period_days), END)]
                queries[f"kpi {kpi.key}"] = lambda k=kpi, w=window: evaluate_windows(con, k, t, w)
        repurchase = next(k for k in KPIS if k.key == "repurchase_rate")
        queries["trend repurchase_rate (12 weeks)"] = lambda: evaluate_windows(
            con, repurchase, t, trend_windows(repurchase, END)
        )
        steps = ["Products Searched", "Product Viewed", "Product Added", "Order Completed"]
        queries["funnel 4 steps, 30 days"] = lambda: funnels.funnel_compute(
            con, steps, start=END - timedelta(days=30), end=END
        )
        queries["retention weekly cohorts"] = lambda: cohorts.retention_compute(con, by="week")
        queries["retention by channel"] = lambda: cohorts.retention_compute(con, by="channel")
        queries["value by cohort and channel"] = lambda: cohorts.value_compute(con)
        only = {q.strip() for q in args.only.split(",") if q.strip()}
        worst = 0.0
        print(f"{'query':48} {'p50 s':>8} {'p95 s':>8}")
        for name, function in queries.items():
            if only and not any(o in name for o in only):
                continue
            function()  # warm: compile caches, file pages
            p50, p95 = timed(function, args.repeat)
            worst = max(worst, p95)
            print(f"{name:48} {p50:8.3f} {p95:8.3f}")
        print(f"worst p95 {worst:.3f} s — target < 1 s: {'met' if worst < 1 else 'NOT met'}")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
