"""Console analytics pages render for staff, with every KPI; staff inputs are saved."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from loopmall.analytics.kpis import KPIS
from loopmall.analytics.models import KpiManualValue, KpiTarget, MarketingSpend
from loopmall.analytics.warehouse import sync
from loopmall.core.events import event_emit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, settings, tmp_path):
    settings.LOOPMALL_WAREHOUSE_PATH = str(tmp_path / "warehouse.duckdb")
    staff = get_user_model().objects.create_user(
        "analyst@example.com", password="a-long-password", is_staff=True
    )
    client.force_login(staff)
    shopper = get_user_model().objects.create_user("13800000011")
    with transaction.atomic():
        event_emit("Product Viewed", user_id=shopper.pk, properties={"sku_id": 1})
        event_emit("Product Added", user_id=shopper.pk, properties={"sku_id": 1})
    sync.run()
    return client


def test_scorecard_shows_every_kpi_and_the_sync_lag(staff_client):
    response = staff_client.get("/console/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    for kpi in KPIS:
        assert f'data-kpi="{kpi.key}"' in html, kpi.key
    assert 'data-testid="sync-lag"' in html
    assert "lag p95" in html or "p95" in html


def test_kpi_detail_and_target_override(staff_client):
    response = staff_client.get("/console/analytics/kpi/repurchase_rate/")
    assert response.status_code == 200
    assert 'id="kpi-trend"' in response.content.decode()
    staff_client.post(
        "/console/analytics/kpi/repurchase_rate/target/",
        {"target": "60", "unit": "percent", "baseline_start": "2026-01-01", "baseline_end": "2026-03-01"},
    )
    saved = KpiTarget.objects.get(key="repurchase_rate")
    assert saved.target == pytest.approx(0.6)
    assert saved.baseline_start == date(2026, 1, 1)
    bad = staff_client.post("/console/analytics/kpi/repurchase_rate/target/", {"target": "lots"}, follow=True)
    assert "target" in bad.content.decode()
    assert KpiTarget.objects.get(key="repurchase_rate").target == pytest.approx(0.6)
    assert staff_client.get("/console/analytics/kpi/no_such_kpi/").status_code == 404


def test_manual_value_for_a_manual_kpi_only(staff_client):
    staff_client.post(
        "/console/analytics/kpi/team_skill_pass_rate/value/",
        {"value": "96", "unit": "percent", "measured_on": "2026-11-30"},
    )
    assert KpiManualValue.objects.get(key="team_skill_pass_rate").value == pytest.approx(0.96)
    staff_client.post("/console/analytics/kpi/repurchase_rate/value/", {"value": "50"})
    assert not KpiManualValue.objects.filter(key="repurchase_rate").exists()


def test_funnel_page(staff_client):
    response = staff_client.get(
        "/console/analytics/funnel/", {"step": ["Product Viewed", "Product Added"], "days": "30"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="funnel-chart"' in html
    assert "Product Added" in html
    assert staff_client.get("/console/analytics/funnel/", {"step": ["Product Viewed"]}).status_code == 200


def test_cohort_page_and_marketing_spend(staff_client):
    for by in ("week", "channel"):
        response = staff_client.get("/console/analytics/cohorts/", {"by": by})
        assert response.status_code == 200
        assert 'id="cohort-heatmap"' in response.content.decode()
    staff_client.post(
        "/console/analytics/cohorts/spend/", {"channel": "douyin", "month": "2026-11", "amount": "1200.50"}
    )
    spend = MarketingSpend.objects.get(channel="douyin")
    assert (spend.month, spend.amount_minor) == (date(2026, 11, 1), 120050)
    staff_client.post(
        "/console/analytics/cohorts/spend/", {"channel": "douyin", "month": "nope", "amount": "1"}
    )
    assert MarketingSpend.objects.count() == 1


def test_pages_are_for_staff_only(client):
    shopper = get_user_model().objects.create_user("13800000012", password="a-long-password")
    client.force_login(shopper)
    for url in ("/console/analytics/", "/console/analytics/funnel/", "/console/analytics/cohorts/"):
        assert client.get(url).status_code == 302
