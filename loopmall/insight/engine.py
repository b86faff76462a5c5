"""The bridge between the stored taxonomy (DemandDefinition rows, domain words) and the text engine
(loopmall.insight.text / taxonomy / classifier). Services, clusters and reports call these functions
and never build a classifier themselves, so a taxonomy edit reaches every caller at once."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_lock = threading.Lock()
_state: dict[str, Any] = {"classifier": None, "version": None, "words_loaded": False}


@dataclass(frozen=True)
class Result:
    demands: list[str]
    scores: dict[str, float]
    lang: str
    sentences: dict[str, str] = field(default_factory=dict)
    uncertainty: float = 0.0


def default_demands() -> list[Any]:
    """The shipped taxonomy's demands (objects with code, name_zh, name_en, definition, lexicons)."""
    from loopmall.insight.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    demands = getattr(taxonomy, "demands", taxonomy)
    return list(demands.values() if isinstance(demands, dict) else demands)


def _taxonomy_version() -> tuple:
    from django.db.models import Count, Max

    from loopmall.insight.models import DemandDefinition

    agg = DemandDefinition.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def current_taxonomy():
    """The taxonomy as staff edited it: active demands from the database (seeded on first use)."""
    from loopmall.insight.models import DemandDefinition
    from loopmall.insight.services import taxonomy_ensure_seeded
    from loopmall.insight.taxonomy import Demand, taxonomy_from_demands

    taxonomy_ensure_seeded()
    demands = [
        Demand(
            code=d.code,
            name_zh=d.name_zh,
            name_en=d.name_en,
            definition=d.definition,
            lexicon_zh=tuple(d.lexicon_zh),
            lexicon_en=tuple(d.lexicon_en),
            aspects_zh=tuple(d.aspects_zh),
            aspects_en=tuple(d.aspects_en),
            definition_zh=d.definition_zh,
        )
        for d in DemandDefinition.objects.filter(is_active=True).order_by("position", "id")
    ]
    return taxonomy_from_demands(demands)


def _load_domain_words() -> None:
    if _state["words_loaded"]:
        return
    from loopmall.insight.models import DomainWord
    from loopmall.insight.text import add_domain_words

    words = list(DomainWord.objects.values_list("word", flat=True))
    if words:
        add_domain_words(words)
    _state["words_loaded"] = True


def classifier():
    """The classifier for the current taxonomy, rebuilt when staff change the taxonomy."""
    from loopmall.insight.classifier import get_classifier

    version = _taxonomy_version()
    with _lock:
        _load_domain_words()
        if _state["classifier"] is None or _state["version"] != version:
            _state["classifier"] = get_classifier(current_taxonomy())
            _state["version"] = _taxonomy_version()
        return _state["classifier"]


def invalidate() -> None:
    with _lock:
        _state["classifier"] = None
        _state["version"] = None


def _sentences_by_code(raw: Any, demands: Sequence[str]) -> dict[str, str]:
    if isinstance(raw, dict):
        return {code: str(raw.get(code, "")) for code in demands}
    out: dict[str, str] = {}
    for item in raw or ():
        text = getattr(item, "text", None)
        codes = getattr(item, "demands", None)
        if text is None and isinstance(item, tuple | list) and len(item) == 2:
            text, codes = item
        for code in codes or ():
            out.setdefault(code, str(text))
    return out


def classify(
    texts: Sequence[str],
    *,
    langs: Sequence[str | None] | None = None,
    ratings: Sequence[int | None] | None = None,
) -> list[Result]:
    raw = classifier().classify(list(texts), langs=list(langs) if langs else None,
                                ratings=list(ratings) if ratings else None)  # fmt: skip
    results = []
    for item in raw:
        demands = list(item.demands)
        results.append(
            Result(
                demands=demands,
                scores={k: float(v) for k, v in dict(item.scores).items()},
                lang=item.lang or "",
                sentences=_sentences_by_code(getattr(item, "sentences", None), demands),
                uncertainty=float(getattr(item, "uncertainty", 0.0) or 0.0),
            )
        )
    return results


def retrain(examples: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """Train on the shipped labels plus these (text, codes) examples; returns the trainer's summary."""
    model = classifier()
    summary = model.train(examples)
    return dict(summary) if isinstance(summary, dict) else {"trained": len(examples)}


def add_words(words: Iterable[str]) -> None:
    from loopmall.insight.text import add_domain_words

    add_domain_words(list(words))
    invalidate()


def tokenize(text: str, lang: str | None = None) -> list[str]:
    from loopmall.insight.text import detect_language, normalise, tokenize

    _load_domain_words()
    clean = normalise(text)
    return list(tokenize(clean, lang or detect_language(clean)))
