"""Customers, customer 360 and segments in the console."""

import json

import pytest
from django.urls import reverse

from loopmall.console.tests import factories as f
from loopmall.console.tests.test_browser import browser_page  # noqa: F401  (fixture)
from loopmall.core import clock
from loopmall.core.testing import requires_chromium
from loopmall.profiles.models import Segment, UserProfile, UserTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged_customer():
    customer = f.user_make("13700000001")
    UserProfile.objects.create(user=customer, lifecycle="active", rfm_segment="important_value", orders=5,
                               revenue_minor=59900, median_repurchase_days=21.0, computed_at=clock.now())  # fmt: skip
    UserTag.objects.create(user=customer, tag="price_sensitive", kind="need", score=0.94,
                           evidence="5/6 orders with a discount, coupon, group buy or flash sale",
                           computed_at=clock.now())  # fmt: skip
    UserTag.objects.create(user=customer, tag="active", kind="lifecycle", score=1.0, evidence="5 paid orders",
                           computed_at=clock.now())  # fmt: skip
    return customer


@pytest.fixture
def operator_client(client):
    staff = f.staff_make("ops@example.com", "operator", password=f.PASSWORD)
    client.force_login(staff)
    return client


def test_customers_need_staff(client, tagged_customer):
    response = client.get(reverse("console:profiles_customers"))
    assert response.status_code == 302
    client.force_login(tagged_customer)
    assert client.get(reverse("console:profiles_customers")).status_code == 302


def test_customers_list_filters_by_tag(operator_client, tagged_customer):
    f.user_make("13700000002")
    page = operator_client.get(reverse("console:profiles_customers"), {"tag": "price_sensitive"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "13700000001" in body
    assert "13700000002" not in body


def test_customer_360_shows_tags_with_evidence(operator_client, tagged_customer):
    page = operator_client.get(reverse("console:profiles_customer", args=[tagged_customer.id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "price_sensitive" in body
    assert "5/6 orders with a discount" in body
    assert "important_value" in body


def test_customer_360_of_staff_or_unknown_is_404(operator_client):
    staff = f.staff_make("analyst@example.com", "analyst")
    assert operator_client.get(reverse("console:profiles_customer", args=[staff.id])).status_code == 404
    assert operator_client.get(reverse("console:profiles_customer", args=[99999])).status_code == 404


def test_segment_preview_counts_and_names_bad_field(operator_client, tagged_customer):
    url = reverse("console:profiles_segment_preview")
    good = {"conditions": [{"type": "tag", "tag": "price_sensitive", "min_score": 0.9}]}
    assert operator_client.post(url, {"rules": json.dumps(good)}).json() == {"count": 1}
    bad = operator_client.post(url, {"rules": json.dumps({"conditions": [{"type": "tag"}]})})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "conditions[0].tag"
    broken = operator_client.post(url, {"rules": "{not json"})
    assert broken.json()["error"]["field"] == "rules"


def test_segment_create_and_view(operator_client, tagged_customer):
    rules = {"conditions": [{"type": "profile", "field": "lifecycle", "value": "active"}]}
    response = operator_client.post(
        reverse("console:profiles_segment_new"), {"name": "活跃用户", "rules": json.dumps(rules)}
    )
    segment = Segment.objects.get(name="活跃用户")
    assert response.status_code == 302
    assert segment.member_count == 1
    detail = operator_client.get(reverse("console:profiles_segment", args=[segment.id])).content.decode()
    assert "13700000001" in detail


def test_segment_form_error_keeps_input_and_stores_nothing(operator_client):
    response = operator_client.post(reverse("console:profiles_segment_new"), {"name": "", "rules": "{}"})
    assert response.status_code == 400
    assert not Segment.objects.exists()


def test_analyst_cannot_save_segments(client, tagged_customer):
    client.force_login(f.staff_make("an@example.com", "analyst"))
    rules = {"conditions": [{"type": "tag", "tag": "price_sensitive"}]}
    response = client.post(reverse("console:profiles_segment_new"), {"name": "x", "rules": json.dumps(rules)})
    assert response.status_code == 400
    assert not Segment.objects.exists()


@pytest.mark.browser
@requires_chromium
def test_customer_360_in_chromium(live_server, browser_page, transactional_db):  # noqa: F811
    customer = f.user_make("13700000009")
    UserProfile.objects.create(
        user=customer, lifecycle="active", orders=3, revenue_minor=12000, computed_at=clock.now()
    )
    UserTag.objects.create(user=customer, tag="scenario_gift", kind="need", score=0.97,
                           evidence="3/3 gift-wrapped orders", computed_at=clock.now())  # fmt: skip
    f.staff_make("boss@example.com", "admin", password=f.PASSWORD)
    page = browser_page
    page.goto(f"{live_server.url}{reverse('console:login')}")
    page.fill("input[name=login]", "boss@example.com")
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('console:profiles_customer', args=[customer.id])}")
    tag = page.locator(".need-tag[data-tag=scenario_gift]")
    assert tag.is_visible()
    assert "3/3 gift-wrapped orders" in tag.inner_text()
    page.screenshot(path="/tmp/customer-360.png", full_page=True)
