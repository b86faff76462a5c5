"""Browsing pages: home, categories, search, product page, deep-link attribution."""

import pytest
from django.urls import reverse

from loopmall.storefront.attribution import SESSION_KEY

pytestmark = pytest.mark.django_db


def test_home_shows_categories_and_featured_products(client, shop):
    response = client.get(reverse("storefront:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "明前龙井绿茶" in html
    assert reverse("storefront:category", args=["tea"]) in html
    assert "¥59.90" in html  # the cheapest SKU, formatted by Money


def test_home_in_english_uses_english_names(client, shop):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("storefront:home")).content.decode()
    assert "Pre-Qingming Longjing green tea" in html
    assert 'lang="en"' in html


def test_category_page_lists_only_its_products(client, shop):
    response = client.get(reverse("storefront:category", args=["teaware"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "手绘陶瓷马克杯" in html
    assert "明前龙井绿茶" not in html


def test_unknown_category_is_404(client, shop):
    assert client.get(reverse("storefront:category", args=["nope"])).status_code == 404


@pytest.mark.parametrize("page", ["abc", "-1", "999999", "0"])
def test_category_bad_page_numbers_do_not_fail(client, shop, page):
    assert client.get(reverse("storefront:category", args=["tea"]), {"page": page}).status_code == 200


def test_search_finds_by_chinese_and_english_words(client, shop):
    html = client.get(reverse("storefront:search"), {"q": "龙井"}).content.decode()
    assert "明前龙井绿茶" in html
    assert "手绘陶瓷马克杯" not in html
    html = client.get(reverse("storefront:search"), {"q": "mug"}).content.decode()
    assert "手绘陶瓷马克杯" in html


def test_search_without_results_says_so(client, shop):
    response = client.get(reverse("storefront:search"), {"q": "不存在的商品"})
    assert response.status_code == 200
    assert 'data-testid="no-results"' in response.content.decode()
    assert 'data-testid="product-card"' not in response.content.decode()


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "%_\\'\"<script>", "\x00"])
def test_search_odd_input_never_fails(client, shop, query):
    response = client.get(reverse("storefront:search"), {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_product_page_shows_skus_prices_stock_and_reviews(client, shop):
    response = client.get(reverse("storefront:product", args=["longjing"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "100g 罐装" in html
    assert "250g 礼盒" in html
    assert "¥59.90" in html
    assert "¥79.90" in html
    assert "¥128.00" in html  # the other SKU's price, for the picker
    assert 'data-testid="stock-state"' in html
    assert "香气很足，回甘明显，会回购。" in html
    assert html.count('data-testid="review"') == 2
    assert "李**" in html  # reviewer names are masked
    assert "李雷" not in html
    assert ">4.0<" in html  # average rating


def test_product_page_of_sold_out_product_disables_buying(client, shop):
    html = client.get(reverse("storefront:product", args=["mug"])).content.decode()
    assert 'data-testid="add-to-cart" disabled' in html


def test_unknown_product_is_404(client, shop):
    assert client.get(reverse("storefront:product", args=["nope"])).status_code == 404


def test_product_deep_link_is_remembered_for_the_order(client, shop):
    client.get(reverse("storefront:product", args=["longjing"]), {"from": "post:42", "ref": "7", "live": "9"})
    remembered = client.session[SESSION_KEY]
    assert remembered["post_id"] == 42
    assert remembered["referrer_id"] == 7
    assert remembered["live_session_id"] == 9


@pytest.mark.parametrize("params", [{"from": "post:abc"}, {"from": "evil"}, {"ref": "x1"}, {"live": "-3"}])
def test_bad_deep_link_values_are_ignored(client, shop, params):
    response = client.get(reverse("storefront:product", args=["longjing"]), params)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_pages_speak_chinese_by_default_and_english_on_request(client, shop):
    html = client.get(reverse("storefront:home")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "首页" in html
    assert "精选好物" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("storefront:home")).content.decode()
    assert "Featured" in html
    assert "精选好物" not in html
