"""Shape domain objects (from the selectors) for the storefront templates: localised names, the
picture to show, price ranges, stock states. Reads only; no writes here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from loopmall.catalog import selectors as catalog_selectors
from loopmall.core.money import Money
from loopmall.orders import selectors as order_selectors

LOW_STOCK = 5


def _is_english() -> bool:
    return (get_language() or "").startswith("en")


def localized_name(thing) -> str:
    """The English name on the English site when there is one, the Chinese name otherwise."""
    english = getattr(thing, "name_en", "")
    return english if english and _is_english() else thing.name


def image_url(product) -> str:
    for image in product.images.all():
        if image.image:
            return image.image.url
        if image.url:
            return image.url
    return ""


@dataclass(frozen=True)
class ProductCard:
    slug: str
    name: str
    image_url: str
    seed: str
    price: Money | None
    list_price: Money | None
    has_price_range: bool


def product_card(product) -> ProductCard:
    skus = list(product.skus.all())  # prefetched by the selector, cheapest first
    cheapest = min(skus, key=lambda sku: (sku.price_minor, sku.pk)) if skus else None
    return ProductCard(
        slug=product.slug,
        name=localized_name(product),
        image_url=image_url(product),
        seed=product.slug,
        price=cheapest.price if cheapest else None,
        list_price=cheapest.list_price if cheapest and cheapest.list_price_minor else None,
        has_price_range=len({sku.price_minor for sku in skus}) > 1,
    )


@dataclass(frozen=True)
class SkuOption:
    id: int
    label: str
    price: Money
    list_price: Money | None
    stock: int

    @property
    def is_available(self) -> bool:
        return self.stock > 0

    @property
    def stock_label(self) -> str:
        if self.stock <= 0:
            return _("Sold out")
        if self.stock <= LOW_STOCK:
            return _("Only %(n)s left") % {"n": self.stock}
        return _("In stock")

    @property
    def stock_state(self) -> str:
        if self.stock <= 0:
            return "out"
        return "low" if self.stock <= LOW_STOCK else "ok"


def sku_label(sku) -> str:
    if sku.name:
        return sku.name
    if isinstance(sku.attributes, dict) and sku.attributes:
        return " / ".join(str(value) for value in sku.attributes.values())
    return _("Standard")


def sku_options(product) -> list[SkuOption]:
    skus = list(product.skus.all())
    stock = catalog_selectors.skus_available_stock(sku_ids=[sku.pk for sku in skus])
    return [
        SkuOption(
            id=sku.pk,
            label=sku_label(sku),
            price=sku.price,
            list_price=sku.list_price
            if sku.list_price_minor and sku.list_price_minor > sku.price_minor
            else None,
            stock=stock.get(sku.pk, 0),
        )
        for sku in skus
    ]


def cart_units(*, user) -> int:
    return order_selectors.cart_get(user=user).item_count
