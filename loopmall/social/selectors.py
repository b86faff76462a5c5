"""Read-only social queries."""

from __future__ import annotations

from dataclasses import dataclass

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
