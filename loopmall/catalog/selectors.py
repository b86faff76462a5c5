"""Reads for the catalog: storefront browsing and search, stock, the console's SKU list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from loopmall.catalog.models import BundleItem, Category, Product, ProductImage, Sku
from loopmall.core.errors import NotFound

MAX_PER_PAGE = 100


def categories_for_storefront() -> QuerySet[Category]:
    """Categories with a product on sale (directly or in a sub-category), in display order."""
    return (
        Category.objects.filter(Q(products__is_active=True) | Q(children__products__is_active=True))
        .distinct()
        .order_by("position", "id")
    )


def category_get(*, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise NotFound(_("Category not found."), field="category")
    return category


def _storefront_products() -> QuerySet[Product]:
    return (
        Product.objects.filter(is_active=True, skus__is_active=True)
        .distinct()
        .select_related("category")
        .prefetch_related(
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("price_minor", "id")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    )


def products_for_storefront(
    *,
    category_slug: str | None = None,
    query: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """One page of products on sale, newest first, with SKUs and images prefetched.

    `query` matches a substring of the name (Chinese or English) or the description; a category
    also includes its sub-categories."""
    products = _storefront_products()
    if category_slug:
        category = category_get(slug=category_slug)
        ids = [category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)]
        products = products.filter(category_id__in=ids)
    if query:
        for word in query.split()[:5]:
            products = products.filter(
                Q(name__icontains=word) | Q(name_en__icontains=word) | Q(description__icontains=word)
            )
    products = products.order_by("-id")
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    paginator = Paginator(products, per_page)
    return paginator.get_page(page)


def product_get_for_storefront(*, slug: str) -> Product:
    product = _storefront_products().filter(slug=slug).first()
    if product is None:
        raise NotFound(_("Product not found."), field="slug")
    return product


def product_get(*, product_id: int) -> Product:
    product = Product.objects.select_related("category").filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found."), field="product_id")
    return product


def sku_get(*, sku_id: int) -> Sku:
    sku = Sku.objects.select_related("product__category").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound(_("SKU not found."), field="sku_id")
    return sku


def skus_get(*, sku_ids: list[int]) -> dict[int, Sku]:
    return {s.pk: s for s in Sku.objects.select_related("product__category").filter(pk__in=sku_ids)}


def skus_available_stock(*, sku_ids: list[int]) -> dict[int, int]:
    """Available stock for many SKUs in two queries; a bundle has as many as its scarcest part allows."""
    skus = list(Sku.objects.filter(pk__in=sku_ids).values("pk", "stock", "is_bundle"))
    result = {row["pk"]: row["stock"] for row in skus if not row["is_bundle"]}
    bundle_ids = [row["pk"] for row in skus if row["is_bundle"]]
    if bundle_ids:
        parts: dict[int, list[int]] = defaultdict(list)
        for item in BundleItem.objects.filter(bundle_id__in=bundle_ids).select_related("component"):
            parts[item.bundle_id].append(item.component.stock // item.quantity)
        for bundle_id in bundle_ids:
            result[bundle_id] = min(parts[bundle_id]) if parts[bundle_id] else 0
    return result


def sku_available_stock(*, sku: Sku) -> int:
    if not sku.is_bundle:
        return sku.stock
    return skus_available_stock(sku_ids=[sku.pk]).get(sku.pk, 0)


def bundle_components(*, sku_id: int) -> list[tuple[int, int]]:
    """(component sku id, quantity per bundle) pairs; empty for a plain SKU."""
    return list(BundleItem.objects.filter(bundle_id=sku_id).values_list("component_id", "quantity"))


def skus_for_console(
    *,
    query: str | None = None,
    category_slug: str | None = None,
    stock_below: int | None = None,
    include_inactive: bool = True,
) -> QuerySet[Sku]:
    """SKUs for the staff console, with product and category joined."""
    skus = Sku.objects.select_related("product__category").order_by("product_id", "id")
    if not include_inactive:
        skus = skus.filter(is_active=True, product__is_active=True)
    if query:
        skus = skus.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(product__name__icontains=query)
        )
    if category_slug:
        skus = skus.filter(product__category__slug=category_slug)
    if stock_below is not None:
        skus = skus.filter(is_bundle=False, stock__lt=stock_below)
    return skus


def products_for_console(*, query: str | None = None) -> QuerySet[Product]:
    products = Product.objects.select_related("category").prefetch_related("skus").order_by("-id")
    if query:
        products = products.filter(Q(name__icontains=query) | Q(name_en__icontains=query))
    return products


# ---- reads for other apps (insight): plain values, no model instances


def product_summaries(*, product_ids: Iterable[int]) -> list[dict]:
    """id, name, category_id, category_name ("" without a category), attributes (list) and price_minor
    (the lowest price of the product's SKUs, None without SKUs) of each product found."""
    ids = {int(i) for i in product_ids if i}
    if not ids:
        return []
    prices = dict(
        Sku.objects.filter(product_id__in=ids)
        .order_by()
        .values("product_id")
        .annotate(lowest=Min("price_minor"))
        .values_list("product_id", "lowest")
    )
    rows = Product.objects.filter(id__in=ids).values(
        "id", "name", "category_id", "category__name", "attributes"
    )
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "category_id": r["category_id"],
            "category_name": r["category__name"] or "",
            "attributes": list(r["attributes"] or []),
            "price_minor": prices.get(r["id"]),
        }
        for r in rows
    ]


def category_names(*, category_ids: Iterable[int]) -> dict[int, str]:
    ids = {int(i) for i in category_ids if i}
    return dict(Category.objects.filter(id__in=ids).values_list("id", "name"))


def category_ids_and_names() -> list[tuple[int, str]]:
    return list(Category.objects.values_list("id", "name"))


def sku_product_ids(*, sku_ids: Iterable[int]) -> dict[int, int]:
    """The product of each SKU found."""
    ids = {int(i) for i in sku_ids if i}
    return dict(Sku.objects.filter(id__in=ids).values_list("id", "product_id"))


def product_ids_by_external(*, external_ids: Iterable[str]) -> dict[str, int]:
    """Products whose `external_id` is one of `external_ids`: external id → id."""
    return dict(Product.objects.filter(external_id__in=set(external_ids)).values_list("external_id", "id"))


def sku_ids_by_external(*, external_ids: Iterable[str]) -> dict[str, int]:
    """SKUs whose `external_id` is one of `external_ids`: external id → id."""
    return dict(Sku.objects.filter(external_id__in=set(external_ids)).values_list("external_id", "id"))
