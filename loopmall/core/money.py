"""Money as integer minor units plus an ISO currency code. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor-unit exponent per currency (ISO 4217); anything unlisted has 2.
_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3}
_SYMBOL = {"CNY": "¥", "USD": "$", "EUR": "€", "BRL": "R$", "GBP": "£", "JPY": "¥"}


def exponent(currency: str) -> int:
    return _EXPONENT.get(currency.upper(), 2)


class MoneyError(ValueError):
    """A money amount or currency that cannot be accepted."""


@dataclass(frozen=True, slots=True, order=False)
class Money:
    minor: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise MoneyError(f"minor units must be an integer, got {type(self.minor).__name__}")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise MoneyError(f"currency must be a 3-letter ISO code, got {self.currency!r}")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str | int | Decimal, currency: str = "CNY") -> Money:
        """Parse a major-unit decimal string ("59.90") exactly; more decimals than the currency has
        are rejected rather than silently rounded."""
        if isinstance(text, float):
            raise MoneyError("money must not be given as a float")
        raw = str(text).strip().replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise MoneyError(f"not a decimal amount: {text!r}") from None
        if not value.is_finite():
            raise MoneyError(f"not a finite amount: {text!r}")
        exp = exponent(currency)
        scaled = value.scaleb(exp)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{text!r} has more than {exp} decimal places for {currency}")
        return cls(int(scaled), currency.upper())

    # -- arithmetic ----------------------------------------------------------------------
    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise TypeError("Money can only be multiplied by an integer quantity")
        return Money(self.minor * quantity, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def percent(self, rate: Decimal | str) -> Money:
        """This amount times a rate (e.g. "0.85"), rounded half-up to a minor unit."""
        result = (Decimal(self.minor) * Decimal(str(rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(result), self.currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to integer weights; the parts always sum to the whole
        (largest-remainder method), so per-line discounts and refunds never lose a cent."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise MoneyError("weights must be non-negative and not all zero")
        total = sum(weights)
        shares = [self.minor * w // total for w in weights]
        remainders = sorted(
            range(len(weights)), key=lambda i: (self.minor * weights[i]) % total, reverse=True
        )
        for i in remainders[: self.minor - sum(shares)]:
            shares[i] += 1
        return [Money(s, self.currency) for s in shares]

    # -- presentation --------------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def to_decimal_string(self) -> str:
        return f"{self.amount:.{exponent(self.currency)}f}"

    def __str__(self) -> str:
        symbol = _SYMBOL.get(self.currency)
        text = f"{abs(self.amount):,.{exponent(self.currency)}f}"
        sign = "-" if self.minor < 0 else ""
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {self.currency}"
