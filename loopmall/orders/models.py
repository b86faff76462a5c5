from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loopmall.core.money import Money


class Cart(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(auto_now=True)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["cart", "sku"], name="cart_line_unique_sku")]


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    currency = models.CharField(max_length=3, default="CNY")
    subtotal_minor = models.BigIntegerField(default=0)
    discount_minor = models.BigIntegerField(default=0)
    shipping_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    paid_minor = models.BigIntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)
    # Where the order was placed (data contract `orders.channel`): storefront, community, live, ...
    channel = models.CharField(_("channel"), max_length=32, default="storefront", db_index=True)
    shipping_address = models.JSONField(_("ship to"), default=dict, blank=True)
    ship_to_self = models.BooleanField(default=True)
    is_gift_wrapped = models.BooleanField(default=False)
    coupon_code = models.CharField(max_length=64, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    reordered_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Attribution of the social path that led here (post deep link, live session, referrer).
    attribution = models.JSONField(default=dict, blank=True)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    payment_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=128, null=True, blank=True, unique=True)
    # The client's Idempotency-Key for the checkout that created this order: a repeat returns it.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    # While a refund is being decided, the status to return to if it is rejected or partial.
    status_before_refund = models.CharField(max_length=20, blank=True, default="")
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_minor__lte=models.F("paid_minor")), name="refund_not_over_paid"
            ),
            models.CheckConstraint(condition=Q(total_minor__gte=0), name="order_total_not_negative"),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="order_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "-placed_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.currency)

    @property
    def refundable(self) -> Money:
        return Money(self.paid_minor - self.refunded_minor, self.currency)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=200)
    sku_name = models.CharField(max_length=200, blank=True, default="")
    unit_price_minor = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    discount_minor = models.BigIntegerField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=models.F("quantity")), name="line_refund_qty_bounded"
            ),
        ]

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity - self.discount_minor


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Payment(models.Model):
    """One attempt to pay an order through a provider. A provider transaction id pays once."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=32, default="sandbox")
    provider_transaction_id = models.CharField(max_length=128)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    method = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_transaction_id"], name="payment_txn_unique"
            ),
            # An order is paid by at most one succeeded payment.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="succeeded"), name="one_success_per_order"
            ),
        ]


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUCCEEDED = "succeeded", _("Refunded")
    REJECTED = "rejected", _("Rejected")


class Refund(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    quantity = models.PositiveIntegerField(default=0)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    status = models.CharField(max_length=16, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    provider_refund_id = models.CharField(max_length=128, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_amount_positive")]


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=64, blank=True, default="")
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)


class SandboxTransaction(models.Model):
    """The built-in sandbox payment provider's own ledger (what a real provider keeps on its side):
    the transactions it opened and whether the payer approved them."""

    transaction_id = models.CharField(max_length=64, unique=True)
    order_number = models.CharField(max_length=32, db_index=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    is_approved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
