"""Writes for accounts: sign-up, staff, addresses, API tokens. Each function is one transaction."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from loopmall.accounts.models import Address, ApiToken, Role, User, normalize_login
from loopmall.core.errors import Conflict, DomainError, NotFound
from loopmall.core.events import event_emit

# Mainland mobile numbers (11 digits starting with 1), optionally with a +86 prefix, or an
# international number in E.164 form.
_PHONE = re.compile(r"^(?:\+?86)?1\d{10}$|^\+[1-9]\d{6,14}$")
STAFF_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SERVICE_AGENT, Role.ANALYST})
ADDRESS_LIMIT = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _login_check(login: str) -> str:
    if not isinstance(login, str) or not login.strip():
        raise DomainError(_("Enter a phone number or an email address."), field="login")
    value = normalize_login(login)
    if len(value) > 254:
        raise DomainError(_("The phone number or email address is too long."), field="login")
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError(_("Enter a valid email address."), field="login") from None
    elif not _PHONE.match(value):
        raise DomainError(_("Enter a valid phone number or email address."), field="login")
    return value


def _password_check(password: str, user: User | None = None) -> None:
    if not isinstance(password, str) or not password:
        raise DomainError(_("Choose a password."), field="password")
    if len(password) > 128:
        raise DomainError(_("The password is too long (128 characters at most)."), field="password")
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None


def _user_create(*, login: str, password: str, display_name: str, **extra) -> User:
    value = _login_check(login)
    _password_check(password)
    if len(display_name or "") > 100:
        raise DomainError(_("The name is too long (100 characters at most)."), field="display_name")
    if User.objects.filter(login=value).exists():
        raise Conflict(_("An account with this phone number or email already exists."), field="login")
    try:
        with transaction.atomic():
            user = User.objects.create_user(value, password, display_name=display_name or "", **extra)
            if user.invited_by_id:
                event_emit(
                    "Invite Accepted",
                    user_id=user.pk,
                    aggregate=("user", user.pk),
                    channel=user.channel,
                    properties={"inviter_id": user.invited_by_id, "invitee_id": user.pk},
                )
    except IntegrityError:
        # Two sign-ups with the same login raced; the unique index let one through.
        raise Conflict(
            _("An account with this phone number or email already exists."), field="login"
        ) from None
    return user


def customer_signup(
    *,
    login: str,
    password: str,
    display_name: str = "",
    channel: str = "organic",
    invited_by_id: int | None = None,
) -> User:
    """Create a customer account from a phone number or an email address."""
    channel = (channel or "organic").strip()
    if len(channel) > 32:
        raise DomainError(_("Unknown channel."), field="channel")
    if invited_by_id is not None and not User.objects.filter(pk=invited_by_id, is_active=True).exists():
        raise DomainError(_("The inviting user does not exist."), field="invited_by_id")
    return _user_create(
        login=login,
        password=password,
        display_name=display_name,
        role=Role.CUSTOMER,
        channel=channel,
        invited_by_id=invited_by_id,
    )


def staff_create(*, login: str, password: str, role: str, display_name: str = "") -> User:
    """Create a staff member. Administrators also get full rights in the Django admin."""
    if role not in STAFF_ROLES:
        raise DomainError(_("Choose a staff role."), field="role")
    return _user_create(
        login=login,
        password=password,
        display_name=display_name,
        role=role,
        is_staff=True,
        is_superuser=role == Role.ADMIN,
        channel="",
    )


# -- addresses -------------------------------------------------------------------------------

_ADDRESS_LIMITS = {
    "recipient": 64,
    "phone": 32,
    "province": 64,
    "city": 64,
    "district": 64,
    "detail": 255,
    "postal_code": 16,
}
_ADDRESS_REQUIRED = ("recipient", "phone", "province", "city", "detail")


def _address_clean(values: dict) -> dict:
    cleaned = {}
    for field, limit in _ADDRESS_LIMITS.items():
        if field not in values:
            continue
        value = values[field]
        value = "" if value is None else str(value).strip()
        if field in _ADDRESS_REQUIRED and not value:
            raise DomainError(_("This field is required."), field=field)
        if len(value) > limit:
            raise DomainError(_("Too long (%(limit)s characters at most).") % {"limit": limit}, field=field)
        cleaned[field] = value
    if "phone" in cleaned and not re.fullmatch(r"\+?[0-9][0-9 \-]{5,20}", cleaned["phone"]):
        raise DomainError(_("Enter a valid phone number."), field="phone")
    return cleaned


def address_create(
    *,
    user: User,
    recipient: str,
    phone: str,
    province: str,
    city: str,
    detail: str,
    district: str = "",
    postal_code: str = "",
    is_default: bool = False,
) -> Address:
    """Save a shipping address. A customer's first address becomes the default."""
    fields = _address_clean(
        {
            "recipient": recipient,
            "phone": phone,
            "province": province,
            "city": city,
            "detail": detail,
            "district": district,
            "postal_code": postal_code,
        }
    )
    with transaction.atomic():
        # Lock the user row so two concurrent first addresses do not both become default.
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = Address.objects.filter(user=user)
        if existing.count() >= ADDRESS_LIMIT:
            raise DomainError(
                _("You can save at most %(n)s addresses.") % {"n": ADDRESS_LIMIT}, field="address"
            )
        make_default = is_default or not existing.filter(is_default=True).exists()
        if make_default:
            existing.filter(is_default=True).update(is_default=False)
        return Address.objects.create(user=user, is_default=make_default, **fields)


def _address_for(user: User, address_id: int, *, lock: bool = False) -> Address:
    queryset = Address.objects.filter(user=user, pk=address_id)
    if lock:
        queryset = queryset.select_for_update()
    address = queryset.first()
    if address is None:
        raise NotFound(_("Address not found."), field="address_id")
    return address


def address_update(*, user: User, address_id: int, **changes) -> Address:
    """Change some fields of a saved address (`is_default=True` also makes it the default)."""
    make_default = bool(changes.pop("is_default", False))
    unknown = set(changes) - set(_ADDRESS_LIMITS)
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    fields = _address_clean(changes)
    with transaction.atomic():
        address = _address_for(user, address_id, lock=True)
        for name, value in fields.items():
            setattr(address, name, value)
        address.save()
        if make_default:
            address_set_default(user=user, address_id=address.pk)
            address.refresh_from_db()
    return address


def address_set_default(*, user: User, address_id: int) -> Address:
    with transaction.atomic():
        address = _address_for(user, address_id, lock=True)
        Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
        if not address.is_default:
            address.is_default = True
            address.save(update_fields=["is_default"])
    return address


def address_delete(*, user: User, address_id: int) -> None:
    """Delete a saved address; if it was the default, the newest remaining one becomes default.
    Orders keep their own copy of the address, so history is unaffected."""
    with transaction.atomic():
        address = _address_for(user, address_id, lock=True)
        was_default = address.is_default
        address.delete()
        if was_default:
            successor = Address.objects.filter(user=user).order_by("-id").first()
            if successor:
                successor.is_default = True
                successor.save(update_fields=["is_default"])


# -- API tokens -------------------------------------------------------------------------------


def api_token_issue(*, user: User, name: str = "api") -> str:
    """Issue a bearer token; only its SHA-256 is stored, so the plain token is returned once."""
    name = (name or "api").strip()[:64] or "api"
    if not user.is_active:
        raise DomainError(_("This account is disabled."), field="login")
    token = "lm_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, token_hash=token_hash(token))
    return token


def api_token_issue_for_credentials(*, login: str, password: str, name: str = "api") -> str:
    """Sign in with login and password and issue a token (what API clients call first)."""
    from django.contrib.auth import authenticate

    if not login or not password:
        raise DomainError(_("Enter your phone number or email and your password."), field="login")
    user = authenticate(None, login=login, password=password)
    if user is None:
        raise DomainError(
            _("Wrong phone number, email or password."),
            field="password",
            code="invalid_credentials",
            status_code=401,
        )
    return api_token_issue(user=user, name=name)


def api_token_revoke(*, user: User, token: str) -> None:
    ApiToken.objects.filter(user=user, token_hash=token_hash(token)).delete()
