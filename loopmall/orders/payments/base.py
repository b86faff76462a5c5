"""The interface every payment provider implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from loopmall.orders.contracts import CallbackResult, PaymentIntent


@dataclass(frozen=True)
class ProviderStatus:
    """The provider's answer to "what happened to this transaction?"."""

    provider_transaction_id: str
    order_number: str
    amount_minor: int
    currency: str
    is_succeeded: bool


class PaymentProvider(Protocol):
    name: str

    def payment_open(self, *, order_number: str, amount_minor: int, currency: str) -> PaymentIntent:
        """Open a transaction at the provider for this amount."""
        ...

    def callback_verify(self, *, body: bytes, signature: str) -> CallbackResult:
        """Check the callback's signature and parse it; raise DomainError(field="signature") if forged."""
        ...

    def transaction_query(self, *, provider_transaction_id: str) -> ProviderStatus | None:
        """Ask the provider about a transaction (the shopper's own confirmation path)."""
        ...

    def refund_issue(self, *, provider_transaction_id: str, amount_minor: int, currency: str) -> str:
        """Return money; returns the provider's refund id."""
        ...
