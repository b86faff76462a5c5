"""Browsing: home, categories, category listing, search and the product page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from loopmall.catalog import selectors as catalog_selectors
from loopmall.core.errors import NotFound
from loopmall.storefront import attribution, presenters, reviews
from loopmall.storefront.forms import AddToCartForm

FEATURED_COUNT = 8
PER_PAGE = 20
MAX_QUERY_LENGTH = 100


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


def _category_tiles():
    return [
        {"slug": category.slug, "name": presenters.localized_name(category)}
        for category in catalog_selectors.categories_for_storefront()
    ]


def home(request):
    page = catalog_selectors.products_for_storefront(page=1, per_page=FEATURED_COUNT)
    return render(
        request,
        "storefront/home.html",
        {
            "categories": _category_tiles(),
            "products": [presenters.product_card(product) for product in page.object_list],
            "tab": "home",
        },
    )


def categories(request):
    return render(
        request, "storefront/categories.html", {"categories": _category_tiles(), "tab": "categories"}
    )


def category(request, slug: str):
    try:
        current = catalog_selectors.category_get(slug=slug)
        page = catalog_selectors.products_for_storefront(
            category_slug=slug, page=_page_number(request), per_page=PER_PAGE
        )
    except NotFound:
        raise Http404(_("Category not found.")) from None
    return render(
        request,
        "storefront/category.html",
        {
            "category": current,
            "category_name": presenters.localized_name(current),
            "categories": _category_tiles(),
            "page": page,
            "products": [presenters.product_card(product) for product in page.object_list],
            "tab": "categories",
        },
    )


def search(request):
    raw = "".join(char for char in request.GET.get("q", "") if char.isprintable())
    query = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    page = None
    products = []
    if query:
        page = catalog_selectors.products_for_storefront(
            query=query, page=_page_number(request), per_page=PER_PAGE
        )
        products = [presenters.product_card(product) for product in page.object_list]
    return render(
        request,
        "storefront/search.html",
        {
            "query": query,
            "page": page,
            "products": products,
            "categories": _category_tiles() if not products else [],
            "tab": "home",
        },
    )


def product(request, slug: str):
    try:
        item = catalog_selectors.product_get_for_storefront(slug=slug)
    except NotFound:
        raise Http404(_("Product not found.")) from None
    attribution.attribution_remember(request)
    options = presenters.sku_options(item)
    requested = request.GET.get("sku", "")
    chosen = next((o for o in options if str(o.id) == requested), None)
    chosen = chosen or next((o for o in options if o.is_available), None) or (options[0] if options else None)
    images = [image for image in item.images.all() if image.image or image.url]
    return render(
        request,
        "storefront/product.html",
        {
            "product": item,
            "name": presenters.localized_name(item),
            "category_name": presenters.localized_name(item.category),
            "image_urls": [image.image.url if image.image else image.url for image in images],
            "options": options,
            "chosen": chosen,
            "form": AddToCartForm(initial={"sku_id": chosen.id if chosen else None, "quantity": 1}),
            "reviews": [
                (review, reviews.reviewer_name(review))
                for review in reviews.reviews_for_product(product=item, limit=20)
            ],
            "review_summary": reviews.review_summary(product=item),
            "tab": "home",
        },
    )
