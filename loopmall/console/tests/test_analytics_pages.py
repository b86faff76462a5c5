"""The console's plan scorecard and KPI detail read in the staff member's language (zh-hans by default)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.html import escape

from loopmall.analytics.kpis import BY_KEY, KPIS
from loopmall.analytics.warehouse import sync
from loopmall.console.views.analytics import FORMULA_LABELS, SECTION_ORDER, SOURCE_LABELS, formula_label
from loopmall.core.events import event_emit

pytestmark = pytest.mark.django_db

HORIZONS = sorted({k.plan_section for k in KPIS if k.plan_section.startswith("timeline")})
# One KPI on the plan's timeline (6 months) for the detail page.
TIMELINE_KPI = next(k.key for k in KPIS if k.plan_section == "timeline 6 months")


@pytest.fixture
def staff_client(client, settings, tmp_path):
    settings.LOOPMALL_WAREHOUSE_PATH = str(tmp_path / "warehouse.duckdb")
    staff = get_user_model().objects.create_user(
        "hc2-analyst@example.com", password="pw-long-enough", is_staff=True
    )
    client.force_login(staff)
    shopper = get_user_model().objects.create_user("13800000021")
    with transaction.atomic():
        event_emit("Product Viewed", user_id=shopper.pk, properties={"sku_id": 1})
    sync.run()
    return client


def _speak(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _visible_text(html: str) -> str:
    """The page without its scripts and tags (attributes such as data-section keep the English keys)."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<script\b.*?</script>", " ", html, flags=re.S))


def _section_headings(html: str) -> dict[str, str]:
    """data-section key -> the heading staff read."""
    found = re.findall(r'<h2 class="an-section" data-section="([^"]+)">([^<]*)</h2>', html)
    return dict(found)


def test_zh_hans_scorecard_shows_the_horizons_in_chinese(staff_client):
    html = _speak(staff_client, "zh-hans").get("/console/analytics/").content.decode()
    headings = _section_headings(html)
    assert HORIZONS
    assert set(HORIZONS) <= set(headings)
    for horizon in HORIZONS:
        heading = headings[horizon]
        assert "阶段目标" in heading, heading
        assert not re.search(r"months?|years?|Timeline", heading), heading
    assert not re.search(r"\d+ (months?|years?)\b", _visible_text(html))
    # Grouped and ordered by the untranslated key: the plan's sections, then the horizons, one heading each.
    assert list(headings) == [s for s in SECTION_ORDER if s in headings]
    assert set(headings) == {k.plan_section for k in KPIS}
    assert len(re.findall(r'class="an-section"', html)) == len(headings)


def test_zh_hans_kpi_detail_shows_the_horizon_in_chinese(staff_client):
    html = _speak(staff_client, "zh-hans").get(f"/console/analytics/kpi/{TIMELINE_KPI}/").content.decode()
    label = re.search(r'<dd data-section="timeline 6 months">([^<]*)</dd>', html).group(1)
    assert "阶段目标" in label
    assert "months" not in label
    # The definition card: formula and source read in Chinese too.
    formula = re.search(rf'<dd data-formula="{TIMELINE_KPI}">([^<]*)</dd>', html).group(1)
    assert formula == "被内容、互动或裂变模块触达（或有社交订单）的活跃人数 / 活跃人数"
    assert re.search(r'<dd data-source="warehouse">数仓', html)


def test_every_formula_and_source_has_a_chinese_label():
    """A formula label's msgid must be the registry's text verbatim; if the registry's wording changed,
    update FORMULA_LABELS and the console catalog (the page falls back to the registry's English)."""
    assert set(FORMULA_LABELS) == set(BY_KEY)
    with translation.override("zh-hans"):
        for kpi in KPIS:
            label = formula_label(kpi.key, kpi.formula)
            assert label != kpi.formula, f"{kpi.key}: no Chinese formula (registry text changed?)"
            assert re.search(r"[\u4e00-\u9fff]", label), kpi.key
            assert re.search(r"[\u4e00-\u9fff]", str(SOURCE_LABELS[kpi.source])), kpi.source
    with translation.override("en"):
        assert formula_label("market_rank", "a reworded formula") == "a reworded formula"
        assert formula_label("market_rank", BY_KEY["market_rank"].formula) == BY_KEY["market_rank"].formula


def test_english_scorecard_keeps_the_english_horizons(staff_client):
    html = _speak(staff_client, "en").get("/console/analytics/").content.decode()
    assert _section_headings(html)["timeline 6 months"] == "Timeline targets · 6 months"
    assert escape(BY_KEY[TIMELINE_KPI].name_en) in html
