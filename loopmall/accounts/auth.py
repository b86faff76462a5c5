"""How API callers prove who they are: a bearer token (API clients) or the session cookie (the
storefront's own pages, with Django's CSRF check on unsafe methods)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from loopmall.accounts import selectors
from loopmall.core.errors import PermissionDenied


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from POST /api/v1/accounts/token."""

    def authenticate(self, request: HttpRequest, token: str):
        user = selectors.user_by_api_token(token=token)
        if user is not None:
            request.user = user
        return user


class SessionCsrfAuth(APIKeyCookie):
    """The signed-in session; unsafe methods must carry the CSRF token like any Django form."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no session: let the next method answer (or 401), not a CSRF error
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


user_auth = [ApiTokenAuth(), SessionCsrfAuth()]


def staff_required(request: HttpRequest):
    """The authenticated staff member, or 403 for a signed-in customer."""
    user = request.auth
    if not getattr(user, "is_staff", False):
        raise PermissionDenied(_("Only staff may do this."))
    return user
