"""The scorecard, funnel and cohort pages draw their Plotly charts in a real browser."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from loopmall.analytics.warehouse import sync
from loopmall.core import clock
from loopmall.core.events import event_emit
from loopmall.core.testing import CHROMIUM, CHROMIUM_ARGS, requires_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def _shop_history():
    """Two customers, paid orders in two different weeks, and a viewed → added → completed path."""
    category = apps.get_model("catalog", "Category").objects.create(name="零食", slug="snacks")
    product = apps.get_model("catalog", "Product").objects.create(category=category, name="坚果", slug="nuts")
    sku = apps.get_model("catalog", "Sku").objects.create(product=product, code="N-1", price_minor=3990)
    order_model = apps.get_model("orders", "Order")
    now = clock.now()
    for index, login in enumerate(("13800000021", "13800000022")):
        user = get_user_model().objects.create_user(login, channel=("douyin", "community")[index])
        for weeks_ago in (3, 1):
            moment = now - timedelta(weeks=weeks_ago, hours=index)
            with transaction.atomic():
                order = order_model.objects.create(
                    number=f"B{index}{weeks_ago}", user=user, placed_at=moment, paid_at=moment, status="paid",
                    total_minor=3990, paid_minor=3990, channel="community",
                )  # fmt: skip
                event_emit("Product Viewed", user_id=user.pk, occurred_at=moment - timedelta(minutes=9))
                event_emit("Product Added", user_id=user.pk, occurred_at=moment - timedelta(minutes=5))
                event_emit(
                    "Order Completed", user_id=user.pk, occurred_at=moment, aggregate=("order", order.pk)
                )
    return sku


def test_analytics_pages_render_plotly_charts(live_server, settings, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.LOOPMALL_WAREHOUSE_PATH = str(tmp_path / "warehouse.duckdb")
    get_user_model().objects.create_user("analyst@example.com", password="a-long-password-1", is_staff=True)
    _shop_history()
    sync.run()
    shots = Path("/tmp/h8-shots")
    shots.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(180_000)  # two shared cores: the first page compiles every KPI query
        page.goto(f"{live_server.url}/console/login/")
        page.fill("input[name=login]", "analyst@example.com")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        for path, chart in (
            ("/console/analytics/", "[data-spark] .main-svg"),
            ("/console/analytics/kpi/repurchase_rate/", "#kpi-trend .main-svg"),
            ("/console/analytics/funnel/?step=Product+Viewed&step=Product+Added&step=Order+Completed", "#funnel-chart .main-svg"),
            ("/console/analytics/cohorts/", "#cohort-heatmap .main-svg"),
        ):  # fmt: skip
            page.goto(live_server.url + path)
            page.wait_for_selector(chart)
            assert page.locator(".js-plotly-plot").count() >= 1, path
            page.screenshot(
                path=str(shots / ("browser" + path.split("?")[0].replace("/", "_") + ".png")), full_page=True
            )
        browser.close()
