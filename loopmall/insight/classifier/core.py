"""DemandClassifier: lexicon rules with negation scope, combined with a model learned from labelled
feedback when labels and their texts are available (see model.py), lexicon rules alone otherwise."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from loopmall.insight.classifier.lexicon import LexiconMatcher, _trie_pattern
from loopmall.insight.classifier.model import DemandModel, complains, negated_only, term_codes, train_model
from loopmall.insight.classifier.prepare import Prepared, prepare
from loopmall.insight.taxonomy import Taxonomy, default_taxonomy

logger = logging.getLogger(__name__)

MODEL_FORMAT = 5  # bump when features or training change, so saved models are rebuilt
RULE_SCORE = 0.85  # score of a demand the lexicon found, in lexicon-only mode
ASPECT_SCORE = 0.2  # a subject was mentioned without a complaint about it


@dataclass(frozen=True)
class Classification:
    demands: list[str]  # codes of unmet needs; empty for praise, neutral text or an unanalysed language
    scores: dict[str, float]  # every code of the taxonomy, 0..1; a code is a demand iff its score >= 0.5
    lang: str  # "zh", "en", "pt" or "other"
    sentences: list[tuple[str, list[str]]]  # each clause and the demands it carries
    uncertainty: float  # 0..1: how close the decision was (the active-learning queue sorts by it)


def _var_dir() -> Path:
    try:
        from django.conf import settings

        return Path(settings.VAR_DIR) / "insight" / "models"
    except Exception:  # used outside Django (a script): a local var/
        return Path.cwd() / "var" / "insight" / "models"


class DemandClassifier:
    def __init__(self, taxonomy: Taxonomy | None = None, model: DemandModel | None = None) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self.codes = self.taxonomy.codes
        self.matcher = LexiconMatcher(self.taxonomy)
        self.model = model
        self._lock = threading.Lock()
        self._patterns: dict[tuple[int, str], re.Pattern[str]] = {}

    @property
    def is_trained(self) -> bool:
        return self.model is not None

    def describe(self) -> dict:
        if self.model is None:
            return {"mode": "lexicon", "examples": 0}
        return {"mode": "lexicon+model", **self.model.report}

    # -- classification ------------------------------------------------------------------------

    def classify(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        ratings: Sequence[int | None] | None = None,
    ) -> list[Classification]:
        """Classify a batch (batches of a few hundred are fastest). `ratings` are accepted for callers
        that have them; the current rules and model read the text only."""
        langs = list(langs) if langs is not None else [None] * len(texts)
        if len(langs) != len(texts):
            raise ValueError("langs: must have one entry per text")
        docs = [prepare(text, lang, self.matcher) for text, lang in zip(texts, langs, strict=True)]
        model = self.model
        analysed = [i for i, doc in enumerate(docs) if doc.is_analysed and doc.clauses]
        # The model only ever adds a demand to a text that complains about something (see
        # model.complains), so texts without a complaint or a hint of one skip it.
        modelled = [i for i in analysed if model is not None and complains(docs[i])]
        position = {index: k for k, index in enumerate(modelled)}
        probabilities: dict[str, np.ndarray] = {}
        gate = np.ones(0)
        if modelled:
            probabilities, gate = model.probabilities([docs[i] for i in modelled])
        analysed_set = set(analysed)
        results = []
        for index, doc in enumerate(docs):
            if index not in analysed_set:
                results.append(self._empty(doc))
            elif index not in position:
                results.append(self._by_rules(doc))
            else:
                k = position[index]
                results.append(
                    self._by_model(doc, model, {c: p[k] for c, p in probabilities.items()}, gate[k])
                )
        return results

    def classify_one(self, text: str, lang: str | None = None) -> Classification:
        return self.classify([text], [lang])[0]

    def _empty(self, doc: Prepared) -> Classification:
        return Classification(
            [], dict.fromkeys(self.codes, 0.0), doc.lang, [(c, []) for c in doc.clauses], 0.0
        )

    def _by_rules(self, doc: Prepared) -> Classification:
        found = set().union(*(e.codes for e in doc.evidence))
        mentioned = set().union(*(e.aspects for e in doc.evidence))
        scores = {
            code: RULE_SCORE if code in found else (ASPECT_SCORE if code in mentioned else 0.0)
            for code in self.codes
        }
        demands = [code for code in self.codes if code in found]
        negative_without_demand = any(e.is_negative for e in doc.evidence) and not demands
        uncertainty = 0.5 if negative_without_demand else (0.3 if mentioned - found else 0.1)
        return Classification(demands, scores, doc.lang, self._sentences(doc, demands, None), uncertainty)

    def _by_model(self, doc: Prepared, model: DemandModel, probability: dict, gate: float) -> Classification:
        found = set().union(*(e.codes for e in doc.evidence))
        by_term = term_codes(doc)
        gate_open = gate >= model.gate_threshold
        vetoed = negated_only(doc)  # the model only reads texts that complain (see classify)
        scores: dict[str, float] = {}
        for code in self.codes:
            decision = model.decision(code, doc.lang)
            rule = code in found
            if decision is None or decision.strategy == "rule" or code not in probability:
                score = RULE_SCORE if rule else min(0.3, float(probability.get(code, 0.0)))
            else:
                score = _rescale(float(probability[code]), decision.threshold)
                if not gate_open or code in vetoed:
                    score = min(score, 0.49)  # the gate and the vetoes hold back what the model adds
                if (rule and decision.strategy == "either") or (
                    code in by_term and decision.strategy == "model+term"
                ):
                    score = max(score, RULE_SCORE)
            scores[code] = round(score, 4)
        demands = [code for code in self.codes if scores[code] >= 0.5]
        margins = [1 - abs(2 * s - 1) for s in scores.values()]
        gate_margin = 1 - min(1.0, abs(gate - model.gate_threshold) * 2) if model.gate_threshold > 0 else 0.0
        uncertainty = round(max([*margins, gate_margin]), 4)
        return Classification(demands, scores, doc.lang, self._sentences(doc, demands, model), uncertainty)

    def _sentences(self, doc: Prepared, demands: list[str], model: DemandModel | None):
        per_clause: list[list[str]] = [[c for c in demands if c in e.codes] for e in doc.evidence]
        for code in demands:
            if any(code in codes for codes in per_clause) or not per_clause:
                continue
            pattern = self._top_terms_pattern(model, code)
            overlaps = [
                (
                    (len(pattern.findall(clause.lower())) if pattern else 0)
                    + 0.5 * (code in e.aspects)
                    + 0.25 * e.is_negative,
                    -i,
                )
                for i, (clause, e) in enumerate(zip(doc.clauses, doc.evidence, strict=True))
            ]
            best = -max(overlaps)[1]
            per_clause[best].append(code)
        order = {code: i for i, code in enumerate(self.codes)}
        return [
            (clause, sorted(codes, key=order.__getitem__))
            for clause, codes in zip(doc.clauses, per_clause, strict=True)
        ]

    def _top_terms_pattern(self, model: DemandModel | None, code: str) -> re.Pattern[str] | None:
        """The n-grams that weigh most for `code` in the model, as one pattern (built once per model)."""
        if model is None or not model.top_terms.get(code):
            return None
        key = (id(model), code)
        pattern = self._patterns.get(key)
        if pattern is None:
            pattern = re.compile(_trie_pattern(sorted(model.top_terms[code])))
            self._patterns[key] = pattern
        return pattern

    # -- training ----------------------------------------------------------------------------

    def train(self, examples: list[tuple[str, list[str]]], *, include_shipped: bool = True) -> dict:
        """Retrain on the shipped training labels plus `examples` (staff corrections: text and the codes
        it really carries; a correction replaces a shipped label of the same text). Saves the model
        under var/ and returns the training report."""
        shipped = shipped_examples() if include_shipped else []
        corrections = [(text, [c for c in codes if c in self.codes]) for text, codes in examples if text]
        merged: dict[str, list[str]] = {}
        for text, codes in [*shipped, *corrections]:
            merged[text] = list(codes)
        if len(merged) < 10:
            raise ValueError(f"examples: need at least 10 labelled texts to train, got {len(merged)}")
        texts = list(merged)
        docs = [prepare(text, None, self.matcher) for text in texts]
        keep = [i for i, doc in enumerate(docs) if doc.is_analysed and doc.clauses]
        model = train_model(
            [docs[i] for i in keep], [merged[texts[i]] for i in keep], self.codes, self.taxonomy.fingerprint
        )
        model.report["corrections"] = len(corrections)
        with self._lock:
            self.model = model
        _save_corrections(corrections)
        self.save(model_path(self.taxonomy, corrections))
        return dict(model.report)

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path: Path) -> Path:
        import joblib

        if self.model is None:
            raise ValueError("model: nothing to save, the classifier is not trained")
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        joblib.dump({"format": MODEL_FORMAT, "model": self.model}, temporary, compress=3)
        temporary.replace(path)
        return path

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy | None = None) -> DemandClassifier:
        import joblib

        taxonomy = taxonomy or default_taxonomy()
        payload = joblib.load(path)
        model = payload.get("model") if payload.get("format") == MODEL_FORMAT else None
        if model is None or tuple(model.codes) != taxonomy.codes:
            raise ValueError(f"model: {path} was trained for another taxonomy or format")
        return cls(taxonomy, model)


def shipped_examples() -> list[tuple[str, list[str]]]:
    """(text, codes) of the shipped training labels whose texts are present (../shared/data)."""
    from loopmall.insight.evaluation.harness import load_split

    return [(item.text, list(item.codes)) for item in load_split("train")]


def _corrections_path() -> Path:
    return _var_dir() / "corrections.json"


def _save_corrections(corrections: list[tuple[str, list[str]]]) -> None:
    path = _corrections_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(corrections, ensure_ascii=False), encoding="utf-8")


def saved_corrections() -> list[tuple[str, list[str]]]:
    path = _corrections_path()
    if not path.exists():
        return []
    return [(text, list(codes)) for text, codes in json.loads(path.read_text(encoding="utf-8"))]


def model_path(taxonomy: Taxonomy, corrections: list[tuple[str, list[str]]]) -> Path:
    """The saved model for this taxonomy, these shipped labels and these corrections: any change to one
    of them names another file, so a stale model is never loaded."""
    from loopmall.insight.evaluation.harness import labels_fingerprint

    key = json.dumps(
        [MODEL_FORMAT, taxonomy.fingerprint, labels_fingerprint("train"), corrections], ensure_ascii=False
    )
    return _var_dir() / f"demand-classifier-{hashlib.sha256(key.encode()).hexdigest()[:16]}.joblib"


def _rescale(probability: float, threshold: float) -> float:
    """Map a probability so that the demand's tuned threshold lands on 0.5."""
    threshold = min(max(threshold, 1e-3), 1 - 1e-3)
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / (1 - threshold)


_cache: dict[str, DemandClassifier] = {}
_cache_lock = threading.Lock()


def get_classifier(taxonomy: Taxonomy | None = None, *, train_if_missing: bool = True) -> DemandClassifier:
    """The classifier for `taxonomy` (default: the shipped one), cached per taxonomy.

    Loads the saved model for this taxonomy and these labels from var/insight/models/; if there is none,
    trains one from the shipped training labels (about two minutes for the 16k shipped labels on two
    cores) and saves it. Without the label texts
    (no ../shared/data) it classifies by the lexicon rules alone and logs that once.
    """
    taxonomy = taxonomy or default_taxonomy()
    corrections = saved_corrections()
    path = model_path(taxonomy, corrections)
    # The file name is a digest of everything the model is made from (format, taxonomy, labels,
    # corrections), so one process shares a model across var directories (the test suite uses many)
    # instead of training it again for each.
    key = path.name
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        classifier = None
        if path.exists():
            try:
                classifier = DemandClassifier.load(path, taxonomy)
            except Exception as exc:  # a damaged or foreign file: rebuild it
                logger.warning("insight: ignoring saved model %s (%s)", path, exc)
        if classifier is None:
            classifier = DemandClassifier(taxonomy)
            if not train_if_missing:
                return classifier  # not cached: a later call may still train
            try:
                classifier.train(corrections)
            except ValueError as exc:
                logger.warning("insight: demand classifier runs on lexicon rules only: %s", exc)
        _cache[key] = classifier
        return classifier


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
