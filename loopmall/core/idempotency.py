"""Idempotency keys for unsafe API calls (`Idempotency-Key` header).

The first request with a key stores its response; a repeat with the same key and the same body
gets that response again without running the view; the same key with a different body is a 409.
Keys belong to one user and one scope (e.g. "checkout"), so two users never collide. A request
that fails releases its key, so the client may retry it. Keys expire after a day."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status

from loopmall.core import clock
from loopmall.core.errors import Conflict, DomainError
from loopmall.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
# A request still marked in progress after this long died without answering; its key may be reused.
IN_PROGRESS_TIMEOUT = timedelta(seconds=60)


def _owner(request: HttpRequest) -> str:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.pk)
    session_key = request.session.session_key if hasattr(request, "session") else None
    return f"anonymous:{session_key or request.META.get('REMOTE_ADDR', '')}"[:64]


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\n")
    digest.update(request.path.encode())
    digest.update(b"\n")
    digest.update(request.body or b"")
    return digest.hexdigest()


def _jsonable(body: Any) -> Any:
    if hasattr(body, "model_dump"):
        body = body.model_dump(mode="json")
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def key_claim(*, scope: str, owner: str, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Claim a key for a new request. Returns None when claimed, or the finished earlier record to
    replay. Raises Conflict when the key was used for another request or one is still running."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    scope=scope, owner=owner, key=key, request_fingerprint=fingerprint
                )
            return None
        except IntegrityError:
            pass  # taken: look at who holds it
        existing = IdempotencyKey.objects.filter(scope=scope, owner=owner, key=key).first()
        if existing is None:
            continue  # released between our insert and our read; try once more
        moment = clock.now()
        if existing.created_at < moment - KEY_LIFETIME or (
            existing.status_code is None and existing.created_at < moment - IN_PROGRESS_TIMEOUT
        ):
            existing.delete()
            continue
        if existing.request_fingerprint != fingerprint:
            raise Conflict(
                _("This Idempotency-Key was already used for a different request."),
                field=HEADER,
                code="idempotency_key_reused",
            )
        if existing.status_code is None:
            raise Conflict(
                _("A request with this Idempotency-Key is still being processed."),
                field=HEADER,
                code="request_in_progress",
            )
        return existing
    raise Conflict(_("Could not claim the Idempotency-Key; retry."), field=HEADER, code="request_in_progress")


def idempotent(scope: str):
    """Decorate a django-ninja operation so an `Idempotency-Key` header makes it safe to repeat.

    The view returns a JSON-able body or `ninja.Status(code, body)`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key:
                return view(request, *args, **kwargs)
            if len(key) > 128:
                raise DomainError(_("The Idempotency-Key is longer than 128 characters."), field=HEADER)
            owner = _owner(request)
            done = key_claim(scope=scope, owner=owner, key=key, fingerprint=request_fingerprint(request))
            if done is not None:
                return Status(done.status_code, done.response)
            try:
                result = view(request, *args, **kwargs)
            except BaseException:
                IdempotencyKey.objects.filter(scope=scope, owner=owner, key=key).delete()
                raise
            if isinstance(result, Status):
                status, body = result.status_code, result.value
            elif isinstance(result, tuple):
                status, body = result
            else:
                status, body = 200, result
            body = _jsonable(body)
            IdempotencyKey.objects.filter(scope=scope, owner=owner, key=key).update(
                status_code=status, response=body
            )
            return Status(status, body)

        return wrapper

    return decorator
