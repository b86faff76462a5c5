"""Every console page renders (no NoReverseMatch, no 500) once the shop has data, and what staff read is in
their language: tag names, feedback channels, board statuses and report charts are labels, not codes."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from loopmall.console.tests import factories as f
from loopmall.core import clock
from loopmall.insight import board, collectors, report, services, weeks
from loopmall.insight.models import AdaptationStatus, DemandDefinition, Feedback, FeedbackDemand
from loopmall.insight.tests import shop
from loopmall.profiles.models import Segment, UserProfile, UserTag

pytestmark = pytest.mark.django_db

URL_TAG = re.compile(r"""{%\s*url\s+['"]([^'"]+)['"]""")


def _console_templates() -> list[Path]:
    root = Path(__file__).resolve().parents[2] / "templates" / "console"
    return sorted(root.rglob("*.html"))


def _url_names() -> set[str]:
    """Every name `{% url %}` can reverse, with its namespace ("console:order")."""
    resolver = get_resolver()
    names = {k for k in resolver.reverse_dict if isinstance(k, str)}
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        names |= {f"{namespace}:{k}" for k in sub.reverse_dict if isinstance(k, str)}
    return names


def test_every_url_tag_in_console_templates_names_a_route():
    known = _url_names()
    used = {(path.name, name) for path in _console_templates() for name in URL_TAG.findall(path.read_text())}
    assert used, "no {% url %} tag found: is the template folder right?"
    unknown = sorted((template, name) for template, name in used if name not in known)
    assert unknown == []


def _visible(html: str) -> str:
    """The page's text without scripts, JSON data blocks or tag attributes."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def _speak(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def world(monkeypatch):
    """A customer with an order, tags, a profile and a viewed-not-bought feedback; a launched board card;
    a segment; this week's demand report."""
    shop.install_fake_engine(monkeypatch)
    now = clock.now()
    customer = f.user_make("13700000077")
    customer.channel = "douyin"
    customer.save(update_fields=["channel"])
    product = f.product_make("保温杯", price_minor=5990, code="CUP-1")
    order = f.order_make(
        customer,
        placed_at=now - timedelta(days=2),
        status="paid",
        channel="douyin",
        lines=[(product, 5990, 1)],
        number="LM-77",
    )
    UserProfile.objects.create(user=customer, lifecycle="active", rfm_segment="important_value", orders=1,
                               revenue_minor=5990, computed_at=now)  # fmt: skip
    for tag, kind in [("price_sensitive", "need"), ("active", "lifecycle"), ("inviter", "fission"),
                      ("rfm_important_value", "rfm")]:  # fmt: skip
        UserTag.objects.create(user=customer, tag=tag, kind=kind, score=0.9, evidence="why", computed_at=now)
    Feedback.objects.create(
        channel="viewed_not_bought", kind="behaviour", external_id="v-1", user=customer, product=product,
        created_at=now - timedelta(days=1), collected_at=now,
    )  # fmt: skip
    for n, text in enumerate(["包装压扁了", "快递太慢", "包装破损", "客服不回复"]):
        shop.emit("Product Reviewed", at=now - timedelta(minutes=n), review_id=n + 1, text=text, rating=2,
                  product_id=product.id)  # fmt: skip
    collectors.collect()
    services.feedback_classify_new()
    report.report_generate(weeks.week_of(now))
    # After classification, so the stand-in classifier does not relabel it.
    said = Feedback.objects.create(
        channel="review", external_id="r-77", user=customer, product=product, rating=2, text="盒子坏了",
        created_at=now - timedelta(days=1), collected_at=now,
    )  # fmt: skip
    FeedbackDemand.objects.create(feedback=said, code="packaging")
    services.taxonomy_ensure_seeded()
    code = DemandDefinition.objects.order_by("id").values_list("code", flat=True).first()
    card = board.adaptation_create(demand_code=code, title="加厚纸箱")
    board.adaptation_move(adaptation_id=card.id, to=AdaptationStatus.ADAPTING)
    board.adaptation_move(adaptation_id=card.id, to=AdaptationStatus.LAUNCHED)
    segment = Segment.objects.create(
        name="活跃客户", rules={"conditions": [{"type": "profile", "field": "lifecycle", "value": "active"}]}
    )
    client = Client()
    client.force_login(f.staff_make("boss@loopmall.test", "admin"))
    return {"client": client, "customer": customer, "order": order, "segment": segment, "card": card}


def _pages(world) -> list[str]:
    return [
        "/console/",
        "/console/orders/",
        f"/console/orders/{world['order'].number}/",
        "/console/products/",
        "/console/feedback/",
        "/console/insight/",
        "/console/insight/feedback/",
        "/console/insight/queue/",
        "/console/insight/taxonomy/",
        "/console/insight/emerging/",
        "/console/insight/latent/",
        "/console/insight/board/",
        "/console/profiles/",
        f"/console/profiles/{world['customer'].id}/",
        "/console/profiles/segments/",
        "/console/profiles/segments/new/",
        f"/console/profiles/segments/{world['segment'].id}/",
        f"/console/profiles/segments/{world['segment'].id}/edit/",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_console_page_renders_with_data(world, language):
    client = _speak(world["client"], language)
    failed = {url: r.status_code for url in _pages(world) if (r := client.get(url)).status_code != 200}
    assert failed == {}


def test_customer_360_of_a_customer_with_an_order_links_the_order(world):
    response = world["client"].get(f"/console/profiles/{world['customer'].id}/")
    assert response.status_code == 200
    assert 'href="/console/orders/LM-77/"' in response.content.decode()


def test_customer_360_reads_tags_and_channels_in_chinese(world):
    html = (
        _speak(world["client"], "zh-hans").get(f"/console/profiles/{world['customer'].id}/").content.decode()
    )
    text = _visible(html)
    assert "浏览未购买" in text
    assert "viewed_not_bought" not in text
    for label in ["价格敏感", "活跃", "邀请者", "重要价值客户"]:
        assert label in text
    for code in ["price_sensitive", "inviter", "important_value"]:
        assert code not in text
    assert "购买受价格驱动" in text  # the need tag's definition
    assert "抖音" in text  # came from, and the order's channel
    assert "douyin" not in text
    packaging = DemandDefinition.objects.get(code="packaging")
    assert packaging.name_zh in text
    english = _visible(
        _speak(world["client"], "en").get(f"/console/profiles/{world['customer'].id}/").content.decode()
    )
    assert packaging.name_en in english
    assert "Viewed, not bought" in english


def test_customers_list_shows_tag_names_not_codes(world):
    text = _visible(_speak(world["client"], "zh-hans").get("/console/profiles/").content.decode())
    for label in ["价格敏感", "活跃", "邀请者"]:
        assert label in text
    for code in ["price_sensitive", "inviter", "dormant", "rfm_important_value"]:
        assert code not in text
    english = _visible(_speak(world["client"], "en").get("/console/profiles/").content.decode())
    assert "Price-sensitive" in english
    assert "Inviter" in english


def test_board_move_button_names_the_next_status_in_the_staff_language(world):
    html = _speak(world["client"], "zh-hans").get("/console/insight/board/").content.decode()
    button = re.search(r'data-move="measured">([^<]*)</button>', html)
    assert button is not None
    assert button.group(1).strip() == "→ 已评估"
    html = _speak(world["client"], "en").get("/console/insight/board/").content.decode()
    assert re.search(r'data-move="measured">([^<]*)</button>', html).group(1).strip() == "→ Measured"


def _chart(html: str) -> dict:
    return json.loads(re.search(r'<script id="insight-chart" type="application/json">(.*?)</script>', html,
                                flags=re.S).group(1))  # fmt: skip


def test_report_charts_name_demands_in_the_staff_language(world):
    names = {d.code: (d.name_zh, d.name_en) for d in DemandDefinition.objects.all()}
    english = _chart(_speak(world["client"], "en").get("/console/insight/").content.decode())
    assert english["top"], "the report should have demands to chart"
    for row in english["top"] + english["series"]:
        zh, en = names[row["code"]]
        assert row["name"] == (en or zh)
    assert any(names[row["code"]][1] and row["name"] != names[row["code"]][0] for row in english["top"])
    chinese = _chart(_speak(world["client"], "zh-hans").get("/console/insight/").content.decode())
    for row in chinese["top"] + chinese["series"]:
        assert row["name"] == names[row["code"]][0]
