"""Read-only catalog queries for the staff console: the products list with their SKUs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Prefetch, Q, Sum

from loopmall.catalog.models import Category, Product, Sku, Tier


@dataclass(frozen=True)
class ProductFilters:
    search: str = ""
    category_id: int | None = None
    tier: str = ""
    is_low_stock: bool = False


LOW_STOCK = 10


def products_for_console(*, filters: ProductFilters, page: int = 1, per_page: int = 20) -> Page:
    """Products by id with their SKUs prefetched, plus SKU count, total stock and price range.

    `search` matches product name (Chinese or English) or a SKU code; `tier` keeps products with a
    SKU of that tier; `is_low_stock` keeps products with an active, non-bundle SKU below LOW_STOCK.
    """
    products = Product.objects.select_related("category")
    search = filters.search.strip()
    if search:
        products = products.filter(
            Q(name__icontains=search) | Q(name_en__icontains=search) | Q(skus__code__icontains=search)
        )
    if filters.category_id:
        products = products.filter(category_id=filters.category_id)
    if filters.tier:
        products = products.filter(skus__tier=filters.tier)
    if filters.is_low_stock:
        products = products.filter(skus__is_active=True, skus__is_bundle=False, skus__stock__lt=LOW_STOCK)
    ids = products.values("id").distinct()
    listed = (
        Product.objects.filter(id__in=ids)
        .select_related("category")
        .annotate(
            sku_count=Count("skus"),
            stock_total=Sum("skus__stock", filter=Q(skus__is_bundle=False)),
            price_low=Min("skus__price_minor"),
            price_high=Max("skus__price_minor"),
        )
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("id")))
        .order_by("id")
    )
    return Paginator(listed, per_page).get_page(page)


def categories_for_console() -> list[Category]:
    return list(Category.objects.order_by("position", "id"))


def tiers() -> list[tuple[str, str]]:
    return list(Tier.choices)


def sku_get(*, sku_id: int) -> Sku | None:
    return Sku.objects.select_related("product").filter(id=sku_id).first()
