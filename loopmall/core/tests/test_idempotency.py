from datetime import timedelta

import pytest
import time_machine
from django.test import RequestFactory
from ninja import Status

from loopmall.core import clock
from loopmall.core.errors import Conflict, DomainError
from loopmall.core.idempotency import idempotent, key_claim
from loopmall.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


class FakeUser:
    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def request(body: bytes, key: str | None = "k1", user_id: int = 1):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    req = RequestFactory().post("/api/v1/things", data=body, content_type="application/json", **headers)
    req.auth = FakeUser(user_id)
    return req


def counting_view():
    calls = []

    @idempotent("things")
    def view(req):
        calls.append(1)
        return Status(201, {"n": len(calls)})

    return view, calls


def test_replay_returns_first_response_without_running_again():
    view, calls = counting_view()
    first = view(request(b'{"a": 1}'))
    second = view(request(b'{"a": 1}'))
    assert (first.status_code, first.value) == (201, {"n": 1})
    assert (second.status_code, second.value) == (201, {"n": 1})
    assert len(calls) == 1


def test_same_key_other_body_is_conflict():
    view, _calls = counting_view()
    view(request(b'{"a": 1}'))
    with pytest.raises(Conflict) as error:
        view(request(b'{"a": 2}'))
    assert error.value.field == "Idempotency-Key"
    assert error.value.code == "idempotency_key_reused"


def test_keys_are_per_user_and_absent_key_always_runs():
    view, calls = counting_view()
    view(request(b"{}", user_id=1))
    view(request(b"{}", user_id=2))
    view(request(b"{}", key=None))
    view(request(b"{}", key=None))
    assert len(calls) == 4


def test_failed_request_releases_the_key():
    @idempotent("things")
    def failing(req):
        raise DomainError("no", field="x")

    with pytest.raises(DomainError):
        failing(request(b"{}"))
    assert not IdempotencyKey.objects.exists()


def test_in_progress_then_abandoned_key():
    key_claim(scope="s", owner="1", key="k", fingerprint="f")
    with pytest.raises(Conflict) as error:
        key_claim(scope="s", owner="1", key="k", fingerprint="f")
    assert error.value.code == "request_in_progress"
    with time_machine.travel(clock.now() + timedelta(minutes=2)):
        assert key_claim(scope="s", owner="1", key="k", fingerprint="f") is None


def test_overlong_key_is_refused():
    view, _calls = counting_view()
    with pytest.raises(DomainError) as error:
        view(request(b"{}", key="x" * 129))
    assert error.value.field == "Idempotency-Key"
