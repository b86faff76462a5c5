"""POST /api/v1/analytics/events: validation naming index and field, dedupe, rate limit."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model

from loopmall.core.models import OutboxEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/analytics/events"


def event(**overrides):
    body = {
        "event_id": uuid.uuid4().hex,
        "name": "Product Viewed",
        "timestamp": "2026-12-03T10:00:00+08:00",
        "anonymous_id": "visitor-1",
        "properties": {"sku_id": 7, "price": "29.90"},
        "channel": "mini_shop",
    }
    body.update(overrides)
    return body


def post(client, batch, **extra):
    return client.post(URL, data=json.dumps({"batch": batch}), content_type="text/plain", **extra)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to("2026-12-03T03:00:00Z")


def test_accepts_a_batch_and_keeps_unknown_names(client):
    response = post(client, [event(), event(name="Coupon Wheel Spun")])
    assert response.status_code == 202, response.content
    assert response.json() == {"received": 2, "accepted": 2, "duplicates": 0}
    assert set(OutboxEvent.objects.values_list("name", flat=True)) == {"Product Viewed", "Coupon Wheel Spun"}
    stored = OutboxEvent.objects.get(name="Product Viewed")
    assert stored.channel == "mini_shop"
    assert stored.properties["sku_id"] == 7


def test_duplicates_are_counted_not_errors(client):
    first = event()
    post(client, [first])
    response = post(client, [first, event(), first])
    assert response.status_code == 202
    assert response.json() == {"received": 3, "accepted": 1, "duplicates": 2}
    assert OutboxEvent.objects.filter(event_id=first["event_id"]).count() == 1


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"name": ""}, "batch[1].name"),
        ({"timestamp": "yesterday"}, "batch[1].timestamp"),
        ({"timestamp": "2027-01-01T00:00:00Z"}, "batch[1].timestamp"),
        ({"anonymous_id": None}, "batch[1].anonymous_id"),
        ({"properties": [1, 2]}, "batch[1].properties"),
        ({"user_id": 99}, "batch[1].user_id"),
        ({"event_id": "x" * 65}, "batch[1].event_id"),
    ],
)
def test_a_bad_event_names_index_and_field_and_nothing_is_written(client, bad, field):
    response = post(client, [event(), event(**bad)])
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert OutboxEvent.objects.count() == 0


def test_body_must_be_a_batch(client):
    response = client.post(URL, data="not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "batch"
    assert post(client, []).json()["error"]["field"] == "batch"


def test_signed_in_shopper_events_carry_their_user(client):
    user = get_user_model().objects.create_user("13800000009", password="a-long-password")
    client.force_login(user)
    response = post(client, [event(anonymous_id=None), event(user_id=user.pk)])
    assert response.status_code == 202
    assert set(OutboxEvent.objects.values_list("user_id", flat=True)) == {user.pk}


def test_rate_limited_per_client(client, settings):
    settings.LOOPMALL_EVENTS_RATE_LIMIT = 3
    for _ in range(3):
        assert post(client, [event()]).status_code == 202
    response = post(client, [event()])
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    # another client is not affected
    assert post(client, [event()], REMOTE_ADDR="10.0.0.2").status_code == 202


def test_invalid_json_message_is_translated(client):
    response = client.post(URL, data="not json", content_type="application/json")
    assert response.json()["error"]["message"] == "请求体不是有效的 JSON。"
    response = client.post(URL, data="not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "The body is not valid JSON."


def test_openapi_documents_the_batch_body(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][URL]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["required"] == ["batch"]
    batch = schema["properties"]["batch"]
    assert batch["type"] == "array"
    assert batch["maxItems"] == 500
    item = batch["items"]
    assert set(item["required"]) == {"event_id", "name", "timestamp"}
    assert {"event_id", "name", "timestamp", "user_id", "anonymous_id", "properties", "channel"} <= set(
        item["properties"]
    )
    assert "text/plain" in body["content"]  # sendBeacon posts text/plain
