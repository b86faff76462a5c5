"""Reads for accounts."""

from __future__ import annotations

from collections.abc import Iterable
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


# ---- reads for other apps (insight): plain values, no model instances


def user_ids_existing(*, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` that are users."""
    wanted = {int(i) for i in user_ids if i}
    if not wanted:
        return set()
    return set(User.objects.filter(id__in=wanted).values_list("id", flat=True))


def user_ids_by_external(*, external_ids: Iterable[str]) -> dict[str, int]:
    """Users whose `external_id` is one of `external_ids`: external id → id."""
    return dict(User.objects.filter(external_id__in=set(external_ids)).values_list("external_id", "id"))


def staff_active_names() -> list[tuple[int, str]]:
    """(id, display name or login) of every active staff member."""
    rows = User.objects.filter(is_staff=True, is_active=True).values_list("id", "display_name", "login")
    return [(pk, name or login) for pk, name, login in rows]
