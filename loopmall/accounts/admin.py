from django.contrib import admin

from loopmall.accounts.models import Address, ApiToken, User


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("login", "display_name", "role", "channel", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_active", "channel")
    search_fields = ("login", "display_name", "phone", "email")
    readonly_fields = ("password", "last_login", "date_joined")
    exclude = ("groups", "user_permissions")
    inlines = [AddressInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at")
    readonly_fields = ("token_hash",)
    search_fields = ("user__login", "name")
