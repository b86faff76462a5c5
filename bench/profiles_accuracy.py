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
from loopmall.profiles.tags import NEED_TAG_CODES, evidence_table, score_need_tags


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
        evidence = evidence_table(tables["orders"], tables["order_items"], tables["products"], tables["events"])
        tags = score_need_tags(evidence.to_pandas())
        scored = time.perf_counter() - started
    print(f"users {args.users}, seed {args.seed}: {len(brand.orders)} orders, {len(brand.events)} events")
    print(f"simulate {generated:.1f}s, import {imported:.1f}s, evidence + scoring {scored:.1f}s")
    truth = brand.traits.set_index("user_id")
    print(f"{'tag':18} {'precision':>9} {'recall':>7} {'F1':>6} {'tagged':>7} {'true':>6}")
    for code in NEED_TAG_CODES:
        predicted = set(tags.loc[tags["tag"] == code, "user_id"])
        actual = set(truth.index[truth[code] == 1])
        hits = len(predicted & actual)
        precision = hits / max(len(predicted), 1)
        recall = hits / max(len(actual), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        print(f"{code:18} {precision:9.3f} {recall:7.3f} {f1:6.3f} {len(predicted):7d} {len(actual):6d}")
    without_orders = int((brand.orders.groupby("user_id").size().reindex(truth.index).fillna(0) == 0).sum())
    print(f"users without any order (never tagged): {without_orders}")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    main()
