import pytest

from loopmall.accounts.services import api_token_issue
from loopmall.console.tests import factories as f
from loopmall.core import clock
from loopmall.profiles.models import Segment, UserTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_headers():
    staff = f.staff_make("ops@example.com", "operator")
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=staff)}"}


@pytest.fixture
def tagged():
    customer = f.user_make("13600000001")
    UserTag.objects.create(user=customer, tag="scenario_family", kind="need", score=0.9, evidence="4/5 family items",
                           computed_at=clock.now())  # fmt: skip
    return customer


RULES = {"conditions": [{"type": "tag", "tag": "scenario_family"}]}


def test_segment_create_members_and_preview(client, staff_headers, tagged):
    created = client.post("/api/v1/profiles/segments", {"name": "宝妈", "rules": RULES},
                          content_type="application/json", **staff_headers)  # fmt: skip
    assert created.status_code == 201
    assert created.json()["member_count"] == 1
    members = client.get(f"/api/v1/profiles/segments/{created.json()['id']}/members", **staff_headers)
    assert members.json() == {"segment_id": created.json()["id"], "count": 1, "user_ids": [tagged.id]}
    preview = client.post("/api/v1/profiles/segments/preview", {"rules": RULES}, content_type="application/json",
                          **staff_headers)  # fmt: skip
    assert preview.json() == {"count": 1}


def test_bad_rules_get_the_error_format(client, staff_headers):
    response = client.post("/api/v1/profiles/segments", {"name": "x", "rules": {"conditions": [{"type": "moon"}]}},
                           content_type="application/json", **staff_headers)  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "conditions[0].type"
    assert not Segment.objects.exists()


def test_customers_cannot_use_profiles_api(client, tagged):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=tagged)}"}
    assert client.get("/api/v1/profiles/segments", **headers).status_code == 403
    assert client.get(f"/api/v1/profiles/customers/{tagged.id}/tags", **headers).status_code == 403
    assert client.get("/api/v1/profiles/segments").status_code == 401


def test_customer_tags(client, staff_headers, tagged):
    body = client.get(f"/api/v1/profiles/customers/{tagged.id}/tags", **staff_headers).json()
    assert [t["tag"] for t in body] == ["scenario_family"]
    assert body[0]["evidence"] == "4/5 family items"
