"""Latent-demand titles, their evidence and the weekly report's channels read in the viewer's language:
stored hypotheses keep their numbers, and pages render the words when they are shown."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation

from loopmall.core import clock
from loopmall.insight import collectors, latent, report, services, weeks
from loopmall.insight.models import LatentDemand
from loopmall.insight.tests import shop
from loopmall.insight.tests.test_latent import crafted  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

EVIDENCE = {
    LatentDemand.Kind.LOW_CONVERSION: {
        "product": "可降解垃圾袋", "viewers": 40, "buyers": 2, "conversion": 0.05, "category_conversion": 0.5,
        "p_value": 0.0001, "attributes": ["eco"],
    },
    LatentDemand.Kind.ATTRIBUTE_LOW_CONVERSION: {
        "attribute": "eco", "viewers": 40, "conversion": 0.05, "comparison_conversion": 0.5,
    },
    LatentDemand.Kind.CART_ABANDONMENT: {"group": "price:500-1000", "rate": 0.9, "other_rate": 0.2},
    LatentDemand.Kind.UNMET_SEARCH: {
        "label": "可降解", "similar_searches": 2, "searches": 4, "zero_results": 4, "queries": {"可降解": 2},
    },
    LatentDemand.Kind.RISING_INTEREST: {"attribute": "eco", "share": 0.25, "previous_share": 0.05},
}  # fmt: skip
ENGLISH_WORDS = ("viewers", "bought", "Carts", "abandoned", "similar", "Interest", "rising", "price band")


@pytest.mark.parametrize("kind", list(EVIDENCE))
def test_every_title_reads_in_english_and_in_chinese(kind):
    with translation.override("en"):
        english = latent.latent_title(kind, EVIDENCE[kind])
    with translation.override("zh-hans"):
        chinese = latent.latent_title(kind, EVIDENCE[kind])
    assert english
    assert chinese
    assert english != chinese
    assert any(word in english for word in ENGLISH_WORDS)
    assert not any(word in chinese for word in ENGLISH_WORDS), chinese


def test_titles_keep_the_numbers_of_the_evidence():
    with translation.override("en"):
        assert latent.latent_title(LatentDemand.Kind.LOW_CONVERSION, EVIDENCE["low_conversion"]) == (
            "可降解垃圾袋: 40 viewers, 5% bought vs 50% in its category"
        )
        assert latent.latent_title(LatentDemand.Kind.CART_ABANDONMENT, EVIDENCE["cart_abandonment"]) == (
            "Carts with price band ¥500-1000: 90% abandoned vs 20% elsewhere"
        )
    with translation.override("zh-hans"):
        assert latent.latent_title(LatentDemand.Kind.UNMET_SEARCH, EVIDENCE["unmet_search"]) == (
            "“可降解”及 2 个相近搜索：共 4 次，4 次无结果"
        )


def test_a_title_the_evidence_cannot_render_falls_back_to_the_stored_one():
    assert latent.latent_title("rising_interest", {"attribute": "eco"}, fallback="stored") == "stored"
    assert latent.latent_title("no_such_kind", {}, fallback="stored") == "stored"


def test_evidence_labels_and_ratios():
    with translation.override("zh-hans"):
        shown = dict(latent.latent_evidence(EVIDENCE["low_conversion"]))
    assert shown["浏览人数"] == "40"
    assert shown["购买率"] == "5.0%"
    assert shown["属性"] == "eco"
    assert "viewers" not in shown
    assert "conversion" not in shown


@pytest.fixture
def staff_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(shop.user(is_staff=True))
    return client


def test_latent_page_in_chinese_and_english(crafted, staff_client):  # noqa: F811
    assert latent.latent_refresh()
    LatentDemand.objects.update(title="an English title stored by an earlier version")
    html = staff_client.get("/console/insight/latent/").content.decode()
    assert "人浏览" in html
    assert "浏览人数" in html
    assert "English title" not in html
    assert "viewers" not in html
    assert "category_conversion" not in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(shop.user(is_staff=True))
    assert (
        "viewers, 5% bought vs 50% in its category"
        in english.get("/console/insight/latent/").content.decode()
    )


def test_refresh_stores_the_title_in_the_site_language(crafted):  # noqa: F811
    with translation.override("en"):
        stored = latent.latent_refresh()
    low = next(r for r in stored if r.kind == LatentDemand.Kind.LOW_CONVERSION)
    assert "人浏览" in low.title  # LANGUAGE_CODE is zh-hans


def test_weekly_report_shows_channel_labels_and_titles_in_chinese(staff_client, monkeypatch):
    shop.install_fake_engine(monkeypatch)
    now = clock.now()
    product = shop.product(shop.category("家居"), name="保温杯")
    for n, text in enumerate(["包装压扁了", "快递太慢"]):
        shop.emit("Product Reviewed", at=now - timedelta(minutes=n), review_id=n + 1, text=text, rating=2,
                  product_id=product.id)  # fmt: skip
    for n in range(3):
        shop.emit("Products Searched", at=now - timedelta(minutes=n), user_id=shop.user().id, query="可降解",
                  results_count=0)  # fmt: skip
    collectors.collect()
    services.feedback_classify_new()
    latent.latent_refresh()
    report.report_generate(weeks.week_of(now))
    html = staff_client.get("/console/insight/").content.decode()
    assert 'data-channel="search_query">搜索结果过少<' in html
    assert 'data-channel="review">商品评价<' in html
    assert "“可降解”及" in html
    assert ">search_query<" not in html
    assert ">review<" not in html
