"""Template helpers for console pages: money from minor units, sidebar state, filter-keeping links."""

from __future__ import annotations

from decimal import Decimal

from django import template

from loopmall.core.money import Money

register = template.Library()


@register.filter
def money(minor: int | None, currency: str = "CNY") -> str:
    """`{{ order.paid_minor|money:order.currency }}` → "¥1,234.50"."""
    if minor is None:
        return "—"
    return str(Money(int(minor), currency or "CNY"))


@register.filter
def percent(ratio: Decimal | float | None, places: int = 1) -> str:
    if ratio is None:
        return "—"
    return f"{Decimal(str(ratio)) * 100:.{int(places)}f}%"


@register.simple_tag(takes_context=True)
def nav_active(context, prefix: str, exact: bool = False) -> str:
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    hit = path == prefix if exact else path.startswith(prefix)
    return "is-active" if hit else ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None/"" removes them)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    """`{{ labels|get_item:code }}`: the label for a code, or the code itself when unknown."""
    if not mapping:
        return key
    return mapping.get(key, key)
