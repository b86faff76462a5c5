"""Profiles at scale: 1,000,000 users and 50,000,000 events on this machine.

Step 1 (not timed against the target) generates the simulated brand in chunks as Parquet files:
    .venv/bin/python bench/profiles_scale.py generate --users 1000000 --events-per-order 15 --dir /tmp/lm-scale
Step 2 (the measured part) computes every need tag, lifecycle, RFM, repurchase cycle, fission role and
preferred channel for all users from those files on DuckDB, and prints time and peak memory:
    .venv/bin/python bench/profiles_scale.py compute --dir /tmp/lm-scale [--memory-limit 6GB]
"""

import argparse
import os
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

TABLES = ("users", "products", "orders", "order_items", "events")


def generate(args) -> None:
    from loopmall.profiles.simulator import SimulationConfig, simulate

    root = Path(args.dir)
    for name in TABLES:
        (root / name).mkdir(parents=True, exist_ok=True)
    chunks = (args.users + args.chunk - 1) // args.chunk
    totals = dict.fromkeys(TABLES, 0)
    started = time.perf_counter()
    for index in range(chunks):
        users = min(args.chunk, args.users - index * args.chunk)
        brand = simulate(
            SimulationConfig(users=users, seed=args.seed + index, id_prefix=f"c{index}-",
                             events_per_order=args.events_per_order)
        )  # fmt: skip
        for name, frame in brand.frames().items():
            if name == "products" and index > 0:
                continue
            frame.to_parquet(root / name / f"part-{index:04d}.parquet", index=False)
            totals[name] += len(frame)
        brand.traits.to_parquet(root / f"traits-{index:04d}.parquet", index=False)
        print(f"chunk {index + 1}/{chunks}: {totals['users']} users, {totals['events']} events, "
              f"{time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip
    print(totals)


def compute(args) -> None:
    import ibis

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
    started = time.perf_counter()
    tables = {name: con.read_parquet(str(root / name / "*.parquet"), table_name=name) for name in TABLES}
    counts = {name: int(tables[name].count().execute()) for name in TABLES}
    print("rows:", counts, flush=True)
    marks = {}
    evidence = evidence_table(
        tables["orders"], tables["order_items"], tables["products"], tables["events"]
    ).to_pandas()
    marks["evidence"] = time.perf_counter() - started
    need = score_need_tags(evidence)
    marks["need tags"] = time.perf_counter() - started
    facts = lifecycle_and_rfm(tables["orders"], tables["users"], as_of=datetime(2026, 11, 30, tzinfo=UTC))
    marks["lifecycle, RFM, repurchase"] = time.perf_counter() - started
    roles = fission_roles(tables["users"], tables["events"])
    channel = preferred_channel(tables["orders"])
    marks["fission, channel"] = time.perf_counter() - started
    total = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for step, at in marks.items():
        print(f"  {step:28} done at {at:7.1f}s")
    print(f"users {counts['users']:,}, events {counts['events']:,}, orders {counts['orders']:,}")
    print(
        f"need tags {len(need):,}; profiles {len(facts):,}; fission roles {len(roles):,}; channels {len(channel):,}"
    )
    print(f"total {total:.1f}s, peak memory {peak_kib / 1024 / 1024:.2f} GiB")
    if args.traits:
        import pandas as pd

        traits = pd.concat(pd.read_parquet(p) for p in sorted(root.glob("traits-*.parquet")))
        for code, f in score_against_traits(need, traits).items():
            print(f"  {code:18} precision {f['precision']:.3f} recall {f['recall']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--users", type=int, default=1_000_000)
    gen.add_argument("--chunk", type=int, default=50_000)
    gen.add_argument("--events-per-order", type=float, default=15.0)
    gen.add_argument("--seed", type=int, default=1000)
    gen.add_argument("--dir", required=True)
    comp = sub.add_parser("compute")
    comp.add_argument("--dir", required=True)
    comp.add_argument("--memory-limit", default="6GB")
    comp.add_argument("--traits", action="store_true", help="also score against the hidden traits")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    generate(args) if args.step == "generate" else compute(args)


if __name__ == "__main__":
    main()
