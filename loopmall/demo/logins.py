"""The demo's sign-ins: a staff admin and a shopper, with passwords generated once and kept under
var/ so they stay the same across runs (and are never in the repository)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from loopmall.accounts.models import Role, User

ADMIN_LOGIN = "admin@loopmall.local"
SHOPPER_LOGIN = "shopper@loopmall.local"


@dataclass(frozen=True)
class Login:
    login: str
    password: str


def _passwords_file() -> Path:
    return Path(settings.VAR_DIR) / "demo_logins.json"


def _saved_passwords() -> dict[str, str]:
    path = _passwords_file()
    if path.exists():
        return json.loads(path.read_text())
    passwords = {ADMIN_LOGIN: secrets.token_urlsafe(9), SHOPPER_LOGIN: secrets.token_urlsafe(9)}
    path.write_text(json.dumps(passwords, indent=2))
    path.chmod(0o600)
    return passwords


def demo_logins_ensure() -> tuple[Login, Login]:
    """Create or refresh the demo admin and shopper so the printed passwords always work."""
    passwords = _saved_passwords()
    with transaction.atomic():
        admin = User.objects.filter(login=ADMIN_LOGIN).first()
        if admin is None:
            User.objects.create_superuser(ADMIN_LOGIN, passwords[ADMIN_LOGIN], display_name="演示管理员")
        else:
            admin.set_password(passwords[ADMIN_LOGIN])
            admin.is_staff = admin.is_superuser = admin.is_active = True
            admin.role = Role.ADMIN
            admin.save()
        shopper = User.objects.filter(login=SHOPPER_LOGIN).first()
        if shopper is None:
            User.objects.create_user(SHOPPER_LOGIN, passwords[SHOPPER_LOGIN], display_name="演示顾客")
        else:
            shopper.set_password(passwords[SHOPPER_LOGIN])
            shopper.is_active = True
            shopper.save()
    return Login(ADMIN_LOGIN, passwords[ADMIN_LOGIN]), Login(SHOPPER_LOGIN, passwords[SHOPPER_LOGIN])
