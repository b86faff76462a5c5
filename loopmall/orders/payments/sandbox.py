"""The built-in sandbox provider: behaves like a real wallet without moving money.

It keeps its own ledger (`SandboxTransaction`), and its callbacks are JSON bodies signed with
HMAC-SHA256 under `LOOPMALL_SANDBOX_PAYMENT_SECRET`, sent in the `X-LoopMall-Signature` header as
hex. `approve` plays the payer approving in the wallet and returns the callback the provider would
deliver."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from loopmall.core import clock
from loopmall.core.errors import DomainError
from loopmall.orders.contracts import CallbackResult, PaymentIntent
from loopmall.orders.models import SandboxTransaction
from loopmall.orders.payments.base import ProviderStatus

SIGNATURE_HEADER = "X-LoopMall-Signature"


def _secret() -> bytes:
    return str(settings.LOOPMALL_SANDBOX_PAYMENT_SECRET).encode()


def sign(body: bytes) -> str:
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


class SandboxProvider:
    name = "sandbox"

    def payment_open(self, *, order_number: str, amount_minor: int, currency: str) -> PaymentIntent:
        transaction_id = "sbx_" + secrets.token_hex(12)
        SandboxTransaction.objects.create(
            transaction_id=transaction_id,
            order_number=order_number,
            amount_minor=amount_minor,
            currency=currency,
        )
        return PaymentIntent(
            order_number=order_number,
            provider=self.name,
            provider_transaction_id=transaction_id,
            amount_minor=amount_minor,
            currency=currency,
        )

    def approve(self, *, provider_transaction_id: str) -> tuple[bytes, str]:
        """The payer approves: mark the transaction paid and return the signed callback (body, signature)."""
        with transaction.atomic():
            ledger = (
                SandboxTransaction.objects.select_for_update()
                .filter(transaction_id=provider_transaction_id)
                .first()
            )
            if ledger is None:
                raise DomainError(_("Unknown payment transaction."), field="provider_transaction_id")
            if not ledger.is_approved:
                ledger.is_approved = True
                ledger.approved_at = clock.now()
                ledger.save(update_fields=["is_approved", "approved_at"])
        return self.callback_build(ledger)

    def callback_build(self, ledger: SandboxTransaction) -> tuple[bytes, str]:
        body = json.dumps(
            {
                "transaction_id": ledger.transaction_id,
                "order_number": ledger.order_number,
                "amount_minor": ledger.amount_minor,
                "currency": ledger.currency,
                "status": "succeeded" if ledger.is_approved else "pending",
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        return body, sign(body)

    def callback_verify(self, *, body: bytes, signature: str) -> CallbackResult:
        if not signature or not hmac.compare_digest(sign(body), signature.strip().lower()):
            raise DomainError(
                _("The payment callback's signature is not valid."),
                field="signature",
                code="bad_signature",
                status_code=403,
            )
        try:
            data = json.loads(body)
            return CallbackResult(
                provider=self.name,
                provider_transaction_id=str(data["transaction_id"]),
                order_number=str(data["order_number"]),
                amount_minor=int(data["amount_minor"]),
                currency=str(data["currency"]),
                is_succeeded=data["status"] == "succeeded",
                raw=data,
            )
        except (ValueError, KeyError, TypeError):
            raise DomainError(_("The payment callback could not be read."), field="body") from None

    def transaction_query(self, *, provider_transaction_id: str) -> ProviderStatus | None:
        ledger = SandboxTransaction.objects.filter(transaction_id=provider_transaction_id).first()
        if ledger is None:
            return None
        return ProviderStatus(
            provider_transaction_id=ledger.transaction_id,
            order_number=ledger.order_number,
            amount_minor=ledger.amount_minor,
            currency=ledger.currency,
            is_succeeded=ledger.is_approved,
        )

    def refund_issue(self, *, provider_transaction_id: str, amount_minor: int, currency: str) -> str:
        return "sbx_refund_" + secrets.token_hex(10)
