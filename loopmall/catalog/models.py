from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from loopmall.core.money import Money


class Tier(models.TextChoices):
    BUDGET = "budget", _("Budget")
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    # Family / baby / kids categories feed the `scenario_family` need tag.
    is_family = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True, default="")
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    # Attribute tags shared by all SKUs, e.g. ["eco", "gift_box"]; latent-demand signals read them.
    attributes = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    external_id = models.CharField(max_length=128, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/", blank=True)
    url = models.CharField(max_length=500, blank=True, default="", help_text="static path or absolute URL")
    alt = models.CharField(max_length=200, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Sku(models.Model):
    """A sellable unit. A bundle SKU (`is_bundle`) has no stock of its own: its stock is derived
    from its components, and reserving it reserves them."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("variant"), max_length=200, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True, help_text='e.g. {"colour": "red", "size": "M"}')
    currency = models.CharField(max_length=3, default="CNY")
    price_minor = models.BigIntegerField(_("price (minor units)"))
    list_price_minor = models.BigIntegerField(_("list price (minor units)"), null=True, blank=True)
    stock = models.IntegerField(_("stock"), default=0)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    is_bundle = models.BooleanField(_("bundle"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    external_id = models.CharField(max_length=128, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="sku_price_not_negative"),
            models.CheckConstraint(
                condition=Q(list_price_minor__isnull=True) | Q(list_price_minor__gte=F("price_minor")),
                name="sku_list_price_at_least_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}".strip()

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    @property
    def list_price(self) -> Money | None:
        return Money(self.list_price_minor, self.currency) if self.list_price_minor is not None else None


class BundleItem(models.Model):
    bundle = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="bundle_items")
    component = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="in_bundles")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_unique"),
            models.CheckConstraint(condition=~Q(bundle=F("component")), name="bundle_not_own_component"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bundle_quantity_positive"),
        ]
