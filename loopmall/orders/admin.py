"""Raw views of orders for administrators. Status changes go through the console and the services,
so the state machine and the outbox are never bypassed: money and status fields are read-only here."""

from django.contrib import admin

from loopmall.orders.models import Order, OrderLine, Payment, Refund, SandboxTransaction, Shipment


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("sku", "product_name", "sku_name", "unit_price_minor", "quantity", "discount_minor",
                       "refunded_quantity", "refunded_minor")  # fmt: skip


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = (
        "provider",
        "provider_transaction_id",
        "amount_minor",
        "currency",
        "status",
        "confirmed_at",
    )
    exclude = ("raw", "method")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "user", "status", "total_minor", "currency", "channel", "placed_at")
    list_filter = ("status", "channel")
    search_fields = ("number", "user__login")
    date_hierarchy = "placed_at"
    readonly_fields = ("number", "user", "status", "currency", "subtotal_minor", "discount_minor", "shipping_minor",
                       "total_minor", "paid_minor", "refunded_minor", "placed_at", "payment_deadline", "paid_at",
                       "shipped_at", "delivered_at", "completed_at", "cancelled_at", "reordered_from",
                       "idempotency_key", "status_before_refund", "cancel_reason")  # fmt: skip
    inlines = [LineInline, PaymentInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "amount_minor", "status", "created_at", "decided_at")
    list_filter = ("status",)
    readonly_fields = ("order", "line", "quantity", "amount_minor", "currency", "status", "provider_refund_id",
                       "requested_by", "decided_at")  # fmt: skip


admin.site.register(Shipment)
admin.site.register(SandboxTransaction)
