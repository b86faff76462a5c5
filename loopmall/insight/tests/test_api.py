"""POST /api/v1/insight/feedback: who may call it, validation naming the field, idempotency, masking."""

import pytest
from django.test import Client

from loopmall.insight.models import Feedback
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db
URL = "/api/v1/insight/feedback"


@pytest.fixture
def fake_engine(monkeypatch):
    return shop.install_fake_engine(monkeypatch)


@pytest.fixture
def keyed(settings):
    settings.LOOPMALL_INSIGHT_CHANNEL_KEYS = ["chan-key-123"]
    return Client(HTTP_X_CHANNEL_KEY="chan-key-123")


def _body(**changes):
    body = {
        "feedback_id": "wx-1",
        "channel": "service_chat",
        "text": "包装压扁了，我是张伟 13812345678",
        "rating": 2,
    }
    body.update(changes)
    return body


def test_channel_key_records_classifies_and_masks(keyed, fake_engine):
    response = keyed.post(URL, _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] is True
    assert data["demands"] == ["packaging"]
    assert "13812345678" not in data["text"]
    assert "张伟" not in data["text"]
    assert Feedback.objects.get().text.endswith("13812345678")  # stored raw


def test_same_channel_and_id_is_idempotent(keyed, fake_engine):
    first = keyed.post(URL, _body(), content_type="application/json")
    again = keyed.post(URL, _body(text="different"), content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert Feedback.objects.count() == 1
    other_channel = keyed.post(URL, _body(channel="questionnaire"), content_type="application/json")
    assert other_channel.status_code == 201


def test_without_credentials_is_401(fake_engine, settings):
    settings.LOOPMALL_INSIGHT_CHANNEL_KEYS = ["chan-key-123"]
    assert Client().post(URL, _body(), content_type="application/json").status_code == 401
    wrong = Client(HTTP_X_CHANNEL_KEY="nope").post(URL, _body(), content_type="application/json")
    assert wrong.status_code == 401


def test_customer_token_is_refused_staff_token_accepted(fake_engine):
    from loopmall.accounts import services as account_services

    customer = shop.user()
    staff = shop.user(is_staff=True)
    customer_token = account_services.api_token_issue(user=customer)
    staff_token = account_services.api_token_issue(user=staff)
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {customer_token}").post(
        URL, _body(), content_type="application/json"
    )
    assert refused.status_code == 401
    accepted = Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}").post(
        URL, _body(), content_type="application/json"
    )
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"channel": "viewed_not_bought"}, "channel"),
        ({"text": "   "}, "text"),
        ({"rating": 9}, "rating"),
        ({"feedback_id": ""}, "feedback_id"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "2999-01-01T00:00:00+08:00"}, "created_at"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(keyed, fake_engine, changes, field):
    response = keyed.post(URL, _body(**changes), content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["error"]["field"] == field
    assert not Feedback.objects.exists()


def test_naive_time_means_shanghai(keyed, fake_engine):
    keyed.post(URL, _body(created_at="2026-11-02T09:00:00"), content_type="application/json")
    stored = Feedback.objects.get()
    assert stored.created_at.isoformat() == "2026-11-02T01:00:00+00:00"


def test_reports_need_staff(fake_engine):
    customer = shop.user()
    client = Client()
    client.force_login(customer)
    assert client.get("/api/v1/insight/reports").status_code == 403
    staff = shop.user(is_staff=True)
    client.force_login(staff)
    assert client.get("/api/v1/insight/reports").status_code == 200
    assert client.get("/api/v1/insight/reports/2026-W01").status_code == 404
    assert client.get("/api/v1/insight/reports/bad-week").json()["error"]["field"] == "week"
