from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Review(models.Model):
    """A customer's review of a product they bought (or imported from another shop)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(max_length=200, blank=True, default="")
    text = models.TextField(_("review"), blank=True, default="")
    # ISO language of the text ("zh", "en", "pt", ...); insight analyses zh and en.
    lang = models.CharField(max_length=8, default="zh")
    source = models.CharField(
        max_length=32, default="storefront", help_text="storefront, demo, olist, bundle"
    )
    created_at = models.DateTimeField(db_index=True)
    external_id = models.CharField(max_length=128, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.text[:30]}"
