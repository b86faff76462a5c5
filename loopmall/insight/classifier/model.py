"""The learned half of the classifier: TF-IDF features plus the lexicon evidence, one logistic
regression per demand, a "carries any unmet need" gate, and per-demand decisions tuned by
cross-validation on the training labels only.

For every demand the cross-validation picks how to decide: the model's probability over a tuned
threshold, the lexicon rule alone, or either of them — whichever predicts that demand best out of fold.
A demand with too few training examples to learn from uses the rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold

from loopmall.insight.classifier.prepare import Prepared

MIN_POSITIVES = 6  # fewer training examples than this: the demand is decided by its rule
MIN_POSITIVES_MODEL_ALONE = 60  # the model may decide alone only where it has seen this many examples
ANY_LANGUAGE = "*"
MIN_POSITIVES_PER_LANGUAGE = 20  # a language needs this many examples of a demand for its own decision
DECIDED_LANGUAGES = ("zh", "en")
TERM_PREFERENCE = 0.05  # out-of-fold F1 a strategy keeping the lexicon's terms may give up to keep them
FOLDS = 5
SEED = 20261203
THRESHOLDS = np.round(np.arange(0.25, 0.86, 0.025), 3)  # lower ones over-fit a rare demand's few folds
RULE_FEATURE_WEIGHT = 1.0
NO_WORDS = "<no-words>"  # the word features of a Chinese text (keeps the vocabulary non-empty)


def word_features(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams of an already tokenized text (module level so the vectorizer pickles)."""
    return list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def rule_features(docs: Sequence[Prepared], codes: Sequence[str]) -> sparse.csr_matrix:
    index = {code: i for i, code in enumerate(codes)}
    width = 4 * len(codes) + 4
    rows, cols, values = [], [], []
    for row, doc in enumerate(docs):
        cells: dict[int, float] = {}
        negative = positive = 0
        for evidence in doc.evidence:
            for code in evidence.codes:
                if code in index:
                    cells[4 * index[code]] = 1.0
            for code in evidence.terms:
                if code in index:
                    cells[4 * index[code] + 1] = 1.0
            for code in evidence.aspects:
                if code in index:
                    cells[4 * index[code] + 2] = 1.0
            for code in evidence.negated_terms:
                if code in index:
                    cells[4 * index[code] + 3] = 1.0
            negative += evidence.is_negative
            positive += evidence.is_positive
        base = 4 * len(codes)
        clauses = max(1, len(doc.clauses))
        cells[base] = 1.0 if negative else 0.0
        cells[base + 1] = 1.0 if positive else 0.0
        cells[base + 2] = negative / clauses
        cells[base + 3] = 1.0 if doc.lang == "en" else 0.0
        for col, value in cells.items():
            if value:
                rows.append(row)
                cols.append(col)
                values.append(value * RULE_FEATURE_WEIGHT)
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(docs), width))


def rule_predictions(docs: Sequence[Prepared], code: str) -> np.ndarray:
    return np.array([any(code in e.codes for e in doc.evidence) for doc in docs], dtype=bool)


def term_codes(doc: Prepared) -> set[str]:
    """Demands the rules find through a non-negated problem term (the strong half of the rule): what the
    "model+term" decision adds, in training and in classification alike."""
    return set().union(*(e.codes & e.terms for e in doc.evidence))


def term_predictions(docs: Sequence[Prepared], code: str) -> np.ndarray:
    """Texts with a non-negated problem term of `code`."""
    return np.array([code in term_codes(doc) for doc in docs], dtype=bool)


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(truth & predicted))
    fp = float(np.sum(~truth & predicted))
    fn = float(np.sum(truth & ~predicted))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


@dataclass
class Decision:
    # "rule": the lexicon decides; "either": the rule, or the model over its threshold; "model+term": the
    # model over its threshold, or an explicit problem term ("偏小一码"); "model": the model alone (the
    # rule hits are among its features)
    strategy: str
    threshold: float = 0.5
    cv_f1: float = 0.0


@dataclass
class DemandModel:
    codes: tuple[str, ...]
    taxonomy_fingerprint: str
    char_vectorizer: TfidfVectorizer
    word_vectorizer: TfidfVectorizer
    complaint_vectorizer: TfidfVectorizer
    estimators: dict[str, SGDClassifier]
    gate: SGDClassifier | None
    gate_threshold: float
    decisions: dict[str, dict[str, Decision]]  # code -> language (or ANY_LANGUAGE) -> decision
    top_terms: dict[str, frozenset[str]]
    examples: int
    report: dict = field(default_factory=dict)

    def decision(self, code: str, lang: str) -> Decision | None:
        by_language = self.decisions.get(code)
        if not by_language:
            return None
        return by_language.get(lang) or by_language.get(ANY_LANGUAGE)

    def features(self, docs: Sequence[Prepared]) -> sparse.csr_matrix:
        return _features(
            docs, self.codes, self.char_vectorizer, self.word_vectorizer, self.complaint_vectorizer
        )

    def probabilities(self, docs: Sequence[Prepared]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        matrix = self.features(docs)
        scores = {code: estimator.predict_proba(matrix)[:, 1] for code, estimator in self.estimators.items()}
        gate = self.gate.predict_proba(matrix)[:, 1] if self.gate is not None else np.ones(len(docs))
        return scores, gate


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer, TfidfVectorizer]:
    char = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60_000, lowercase=True
    )
    word = TfidfVectorizer(
        analyzer=word_features, min_df=2, sublinear_tf=True, max_features=40_000, lowercase=False
    )
    complaint = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60_000, lowercase=True
    )
    return char, word, complaint


CHAR_INPUT_CHARS = 500  # reviews rarely say more; n-gram counting is the costliest step of classification


def _char_input(doc: Prepared) -> str:
    return doc.text[:CHAR_INPUT_CHARS]


NO_COMPLAINT = "∅"


def complaint_clauses(doc: Prepared) -> str:
    """The clauses that complain (a negative opinion, a problem term, or a complaint hint in a clause
    that is not plain praise), joined: what a mixed review says against the product, apart from what
    it praises ("包装很好，但质量差" -> "但质量差"), so that the praised subject does not vote."""
    hint = _COMPLAINT_HINT_EN if doc.lang == "en" else _COMPLAINT_HINT_ZH
    picked = [
        clause
        for clause, evidence in zip(doc.clauses, doc.evidence, strict=False)
        if evidence.is_negative
        or evidence.terms
        or (not evidence.is_positive and hint.search(clause) is not None)
    ]
    return " | ".join(picked)[:CHAR_INPUT_CHARS] or NO_COMPLAINT


def _features(docs, codes, char, word, complaint) -> sparse.csr_matrix:
    return sparse.hstack(
        [
            char.transform([_char_input(d) for d in docs]),
            word.transform([d.words or [NO_WORDS] for d in docs]),
            complaint.transform([complaint_clauses(d) for d in docs]),
            rule_features(docs, codes),
        ],
        format="csr",
    )


def _logistic() -> SGDClassifier:
    # Logistic loss by stochastic gradient descent: probabilities like a logistic regression, trained
    # in a fraction of the time on sparse n-grams. The regularisation (alpha) was chosen by
    # cross-validation on the 16k training labels (1e-4 0.661, 3e-5 0.684, 1e-5 0.688, 3e-6 0.684).
    return SGDClassifier(
        loss="log_loss", alpha=1e-5, class_weight="balanced", max_iter=50, tol=None, random_state=SEED
    )


def _fit_matrix(docs):
    char, word, complaint = _vectorizers()
    char.fit([_char_input(d) for d in docs])
    word.fit([d.words or [NO_WORDS] for d in docs])
    complaint.fit([complaint_clauses(d) for d in docs])
    return char, word, complaint


def _out_of_fold(docs, labels, codes) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Out-of-fold probabilities for every demand and for the gate, each fold fitting its own vocabulary."""
    n = len(docs)
    oof = {code: np.zeros(n) for code in codes}
    gate_oof = np.zeros(n)
    any_label = labels.any(axis=1)
    folds = KFold(n_splits=min(FOLDS, n), shuffle=True, random_state=SEED)
    for train_index, test_index in folds.split(np.arange(n)):
        train_docs = [docs[i] for i in train_index]
        test_docs = [docs[i] for i in test_index]
        vectorizers = _fit_matrix(train_docs)
        x_train = _features(train_docs, codes, *vectorizers)
        x_test = _features(test_docs, codes, *vectorizers)
        for j, code in enumerate(codes):
            y = labels[train_index, j]
            if y.sum() >= 2 and (~y).sum() >= 2:
                oof[code][test_index] = _logistic().fit(x_train, y).predict_proba(x_test)[:, 1]
        y_any = any_label[train_index]
        if y_any.sum() >= 2 and (~y_any).sum() >= 2:
            gate_oof[test_index] = _logistic().fit(x_train, y_any).predict_proba(x_test)[:, 1]
        else:
            gate_oof[test_index] = 1.0
    return oof, gate_oof


def _best_decision(truth, oof_code, rule, term, allowed) -> Decision:
    candidates = [Decision("rule", cv_f1=_f1(truth, rule))]
    if truth.sum() >= MIN_POSITIVES:
        for threshold in THRESHOLDS:
            model = (oof_code >= threshold) & allowed
            candidates.append(Decision("either", float(threshold), _f1(truth, model | rule)))
            if truth.sum() >= MIN_POSITIVES_MODEL_ALONE:
                candidates.append(Decision("model", float(threshold), _f1(truth, model)))
                candidates.append(Decision("model+term", float(threshold), _f1(truth, model | term)))
    # The lexicon's explicit problem terms ("偏小一码", "runs small") are what staff read and edit:
    # keep them deciding unless dropping them is clearly better out of fold.
    return max(
        candidates,
        key=lambda d: (d.cv_f1 + TERM_PREFERENCE * (d.strategy != "model"), d.strategy == "rule"),
    )


def _choose_decisions(docs, labels, codes, oof, gate_oof):
    """Per demand and per language (Chinese and English reviews word the same need differently and
    are not equally frequent), the strategy and threshold that predict best out of fold; a language
    with too few examples of a demand falls back to the decision over all languages."""
    decisions: dict[str, dict[str, Decision]] = {}
    best_gate, best_total = 0.0, -1.0
    langs = np.array([doc.lang for doc in docs])
    # what the rules say does not depend on the gate: read it once per demand, not once per threshold
    rules = {code: rule_predictions(docs, code) for code in codes}
    terms = {code: term_predictions(docs, code) for code in codes}
    allowed_by_rules = {code: model_allowed(docs, code) for code in codes}
    for gate_threshold in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
        gate_open = gate_oof >= gate_threshold
        chosen: dict[str, dict[str, Decision]] = {}
        tp = fp = fn = 0.0
        for j, code in enumerate(codes):
            truth = labels[:, j]
            rule, term = rules[code], terms[code]
            allowed = allowed_by_rules[code] & gate_open
            overall = _best_decision(truth, oof[code], rule, term, allowed)
            chosen[code] = {ANY_LANGUAGE: overall}
            predicted = _predict(overall, oof[code], rule, allowed, term)
            for lang in DECIDED_LANGUAGES:
                mask = langs == lang
                if truth[mask].sum() < MIN_POSITIVES_PER_LANGUAGE:
                    continue
                own = _best_decision(truth[mask], oof[code][mask], rule[mask], term[mask], allowed[mask])
                chosen[code][lang] = own
                predicted[mask] = _predict(own, oof[code][mask], rule[mask], allowed[mask], term[mask])
            tp += float(np.sum(truth & predicted))
            fp += float(np.sum(~truth & predicted))
            fn += float(np.sum(truth & ~predicted))
        micro = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
        if micro > best_total + 1e-9:
            best_total, best_gate, decisions = micro, gate_threshold, chosen
    return decisions, best_gate, best_total


def _predict(
    decision: Decision, probability: np.ndarray, rule: np.ndarray, allowed: np.ndarray, term: np.ndarray
) -> np.ndarray:
    if decision.strategy == "rule":
        return rule
    if decision.strategy == "model":
        return (probability >= decision.threshold) & allowed
    if decision.strategy == "model+term":
        return term | ((probability >= decision.threshold) & allowed)
    return rule | ((probability >= decision.threshold) & allowed)


def model_allowed(docs: Sequence[Prepared], code: str) -> np.ndarray:
    """Where the model may add `code` beyond the rules: the text complains about something (a negative
    opinion or any problem term), and the rules did not find this very demand negated ("没漏")."""
    return np.array([complains(doc) and code not in negated_only(doc) for doc in docs], dtype=bool)


# Words that often carry a complaint the lexicons do not name: a turn after praise ("就是有点…",
# "but"), a wish, a question, a comparative or a plain adjective of degree. A text with one of them is
# read by the model too; the learned gate and each demand's threshold then decide.
_COMPLAINT_HINT_ZH = re.compile(
    "但|不过|可惜|只是|就是|遗憾|希望|建议|要是|如果|不能|不会|没有|没|不|太|才|居然|竟然|怎么|为什么|吗|？|\\?|"
    "退|换|坏|旧|贵|慢|少|小|大|薄|硬|咸|淡|辣|油|脏|吵|臭|味"
)
_COMPLAINT_HINT_EN = re.compile(
    r"\b(?:but|however|though|although|wish|unfortunately|only|not|no|too|small|large|big|tight|loose|"
    r"return|disappoint\w*)\b|n't\b",
    re.IGNORECASE,
)


def complains(doc: Prepared) -> bool:
    """The text holds a negative opinion, a problem term or a complaint hint somewhere."""
    if any(e.is_negative or e.terms for e in doc.evidence):
        return True
    if any(e.negated_terms for e in doc.evidence):
        return False  # the only problems named are denied ("瓶子没有漏"): the hints are those negators
    hint = _COMPLAINT_HINT_EN if doc.lang == "en" else _COMPLAINT_HINT_ZH
    return hint.search(doc.text) is not None


def negated_only(doc: Prepared) -> set[str]:
    """Demands the model may not add: those the rules found only negated in the text ("没漏") or only
    praised ("包装也很好": the subject named in a clause with a positive opinion and no negative one)."""
    vetoed: set[str] = set()
    complained: set[str] = set()
    for e in doc.evidence:
        vetoed |= e.negated_terms
        if e.is_positive and not e.is_negative:
            vetoed |= e.aspects
        else:
            complained |= e.aspects
        complained |= e.codes
    return vetoed - complained


def may_add(doc: Prepared, code: str) -> bool:
    return complains(doc) and code not in negated_only(doc)


def train_model(
    docs: Sequence[Prepared], label_sets: Sequence[Sequence[str]], codes: Sequence[str], fingerprint: str
) -> DemandModel:
    codes = tuple(codes)
    docs = list(docs)
    labels = np.array([[code in set(ls) for code in codes] for ls in label_sets], dtype=bool).reshape(
        len(docs), len(codes)
    )
    oof, gate_oof = _out_of_fold(docs, labels, codes)
    decisions, gate_threshold, cv_micro = _choose_decisions(docs, labels, codes, oof, gate_oof)

    char, word, complaint = _fit_matrix(docs)
    matrix = _features(docs, codes, char, word, complaint)
    estimators: dict[str, SGDClassifier] = {}
    top_terms: dict[str, frozenset[str]] = {}
    vocabulary = np.array(word.get_feature_names_out())
    offset = len(char.vocabulary_)
    for j, code in enumerate(codes):
        y = labels[:, j]
        if y.sum() >= 2 and (~y).sum() >= 2:
            estimator = _logistic().fit(matrix, y)
            estimators[code] = estimator
            weights = estimator.coef_[0][offset : offset + len(vocabulary)]
            best = np.argsort(weights)[::-1][:200]
            top_terms[code] = frozenset(
                vocabulary[i] for i in best if weights[i] > 0 and " " not in vocabulary[i]
            )
        if code not in estimators:
            decisions[code] = {
                lang: d if d.strategy == "rule" else Decision("rule", cv_f1=d.cv_f1)
                for lang, d in decisions[code].items()
            }
    any_label = labels.any(axis=1)
    gate = _logistic().fit(matrix, any_label) if 2 <= any_label.sum() <= len(docs) - 2 else None
    report = {
        "examples": len(docs),
        "cv_micro_f1": round(cv_micro, 4),
        "gate_threshold": gate_threshold,
        "decisions": {
            c: {
                lang: {"strategy": d.strategy, "threshold": d.threshold, "cv_f1": round(d.cv_f1, 4)}
                for lang, d in by_language.items()
            }
            for c, by_language in decisions.items()
        },
        "positives": {c: int(labels[:, j].sum()) for j, c in enumerate(codes)},
    }
    return DemandModel(
        codes=codes,
        taxonomy_fingerprint=fingerprint,
        char_vectorizer=char,
        word_vectorizer=word,
        complaint_vectorizer=complaint,
        estimators=estimators,
        gate=gate,
        gate_threshold=gate_threshold if gate is not None else 0.0,
        decisions=decisions,
        top_terms=top_terms,
        examples=len(docs),
        report=report,
    )


def entropy(probability: float) -> float:
    p = min(max(probability, 1e-6), 1 - 1e-6)
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))
