"""Writes for the catalog: stock reservation and release, staff product and SKU management.

Stock moves by conditional UPDATE (`stock = stock - n WHERE stock >= n`), one row at a time in
primary-key order, so concurrent checkouts neither oversell nor deadlock."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from loopmall.catalog.models import BundleItem, Category, Product, Sku, Tier
from loopmall.core.errors import Conflict, DomainError, NotFound, OutOfStock, PermissionDenied
from loopmall.core.events import event_emit
from loopmall.core.money import Money, MoneyError


def _actor_staff_check(actor) -> None:
    if actor is not None and not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only staff may change the catalog."))


def _component_quantities(items: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Total units per stock-holding SKU; a bundle counts as its components."""
    wanted: dict[int, int] = defaultdict(int)
    for sku_id, quantity in items:
        if not isinstance(quantity, int) or quantity < 1:
            raise DomainError(_("Quantity must be at least 1."), field="quantity")
        wanted[int(sku_id)] += quantity
    bundles = set(Sku.objects.filter(pk__in=list(wanted), is_bundle=True).values_list("pk", flat=True))
    units: dict[int, int] = defaultdict(int)
    if bundles:
        parts: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for bundle_id, component_id, per_bundle in BundleItem.objects.filter(
            bundle_id__in=bundles
        ).values_list("bundle_id", "component_id", "quantity"):
            parts[bundle_id].append((component_id, per_bundle))
        for bundle_id in bundles:
            if not parts[bundle_id]:
                raise OutOfStock(_("This bundle has no items."), field="sku_id")
            for component_id, per_bundle in parts[bundle_id]:
                units[component_id] += per_bundle * wanted[bundle_id]
    for sku_id, quantity in wanted.items():
        if sku_id not in bundles:
            units[sku_id] += quantity
    return dict(units)


def stock_reserve(*, items: list[tuple[int, int]]) -> None:
    """Take stock for (sku id, quantity) pairs, all or nothing.

    Raises OutOfStock (field "sku_id") naming the first SKU that is short; nothing stays reserved."""
    units = _component_quantities(items)
    with transaction.atomic():
        for sku_id in sorted(units):
            quantity = units[sku_id]
            taken = Sku.objects.filter(pk=sku_id, stock__gte=quantity).update(stock=F("stock") - quantity)
            if taken != 1:
                sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
                if sku is None:
                    raise NotFound(_("SKU not found."), field="sku_id")
                raise OutOfStock(
                    _("Only %(n)s left of %(name)s.") % {"n": sku.stock, "name": sku}, field="sku_id"
                )


def stock_release(*, items: list[tuple[int, int]]) -> None:
    """Give back stock taken by `stock_reserve` (a cancelled or timed-out order)."""
    units = _component_quantities(items)
    with transaction.atomic():
        for sku_id in sorted(units):
            Sku.objects.filter(pk=sku_id).update(stock=F("stock") + units[sku_id])


def stock_set(*, sku_id: int, stock: int, actor=None) -> Sku:
    """Staff set the counted stock of a SKU (bundles have no stock of their own)."""
    _actor_staff_check(actor)
    if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0 or stock > 10_000_000:
        raise DomainError(_("Stock must be a whole number from 0 to 10,000,000."), field="stock")
    with transaction.atomic():
        sku = Sku.objects.select_for_update().filter(pk=sku_id).first()
        if sku is None:
            raise NotFound(_("SKU not found."), field="sku_id")
        if sku.is_bundle:
            raise DomainError(_("A bundle's stock comes from its parts; set theirs."), field="sku_id")
        previous = sku.stock
        sku.stock = stock
        sku.save(update_fields=["stock"])
        event_emit(
            "Stock Updated",
            user_id=getattr(actor, "pk", None),
            aggregate=("sku", sku.pk),
            properties={"sku_id": sku.pk, "product_id": sku.product_id, "stock": stock, "previous": previous},
        )
    return sku


# -- staff product management ----------------------------------------------------------------


def _unique_slug(model, base: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:80] or f"{model._meta.model_name[0]}-{secrets.token_hex(4)}"
    slug = base
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _text(value, *, field: str, limit: int, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("Too long (%(limit)s characters at most).") % {"limit": limit}, field=field)
    return value


def category_create(
    *, name: str, slug: str = "", name_en: str = "", parent_id: int | None = None, position: int = 0,
    is_family: bool = False, actor=None,
) -> Category:  # fmt: skip
    _actor_staff_check(actor)
    name = _text(name, field="name", limit=100, required=True)
    name_en = _text(name_en, field="name_en", limit=100)
    if parent_id is not None and not Category.objects.filter(pk=parent_id).exists():
        raise NotFound(_("Parent category not found."), field="parent_id")
    slug = slugify(slug) if slug else _unique_slug(Category, name_en or name)
    if Category.objects.filter(slug=slug).exists():
        raise Conflict(_("This slug is taken."), field="slug")
    return Category.objects.create(
        name=name, name_en=name_en, slug=slug, parent_id=parent_id, position=position, is_family=is_family
    )


def product_create(
    *,
    category_id: int,
    name: str,
    slug: str = "",
    name_en: str = "",
    description: str = "",
    attributes: list[str] | None = None,
    is_active: bool = True,
    actor=None,
) -> Product:
    _actor_staff_check(actor)
    name = _text(name, field="name", limit=200, required=True)
    name_en = _text(name_en, field="name_en", limit=200)
    description = _text(description, field="description", limit=20_000)
    if not Category.objects.filter(pk=category_id).exists():
        raise NotFound(_("Category not found."), field="category_id")
    if attributes is not None and (
        not isinstance(attributes, list)
        or not all(isinstance(a, str) and 0 < len(a) <= 64 for a in attributes)
    ):
        raise DomainError(_("Attributes are a list of short tags."), field="attributes")
    if slug:
        slug = slugify(slug)
        if not slug:
            raise DomainError(_("Use letters, digits and hyphens."), field="slug")
        if Product.objects.filter(slug=slug).exists():
            raise Conflict(_("This slug is taken."), field="slug")
    else:
        slug = _unique_slug(Product, name_en or name)
    with transaction.atomic():
        product = Product.objects.create(
            category_id=category_id,
            name=name,
            name_en=name_en,
            slug=slug,
            description=description,
            attributes=attributes or [],
            is_active=is_active,
        )
        event_emit(
            "Product Created",
            user_id=getattr(actor, "pk", None),
            aggregate=("product", product.pk),
            properties={"product_id": product.pk, "name": product.name, "category_id": category_id},
        )
    return product


_PRODUCT_FIELDS = {"name", "name_en", "description", "attributes", "is_active", "category_id"}


def product_update(*, product_id: int, actor=None, **changes) -> Product:
    _actor_staff_check(actor)
    unknown = set(changes) - _PRODUCT_FIELDS
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(pk=product_id).first()
        if product is None:
            raise NotFound(_("Product not found."), field="product_id")
        if "name" in changes:
            product.name = _text(changes["name"], field="name", limit=200, required=True)
        if "name_en" in changes:
            product.name_en = _text(changes["name_en"], field="name_en", limit=200)
        if "description" in changes:
            product.description = _text(changes["description"], field="description", limit=20_000)
        if "attributes" in changes:
            attributes = changes["attributes"] or []
            if not isinstance(attributes, list) or not all(isinstance(a, str) for a in attributes):
                raise DomainError(_("Attributes are a list of short tags."), field="attributes")
            product.attributes = attributes
        if "is_active" in changes:
            product.is_active = bool(changes["is_active"])
        if "category_id" in changes:
            if not Category.objects.filter(pk=changes["category_id"]).exists():
                raise NotFound(_("Category not found."), field="category_id")
            product.category_id = changes["category_id"]
        product.save()
        event_emit(
            "Product Updated",
            user_id=getattr(actor, "pk", None),
            aggregate=("product", product.pk),
            properties={"product_id": product.pk, "changed": sorted(changes)},
        )
    return product


def _price_check(price_minor, list_price_minor) -> None:
    if not isinstance(price_minor, int) or isinstance(price_minor, bool) or not 0 <= price_minor <= 10**12:
        raise DomainError(_("Price must be a whole number of minor units, 0 or more."), field="price_minor")
    if list_price_minor is not None and (
        not isinstance(list_price_minor, int) or list_price_minor < price_minor or list_price_minor > 10**12
    ):
        raise DomainError(_("The list price cannot be below the price."), field="list_price_minor")


def sku_create(
    *,
    product_id: int,
    code: str,
    price_minor: int,
    list_price_minor: int | None = None,
    stock: int = 0,
    name: str = "",
    attributes: dict | None = None,
    tier: str = Tier.STANDARD,
    currency: str = "CNY",
    components: list[tuple[int, int]] | None = None,
    is_active: bool = True,
    actor=None,
) -> Sku:
    """Add a SKU to a product. `components` [(sku id, quantity)] makes it a bundle whose stock is
    derived from its parts."""
    _actor_staff_check(actor)
    code = _text(code, field="code", limit=64, required=True)
    name = _text(name, field="name", limit=200)
    _price_check(price_minor, list_price_minor)
    try:
        Money(price_minor, currency)
    except MoneyError:
        raise DomainError(_("Currency must be a 3-letter ISO code."), field="currency") from None
    if tier not in Tier.values:
        raise DomainError(_("Unknown tier."), field="tier")
    if attributes is not None and not isinstance(attributes, dict):
        raise DomainError(_("Attributes are name/value pairs."), field="attributes")
    if not isinstance(stock, int) or stock < 0:
        raise DomainError(_("Stock must be 0 or more."), field="stock")
    if not Product.objects.filter(pk=product_id).exists():
        raise NotFound(_("Product not found."), field="product_id")
    if Sku.objects.filter(code=code).exists():
        raise Conflict(_("This SKU code is taken."), field="code")
    components = list(components or [])
    if components:
        component_ids = [c for c, _q in components]
        if len(set(component_ids)) != len(component_ids) or any(
            not isinstance(q, int) or q < 1 for _c, q in components
        ):
            raise DomainError(_("List each part once with a quantity of 1 or more."), field="components")
        found = Sku.objects.filter(pk__in=component_ids, is_bundle=False)
        if found.count() != len(component_ids):
            raise DomainError(_("Bundle parts must be existing plain SKUs."), field="components")
        if found.exclude(currency=currency).exists():
            raise DomainError(_("Bundle parts must share the bundle's currency."), field="components")
    try:
        with transaction.atomic():
            sku = Sku.objects.create(
                product_id=product_id,
                code=code,
                name=name,
                attributes=attributes or {},
                currency=currency,
                price_minor=price_minor,
                list_price_minor=list_price_minor,
                stock=0 if components else stock,
                tier=tier,
                is_bundle=bool(components),
                is_active=is_active,
            )
            BundleItem.objects.bulk_create(
                [BundleItem(bundle=sku, component_id=c, quantity=q) for c, q in components]
            )
            event_emit(
                "Sku Created",
                user_id=getattr(actor, "pk", None),
                aggregate=("sku", sku.pk),
                properties={
                    "sku_id": sku.pk,
                    "product_id": product_id,
                    "price": sku.price.to_decimal_string(),
                },
            )
    except IntegrityError:
        raise Conflict(_("This SKU code is taken."), field="code") from None
    return sku


_SKU_FIELDS = {"name", "price_minor", "list_price_minor", "attributes", "tier", "is_active"}


def sku_update(*, sku_id: int, actor=None, **changes) -> Sku:
    """Change a SKU's name, prices, attributes, tier or sale status (stock: `stock_set`)."""
    _actor_staff_check(actor)
    unknown = set(changes) - _SKU_FIELDS
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    with transaction.atomic():
        sku = Sku.objects.select_for_update().filter(pk=sku_id).first()
        if sku is None:
            raise NotFound(_("SKU not found."), field="sku_id")
        price = changes.get("price_minor", sku.price_minor)
        list_price = changes.get("list_price_minor", sku.list_price_minor)
        _price_check(price, list_price)
        sku.price_minor, sku.list_price_minor = price, list_price
        if "name" in changes:
            sku.name = _text(changes["name"], field="name", limit=200)
        if "attributes" in changes:
            if not isinstance(changes["attributes"], dict):
                raise DomainError(_("Attributes are name/value pairs."), field="attributes")
            sku.attributes = changes["attributes"]
        if "tier" in changes:
            if changes["tier"] not in Tier.values:
                raise DomainError(_("Unknown tier."), field="tier")
            sku.tier = changes["tier"]
        if "is_active" in changes:
            sku.is_active = bool(changes["is_active"])
        sku.save()
        event_emit(
            "Sku Updated",
            user_id=getattr(actor, "pk", None),
            aggregate=("sku", sku.pk),
            properties={"sku_id": sku.pk, "product_id": sku.product_id, "changed": sorted(changes)},
        )
    return sku
