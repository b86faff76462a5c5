"""Measuring the demand classifier on the hand-labelled sets (README.md in this folder says how an id
becomes a text). Train and tune only on `train`; measure on `eval`.

    python -m loopmall.insight.evaluation.harness            # per-demand precision/recall, micro/macro F1
    python -m loopmall.insight.evaluation.harness --lexicon   # the lexicon rules alone, for comparison
    python -m loopmall.insight.evaluation.harness --cv        # 5-fold cross-validation on train only
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from loopmall.insight.evaluation import select_items


@dataclass(frozen=True)
class LabelledItem:
    source: str
    item_id: str
    text: str
    codes: tuple[str, ...]


def shared_data_available() -> bool:
    return (select_items.shared_data_dir() / "online_shopping_10_cats").is_dir()


def label_files(split: str) -> tuple[str, ...]:
    """The label files behind a split: "train" is every training file (train and train_extra)."""
    return select_items.TRAINING_SPLITS if split == "train" else (split,)


def load_split(split: str) -> list[LabelledItem]:
    """The labelled items of "train" (all training files) or "eval" with their texts; [] when the texts
    are absent."""
    if not shared_data_available():
        return []
    items = []
    rows = [row for name in label_files(split) for row in select_items.read_labels(name)]
    for source, item_id, codes in rows:
        try:
            text = select_items.load_text(source, item_id)
        except (KeyError, FileNotFoundError, OSError):
            continue
        items.append(LabelledItem(source, item_id, text, tuple(codes)))
    return items


def labels_fingerprint(split: str) -> str:
    digest = hashlib.sha256()
    for name in label_files(split):
        path = select_items.LABEL_FILES[name]
        digest.update(path.read_bytes() if path.exists() else b"none")
    return digest.hexdigest()[:16]


@dataclass
class Scores:
    codes: tuple[str, ...]
    items: int = 0
    true_positive: dict[str, int] = field(default_factory=dict)
    false_positive: dict[str, int] = field(default_factory=dict)
    false_negative: dict[str, int] = field(default_factory=dict)
    exact: int = 0

    def add(self, truth: Sequence[str], predicted: Sequence[str]) -> None:
        self.items += 1
        truth_set, predicted_set = set(truth), set(predicted)
        self.exact += truth_set == predicted_set
        for code in self.codes:
            if code in truth_set and code in predicted_set:
                self.true_positive[code] = self.true_positive.get(code, 0) + 1
            elif code in predicted_set:
                self.false_positive[code] = self.false_positive.get(code, 0) + 1
            elif code in truth_set:
                self.false_negative[code] = self.false_negative.get(code, 0) + 1

    def per_code(self, code: str) -> tuple[float, float, float, int]:
        tp = self.true_positive.get(code, 0)
        fp = self.false_positive.get(code, 0)
        fn = self.false_negative.get(code, 0)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return precision, recall, f1, tp + fn

    @property
    def micro_f1(self) -> float:
        tp = sum(self.true_positive.values())
        fp = sum(self.false_positive.values())
        fn = sum(self.false_negative.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def micro_precision(self) -> float:
        tp, fp = sum(self.true_positive.values()), sum(self.false_positive.values())
        return tp / (tp + fp) if tp + fp else 0.0

    @property
    def micro_recall(self) -> float:
        tp, fn = sum(self.true_positive.values()), sum(self.false_negative.values())
        return tp / (tp + fn) if tp + fn else 0.0

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the demands that occur in the labels or the predictions."""
        present = [c for c in self.codes if self.per_code(c)[3] or self.false_positive.get(c)]
        return sum(self.per_code(c)[2] for c in present) / len(present) if present else 0.0

    def table(self) -> str:
        lines = ["| demand | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
        for code in self.codes:
            precision, recall, f1, support = self.per_code(code)
            lines.append(f"| `{code}` | {precision:.3f} | {recall:.3f} | {f1:.3f} | {support} |")
        lines.append(
            f"| **micro** | {self.micro_precision:.3f} | {self.micro_recall:.3f} | **{self.micro_f1:.3f}** | "
            f"{sum(self.per_code(c)[3] for c in self.codes)} |"
        )
        lines.append(f"| **macro F1** | | | **{self.macro_f1:.3f}** | |")
        return "\n".join(lines)


def evaluate(
    classifier, items: Sequence[LabelledItem]
) -> tuple[Scores, list[tuple[LabelledItem, list[str]]]]:
    """Scores of `classifier` on `items`, and the items it got wrong with its prediction."""
    scores = Scores(codes=tuple(classifier.codes))
    mistakes = []
    results = classifier.classify([item.text for item in items])
    for item, result in zip(items, results, strict=True):
        scores.add(item.codes, result.demands)
        if set(item.codes) != set(result.demands):
            mistakes.append((item, list(result.demands)))
    return scores, mistakes


def cross_validate(taxonomy=None, folds: int = 5) -> Scores:
    """k-fold cross-validation on the training labels only (nothing from eval is read)."""
    import random

    from loopmall.insight.classifier.core import DemandClassifier
    from loopmall.insight.classifier.model import train_model
    from loopmall.insight.classifier.prepare import prepare

    items = load_split("train")
    random.Random(7).shuffle(items)
    base = DemandClassifier(taxonomy)
    scores = Scores(codes=base.codes)
    for fold in range(folds):
        train = [item for i, item in enumerate(items) if i % folds != fold]
        test = [item for i, item in enumerate(items) if i % folds == fold]
        docs = [prepare(item.text, None, base.matcher) for item in train]
        model = train_model(docs, [item.codes for item in train], base.codes, base.taxonomy.fingerprint)
        fitted = DemandClassifier(base.taxonomy, model)
        fold_scores, _ = evaluate(fitted, test)
        for code in base.codes:
            for name in ("true_positive", "false_positive", "false_negative"):
                target = getattr(scores, name)
                target[code] = target.get(code, 0) + getattr(fold_scores, name).get(code, 0)
        scores.items += fold_scores.items
        scores.exact += fold_scores.exact
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="eval", choices=("eval", "train"))
    parser.add_argument("--lexicon", action="store_true", help="lexicon rules only, no learned model")
    parser.add_argument("--cv", action="store_true", help="cross-validate on the training labels")
    parser.add_argument("--mistakes", type=int, default=0, help="print this many misclassified items")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from loopmall.insight.classifier import DemandClassifier, get_classifier

    if not shared_data_available():
        print(f"no texts: {select_items.shared_data_dir()} is missing", file=sys.stderr)
        return 2
    if args.cv:
        scores = cross_validate()
        print(f"5-fold cross-validation on train ({scores.items} items)")
        print(scores.table())
        return 0
    classifier = DemandClassifier() if args.lexicon else get_classifier()
    items = load_split(args.split)
    scores, mistakes = evaluate(classifier, items)
    mode = classifier.describe()
    print(
        f"{args.split}: {scores.items} items, mode {mode['mode']}, trained on {mode.get('examples', 0)} examples"
    )
    print(scores.table())
    print(f"exact-match accuracy: {scores.exact / max(1, scores.items):.3f}")
    for item, predicted in mistakes[: args.mistakes]:
        print(
            f"{item.source}:{item.item_id}\ttruth={';'.join(item.codes)}\tpredicted={';'.join(predicted)}\t{item.text[:120]}"
        )
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    sys.exit(main())
