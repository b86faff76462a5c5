"""Read-only social queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Q

from loopmall.social.models import Review


@dataclass(frozen=True)
class ReviewFilters:
    rating: int | None = None
    lang: str = ""
    search: str = ""


def reviews_for_staff(*, filters: ReviewFilters, page: int = 1, per_page: int = 25) -> Page:
    """Customer reviews for the console, newest first; `search` matches the text or product name."""
    reviews = Review.objects.select_related("product", "user")
    if filters.rating:
        reviews = reviews.filter(rating=filters.rating)
    if filters.lang:
        reviews = reviews.filter(lang=filters.lang)
    search = filters.search.strip()
    if search:
        reviews = reviews.filter(Q(text__icontains=search) | Q(product__name__icontains=search))
    return Paginator(reviews.order_by("-created_at", "-id"), per_page).get_page(page)


def review_languages() -> list[tuple[str, int]]:
    """Languages present in reviews with their counts, most first."""
    rows = Review.objects.values("lang").annotate(n=Count("id")).order_by("-n", "lang")
    return [(r["lang"], r["n"]) for r in rows]


def review_rating_summary() -> dict:
    """Count per star (1..5) and the average rating over all reviews."""
    counts = {r["rating"]: r["n"] for r in Review.objects.values("rating").annotate(n=Count("id"))}
    average = Review.objects.aggregate(avg=Avg("rating"))["avg"]
    return {"counts": [(star, counts.get(star, 0)) for star in range(5, 0, -1)], "average": average}


# ---- reads for other apps (insight): plain values, no model instances


def reviews_after(*, review_id: int, limit: int = 5000) -> list[dict]:
    """Up to `limit` reviews with an id above `review_id`, oldest id first, as dicts of id, user_id,
    product_id, sku_id, order_id, rating, title, text, lang and created_at."""
    return list(
        Review.objects.filter(id__gt=review_id)
        .order_by("id")
        .values(
            "id",
            "user_id",
            "product_id",
            "sku_id",
            "order_id",
            "rating",
            "title",
            "text",
            "lang",
            "created_at",
        )[:limit]
    )


def review_ratings_since(
    *, since: datetime, product_ids: Iterable[int] = (), category_id: int | None = None
) -> list[int]:
    """Ratings of reviews written since `since` on the given products, or else on the products of the
    category; none when neither is given."""
    reviews = Review.objects.filter(created_at__gte=since)
    ids = [int(i) for i in product_ids]
    if ids:
        reviews = reviews.filter(product_id__in=ids)
    elif category_id:
        reviews = reviews.filter(product__category_id=category_id)
    else:
        return []
    return list(reviews.values_list("rating", flat=True))
