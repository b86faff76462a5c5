"""Catalog API: browse and search for everyone; product, SKU and stock management for staff."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from loopmall.accounts.auth import staff_required, user_auth
from loopmall.catalog import selectors, services

router = Router(tags=["catalog"])

Slug = Annotated[str, Path(..., pattern=r"^[-a-zA-Z0-9_]{1,200}$")]


class CategoryOut(Schema):
    id: int
    name: str
    name_en: str
    slug: str
    parent_id: int | None


class SkuOut(Schema):
    id: int
    code: str
    name: str
    attributes: dict
    currency: str
    price_minor: int
    list_price_minor: int | None
    price: str
    stock: int
    tier: str
    is_bundle: bool
    is_active: bool


class ProductOut(Schema):
    id: int
    slug: str
    name: str
    name_en: str
    description: str
    category: str
    attributes: list
    images: list[str]
    skus: list[SkuOut]


class ProductPage(Schema):
    items: list[ProductOut]
    page: int
    pages: int
    count: int


class BrowseQuery(Schema):
    category: str | None = Field(None, max_length=100)
    q: str | None = Field(None, max_length=100)
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class ProductIn(Schema):
    category_id: int
    name: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    slug: str = Field("", max_length=200)
    description: str = Field("", max_length=20_000)
    attributes: list[str] = Field(default_factory=list, max_length=50)
    is_active: bool = True


class ProductPatch(Schema):
    category_id: int | None = None
    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    attributes: list[str] | None = Field(None, max_length=50)
    is_active: bool | None = None


class ComponentIn(Schema):
    sku_id: int
    quantity: int = Field(1, ge=1, le=1000)


class SkuIn(Schema):
    code: str = Field(..., max_length=64)
    name: str = Field("", max_length=200)
    price_minor: int = Field(..., ge=0, le=10**12)
    list_price_minor: int | None = Field(None, ge=0, le=10**12)
    currency: str = Field("CNY", min_length=3, max_length=3)
    stock: int = Field(0, ge=0, le=10_000_000)
    tier: str = Field("standard", max_length=16)
    attributes: dict = Field(default_factory=dict)
    components: list[ComponentIn] = Field(default_factory=list, max_length=50)
    is_active: bool = True


class SkuPatch(Schema):
    name: str | None = Field(None, max_length=200)
    price_minor: int | None = Field(None, ge=0, le=10**12)
    list_price_minor: int | None = Field(None, ge=0, le=10**12)
    tier: str | None = Field(None, max_length=16)
    attributes: dict | None = None
    is_active: bool | None = None


class StockIn(Schema):
    stock: int = Field(..., ge=0, le=10_000_000)


def sku_out(sku, stock: int | None = None) -> dict:
    return {
        "id": sku.pk,
        "code": sku.code,
        "name": sku.name,
        "attributes": sku.attributes,
        "currency": sku.currency,
        "price_minor": sku.price_minor,
        "list_price_minor": sku.list_price_minor,
        "price": sku.price.to_decimal_string(),
        "stock": sku.stock if stock is None else stock,
        "tier": sku.tier,
        "is_bundle": sku.is_bundle,
        "is_active": sku.is_active,
    }


def product_out(product, *, skus=None) -> dict:
    skus = list(product.skus.all()) if skus is None else skus
    stock = selectors.skus_available_stock(sku_ids=[s.pk for s in skus if s.is_bundle])
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "name_en": product.name_en,
        "description": product.description,
        "category": product.category.slug,
        "attributes": product.attributes,
        "images": [image.url or (image.image.url if image.image else "") for image in product.images.all()],
        "skus": [sku_out(s, stock.get(s.pk)) for s in skus],
    }


@router.get("/categories", response=list[CategoryOut], auth=None)
def categories(request: HttpRequest):
    return list(selectors.categories_for_storefront())


@router.get("/products", response=ProductPage, auth=None)
def products(request: HttpRequest, filters: Query[BrowseQuery]):
    """Products on sale; `q` searches names and descriptions (Chinese substrings work)."""
    page = selectors.products_for_storefront(
        category_slug=filters.category, query=filters.q, page=filters.page, per_page=filters.per_page
    )
    return {
        "items": [product_out(p) for p in page.object_list],
        "page": page.number,
        "pages": page.paginator.num_pages,
        "count": page.paginator.count,
    }


@router.get("/products/{slug}", response=ProductOut, auth=None)
def product_detail(request: HttpRequest, slug: Slug):
    return product_out(selectors.product_get_for_storefront(slug=slug))


# -- staff ------------------------------------------------------------------------------------


@router.post("/products", response={201: ProductOut}, auth=user_auth, tags=["staff"])
def product_create(request: HttpRequest, payload: ProductIn):
    actor = staff_required(request)
    product = services.product_create(actor=actor, **payload.dict())
    return Status(201, product_out(selectors.product_get(product_id=product.pk)))


@router.patch("/products/{product_id}", response=ProductOut, auth=user_auth, tags=["staff"])
def product_update(request: HttpRequest, product_id: int, payload: ProductPatch):
    actor = staff_required(request)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    services.product_update(product_id=product_id, actor=actor, **changes)
    return product_out(selectors.product_get(product_id=product_id))


@router.post("/products/{product_id}/skus", response={201: SkuOut}, auth=user_auth, tags=["staff"])
def sku_create(request: HttpRequest, product_id: int, payload: SkuIn):
    actor = staff_required(request)
    data = payload.dict()
    components = [(c["sku_id"], c["quantity"]) for c in data.pop("components")]
    sku = services.sku_create(product_id=product_id, actor=actor, components=components, **data)
    return Status(201, sku_out(sku, selectors.sku_available_stock(sku=sku)))


@router.patch("/skus/{sku_id}", response=SkuOut, auth=user_auth, tags=["staff"])
def sku_update(request: HttpRequest, sku_id: int, payload: SkuPatch):
    actor = staff_required(request)
    changes = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "list_price_minor"}
    sku = services.sku_update(sku_id=sku_id, actor=actor, **changes)
    return sku_out(sku, selectors.sku_available_stock(sku=sku))


@router.put("/skus/{sku_id}/stock", response=SkuOut, auth=user_auth, tags=["staff"])
def stock_set(request: HttpRequest, sku_id: int, payload: StockIn):
    actor = staff_required(request)
    sku = services.stock_set(sku_id=sku_id, stock=payload.stock, actor=actor)
    return sku_out(sku)
