"""Chromium opens the insight console: the weekly report (charts and quotes), latent demands, emerging
clusters and the board, and walks a demand along the board. Screenshots (1280 x 800) go to
/tmp/h6-shots/ (or LOOPMALL_SHOTS_DIR)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from loopmall.core import clock
from loopmall.core.testing import CHROMIUM, CHROMIUM_ARGS, requires_chromium
from loopmall.insight import collectors, emerging, latent, report, services, weeks
from loopmall.insight.tests import shop

SHOTS = Path(os.environ.get("LOOPMALL_SHOTS_DIR", "/tmp/h6-shots"))

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]

COMPLAINTS = [
    ("盒子压扁了，包装太差", 1), ("快递太慢了，等了一周", 2), ("包装破了，电话13812345678联系我", 2),
    ("太贵了不值这个价", 3), ("包装简陋，送人拿不出手", 2), ("物流慢，客服也不理人", 1),
]  # fmt: skip
UNCOVERED = ["希望能提供上门安装服务", "没有上门安装，自己装不好", "能不能上门安装", "上门安装什么时候有",
             "建议增加上门安装", "上门安装要另外收费吗，不合理", "希望上门安装快一点", "没人上门安装很失望"]  # fmt: skip


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def insight_world(transactional_db, monkeypatch):
    shop.install_fake_engine(monkeypatch)
    services.taxonomy_ensure_seeded()
    now = clock.now()
    home = shop.category("家居")
    cup = shop.product(home, name="保温杯")
    eco = shop.product(home, name="可降解垃圾袋", attributes=["eco"], price_minor=2990)
    box = shop.product(home, name="收纳盒")
    review_id = 0
    for week_back in range(5, -1, -1):  # six weeks of reviews, packaging complaints growing
        moment = now - timedelta(weeks=week_back, hours=1)
        for n, (text, rating) in enumerate(COMPLAINTS[: 2 + (5 - week_back)]):
            review_id += 1
            shop.emit("Product Reviewed", at=moment - timedelta(minutes=n), review_id=review_id, text=text,
                      rating=rating, product_id=cup.id)  # fmt: skip
    for n, text in enumerate(UNCOVERED):
        shop.emit("Comment Posted", at=now - timedelta(hours=2, minutes=n), comment_id=n + 1, text=text)
    users = [shop.user() for _ in range(30)]
    for n, user in enumerate(users):  # eco bags viewed, rarely bought; boxes bought half the time
        shop.emit("Product Viewed", at=now - timedelta(days=1), user_id=user.id, product_id=eco.id)
        shop.emit("Product Viewed", at=now - timedelta(days=1), user_id=user.id, product_id=box.id)
        if n % 2 == 0:
            shop.emit("Order Completed", at=now - timedelta(hours=20), user_id=user.id,
                      products=[{"product_id": box.id}])  # fmt: skip
        if n < 5:
            shop.emit("Products Searched", at=now - timedelta(hours=3), user_id=user.id,
                      query=["可降解", "降解袋", "可降解垃圾袋", "可降解", "降解袋"][n], results_count=0)  # fmt: skip
    collectors.collect()
    services.feedback_classify_new()
    emerging.emerging_refresh()
    latent.latent_refresh()
    for back in range(5, -1, -1):
        report.report_generate(weeks.week_shift(weeks.week_of(now), -back))
    staff = shop.user("staff@loopmall.test", is_staff=True)
    return {"staff": staff}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_insight_console_in_a_browser(live_server, page, insight_world):
    page.goto(f"{live_server.url}/console/login/?next=/console/insight/")
    page.fill("input[name=login]", "staff@loopmall.test")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/insight/")

    # weekly report: Plotly drew both charts, quotes are there and masked
    page.wait_for_selector("#chart-trend .main-svg")
    page.wait_for_selector("#chart-top .main-svg")
    table = page.inner_text("#top-demands")
    assert "包装" in table
    assert "138****5678" in table
    assert "13812345678" not in page.content()
    _shot(page, "01-weekly-report")

    page.goto(f"{live_server.url}/console/insight/feedback/")
    page.wait_for_selector("#feedback-table")
    _shot(page, "02-feedback")

    page.goto(f"{live_server.url}/console/insight/queue/")
    page.wait_for_selector("#queue-table")
    _shot(page, "03-queue")

    page.goto(f"{live_server.url}/console/insight/taxonomy/")
    assert page.locator("#taxonomy-table tr[data-code]").count() >= 5
    _shot(page, "04-taxonomy")

    page.goto(f"{live_server.url}/console/insight/latent/")
    kinds = page.eval_on_selector_all("#latent-table tr[data-kind]", "rows => rows.map(r => r.dataset.kind)")
    assert "low_conversion" in kinds
    assert "unmet_search" in kinds
    _shot(page, "05-latent")

    page.goto(f"{live_server.url}/console/insight/emerging/")
    cluster = page.locator("#clusters [data-cluster]").first
    assert "安装" in cluster.inner_text()
    assert cluster.locator(".quote").count() == 3
    _shot(page, "06-emerging")

    # the board: add a card, then walk it identified -> adapting -> launched -> measured -> closed
    page.goto(f"{live_server.url}/console/insight/board/?demand=packaging")
    page.fill("#new-card input[name=title]", "加厚双层纸箱")
    page.click("[data-action=create-card]")
    page.wait_for_selector("[data-column=identified] [data-card]")
    for step in ["adapting", "launched", "measured"]:
        page.click(f"[data-card] button[data-move={step}]")
        page.wait_for_selector(f"[data-column={step}] [data-card]")
    card = page.locator("[data-column=measured] [data-card]")
    assert "加厚双层纸箱" in card.inner_text()
    _shot(page, "07-board")
    page.click("[data-card] button[data-move=closed]")
    page.wait_for_selector("[data-column=closed] [data-card]")
    assert page.locator("[data-column=identified] [data-card]").count() == 0
