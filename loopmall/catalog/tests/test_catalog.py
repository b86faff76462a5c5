import pytest

from loopmall.catalog import selectors, services
from loopmall.catalog.models import Sku
from loopmall.core.errors import Conflict, DomainError, NotFound, OutOfStock, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea_category():
    return services.category_create(name="茶叶", name_en="Tea", slug="tea")


def make(category, name, *, stock=10, price=5990, description="", code=None):
    product = services.product_create(category_id=category.pk, name=name, description=description)
    return services.sku_create(
        product_id=product.pk, code=code or f"C-{product.pk}", price_minor=price, stock=stock
    )


def stock(sku):
    return Sku.objects.get(pk=sku.pk).stock


def test_search_matches_chinese_substrings_in_name_and_description(tea_category):
    make(tea_category, "西湖龙井", description="明前春茶")
    make(tea_category, "云南普洱", description="熟茶饼")
    names = lambda q: [p.name for p in selectors.products_for_storefront(query=q)]  # noqa: E731
    assert names("龙井") == ["西湖龙井"]
    assert names("春茶") == ["西湖龙井"]
    assert names("茶") == ["云南普洱", "西湖龙井"]
    assert names("咖啡") == []


def test_storefront_hides_inactive_and_pages(tea_category):
    for i in range(5):
        make(tea_category, f"茶{i}")
    hidden = make(tea_category, "下架茶")
    services.product_update(product_id=hidden.product_id, is_active=False)
    page = selectors.products_for_storefront(category_slug="tea", per_page=2, page=2)
    assert page.paginator.count == 5
    assert len(page.object_list) == 2
    with pytest.raises(NotFound):
        selectors.product_get_for_storefront(slug=hidden.product.slug)
    assert list(selectors.categories_for_storefront()) == [tea_category]


def test_reserve_is_all_or_nothing_and_release_restores(tea_category):
    a, b = make(tea_category, "A", stock=5), make(tea_category, "B", stock=2)
    services.stock_reserve(items=[(a.pk, 2), (b.pk, 2)])
    assert (stock(a), stock(b)) == (3, 0)
    with pytest.raises(OutOfStock) as error:
        services.stock_reserve(items=[(a.pk, 1), (b.pk, 1)])
    assert error.value.field == "sku_id"
    assert (stock(a), stock(b)) == (3, 0)
    services.stock_release(items=[(a.pk, 2), (b.pk, 2)])
    assert (stock(a), stock(b)) == (5, 2)


def test_bundle_stock_is_the_scarcest_part(tea_category):
    cup, pot = make(tea_category, "杯", stock=7), make(tea_category, "壶", stock=3)
    product = services.product_create(category_id=tea_category.pk, name="茶具套装")
    kit = services.sku_create(
        product_id=product.pk, code="KIT", price_minor=19900, components=[(cup.pk, 2), (pot.pk, 1)]
    )
    assert kit.is_bundle
    assert selectors.sku_available_stock(sku=kit) == 3  # min(7 // 2, 3 // 1)
    services.stock_reserve(items=[(kit.pk, 2), (cup.pk, 1)])
    assert (stock(cup), stock(pot)) == (2, 1)
    assert selectors.sku_available_stock(sku=kit) == 1
    with pytest.raises(DomainError):
        services.stock_set(sku_id=kit.pk, stock=5)


def test_stock_set_checks_staff_and_value(tea_category):
    from loopmall.accounts import services as accounts_services

    sku = make(tea_category, "A")
    customer = accounts_services.customer_signup(login="13800000010", password="Loop-mall-2026")
    with pytest.raises(PermissionDenied):
        services.stock_set(sku_id=sku.pk, stock=3, actor=customer)
    with pytest.raises(DomainError) as error:
        services.stock_set(sku_id=sku.pk, stock=-1)
    assert error.value.field == "stock"
    assert services.stock_set(sku_id=sku.pk, stock=3).stock == 3


def test_sku_rules(tea_category):
    sku = make(tea_category, "A", code="DUP")
    with pytest.raises(Conflict) as duplicate:
        services.sku_create(product_id=sku.product_id, code="DUP", price_minor=1)
    assert duplicate.value.field == "code"
    with pytest.raises(DomainError) as list_price:
        services.sku_create(product_id=sku.product_id, code="LP", price_minor=100, list_price_minor=50)
    assert list_price.value.field == "list_price_minor"
    with pytest.raises(DomainError) as price:
        services.sku_update(sku_id=sku.pk, price_minor=-5)
    assert price.value.field == "price_minor"
    assert services.sku_update(sku_id=sku.pk, price_minor=4990).price_minor == 4990


def test_chinese_product_names_get_ascii_slugs(tea_category):
    product = services.product_create(category_id=tea_category.pk, name="白茶")
    assert product.slug.isascii()
    assert product.slug
