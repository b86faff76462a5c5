"""Insight console pages: staff only, every page renders with masked text, the forms do their job."""

from datetime import timedelta

import pytest
from django.test import Client

from loopmall.core import clock
from loopmall.insight import collectors, report, services, weeks
from loopmall.insight.models import (
    Adaptation,
    DemandDefinition,
    DomainWord,
    EmergingCluster,
    Feedback,
    FeedbackDemand,
    LabelCorrection,
)
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db

PAGES = ["", "feedback/", "queue/", "taxonomy/", "emerging/", "latent/", "board/"]


@pytest.fixture
def fake_engine(monkeypatch):
    return shop.install_fake_engine(monkeypatch)


@pytest.fixture
def staff_client(fake_engine):
    client = Client()
    client.force_login(shop.user(is_staff=True))
    return client


@pytest.fixture
def feedback_week(fake_engine):
    cat = shop.category("家居")
    product = shop.product(cat, name="保温杯")
    now = clock.now()
    for n, text in enumerate(["包装压扁了，电话13812345678", "快递太慢", "包装破损", "还不错"]):
        shop.emit("Product Reviewed", at=now - timedelta(minutes=n), review_id=n + 1, text=text, rating=2,
                  product_id=product.id)  # fmt: skip
    collectors.collect()
    services.feedback_classify_new()
    report.report_generate(weeks.week_of(now))
    return product


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_staff_only(page, fake_engine):
    anonymous = Client().get(f"/console/insight/{page}")
    assert anonymous.status_code == 302
    assert "/console/login/" in anonymous["Location"]
    customer = Client()
    customer.force_login(shop.user())
    assert customer.get(f"/console/insight/{page}").status_code == 302


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_for_staff_and_mask_text(page, staff_client, feedback_week):
    response = staff_client.get(f"/console/insight/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "13812345678" not in html
    assert "extends" not in html


def test_overview_shows_report_quotes_and_chart_data(staff_client, feedback_week):
    html = staff_client.get("/console/insight/").content.decode()
    assert "138****5678" in html
    assert 'id="chart-trend"' in html
    assert 'id="insight-chart"' in html


def test_generate_report_and_export(staff_client, feedback_week):
    week = weeks.week_of(clock.now())
    response = staff_client.post("/console/insight/report/build/", {"week": week})
    assert response.status_code == 302
    xlsx = staff_client.get(f"/console/insight/reports/{week}.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    html = staff_client.get(f"/console/insight/reports/{week}.html")
    assert b"138****5678" in html.content
    assert staff_client.get("/console/insight/reports/2001-W01.xlsx").status_code == 404


def test_correction_from_the_feedback_list(staff_client, feedback_week):
    item = Feedback.objects.get(text="还不错")
    response = staff_client.post(
        f"/console/insight/feedback/{item.id}/correct/",
        {"codes": ["price"], "next": "/console/insight/queue/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/insight/queue/"
    assert list(FeedbackDemand.objects.filter(feedback=item).values_list("code", flat=True)) == ["price"]
    assert LabelCorrection.objects.get().codes == ["price"]
    # corrected items leave the active-learning queue
    assert f'data-feedback="{item.id}"' not in staff_client.get("/console/insight/queue/").content.decode()


def test_unknown_code_in_a_correction_is_refused(staff_client, feedback_week):
    item = Feedback.objects.first()
    staff_client.post(f"/console/insight/feedback/{item.id}/correct/", {"codes": ["made_up"]})
    assert not LabelCorrection.objects.exists()


def test_feedback_filters(staff_client, feedback_week):
    html = staff_client.get("/console/insight/feedback/?code=logistics").content.decode()
    assert "快递太慢" in html
    assert "包装破损" not in html


def test_taxonomy_edit_add_and_words(staff_client, fake_engine):
    services.taxonomy_ensure_seeded()
    staff_client.post("/console/insight/taxonomy/save/", {
        "code": "price", "name_zh": "价格与优惠", "name_en": "Price", "lexicon_zh": "贵, 不值", "is_active": "1"})  # fmt: skip
    price = DemandDefinition.objects.get(code="price")
    assert (price.name_zh, price.lexicon_zh) == ("价格与优惠", ["贵", "不值"])
    staff_client.post("/console/insight/taxonomy/save/", {"code": "Bad Code!", "name_zh": "x"})
    assert not DemandDefinition.objects.filter(name_zh="x").exists()
    staff_client.post("/console/insight/taxonomy/words/", {"words": "可降解，上门安装"})
    assert set(DomainWord.objects.values_list("word", flat=True)) == {"可降解", "上门安装"}
    assert "价格与优惠" in staff_client.get("/console/insight/taxonomy/").content.decode()


def test_board_create_and_move(staff_client, fake_engine):
    services.taxonomy_ensure_seeded()
    staff_client.post("/console/insight/board/create/", {
        "demand_code": "packaging", "title": "加厚纸箱", "adaptation_type": "improve_packaging_or_service"})  # fmt: skip
    card = Adaptation.objects.get()
    assert card.due_date == clock.business_date() + timedelta(days=30)
    staff_client.post(f"/console/insight/board/{card.id}/move/", {"to": "adapting"})
    staff_client.post(f"/console/insight/board/{card.id}/move/", {"to": "closed"})
    card.refresh_from_db()
    assert card.status == "closed"
    response = staff_client.post(f"/console/insight/board/{card.id}/move/", {"to": "adapting"}, follow=True)
    assert "cannot move" in response.content.decode()


def test_promote_from_the_emerging_page(staff_client, fake_engine):
    services.taxonomy_ensure_seeded()
    now = clock.now()
    for n in range(8):
        Feedback.objects.create(
            channel="review", external_id=f"e{n}", text=f"希望有上门安装服务{n}", rating=2, created_at=now,
            collected_at=now, status="classified", lang="zh",
        )  # fmt: skip
    staff_client.post("/console/insight/emerging/run/")
    cluster = EmergingCluster.objects.first()
    assert cluster is not None
    staff_client.post(
        f"/console/insight/emerging/{cluster.id}/promote/", {"code": "install", "name_zh": "安装服务"}
    )
    assert DemandDefinition.objects.filter(code="install", origin="emerging").exists()
