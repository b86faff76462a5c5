"""Product reviews for the product page (social has no storefront selector yet, so this small read
lives here; it only reads)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from loopmall.social.models import Review


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    average: float | None


def reviews_for_product(*, product, limit: int = 20) -> list[Review]:
    return list(
        Review.objects.filter(product=product)
        .select_related("user", "sku")
        .order_by("-created_at", "-id")[:limit]
    )


def review_summary(*, product) -> ReviewSummary:
    row = Review.objects.filter(product=product).aggregate(count=Count("id"), average=Avg("rating"))
    average = round(float(row["average"]), 1) if row["average"] is not None else None
    return ReviewSummary(count=row["count"], average=average)


def reviewer_name(review: Review) -> str:
    """A reviewer's name, masked as shops do ("张**"), so reviews never expose a full name or login."""
    user = review.user
    name = (user.display_name if user else "") or ""
    if not name:
        return _("Anonymous shopper")
    return name[:1] + "**"
