"""Insight writes: record feedback, classify it, edit the taxonomy, take staff corrections, retrain.

Each service owns its transaction. Staff actions append an outbox event; feedback collected from the
outbox does not (it is derived from events already there).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from loopmall.core import clock
from loopmall.core.errors import DomainError, NotFound
from loopmall.core.events import event_emit
from loopmall.insight import engine, sources
from loopmall.insight.models import (
    BEHAVIOUR_CHANNELS,
    Channel,
    DemandDefinition,
    DomainWord,
    Feedback,
    FeedbackDemand,
    FeedbackKind,
    FeedbackOrigin,
    FeedbackStatus,
    LabelCorrection,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000


# --- feedback ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    """One feedback item as any channel hands it over (ids are primary keys of this shop)."""

    channel: str
    external_id: str
    created_at: datetime
    text: str = ""
    user_id: int | None = None
    product_id: int | None = None
    sku_id: int | None = None
    order_id: int | None = None
    category_id: int | None = None
    rating: int | None = None
    lang: str = ""
    properties: dict[str, Any] | None = None


def feedback_check(item: FeedbackInput) -> None:
    """Refuse what the contract does not allow, naming the field."""
    if item.channel not in Channel.values:
        raise DomainError(
            _("unknown channel %(c)s; use one of %(all)s")
            % {"c": item.channel, "all": ", ".join(Channel.values)},
            field="channel",
        )
    if not item.external_id or len(item.external_id) > 128:
        raise DomainError(_("feedback_id is required (at most 128 characters)"), field="feedback_id")
    if item.rating is not None and not 1 <= int(item.rating) <= 5:
        raise DomainError(_("rating must be between 1 and 5"), field="rating")
    rated_answer = item.channel == Channel.QUESTIONNAIRE and item.rating is not None
    if item.channel not in BEHAVIOUR_CHANNELS and not rated_answer and not (item.text or "").strip():
        # a questionnaire answer may be a score alone (it still counts for satisfaction)
        raise DomainError(_("text is required"), field="text")
    if len(item.text or "") > MAX_TEXT:
        raise DomainError(_("text is longer than %(n)d characters") % {"n": MAX_TEXT}, field="text")
    if item.created_at is None or item.created_at.tzinfo is None:
        raise DomainError(_("created_at must be a time with a zone"), field="created_at")


def _resolve_links(items: Sequence[FeedbackInput]) -> list[FeedbackInput]:
    """Drop links to rows that do not exist and fill product/category from the SKU/product."""
    sku_product = sources.sku_products(i.sku_id for i in items if i.sku_id)
    product_ids = {i.product_id for i in items if i.product_id} | set(sku_product.values())
    info = sources.products_info(product_ids)
    users = sources.existing_ids("accounts.User", (i.user_id for i in items if i.user_id))
    orders = sources.existing_ids("orders.Order", (i.order_id for i in items if i.order_id))
    categories = set(sources.category_names(i.category_id for i in items if i.category_id))
    resolved = []
    for item in items:
        sku_id = item.sku_id if item.sku_id in sku_product else None
        product_id = item.product_id if item.product_id in info else None
        if product_id is None and sku_id:
            product_id = sku_product[sku_id]
        category_id = item.category_id if item.category_id in categories else None
        if category_id is None and product_id in info:
            category_id = info[product_id].category_id
        resolved.append(
            FeedbackInput(
                channel=item.channel,
                external_id=str(item.external_id),
                created_at=item.created_at,
                text=(item.text or "").strip(),
                user_id=item.user_id if item.user_id in users else None,
                product_id=product_id,
                sku_id=sku_id,
                order_id=item.order_id if item.order_id in orders else None,
                category_id=category_id,
                rating=int(item.rating) if item.rating is not None else None,
                lang=item.lang or "",
                properties=item.properties or {},
            )
        )
    return resolved


def feedback_record_many(items: Sequence[FeedbackInput], *, origin: str = FeedbackOrigin.OUTBOX) -> int:
    """Store feedback, skipping (channel, external_id) pairs already stored. Returns how many are new."""
    if not items:
        return 0
    for item in items:
        feedback_check(item)
    items = _resolve_links(items)
    now = clock.now()
    keys = {(i.channel, i.external_id) for i in items}
    existing = set(
        Feedback.objects.filter(
            channel__in={c for c, _ in keys}, external_id__in={e for _, e in keys}
        ).values_list("channel", "external_id")
    )
    rows, seen = [], set()
    for item in items:
        key = (item.channel, item.external_id)
        if key in existing or key in seen:
            continue
        seen.add(key)
        behaviour = item.channel in BEHAVIOUR_CHANNELS
        rows.append(
            Feedback(
                channel=item.channel,
                kind=FeedbackKind.BEHAVIOUR if behaviour else FeedbackKind.TEXT,
                origin=origin,
                external_id=item.external_id,
                user_id=item.user_id,
                product_id=item.product_id,
                sku_id=item.sku_id,
                order_id=item.order_id,
                category_id=item.category_id,
                rating=item.rating,
                text=item.text,
                lang=item.lang,
                properties=item.properties or {},
                created_at=item.created_at,
                collected_at=now,
            )
        )
    with transaction.atomic():
        Feedback.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def feedback_record(item: FeedbackInput, *, origin: str = FeedbackOrigin.API) -> tuple[Feedback, bool]:
    """Store one feedback item idempotently: the same channel + external id returns the stored one."""
    feedback_check(item)
    stored = Feedback.objects.filter(channel=item.channel, external_id=str(item.external_id)).first()
    if stored:
        return stored, False
    try:
        created = feedback_record_many([item], origin=origin)
    except IntegrityError:
        created = 0
    stored = Feedback.objects.get(channel=item.channel, external_id=str(item.external_id))
    return stored, bool(created)


def feedback_classify_new(*, limit: int = 5000, ids: Sequence[int] | None = None) -> int:
    """Classify feedback that has not been classified yet (or just `ids`). Returns how many were processed."""
    queryset = Feedback.objects.filter(status=FeedbackStatus.NEW)
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    batch = list(queryset.order_by("id")[:limit])
    if not batch:
        return 0
    texts = [f for f in batch if f.kind == FeedbackKind.TEXT and f.text]
    results = engine.classify([f.text for f in texts], langs=[f.lang or None for f in texts],
                              ratings=[f.rating for f in texts]) if texts else []  # fmt: skip
    by_id = {f.id: r for f, r in zip(texts, results, strict=True)}
    now = clock.now()
    with transaction.atomic():
        demand_rows = []
        for feedback in batch:
            result = by_id.get(feedback.id)
            feedback.status = FeedbackStatus.CLASSIFIED
            feedback.classified_at = now
            if result is None:
                continue
            feedback.lang = feedback.lang or result.lang
            feedback.max_score = max(result.scores.values(), default=0.0)
            feedback.uncertainty = result.uncertainty
            for code in result.demands:
                demand_rows.append(
                    FeedbackDemand(
                        feedback=feedback,
                        code=code,
                        score=float(result.scores.get(code, 1.0)),
                        sentence=result.sentences.get(code, ""),
                    )
                )
        # Items without a result (behaviour signals, empty text) in one statement; the rest row by row.
        classified = [f for f in batch if f.id in by_id]
        Feedback.objects.filter(id__in=[f.id for f in batch if f.id not in by_id]).update(
            status=FeedbackStatus.CLASSIFIED, classified_at=now
        )
        Feedback.objects.bulk_update(
            classified, ["status", "classified_at", "lang", "max_score", "uncertainty"], batch_size=200
        )
        FeedbackDemand.objects.filter(feedback__in=batch, is_corrected=False).delete()
        FeedbackDemand.objects.bulk_create(demand_rows, batch_size=1000, ignore_conflicts=True)
    return len(batch)


def feedback_reclassify_all() -> int:
    """Mark every uncorrected feedback item for classification again (after a taxonomy change or retrain)."""
    corrected = LabelCorrection.objects.values("feedback_id")
    return (
        Feedback.objects.exclude(id__in=corrected)
        .filter(kind=FeedbackKind.TEXT)
        .update(status=FeedbackStatus.NEW)
    )


# --- corrections and retraining ------------------------------------------------------------------


def correction_record(*, feedback_id: int, codes: Iterable[str], by_user_id: int | None) -> LabelCorrection:
    """A staff member says which demands a feedback item carries; their word replaces the classifier's."""
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    known = set(DemandDefinition.objects.values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DomainError(_("unknown demand code: %(c)s") % {"c": ", ".join(unknown)}, field="codes")
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().filter(id=feedback_id).first()
        if feedback is None:
            raise NotFound(_("no such feedback"), field="feedback_id")
        previous = sorted(feedback.demands.values_list("code", flat=True))
        correction = LabelCorrection.objects.create(
            feedback=feedback, codes=codes, previous_codes=previous, corrected_by_id=by_user_id,
            created_at=clock.now(),
        )  # fmt: skip
        feedback.demands.all().delete()
        FeedbackDemand.objects.bulk_create(
            FeedbackDemand(feedback=feedback, code=c, score=1.0, is_corrected=True) for c in codes
        )
        feedback.status = FeedbackStatus.CLASSIFIED
        feedback.uncertainty = 0.0
        feedback.max_score = 1.0 if codes else 0.0
        feedback.save(update_fields=["status", "uncertainty", "max_score"])
        event_emit(
            "Feedback Label Corrected",
            properties={"feedback_id": feedback.id, "codes": codes, "previous_codes": previous},
            user_id=by_user_id,
            aggregate=("feedback", feedback.id),
        )
    return correction


def classifier_retrain(*, by_user_id: int | None = None) -> dict[str, Any]:
    """Retrain the classifier on its shipped labels plus every staff correction."""
    corrections = list(LabelCorrection.objects.select_related("feedback").order_by("id"))
    latest: dict[int, LabelCorrection] = {}
    for correction in corrections:
        latest[correction.feedback_id] = correction
    examples = [(c.feedback.text, list(c.codes)) for c in latest.values() if c.feedback.text]
    summary = engine.retrain(examples)
    now = clock.now()
    with transaction.atomic():
        LabelCorrection.objects.filter(id__in=[c.id for c in corrections]).update(used_in_training_at=now)
        event_emit(
            "Demand Classifier Retrained",
            properties={
                "corrections": len(examples),
                **{k: v for k, v in summary.items() if k != "examples"},
            },
            user_id=by_user_id,
        )
    feedback_reclassify_all()
    return {"corrections": len(examples), **summary}


# --- taxonomy ------------------------------------------------------------------------------------


def taxonomy_ensure_seeded() -> int:
    """Copy the default taxonomy into the database the first time insight runs. Returns rows added."""
    if DemandDefinition.objects.exists():
        return 0
    rows = [
        DemandDefinition(
            code=d.code,
            name_zh=d.name_zh,
            name_en=d.name_en,
            definition=d.definition,
            lexicon_zh=list(d.lexicon_zh),
            lexicon_en=list(d.lexicon_en),
            aspects_zh=list(getattr(d, "aspects_zh", ())),
            aspects_en=list(getattr(d, "aspects_en", ())),
            definition_zh=getattr(d, "definition_zh", ""),
            origin=DemandDefinition.Origin.DEFAULT,
            position=n,
        )
        for n, d in enumerate(engine.default_demands())
    ]
    with transaction.atomic():
        DemandDefinition.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _words(value: Iterable[str] | str) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("\n", ",").split(",")
    out: list[str] = []
    for word in value:
        word = word.strip()
        if word and word not in out:
            out.append(word)
    return out


def demand_save(
    *,
    code: str,
    name_zh: str,
    name_en: str = "",
    definition: str = "",
    lexicon_zh: Iterable[str] | str = (),
    lexicon_en: Iterable[str] | str = (),
    is_active: bool = True,
    origin: str = DemandDefinition.Origin.STAFF,
    by_user_id: int | None = None,
) -> DemandDefinition:
    """Create a demand or update the one with this code."""
    code = (code or "").strip().lower()
    if not code or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 48:
        raise DomainError(_("code must be lowercase letters, digits and _ (at most 48)"), field="code")
    if not (name_zh or "").strip():
        raise DomainError(_("a Chinese name is required"), field="name_zh")
    with transaction.atomic():
        demand, created = DemandDefinition.objects.select_for_update().get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh.strip(),
                "origin": origin,
                "position": DemandDefinition.objects.count(),
            },
        )
        demand.name_zh = name_zh.strip()
        demand.name_en = (name_en or "").strip()
        demand.definition = (definition or "").strip()
        demand.lexicon_zh = _words(lexicon_zh)
        demand.lexicon_en = _words(lexicon_en)
        demand.is_active = is_active
        demand.save()
        event_emit(
            "Demand Defined" if created else "Demand Updated",
            properties={"code": code, "is_active": is_active, "origin": demand.origin},
            user_id=by_user_id,
            aggregate=("demand", code),
        )
    engine.invalidate()
    return demand


def demand_merge(*, code: str, into_code: str, by_user_id: int | None = None) -> DemandDefinition:
    """Retire `code` and move its mentions to `into_code`."""
    if code == into_code:
        raise DomainError(_("a demand cannot be merged into itself"), field="into_code")
    with transaction.atomic():
        demand = DemandDefinition.objects.select_for_update().filter(code=code).first()
        target = DemandDefinition.objects.filter(code=into_code, is_active=True).first()
        if demand is None:
            raise NotFound(_("no such demand"), field="code")
        if target is None:
            raise DomainError(_("merge target must be an active demand"), field="into_code")
        demand.is_active = False
        demand.merged_into = target
        demand.save(update_fields=["is_active", "merged_into", "updated_at"])
        already = FeedbackDemand.objects.filter(code=into_code).values("feedback_id")
        FeedbackDemand.objects.filter(code=code, feedback_id__in=already).delete()
        FeedbackDemand.objects.filter(code=code).update(code=into_code)
        event_emit(
            "Demand Merged", properties={"code": code, "into": into_code}, user_id=by_user_id,
            aggregate=("demand", code),
        )  # fmt: skip
    engine.invalidate()
    return demand


def domain_word_add(*, words: Iterable[str] | str, by_user_id: int | None = None) -> int:
    """Teach the segmenter words to keep whole. Returns how many were new."""
    words = [w for w in _words(words) if len(w) <= 64]
    if not words:
        raise DomainError(_("enter at least one word"), field="words")
    with transaction.atomic():
        known = set(DomainWord.objects.filter(word__in=words).values_list("word", flat=True))
        new = [w for w in words if w not in known]
        DomainWord.objects.bulk_create([DomainWord(word=w, added_by_id=by_user_id) for w in new])
        if new:
            event_emit("Domain Words Added", properties={"words": new}, user_id=by_user_id)
    engine.add_words(words)
    return len(new)
