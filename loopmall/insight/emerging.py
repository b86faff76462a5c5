"""Emerging demands: what customers complain about that the taxonomy does not cover yet.

Feedback the classifier covers badly (no demand, or a weak one) but that reads as a complaint (a rating
of 2 or less, a return reason, a ticket, or complaint words in a text that does not read as praise) is
clustered: tokens from the text engine without stop-words and opinion words, TF-IDF, then NMF topics.
Each cluster is named by its top topic terms and shown with up to 3 representative complaining
quotes (masked). Staff promote a cluster to a demand in one click; its top terms seed the lexicon.

Vectors come from an `EmbeddingBackend`; TF-IDF over the engine's tokens is the one that always works
offline. A sentence-embedding backend can be registered when a package shipping its model is installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from loopmall.core import clock
from loopmall.core.errors import Conflict, DomainError, NotFound
from loopmall.core.events import event_emit
from loopmall.insight import engine, services
from loopmall.insight.models import (
    Channel,
    DemandDefinition,
    EmergingCluster,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
)

WEAK_SCORE = 0.5
MIN_CLUSTER = 3
MAX_ITEMS = 5000
COMPLAINT_CHANNELS = {Channel.SERVICE_CHAT, Channel.RETURN_REASON}
# Words that make a text read as a complaint or a wish. Not a bare 不 or 太: "不错" and "太好了" are praise.
_COMPLAINT = re.compile(
    r"不好|不行|不能|不满|不值|不够|不太|不方便|不合理|没有|没法|没用|差|烂|坏|慢|贵|难用|难装|麻烦|希望|想要|能不能"
    r"|可不可以|建议|失望|后悔|退货|退款|投诉|怎么回事|为什么"
    r"|\b(?:not|no|never|bad|poor|wish|hope|please|need|broken|worst|disappointed|why|should)\b",
    re.IGNORECASE,
)
_NOISE_TOKEN = re.compile(r"^[\W\d_]+$")
# Words too general to name a topic, beyond the text engine's stop-words and the taxonomy's opinion
# words: pronouns, negators, degree words, fillers. "孩子·喜欢·自己·本书" says nothing a buyer could act on.
_GENERIC_WORDS = frozenset(
    str.split(
        "自己 没有 没 不 不是 不会 不能 非常 很 太 挺 比较 特别 真的 真 还是 就是 还 也是 但是 不过 而且 所以 因为 "
        "觉得 感觉 可以 一下 一些 一点 有点 有些 什么 这样 那样 这么 那么 怎么 时候 现在 已经 一直 一样 东西 "
        "这本 本书 这家 这款 这个 那个 一次 第一次 还有 然后 其实 应该 可能 知道 看到 买 买了 用 用了 说 "
        "not no never very really just also much more some thing things one get got would could"
    )
)


class EmbeddingBackend:
    """Turns texts into vectors for clustering. `terms` names the vector dimensions when they have names
    (TF-IDF does; dense sentence embeddings do not, and then cluster names come from TF-IDF)."""

    name = "base"

    def fit_transform(self, texts: Sequence[str], tokens: Sequence[list[str]]):
        raise NotImplementedError

    def terms(self) -> list[str] | None:
        return None


class TfidfBackend(EmbeddingBackend):
    name = "tfidf"

    def __init__(self, *, min_df: int = 2, max_features: int = 5000) -> None:
        self.min_df = min_df
        self.max_features = max_features
        self._vectorizer = None

    def fit_transform(self, texts: Sequence[str], tokens: Sequence[list[str]]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(
            analyzer=lambda doc: doc, min_df=min(self.min_df, max(1, len(tokens) // 10 or 1)),
            max_features=self.max_features, sublinear_tf=True,
        )  # fmt: skip
        return self._vectorizer.fit_transform(tokens)

    def terms(self) -> list[str] | None:
        return list(self._vectorizer.get_feature_names_out()) if self._vectorizer is not None else None


_BACKENDS: dict[str, Callable[[], EmbeddingBackend]] = {"tfidf": TfidfBackend}


def register_backend(name: str, factory: Callable[[], EmbeddingBackend]) -> None:
    _BACKENDS[name] = factory


def available_backends() -> list[str]:
    return sorted(_BACKENDS)


@dataclass(frozen=True)
class Cluster:
    terms: list[str]
    feedback_ids: list[int]
    quote_ids: list[int]

    @property
    def label(self) -> str:
        return " · ".join(self.terms[:4])


@cache
def _matcher():
    from loopmall.insight.classifier.lexicon import LexiconMatcher
    from loopmall.insight.taxonomy import default_taxonomy

    return LexiconMatcher(default_taxonomy())


@cache
def naming_stopwords() -> frozenset[str]:
    """Words a cluster is never named by: stop-words, the taxonomy's opinion words, generic words."""
    from loopmall.insight.taxonomy import default_opinions
    from loopmall.insight.text.segment import EN_STOPWORDS, ZH_STOPWORDS

    opinions = default_opinions()
    words = {w.lower() for group in opinions.__dict__.values() for w in group}
    return frozenset(words | ZH_STOPWORDS | EN_STOPWORDS | _GENERIC_WORDS)


def reads_as_praise(text: str, lang: str | None) -> bool:
    """The lexicon finds a positive opinion and nothing negative: no negative opinion, no problem term
    outside a praising clause ("不错，服务很好，没有问题", "孩子很喜欢", "上门安装很快"). A wish word or a
    negator alone does not make such a text a complaint."""
    from loopmall.insight.classifier.prepare import prepare

    doc = prepare(text, lang or None, _matcher())
    if any(e.is_negative or (e.terms and not e.is_positive) for e in doc.evidence):
        return False
    return any(e.is_positive for e in doc.evidence)


def complains(feedback: Feedback) -> bool:
    """The feedback complains: a complaint channel, a rating of 2 or less, or complaint words in a text
    that does not read as praise (a rating of 4 or 5 with praise words is praise whatever else it says)."""
    if feedback.channel in COMPLAINT_CHANNELS:
        return True
    if feedback.rating is not None and feedback.rating <= 2:
        return True
    if not _COMPLAINT.search(feedback.text or ""):
        return False
    return not reads_as_praise(feedback.text, feedback.lang)


def is_badly_covered(feedback: Feedback) -> bool:
    """No demand or only a weak one, yet it reads as a complaint."""
    if feedback.kind != FeedbackKind.TEXT or feedback.lang not in ("zh", "en", ""):
        return False
    if feedback.max_score >= WEAK_SCORE:
        return False
    return complains(feedback)


def candidates(*, days: int = 28, limit: int = MAX_ITEMS) -> list[Feedback]:
    since = clock.now() - timedelta(days=days)
    queryset = (
        Feedback.objects.filter(
            kind=FeedbackKind.TEXT,
            status=FeedbackStatus.CLASSIFIED,
            created_at__gte=since,
            max_score__lt=WEAK_SCORE,
        )
        .exclude(channel=Channel.SEARCH_QUERY)  # searches are grouped by the latent-demand detector
        .exclude(corrections__isnull=False)
        .order_by("-created_at")
    )
    return [f for f in queryset[: limit * 2] if is_badly_covered(f)][:limit]


def _tokens(feedback: Sequence[Feedback]) -> list[list[str]]:
    """Topic words of each text: no noise, no stop-words, no opinion or generic words, so clusters
    form (and are named) around what is complained about, not how."""
    skip = naming_stopwords()
    out = []
    for item in feedback:
        tokens = [
            t
            for t in engine.tokenize(item.text, item.lang or None)
            if len(t) >= 2 and not _NOISE_TOKEN.match(t) and t.lower() not in skip
        ]
        out.append(tokens)
    return out


def cluster_feedback(
    feedback: Sequence[Feedback], *, backend: EmbeddingBackend | None = None
) -> list[Cluster]:
    """Topics over the given feedback, biggest first; clusters smaller than MIN_CLUSTER are dropped."""
    from sklearn.decomposition import NMF

    tokens = _tokens(feedback)
    keep = [i for i, t in enumerate(tokens) if t]
    if len(keep) < MIN_CLUSTER * 2:
        return []
    items = [feedback[i] for i in keep]
    tokens = [tokens[i] for i in keep]
    backend = backend or TfidfBackend()
    matrix = backend.fit_transform([f.text for f in items], tokens)
    terms = backend.terms()
    if terms is None:  # dense embeddings: name the clusters with TF-IDF terms
        namer = TfidfBackend()
        naming_matrix = namer.fit_transform([f.text for f in items], tokens)
        terms = namer.terms()
    else:
        naming_matrix = matrix
    if matrix.shape[1] < 2:
        return []
    topics = int(np.clip(len(items) // 15, 2, 12))
    topics = min(topics, matrix.shape[0] - 1, matrix.shape[1])
    if np.min(matrix) < 0:  # NMF needs non-negative input; shift dense embeddings
        matrix = matrix - np.min(matrix)
    model = NMF(n_components=topics, init="nndsvda", random_state=0, max_iter=400)
    weights = model.fit_transform(matrix)
    assignment = weights.argmax(axis=1)
    clusters = []
    for topic in range(topics):
        members = np.where((assignment == topic) & (weights[:, topic] > 0))[0]
        if len(members) < MIN_CLUSTER:
            continue
        centroid = np.asarray(naming_matrix[members].mean(axis=0)).ravel()
        skip = naming_stopwords()
        ranked = (terms[i] for i in centroid.argsort()[::-1] if centroid[i] > 0)
        top = [t for t in ranked if t.lower() not in skip][:8]
        order = members[np.argsort(-weights[members, topic])]
        quotes, seen = [], set()
        for index in order:
            text = items[index].text.strip()
            if not complains(items[index]):  # a quote shows the complaint, never praise
                continue
            if text not in seen:
                seen.add(text)
                quotes.append(items[index].id)
            if len(quotes) == 3:
                break
        clusters.append(Cluster(terms=top, feedback_ids=[items[i].id for i in order], quote_ids=quotes))
    clusters.sort(key=lambda c: -len(c.feedback_ids))
    return clusters


def emerging_refresh(*, days: int = 28, backend_name: str = "tfidf") -> list[EmergingCluster]:
    """Re-cluster: open clusters from the previous run are replaced; promoted and dismissed ones stay."""
    backend = _BACKENDS[backend_name]()
    found = cluster_feedback(candidates(days=days), backend=backend)
    now = clock.now()
    with transaction.atomic():
        EmergingCluster.objects.filter(status=EmergingCluster.Status.OPEN).delete()
        rows = EmergingCluster.objects.bulk_create(
            EmergingCluster(
                run_at=now,
                label=c.label[:200],
                terms=c.terms,
                size=len(c.feedback_ids),
                feedback_ids=c.feedback_ids[:2000],
                quote_ids=c.quote_ids,
                backend=backend.name,
            )  # fmt: skip
            for c in found
        )
    return rows


def _suggest_code(terms: Sequence[str]) -> str:
    ascii_terms = [re.sub(r"[^a-z0-9]+", "_", t.lower()).strip("_") for t in terms if t.isascii()]
    base = "_".join(t for t in ascii_terms[:2] if t) or "emerging"
    code, n = base[:40], 1
    while DemandDefinition.objects.filter(code=code).exists():
        n += 1
        code = f"{base[:36]}_{n}"
    return code


def cluster_promote(
    *, cluster_id: int, code: str = "", name_zh: str = "", name_en: str = "", by_user_id: int | None = None
) -> DemandDefinition:
    """Make a cluster a demand: its top terms become the lexicon; its feedback is classified again."""
    cluster = EmergingCluster.objects.filter(id=cluster_id).first()
    if cluster is None:
        raise NotFound(_("no such cluster"), field="cluster_id")
    if cluster.status != EmergingCluster.Status.OPEN:
        raise Conflict(_("this cluster was already handled"), field="cluster_id")
    terms = [t for t in cluster.terms if t]
    if not terms:
        raise DomainError(_("the cluster has no terms to use as a lexicon"), field="cluster_id")
    lexicon_zh = [t for t in terms[:6] if not t.isascii()]
    lexicon_en = [t for t in terms[:6] if t.isascii()]
    with transaction.atomic():
        demand = services.demand_save(
            code=code or _suggest_code(terms), name_zh=name_zh or "".join(terms[:2]),
            name_en=name_en or " ".join(t for t in terms[:2] if t.isascii()),
            definition=_("Promoted from an emerging cluster: %(label)s") % {"label": cluster.label},
            lexicon_zh=lexicon_zh, lexicon_en=lexicon_en, origin=DemandDefinition.Origin.EMERGING,
            by_user_id=by_user_id,
        )  # fmt: skip
        cluster.status = EmergingCluster.Status.PROMOTED
        cluster.promoted_to = demand
        cluster.save(update_fields=["status", "promoted_to"])
        Feedback.objects.filter(id__in=cluster.feedback_ids).update(status=FeedbackStatus.NEW)
        event_emit(
            "Emerging Demand Promoted",
            properties={"cluster_id": cluster.id, "code": demand.code, "terms": terms[:8], "size": cluster.size},
            user_id=by_user_id, aggregate=("demand", demand.code),
        )  # fmt: skip
    return demand


def cluster_dismiss(*, cluster_id: int, by_user_id: int | None = None) -> EmergingCluster:
    with transaction.atomic():
        cluster = EmergingCluster.objects.select_for_update().filter(id=cluster_id).first()
        if cluster is None:
            raise NotFound(_("no such cluster"), field="cluster_id")
        cluster.status = EmergingCluster.Status.DISMISSED
        cluster.save(update_fields=["status"])
        event_emit("Emerging Cluster Dismissed", properties={"cluster_id": cluster.id}, user_id=by_user_id)
    return cluster
