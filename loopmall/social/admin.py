from django.contrib import admin

from loopmall.social.models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("id", "product", "rating", "lang", "source", "created_at")
    list_filter = ("rating", "lang", "source")
    search_fields = ("text", "title", "product__name", "external_id")
    raw_id_fields = ("user", "product", "sku", "order")
    date_hierarchy = "created_at"
