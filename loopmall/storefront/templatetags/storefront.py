"""Presentation helpers for storefront templates: money, placeholder images, stars, icons, cart badge."""

from __future__ import annotations

import zlib

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from loopmall.core.money import Money

register = template.Library()


@register.filter
def money(value, currency="CNY"):
    """`{{ line.unit_price_minor|money:order.currency }}` or `{{ some_money }}` → "¥59.90"."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        return str(value)
    try:
        return str(Money(int(value), currency or "CNY"))
    except (TypeError, ValueError):
        return ""


@register.filter
def hue(value) -> int:
    """A stable colour slot (0-7) for a placeholder, from an id or a name."""
    return zlib.crc32(str(value).encode()) % 8


@register.filter
def initial(value) -> str:
    text = str(value or "").strip()
    return text[:1].upper() if text else "·"


@register.filter
def status_label(status) -> str:
    from loopmall.storefront.timeline import status_label as label

    return label(status)


@register.filter
def badge(value) -> str:
    """Short text for a category tile: two characters of a Chinese name ("茶叶"), else one letter."""
    text = str(value or "").strip()
    if not text:
        return "·"
    return text[:2] if "\u4e00" <= text[0] <= "\u9fff" else text[:1].upper()


@register.simple_tag
def stars(rating) -> str:
    try:
        full = max(0, min(5, round(float(rating))))
    except (TypeError, ValueError):
        full = 0
    return format_html(
        '<span class="stars" aria-label="{} / 5">{}<span class="off">{}</span></span>',
        rating,
        "★" * full,
        "★" * (5 - full),
    )


_ICONS = {
    "home": '<path d="M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z"/>',
    "grid": '<rect x="3" y="3" width="7" height="7" rx="1.5"/><rect x="14" y="3" width="7" height="7" rx="1.5"/>'
    '<rect x="3" y="14" width="7" height="7" rx="1.5"/><rect x="14" y="14" width="7" height="7" rx="1.5"/>',
    "cart": '<path d="M3 4h2l2.2 10.2a1.5 1.5 0 0 0 1.5 1.2h8.6a1.5 1.5 0 0 0 1.5-1.1L21 8H6.2"/>'
    '<circle cx="9.5" cy="19.5" r="1.3"/><circle cx="17" cy="19.5" r="1.3"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/>',
    "back": '<path d="M15 5l-7 7 7 7"/>',
    "box": '<path d="M3 7.5 12 3l9 4.5v9L12 21l-9-4.5z"/><path d="M3 7.5 12 12l9-4.5M12 12v9"/>',
    "wallet": '<rect x="3" y="6" width="18" height="14" rx="2"/><path d="M16 13h2M3 10h18"/>',
    "truck": '<path d="M3 6h11v10H3zM14 10h4l3 3v3h-7"/><circle cx="7" cy="18" r="1.6"/>'
    '<circle cx="17" cy="18" r="1.6"/>',
    "check": '<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>',
    "pin": '<path d="M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21z"/><circle cx="12" cy="9.5" r="2.5"/>',
    "bag": '<path d="M5 8h14l-1 12H6z"/><path d="M9 8V6a3 3 0 0 1 6 0v2"/>',
    "repeat": '<path d="M4 12a8 8 0 0 1 14-5.3M20 12a8 8 0 0 1-14 5.3"/><path d="M18 3v4h-4M6 21v-4h4"/>',
}


@register.simple_tag
def icon(name: str) -> str:
    body = _ICONS.get(name, "")
    return mark_safe(  # noqa: S308 - constant SVG markup from this module
        '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" '
        f'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{body}</svg>'
    )


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """Units in the signed-in shopper's cart, for the tab bar badge; computed once per request."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    cached = getattr(request, "_storefront_cart_count", None)
    if cached is None:
        from loopmall.storefront.presenters import cart_units

        cached = cart_units(user=request.user)
        request._storefront_cart_count = cached
    return cached


@register.filter
def line_image(line) -> str:
    """The picture of an order line's product (its first image), or "" for the placeholder."""
    from loopmall.storefront.presenters import image_url

    try:
        return image_url(line.sku.product)
    except AttributeError:
        return ""
