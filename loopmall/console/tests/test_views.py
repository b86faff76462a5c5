"""Console pages: who may enter, what the filters keep, and that the numbers shown are the reporting ones."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from loopmall.catalog.models import Sku
from loopmall.console.tests import factories as f
from loopmall.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

PAGES = ["console:dashboard", "console:orders", "console:products", "console:feedback"]


@pytest.fixture
def admin_user(db):
    return f.staff_make("boss@loopmall.test", "admin")


@pytest.fixture
def operator(db):
    return f.staff_make("ops@loopmall.test", "operator")


@pytest.fixture
def analyst(db):
    return f.staff_make("analyst@loopmall.test", "analyst")


@pytest.fixture
def customer(db):
    return f.user_make("13700000000")


@pytest.fixture
def as_analyst(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def as_operator(client, operator):
    client.force_login(operator)
    return client


# -- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_console_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('console:login')}?next={url}"


@pytest.mark.parametrize("name", PAGES)
def test_customer_is_refused(client, customer, name):
    client.force_login(customer)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


def test_inactive_staff_is_refused(client, operator):
    operator.is_active = False
    operator.save()
    client.force_login(operator)
    assert client.get(reverse("console:dashboard")).status_code == 302


@pytest.mark.parametrize("name", PAGES)
def test_every_staff_role_reads_every_page(as_analyst, name):
    response = as_analyst.get(reverse(name))
    assert response.status_code == 200
    for link in ("/console/insight/", "/console/analytics/", "/console/profiles/", "/console/orders/"):
        assert f'href="{link}"' in response.content.decode()


def test_sign_in_with_phone_or_email(client, db):
    f.staff_make("13611112222", "operator", password=f.PASSWORD)
    response = client.post(
        reverse("console:login"),
        {"login": "136 1111 2222", "password": f.PASSWORD, "next": "/console/orders/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/orders/"
    assert client.get(reverse("console:dashboard")).status_code == 200


def test_sign_in_refuses_customers_and_wrong_passwords(client, db):
    f.user_make("buyer@example.com", password=f.PASSWORD)
    f.staff_make("staff@example.com", "analyst", password=f.PASSWORD)
    response = client.post(reverse("console:login"), {"login": "buyer@example.com", "password": f.PASSWORD})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("console:login"), {"login": "staff@example.com", "password": "wrong-one-1"}
    )
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_sign_in_ignores_next_to_another_host(client, db):
    f.staff_make("staff@example.com", "analyst", password=f.PASSWORD)
    response = client.post(
        reverse("console:login"),
        {"login": "staff@example.com", "password": f.PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("console:dashboard")


def test_sign_out_needs_post_and_ends_the_session(as_analyst):
    assert as_analyst.get(reverse("console:logout")).status_code == 405
    response = as_analyst.post(reverse("console:logout"))
    assert response["Location"] == reverse("console:login")
    assert as_analyst.get(reverse("console:dashboard")).status_code == 302


# -- dashboard ------------------------------------------------------------------------------------


def _chart_data(response) -> dict:
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "dashboard JSON missing"
    return json.loads(match.group(1))


def test_dashboard_shows_hand_computed_figures(as_analyst, shop, frozen_now):
    response = as_analyst.get(reverse("console:dashboard"), {"days": 7})
    html = response.content.decode()
    kpi = {
        m.group(1): m.group(2) for m in re.finditer(r'data-kpi="(\w+)">.*?kpi-value">([^<]*)<', html, re.S)
    }
    assert kpi == {
        "orders": "7",
        "revenue": "¥220.03",
        "paid_conversion": "71.4%",
        "average_order_value": "¥44.01",
        "repeat_buyer_share": "50.0%",
    }
    data = _chart_data(response)
    assert data["daily"]["days"][0] == "2026-03-04"
    assert data["daily"]["orders"] == [1, 1, 0, 1, 1, 1, 2]
    assert data["daily"]["revenue_minor"] == [5000, 8000, 0, 0, 4500, 0, 4503]
    assert data["channels"]["orders"] == [3, 2, 2]
    assert data["products"]["revenue_minor"] == [12503, 9500]
    assert sum(data["statuses"]["orders"]) == 7
    assert data["exponent"] == 2


def test_dashboard_range_and_currency_switch(as_analyst, shop, frozen_now):
    data = _chart_data(as_analyst.get(reverse("console:dashboard"), {"days": 90}))
    assert len(data["daily"]["days"]) == 90
    data = _chart_data(as_analyst.get(reverse("console:dashboard"), {"days": 7, "currency": "brl"}))
    assert data["currency"] == "BRL"
    assert sum(data["daily"]["revenue_minor"]) == 99999
    # An unknown range or currency falls back to the defaults instead of failing.
    response = as_analyst.get(reverse("console:dashboard"), {"days": "abc", "currency": "XXX"})
    assert response.status_code == 200
    assert len(_chart_data(response)["daily"]["days"]) == 30


def test_dashboard_chart_labels_follow_the_language(as_analyst, shop, frozen_now):
    as_analyst.cookies.load({"django_language": "en"})
    data = _chart_data(as_analyst.get(reverse("console:dashboard"), {"days": 7}))
    assert data["labels"]["revenue"] == "Revenue"
    assert "Live stream" in data["channels"]["labels"]


# -- orders ---------------------------------------------------------------------------------------


def _order_numbers(response) -> set[str]:
    return set(re.findall(r'class="mono">(LM-\w)<', response.content.decode()))


def test_orders_filters(as_analyst, shop):
    url = reverse("console:orders")
    assert _order_numbers(as_analyst.get(url)) == {"LM-" + c for c in "ABCDEFGHI"}
    assert _order_numbers(as_analyst.get(url, {"status": "completed"})) == {"LM-A", "LM-C"}
    assert _order_numbers(as_analyst.get(url, {"channel": "live"})) == {"LM-C", "LM-D"}
    # Shanghai days: A (UTC 03-03 15:59) is 03-03, B (UTC 03-03 16:00) is 03-04.
    assert _order_numbers(as_analyst.get(url, {"from": "2026-03-04", "to": "2026-03-05"})) == {"LM-B", "LM-C"}
    assert _order_numbers(as_analyst.get(url, {"to": "2026-03-03"})) == {"LM-A"}
    assert _order_numbers(as_analyst.get(url, {"q": "lm-g"})) == {"LM-G"}
    assert _order_numbers(as_analyst.get(url, {"q": "13900000002"})) == {"LM-C", "LM-D"}


def test_orders_bad_date_names_the_field_and_is_ignored(as_analyst, shop):
    response = as_analyst.get(reverse("console:orders"), {"from": "03/04/2026"})
    assert response.status_code == 200
    assert "03/04/2026" in response.content.decode()
    assert len(_order_numbers(response)) == 9


def test_orders_paginate(as_analyst, db):
    buyer = f.user_make("13500000000")
    for i in range(30):
        f.order_make(
            buyer, placed_at=datetime(2026, 1, 1, i % 24, tzinfo=UTC), status="paid", number=f"LM-P{i:02d}"
        )
    first = as_analyst.get(reverse("console:orders"))
    second = as_analyst.get(reverse("console:orders"), {"page": 2})
    first_numbers = set(re.findall(r'class="mono">(LM-P\d+)<', first.content.decode()))
    second_numbers = set(re.findall(r'class="mono">(LM-P\d+)<', second.content.decode()))
    assert (len(first_numbers), len(second_numbers)) == (25, 5)
    assert not first_numbers & second_numbers


def test_order_detail_shows_lines_money_address_and_timeline(as_analyst, shop):
    from django.db import transaction

    from loopmall.core.events import event_emit

    order = shop["orders"]["H"]
    with transaction.atomic():
        event_emit("Order Completed", aggregate=("order", order.pk), properties={"status": "paid"})
    response = as_analyst.get(reverse("console:order", args=[order.number]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "有机绿茶" in html
    assert "¥60.00" in html
    assert "¥15.00" in html
    assert "漕溪北路 1 号" in html
    assert "Order Completed" in html
    assert OutboxEvent.objects.filter(aggregate_id=str(order.pk)).count() == 1


def test_order_detail_unknown_number_is_404(as_analyst, db):
    assert as_analyst.get(reverse("console:order", args=["NOPE"])).status_code == 404


# -- products -------------------------------------------------------------------------------------


def test_products_list_and_filters(as_analyst, shop):
    url = reverse("console:products")
    html = as_analyst.get(url).content.decode()
    assert all(code in html for code in ("TEA-1", "SCARF-1", "BRUSH-1"))
    assert "¥80.00" in html
    html = as_analyst.get(url, {"tier": "premium"}).content.decode()
    assert "SCARF-1" in html
    assert "TEA-1" not in html
    html = as_analyst.get(url, {"q": "brush"}).content.decode()
    assert "BRUSH-1" in html
    assert "TEA-1" not in html
    html = as_analyst.get(url, {"low": "1"}).content.decode()
    assert "BRUSH-1" in html
    assert "SCARF-1" not in html


def test_analyst_may_not_change_stock(as_analyst, shop):
    sku = Sku.objects.get(code="TEA-1")
    html = as_analyst.get(reverse("console:products")).content.decode()
    assert "disabled" in html
    response = as_analyst.post(reverse("console:sku_stock", args=[sku.id]), {"stock": "7"})
    assert response.status_code == 403
    sku.refresh_from_db()
    assert sku.stock == 50


def test_operator_sets_stock_through_the_catalog_service(as_operator, operator, shop):
    sku = Sku.objects.get(code="TEA-1")
    response = as_operator.post(
        reverse("console:sku_stock", args=[sku.id]), {"stock": "7", "next": "/console/products/?q=tea"}
    )
    assert response["Location"] == "/console/products/?q=tea"
    sku.refresh_from_db()
    assert sku.stock == 7
    event = OutboxEvent.objects.get(aggregate_type="sku", aggregate_id=str(sku.id))
    assert event.user_id == operator.id


@pytest.mark.parametrize("raw", ["-1", "seven", "", "1.5"])
def test_bad_stock_is_refused_naming_the_field(as_operator, shop, raw):
    sku = Sku.objects.get(code="TEA-1")
    as_operator.cookies.load({"django_language": "en"})
    response = as_operator.post(reverse("console:sku_stock", args=[sku.id]), {"stock": raw}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages
    assert messages[0].startswith("stock")
    sku.refresh_from_db()
    assert sku.stock == 50


# -- feedback -------------------------------------------------------------------------------------


@pytest.fixture
def reviews(shop):
    p1, p2, _p3 = shop["products"]
    when = datetime(2026, 3, 1, tzinfo=UTC)
    f.review_make(p1, rating=5, text="茶叶很香，包装也好", created_at=when)
    f.review_make(p1, rating=1, text="物流太慢了", created_at=when)
    f.review_make(p2, rating=4, text="Warm and soft scarf", lang="en", created_at=when)
    f.review_make(p2, rating=2, text="Produto chegou atrasado", lang="pt", created_at=when)


def test_feedback_filters_by_rating_and_language(as_analyst, reviews):
    url = reverse("console:feedback")
    html = as_analyst.get(url).content.decode()
    assert all(
        t in html for t in ("茶叶很香", "物流太慢了", "Warm and soft scarf", "Produto chegou atrasado")
    )
    html = as_analyst.get(url, {"rating": 1}).content.decode()
    assert "物流太慢了" in html
    assert "茶叶很香" not in html
    html = as_analyst.get(url, {"lang": "en"}).content.decode()
    assert "Warm and soft scarf" in html
    assert "物流太慢了" not in html
    html = as_analyst.get(url, {"lang": "pt", "rating": 2}).content.decode()
    assert "Produto chegou atrasado" in html
    assert "Warm" not in html
    html = as_analyst.get(url, {"q": "围巾"}).content.decode()
    assert "Warm and soft scarf" in html
    assert "茶叶很香" not in html
    # Nonsense filters are ignored rather than failing.
    assert as_analyst.get(url, {"rating": "9", "lang": "xx"}).status_code == 200


def test_console_is_in_chinese_by_default_and_english_on_request(as_analyst, shop, frozen_now):
    html = as_analyst.get(reverse("console:dashboard")).content.decode()
    assert "数据看板" in html
    assert "客单价" in html
    as_analyst.cookies.load({"django_language": "en"})
    html = as_analyst.get(reverse("console:dashboard")).content.decode()
    assert "Average order value" in html
    assert "客单价" not in html


def test_reviews_are_in_django_admin(client, reviews, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.get("/admin/social/review/", {"rating__exact": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "物流太慢了" in html
    assert "Warm and soft scarf" not in html
