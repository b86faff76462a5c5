"""Frozen dataclasses other apps may import (the storefront, the console, the demo builder)."""

from __future__ import annotations

from dataclasses import dataclass, field

from loopmall.core.money import Money


@dataclass(frozen=True)
class PaymentIntent:
    """What a provider returns when a payment starts: where the shopper pays, and for how much."""

    order_number: str
    provider: str
    provider_transaction_id: str
    amount_minor: int
    currency: str
    pay_url: str = ""

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


@dataclass(frozen=True)
class CallbackResult:
    """A verified provider callback: the provider vouches that this transaction ended so."""

    provider: str
    provider_transaction_id: str
    order_number: str
    amount_minor: int
    currency: str
    is_succeeded: bool
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CartLineView:
    sku_id: int
    product_id: int
    product_name: str
    product_slug: str
    sku_name: str
    sku_code: str
    image_url: str
    unit_price_minor: int
    currency: str
    quantity: int
    available_stock: int
    is_on_sale: bool

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_minor, self.currency)

    @property
    def line_total_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    @property
    def line_total(self) -> Money:
        return Money(self.line_total_minor, self.currency)

    @property
    def is_available(self) -> bool:
        """On sale and enough stock for the quantity in the cart."""
        return self.is_on_sale and self.available_stock >= self.quantity


@dataclass(frozen=True)
class CartSummary:
    lines: tuple[CartLineView, ...]
    currency: str

    @property
    def subtotal_minor(self) -> int:
        return sum(line.line_total_minor for line in self.lines)

    @property
    def subtotal(self) -> Money:
        return Money(self.subtotal_minor, self.currency)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def is_checkout_ready(self) -> bool:
        return bool(self.lines) and all(line.is_available for line in self.lines)
