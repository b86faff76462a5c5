from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopmall.core.money import Money, MoneyError


def test_parse_exact_decimal_string():
    assert Money.parse("59.90").minor == 5990
    assert Money.parse("0.01").minor == 1
    assert Money.parse("1,299.00").minor == 129900
    assert Money.parse("100", "JPY").minor == 100


@pytest.mark.parametrize("bad", ["abc", "1.999", "", "NaN", "inf"])
def test_parse_rejects_bad_text(bad):
    with pytest.raises(MoneyError):
        Money.parse(bad)


def test_float_is_refused():
    with pytest.raises(MoneyError):
        Money.parse(59.9)
    with pytest.raises(MoneyError):
        Money(59.9)  # type: ignore[arg-type]


def test_currency_mismatch_is_refused():
    with pytest.raises(MoneyError):
        Money(100, "CNY") + Money(100, "USD")


def test_str_and_decimal():
    assert str(Money(5990)) == "¥59.90"
    assert str(Money(-5)) == "-¥0.05"
    assert Money(5990).amount == Decimal("59.90")
    assert Money(5990).to_decimal_string() == "59.90"


def test_percent_rounds_half_up():
    assert Money(999).percent("0.5").minor == 500


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20),
)
def test_allocate_always_sums_to_whole(total, weights):
    if sum(weights) == 0:
        with pytest.raises(MoneyError):
            Money(total).allocate(weights)
        return
    parts = Money(total).allocate(weights)
    assert sum(p.minor for p in parts) == total
    assert all(p.minor >= 0 for p in parts)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part.minor - exact) < 1
