"""The demand taxonomy: what counts as a demand, its names and the phrases that signal it.

The default (14 demands from docs/demand-taxonomy.md) ships in `data/default_taxonomy.json`. Staff edit
a copy in the console; whoever stores that copy builds a `Taxonomy` from `Demand` values and passes it
to `loopmall.insight.classifier.get_classifier(taxonomy)`.

Lexicon entries are literal phrases; `*` inside one stands for up to four characters of the same clause
("希望*套装" matches "希望出个套装"). `lexicon_*` are problem expressions: a demand unless negated
("坏了", "runs small"). `aspects_*` name a subject ("包装", "price") that makes a demand only when the
clause also carries a negative opinion ("包装很差") or a negated positive one ("包装不太好").
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parent / "data" / "default_taxonomy.json"


@dataclass(frozen=True)
class Demand:
    code: str
    name_zh: str
    name_en: str
    definition: str
    lexicon_zh: tuple[str, ...] = ()
    lexicon_en: tuple[str, ...] = ()
    aspects_zh: tuple[str, ...] = ()
    aspects_en: tuple[str, ...] = ()
    definition_zh: str = ""

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("_", "").isalnum() or self.code != self.code.lower():
            raise ValueError(f"code: {self.code!r} must be lower-case letters, digits and underscores")
        for name in ("lexicon_zh", "lexicon_en", "aspects_zh", "aspects_en"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name}: expected a sequence of phrases, got a string")
            object.__setattr__(self, name, tuple(p.strip() for p in value if p and p.strip()))

    def name(self, language: str = "zh") -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True)
class Opinions:
    """Generic opinion words, shared by all demands: they turn an aspect mention into a demand."""

    negative_zh: tuple[str, ...] = ()
    negative_en: tuple[str, ...] = ()
    positive_zh: tuple[str, ...] = ()
    positive_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    demands: tuple[Demand, ...]
    opinions: Opinions = field(default_factory=lambda: default_opinions())

    def __post_init__(self) -> None:
        object.__setattr__(self, "demands", tuple(self.demands))
        codes = [d.code for d in self.demands]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"code: duplicated demand codes {duplicates}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.demands)

    def get(self, code: str) -> Demand:
        for demand in self.demands:
            if demand.code == code:
                return demand
        raise KeyError(code)

    def __getitem__(self, code: str) -> Demand:
        return self.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self) -> Iterator[Demand]:
        return iter(self.demands)

    def __len__(self) -> int:
        return len(self.demands)

    @property
    def fingerprint(self) -> str:
        """Changes whenever a code or a phrase changes: a trained model remembers the taxonomy it saw."""
        payload = json.dumps(
            [[d.code, d.lexicon_zh, d.lexicon_en, d.aspects_zh, d.aspects_en] for d in self.demands]
            + [list(self.opinions.__dict__.values())],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def demand_from_dict(data: dict) -> Demand:
    return Demand(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        definition=data.get("definition", ""),
        definition_zh=data.get("definition_zh", ""),
        lexicon_zh=tuple(data.get("lexicon_zh", ())),
        lexicon_en=tuple(data.get("lexicon_en", ())),
        aspects_zh=tuple(data.get("aspects_zh", ())),
        aspects_en=tuple(data.get("aspects_en", ())),
    )


@cache
def _default_data() -> dict:
    return json.loads(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))


def default_opinions() -> Opinions:
    words = _default_data()["opinion"]
    return Opinions(**{key: tuple(values) for key, values in words.items()})


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy (cached: it is immutable)."""
    return Taxonomy(demands=tuple(demand_from_dict(d) for d in _default_data()["demands"]))


def taxonomy_from_demands(demands: Iterable[Demand]) -> Taxonomy:
    """A taxonomy of staff-edited demands with the shipped opinion words."""
    return Taxonomy(demands=tuple(demands))
