"""Need-tag accuracy against hidden traits.

Simulates a brand (`loopmall simulate`), imports the bundle into a warehouse (DuckDB), computes the
tags and prints precision, recall and F1 per need tag, plus how many users had too little evidence.

    .venv/bin/python bench/profiles_accuracy.py [--users 20000] [--seed 42]
"""

import argparse
import tempfile
import time
from pathlib import Path

import ibis

from loopmall.profiles.frames import bundle_frames, load_frames
from loopmall.profiles.simulator import SimulationConfig, simulate
from loopmall.profiles.tags import evidence_table, score_against_traits, score_need_tags


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        brand = simulate(SimulationConfig(users=args.users, seed=args.seed))
        brand.write_bundle(directory)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        tables = load_frames(ibis.duckdb.connect(), bundle_frames(directory))
        imported = time.perf_counter() - started
        started = time.perf_counter()
        evidence = evidence_table(
            tables["orders"], tables["order_items"], tables["products"], tables["events"]
        )
        tags = score_need_tags(evidence.to_pandas())
        scored = time.perf_counter() - started
    print(f"users {args.users}, seed {args.seed}: {len(brand.orders)} orders, {len(brand.events)} events")
    print(f"simulate {generated:.1f}s, import {imported:.1f}s, evidence + scoring {scored:.1f}s")
    print(f"{'tag':18} {'precision':>9} {'recall':>7} {'F1':>6} {'tagged':>7} {'true':>6}")
    for code, f in score_against_traits(tags, brand.traits).items():
        print(
            f"{code:18} {f['precision']:9.3f} {f['recall']:7.3f} {f['f1']:6.3f} {f['tagged']:7d} {f['true']:6d}"
        )
    truth = brand.traits.set_index("user_id")
    without_orders = int((brand.orders.groupby("user_id").size().reindex(truth.index).fillna(0) == 0).sum())
    print(f"users without any order (never tagged): {without_orders}")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    main()
