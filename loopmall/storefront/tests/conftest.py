"""A small shop for storefront tests: two categories, a tea with two SKUs and reviews, a mug, and
shoppers who can sign in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from loopmall.accounts import services as accounts_services
from loopmall.catalog import services as catalog_services
from loopmall.social.models import Review

PASSWORD = "Loop-mall-2026"


@dataclass
class Shop:
    tea_category: object
    cup_category: object
    tea: object
    tea_small: object
    tea_gift: object
    mug: object
    mug_sku: object


@pytest.fixture
def shop(db) -> Shop:
    tea_category = catalog_services.category_create(name="茶叶", name_en="Tea", slug="tea", position=1)
    cup_category = catalog_services.category_create(
        name="茶具", name_en="Teaware", slug="teaware", position=2
    )
    tea = catalog_services.product_create(
        category_id=tea_category.pk,
        name="明前龙井绿茶",
        name_en="Pre-Qingming Longjing green tea",
        slug="longjing",
        description="杭州西湖产区，明前采摘。",
    )
    tea_small = catalog_services.sku_create(
        product_id=tea.pk, code="LJ-100", name="100g 罐装", price_minor=5990, list_price_minor=7990, stock=20
    )
    tea_gift = catalog_services.sku_create(
        product_id=tea.pk, code="LJ-250", name="250g 礼盒", price_minor=12800, stock=3
    )
    mug = catalog_services.product_create(
        category_id=cup_category.pk, name="手绘陶瓷马克杯", name_en="Hand-painted mug", slug="mug"
    )
    mug_sku = catalog_services.sku_create(product_id=mug.pk, code="MUG-1", price_minor=3900, stock=0)
    reviewer = accounts_services.customer_signup(login="13900000001", password=PASSWORD, display_name="李雷")
    Review.objects.create(
        product=tea, user=reviewer, rating=5, text="香气很足，回甘明显，会回购。", created_at=timezone.now()
    )
    Review.objects.create(product=tea, user=None, rating=3, text="包装一般。", created_at=timezone.now())
    return Shop(tea_category, cup_category, tea, tea_small, tea_gift, mug, mug_sku)


def _customer(login: str, *, with_address: bool):
    user = accounts_services.customer_signup(login=login, password=PASSWORD, display_name="韩梅梅")
    if with_address:
        accounts_services.address_create(
            user=user,
            recipient="韩梅梅",
            phone="13800001234",
            province="上海市",
            city="上海市",
            district="浦东新区",
            detail="世纪大道100号",
        )
    return user


@pytest.fixture
def customer(db):
    """A returning customer with a saved default address."""
    return _customer("13800000001", with_address=True)


@pytest.fixture
def newcomer(db):
    """A customer without any saved address."""
    return _customer("newcomer@example.com", with_address=False)


@pytest.fixture
def other_customer(db):
    return _customer("13800000002", with_address=True)


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher; these tests sign many shoppers up and only need a hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
