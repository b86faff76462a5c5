"""Small shop fixtures for insight tests: rows of other apps made through the app registry, events in
the outbox, and a stand-in for the text engine when it is not installed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import transaction

from loopmall.core.events import event_emit

_seq = itertools.count(1)


def user(login: str | None = None, *, is_staff: bool = False):
    model = apps.get_model("accounts.User")
    n = next(_seq)
    return model.objects.create_user(login or f"1380000{n:04d}", "pass-word-123", is_staff=is_staff)


def category(name: str = "家居"):
    model = apps.get_model("catalog.Category")
    n = next(_seq)
    return model.objects.create(name=name, slug=f"cat-{n}")


def product(cat, *, name: str = "商品", attributes: list[str] | None = None, price_minor: int = 5990):
    n = next(_seq)
    item = apps.get_model("catalog.Product").objects.create(
        category=cat, name=name, slug=f"p-{n}", attributes=attributes or []
    )
    apps.get_model("catalog.Sku").objects.create(
        product=item, code=f"SKU-{n}", price_minor=price_minor, stock=100
    )
    return item


def emit(name: str, *, at: datetime, user_id: int | None = None, **properties: Any):
    with transaction.atomic():
        return event_emit(name, properties=properties, user_id=user_id, occurred_at=at)


@dataclass
class FakeResult:
    demands: list[str]
    scores: dict[str, float]
    lang: str
    sentences: dict[str, str] = field(default_factory=dict)
    uncertainty: float = 0.0


class FakeClassifier:
    """Lexicon matching over the stored taxonomy: enough to test the plumbing around the real engine."""

    def __init__(self, lexicons: dict[str, list[str]]):
        self.lexicons = lexicons
        self.trained: list = []

    def classify(self, texts, langs=None, ratings=None):
        out = []
        for text in texts:
            found = [code for code, words in self.lexicons.items() if any(w in text.lower() for w in words)]
            scores = dict.fromkeys(found, 0.9)
            sentences = dict.fromkeys(found, text)
            out.append(FakeResult(found, scores, "zh", sentences, 0.1 if found else 0.6))
        return out

    def train(self, examples):
        self.trained.extend(examples)
        return {"examples": len(examples)}


FAKE_TAXONOMY = {
    "packaging": ("包装", "Packaging", ["包装", "压扁", "crushed", "box"]),
    "logistics": ("物流配送", "Delivery", ["物流", "快递", "delivery", "late"]),
    "quality": ("质量做工", "Quality", ["质量", "坏了", "broke"]),
    "price": ("价格", "Price", ["贵", "expensive"]),
    "eco_safety": ("环保安全", "Eco", ["降解", "塑料", "味道"]),
}


def install_fake_engine(monkeypatch) -> FakeClassifier:
    """Make insight.engine use the fake classifier and taxonomy."""
    from loopmall.insight import engine
    from loopmall.insight.models import DemandDefinition

    @dataclass
    class Demand:
        code: str
        name_zh: str
        name_en: str
        definition: str
        lexicon_zh: tuple
        lexicon_en: tuple

    defaults = [Demand(c, zh, en, "", tuple(w), ()) for c, (zh, en, w) in FAKE_TAXONOMY.items()]
    monkeypatch.setattr(engine, "default_demands", lambda: defaults)

    def classifier():
        from loopmall.insight.services import taxonomy_ensure_seeded

        taxonomy_ensure_seeded()
        lexicons = {
            d.code: [w.lower() for w in [*d.lexicon_zh, *d.lexicon_en]]
            for d in DemandDefinition.objects.filter(is_active=True)
        }
        fake.lexicons = lexicons
        return fake

    fake = FakeClassifier({})
    monkeypatch.setattr(engine, "classifier", classifier)
    monkeypatch.setattr(engine, "tokenize", lambda text, lang=None: _simple_tokens(text))
    monkeypatch.setattr(engine, "add_words", lambda words: None)
    return fake


def _simple_tokens(text: str) -> list[str]:
    import re

    tokens = re.findall(r"[a-z]+", text.lower())
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        tokens += [run[i : i + 2] for i in range(max(1, len(run) - 1))]
    return tokens
