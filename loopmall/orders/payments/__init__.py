"""Payment providers. Each one implements `PaymentProvider`; `provider_get(name)` finds it.

Only the sandbox ships built in. A real provider (a wallet, a card acquirer) adds a module here and
an entry in `PROVIDERS`; the order services never learn which provider they talk to."""

from __future__ import annotations

from django.utils.translation import gettext as _

from loopmall.core.errors import DomainError
from loopmall.orders.payments.base import PaymentProvider, ProviderStatus
from loopmall.orders.payments.sandbox import SandboxProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {"sandbox": SandboxProvider}


def provider_get(name: str) -> PaymentProvider:
    provider_class = PROVIDERS.get(name)
    if provider_class is None:
        raise DomainError(_("Unknown payment provider."), field="provider")
    return provider_class()


__all__ = ["PROVIDERS", "PaymentProvider", "ProviderStatus", "provider_get"]
