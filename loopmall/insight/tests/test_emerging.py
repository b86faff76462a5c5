"""Emerging clusters over feedback the taxonomy misses, and promoting one to a demand."""

from datetime import timedelta

import pytest

from loopmall.core import clock
from loopmall.core.errors import Conflict
from loopmall.core.models import OutboxEvent
from loopmall.insight import emerging, services
from loopmall.insight.models import Channel, DemandDefinition, EmergingCluster, Feedback, FeedbackDemand
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db

UNCOVERED = [
    "希望能提供上门安装服务，自己装不好",
    "没有上门安装，师傅也约不到",
    "能不能上门安装啊，太难装了",
    "上门安装什么时候有，等不及",
    "上门安装要另外收费吗，不合理",
    "建议增加上门安装",
]
OTHER = [
    "没有夜间配色模式，晚上太亮",
    "希望出夜间模式，不然刺眼",
    "夜间模式什么时候有",
    "能不能加个夜间模式",
    "夜间模式太暗了看不清",
    "没有夜间模式很失望",
]


@pytest.fixture
def fake_engine(monkeypatch):
    return shop.install_fake_engine(monkeypatch)


def _feedback(texts, *, rating=2, prefix="f"):
    now = clock.now() - timedelta(days=1)
    for n, text in enumerate(texts):
        Feedback.objects.create(
            channel=Channel.REVIEW, external_id=f"{prefix}{n}", text=text, rating=rating, lang="zh",
            created_at=now, collected_at=now, status="classified", max_score=0.0,
        )  # fmt: skip


def test_badly_covered_means_weak_score_and_a_complaint():
    now = clock.now()

    def make(**fields):
        fields.setdefault("channel", Channel.REVIEW)
        fields.setdefault("text", "还可以")
        return Feedback(created_at=now, **fields)

    assert emerging.is_badly_covered(make(rating=2, max_score=0.1))
    assert emerging.is_badly_covered(make(text="希望有大码", rating=5, max_score=0.0))
    assert not emerging.is_badly_covered(make(rating=5, max_score=0.0))
    assert not emerging.is_badly_covered(make(rating=1, max_score=0.9))
    assert not emerging.is_badly_covered(make(text="质量不错，太好了", rating=3, max_score=0.0))  # praise
    assert emerging.is_badly_covered(make(text="还行吧，就是没有说明书", rating=3, max_score=0.0))
    assert emerging.is_badly_covered(make(channel=Channel.RETURN_REASON, rating=None))


def test_clusters_are_named_by_top_terms_with_three_quotes(fake_engine):
    _feedback(UNCOVERED, prefix="a")
    _feedback(OTHER, prefix="b")
    _feedback(["质量很好，很满意"] * 3, rating=5, prefix="c")  # praise: not a candidate
    clusters = emerging.emerging_refresh()
    assert len(clusters) == 2
    labels = sorted(c.label for c in clusters)
    assert any("安装" in label for label in labels)
    assert any("夜间" in label or "模式" in label for label in labels)
    for cluster in clusters:
        assert cluster.size == 6
        assert len(cluster.quote_ids) == 3
    install = next(c for c in clusters if "安装" in c.label)
    assert set(install.feedback_ids) == set(
        Feedback.objects.filter(external_id__startswith="a").values_list("id", flat=True)
    )


def test_refresh_replaces_open_clusters_only(fake_engine):
    _feedback(UNCOVERED + OTHER)
    first = emerging.emerging_refresh()
    emerging.cluster_dismiss(cluster_id=first[0].id)
    emerging.emerging_refresh()
    assert EmergingCluster.objects.filter(status="dismissed").count() == 1
    assert EmergingCluster.objects.filter(status="open").count() == 2


def test_promote_creates_a_demand_with_the_top_terms_and_reclassifies(fake_engine):
    services.taxonomy_ensure_seeded()
    _feedback(UNCOVERED, prefix="a")
    _feedback(OTHER, prefix="b")
    cluster = next(c for c in emerging.emerging_refresh() if "安装" in c.label)

    demand = emerging.cluster_promote(cluster_id=cluster.id, code="installation_service", name_zh="上门安装")

    assert demand.origin == DemandDefinition.Origin.EMERGING
    assert demand.lexicon_zh[: len(cluster.terms[:6])] == [t for t in cluster.terms[:6] if not t.isascii()]
    assert OutboxEvent.objects.filter(name="Emerging Demand Promoted").count() == 1
    services.feedback_classify_new()
    codes = set(
        FeedbackDemand.objects.filter(feedback_id__in=cluster.feedback_ids).values_list("code", flat=True)
    )
    assert "installation_service" in codes
    with pytest.raises(Conflict):
        emerging.cluster_promote(cluster_id=cluster.id)


def test_too_little_feedback_gives_no_clusters(fake_engine):
    _feedback(UNCOVERED[:2])
    assert emerging.emerging_refresh() == []


def test_backends_are_pluggable():
    assert "tfidf" in emerging.available_backends()
    assert isinstance(emerging.TfidfBackend(), emerging.EmbeddingBackend)


PRAISE = [
    "上门安装很快，师傅很好，没有任何问题，非常满意",
    "孩子很喜欢，自己也喜欢，上门安装没有收费，不错",
    "服务不错，酒店很干净，没有噪音，上门安装也很好",
    "不错，服务很好，没有什么可挑剔的，安装师傅很棒",
    "很满意，上门安装及时，没有一点麻烦",
    "孩子喜欢这本书，自己看了也觉得不错，没有失望",
]


def test_praise_with_wish_words_is_not_a_complaint():
    now = clock.now()
    for text in PRAISE:
        item = Feedback(channel=Channel.REVIEW, text=text, rating=5, lang="zh", max_score=0.0, created_at=now)
        assert not emerging.is_badly_covered(item), text
    # a low rating is a complaint whatever the words
    assert emerging.is_badly_covered(
        Feedback(channel=Channel.REVIEW, text=PRAISE[0], rating=1, lang="zh", max_score=0.0, created_at=now)
    )


def test_praise_never_becomes_a_quote(fake_engine):
    _feedback(UNCOVERED, prefix="a")
    _feedback(OTHER, prefix="b")
    _feedback(PRAISE, rating=5, prefix="p")
    praise_ids = set(Feedback.objects.filter(external_id__startswith="p").values_list("id", flat=True))
    clusters = emerging.emerging_refresh()
    assert clusters
    for cluster in clusters:
        assert not praise_ids & set(cluster.quote_ids)
        assert not praise_ids & set(cluster.feedback_ids)
    # even when praise is handed to the clustering directly, it is never quoted
    found = emerging.cluster_feedback(list(Feedback.objects.order_by("id")))
    assert found
    for cluster in found:
        assert cluster.quote_ids
        assert not praise_ids & set(cluster.quote_ids)


def test_cluster_labels_hold_no_stopword(fake_engine):
    _feedback([f"孩子喜欢，自己也喜欢，就是没有上门安装{n}" for n in range(6)], prefix="a")
    _feedback([f"不错，服务没有夜间模式，自己觉得不错{n}" for n in range(6)], prefix="b")
    found = emerging.cluster_feedback(list(Feedback.objects.order_by("id")))
    assert found
    skip = emerging.naming_stopwords()
    for word in ("孩子", "喜欢", "自己", "不错", "没有", "的", "很"):
        assert word in skip or word == "孩子"
    for cluster in found:
        assert cluster.terms
        assert not [t for t in cluster.terms if t in skip], cluster.label
        assert not {"喜欢", "自己", "不错", "没有"} & set(cluster.label.split(" · "))
