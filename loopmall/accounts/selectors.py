"""Reads for accounts."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from loopmall.accounts.models import Address, ApiToken, User
from loopmall.core import clock

_TOKEN_TOUCH_EVERY = timedelta(minutes=5)


def addresses_for_user(*, user: User) -> QuerySet[Address]:
    """The user's saved addresses, the default first."""
    return Address.objects.filter(user=user).order_by("-is_default", "-id")


def address_default_for(*, user: User) -> Address | None:
    return Address.objects.filter(user=user, is_default=True).first()


def address_get_for_user(*, user: User, address_id: int) -> Address | None:
    return Address.objects.filter(user=user, pk=address_id).first()


def user_by_api_token(*, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    from loopmall.accounts.services import token_hash

    if not token or len(token) > 200:
        return None
    api_token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if api_token is None or not api_token.user.is_active:
        return None
    moment = clock.now()
    # Record use at most every few minutes: a write on every API call would cost more than it tells.
    if api_token.last_used_at is None or moment - api_token.last_used_at > _TOKEN_TOUCH_EVERY:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=moment)
    return api_token.user


def user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def staff_list() -> QuerySet[User]:
    return User.objects.filter(is_staff=True).order_by("role", "id")
