"""Demand classification: throughput on real review text and accuracy on the labelled evaluation set.

    .venv/bin/python bench/insight_classify.py [--items 20000] [--batch 512] [--accuracy]

Throughput is measured on one core: numeric libraries are pinned to one thread and the rate is items
per CPU-second of this process (wall-clock rate printed too; on a shared machine the two differ).
Texts: every review of online_shopping_10_cats, waimai_10k, ChnSentiCorp hotels and the women's
clothing reviews in ../shared/data, shuffled, the first --items of them.
"""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")

import argparse  # noqa: E402
import csv  # noqa: E402
import gzip  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import django  # noqa: E402

CORPORA = [
    ("online_shopping_10_cats/online_shopping_10_cats.csv.gz", "review"),
    ("waimai_10k/waimai_10k.csv.gz", "review"),
    ("chnsenticorp_htl_all/ChnSentiCorp_htl_all.csv.gz", "review"),
    ("womens_clothing_ecommerce_reviews/womens_clothing_ecommerce_reviews.csv.gz", "Review Text"),
]


def real_texts(limit: int) -> list[str]:
    from loopmall.insight.evaluation.select_items import shared_data_dir

    texts = []
    for relative, column in CORPORA:
        with gzip.open(shared_data_dir() / relative, "rt", encoding="utf-8", newline="") as handle:
            texts += [row[column] for row in csv.DictReader(handle) if row.get(column)]
    random.Random(1).shuffle(texts)
    return texts[:limit]


def throughput(classifier, texts: list[str], batch: int) -> tuple[float, float]:
    classifier.classify(texts[:batch])  # warm-up: caches, regexes, jieba dictionary
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), batch):
        classifier.classify(texts[start : start + batch])
    return len(texts) / (time.process_time() - cpu), len(texts) / (time.perf_counter() - wall)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--accuracy", action="store_true", help="also print the evaluation-set table")
    args = parser.parse_args()
    django.setup()
    from loopmall.insight.classifier import DemandClassifier, get_classifier
    from loopmall.insight.evaluation.harness import evaluate, load_split, shared_data_available

    if not shared_data_available():
        print("../shared/data is absent: no real texts to measure on", file=sys.stderr)
        return 2
    texts = real_texts(args.items)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} real review texts, mean {mean_chars:.0f} characters, batches of {args.batch}")
    started = time.perf_counter()
    classifier = get_classifier()
    print(f"classifier ready in {time.perf_counter() - started:.1f}s: {classifier.describe().get('mode')}")
    for name, candidate in (("lexicon+model", classifier), ("lexicon only", DemandClassifier())):
        cpu_rate, wall_rate = throughput(candidate, texts, args.batch)
        print(
            f"{name:14s}: {cpu_rate:,.0f} items per CPU-second (one core), {wall_rate:,.0f} items/s wall-clock"
        )
    if args.accuracy:
        for name, candidate in (("lexicon+model", classifier), ("lexicon only", DemandClassifier())):
            scores, _ = evaluate(candidate, load_split("eval"))
            print(f"\n{name} on the evaluation set ({scores.items} items):\n{scores.table()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
