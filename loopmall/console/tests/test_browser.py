"""Chromium signs in to the console and sees the dashboard charts drawn by Plotly.

Screenshots of each page go to /tmp/h4-shots/ (1280 x 800) for a human to look at.
"""

import os
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from loopmall.console.tests import factories as f
from loopmall.core import clock
from loopmall.core.testing import CHROMIUM, CHROMIUM_ARGS, requires_chromium

SHOTS = Path(os.environ.get("LOOPMALL_SHOTS_DIR", "/tmp/h4-shots"))

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures and
    # the live server are still synchronous, so Django's async guard must be told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def recent_shop(transactional_db):
    """Two weeks of orders ending now, over three channels, with reviews."""
    tea = f.product_make("有机绿茶礼盒", price_minor=12800, code="TEA-GIFT")
    scarf = f.product_make("羊毛围巾", price_minor=19900, tier="premium", code="SCARF-W")
    brush = f.product_make("竹制牙刷四支装", price_minor=2990, tier="budget", code="BRUSH-4", stock=4)
    buyers = [f.user_make(f"1380000{i:04d}") for i in range(8)]
    now = clock.now()
    channels = ["community", "live", "storefront", "mini_shop"]
    statuses = ["completed", "paid", "shipped", "pending_payment", "delivered", "cancelled", "refunded"]
    for day in range(14):
        for k in range(1 + day % 4):
            product, price = [(tea, 12800), (scarf, 19900), (brush, 2990)][(day + k) % 3]
            status = statuses[(day * 3 + k) % len(statuses)]
            f.order_make(
                buyers[(day + k) % len(buyers)],
                placed_at=now - timedelta(days=day, hours=k * 3 + 1),
                status=status,
                channel=channels[(day + k) % len(channels)],
                lines=[(product, price, 1 + k % 2)],
                refunded_minor=price * (1 + k % 2) if status == "refunded" else 0,
            )
    for rating, text, lang in [
        (5, "茶香很浓，送长辈很体面，包装精致。", "zh"),
        (2, "围巾有点起球，和图片颜色不太一样。", "zh"),
        (4, "Soft scarf, arrived quickly.", "en"),
    ]:
        f.review_make(
            tea if lang == "zh" and rating == 5 else scarf,
            rating=rating,
            text=text,
            lang=lang,
            created_at=now - timedelta(days=2),
        )
    return f.staff_make("ops@loopmall.test", "operator", password=f.PASSWORD)


def test_staff_signs_in_and_dashboard_charts_render(live_server, browser_page, recent_shop):
    page = browser_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The first request imports the whole site (API routers, insight models); on a busy machine
    # that can outlast Playwright's default 30 s, so warm the server up and allow slow navigation.
    urllib.request.urlopen(f"{live_server.url}/console/login/", timeout=180).read()
    page.set_default_navigation_timeout(90_000)
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/console/")
    assert "/console/login/" in page.url
    page.screenshot(path=str(SHOTS / "sign-in.png"))
    page.fill("input[name=login]", "ops@loopmall.test")
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_url(f"{live_server.url}/console/")

    # Each chart container gets a Plotly root with an SVG holding at least one data trace.
    for chart in ("chart-daily", "chart-channels", "chart-products", "chart-statuses"):
        page.wait_for_selector(f"#{chart}.js-plotly-plot .main-svg", timeout=15_000)
        traces = page.evaluate(f"document.getElementById('{chart}').data.length")
        assert traces > 0, chart
        drawn = page.locator(f"#{chart} .main-svg .trace, #{chart} .main-svg .slice").count()
        assert drawn > 0, chart
    assert page.locator("#chart-daily .main-svg .bars .point").count() == 30  # default range: 30 days
    assert page.locator("[data-kpi=orders] .kpi-value").inner_text() != "0"
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.click("a.segment >> nth=0")  # last 7 days
    page.wait_for_selector("#chart-daily .main-svg .bars .point")
    assert page.locator("#chart-daily .main-svg .bars .point").count() == 7

    for name, path in [
        ("orders", "/console/orders/"),
        ("products", "/console/products/"),
        ("feedback", "/console/feedback/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("table.table tbody tr").count() > 0, name
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/console/orders/")
    page.click("table.table tbody tr >> nth=0 >> a")
    assert page.locator(".facts").count() == 1
    page.screenshot(path=str(SHOTS / "order-detail.png"), full_page=True)

    # English, through the language switch.
    page.goto(f"{live_server.url}/console/")
    page.click("button.lang-button[value=en]")
    page.wait_for_selector("#chart-daily .main-svg")
    assert page.locator(".console-menu").inner_text().startswith("Dashboard")
    page.screenshot(path=str(SHOTS / "dashboard-en.png"), full_page=True)
