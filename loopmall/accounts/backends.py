from django.contrib.auth.backends import ModelBackend

from loopmall.accounts.models import normalize_login


class LoginBackend(ModelBackend):
    """Sign in with a phone number or an email address (case-insensitive for email)."""

    def authenticate(self, request, username=None, password=None, login=None, **kwargs):
        value = login or username
        if value is None or password is None:
            return None
        return super().authenticate(request, username=normalize_login(value), password=password, **kwargs)
