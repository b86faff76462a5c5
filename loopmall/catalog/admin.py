from django.contrib import admin

from loopmall.catalog.models import BundleItem, Category, Product, ProductImage, Sku


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "slug", "parent", "position", "is_family")
    prepopulated_fields = {"slug": ("name_en",)}


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ("code", "name", "price_minor", "list_price_minor", "stock", "tier", "is_bundle", "is_active")


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "is_active", "created_at")
    list_filter = ("is_active", "category")
    search_fields = ("name", "name_en", "slug")
    inlines = [SkuInline, ImageInline]


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    fk_name = "bundle"
    extra = 0


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = ("code", "product", "name", "price_minor", "stock", "tier", "is_bundle", "is_active")
    list_filter = ("tier", "is_bundle", "is_active")
    search_fields = ("code", "name", "product__name")
    inlines = [BundleItemInline]
