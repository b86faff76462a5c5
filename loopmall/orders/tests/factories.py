"""Small builders for order tests: a customer with an address, a category, products with stock."""

from __future__ import annotations

import itertools

from loopmall.accounts import services as accounts_services
from loopmall.catalog import services as catalog_services

_seq = itertools.count(1)


def customer(*, login: str | None = None, with_address: bool = True):
    n = next(_seq)
    user = accounts_services.customer_signup(
        login=login or f"1380000{n:04d}", password="Loop-mall-2026", display_name=f"顾客{n}"
    )
    if with_address:
        accounts_services.address_create(
            user=user, recipient="王芳", phone="13800001234", province="上海市", city="上海市",
            district="浦东新区", detail="世纪大道100号",
        )  # fmt: skip
    return user


def staff(*, role: str = "operator"):
    n = next(_seq)
    return accounts_services.staff_create(
        login=f"staff{n}@loopmall.test", password="Loop-mall-2026", role=role
    )


def category(*, name: str = "茶叶"):
    n = next(_seq)
    return catalog_services.category_create(name=name, slug=f"cat-{n}")


def sku(
    *,
    price_minor: int = 5990,
    stock: int = 10,
    name: str = "龙井绿茶",
    category_obj=None,
    list_price_minor=None,
):
    n = next(_seq)
    cat = category_obj or category()
    product = catalog_services.product_create(
        category_id=cat.pk, name=name, slug=f"product-{n}", description=f"{name} 明前春茶 礼盒"
    )
    return catalog_services.sku_create(
        product_id=product.pk, code=f"SKU-{n}", price_minor=price_minor, stock=stock, name="250g",
        list_price_minor=list_price_minor,
    )  # fmt: skip


def bundle(*, components: list[tuple[object, int]], price_minor: int = 9900):
    n = next(_seq)
    first = components[0][0]
    product = catalog_services.product_create(
        category_id=first.product.category_id, name="礼盒套装", slug=f"bundle-{n}"
    )
    return catalog_services.sku_create(
        product_id=product.pk, code=f"BUNDLE-{n}", price_minor=price_minor,
        components=[(c.pk, q) for c, q in components],
    )  # fmt: skip
