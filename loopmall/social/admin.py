from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loopmall.social.models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("id", "excerpt", "product", "rating", "lang", "source", "created_at")
    list_filter = ("rating", "lang", "source")
    search_fields = ("text", "title", "product__name", "external_id")
    raw_id_fields = ("user", "product", "sku", "order")
    date_hierarchy = "created_at"
    list_select_related = ("product",)

    @admin.display(description=_("review"))
    def excerpt(self, review: Review) -> str:
        return review.text[:60] + ("…" if len(review.text) > 60 else "")
