"""Shopper forms. They check shape (required, length); the business rules live in the services, whose
`DomainError(field=...)` is put back on the field it names by `form_add_domain_error`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loopmall.core.errors import DomainError


def form_add_domain_error(form: forms.Form, error: DomainError, *, field_map: dict | None = None) -> None:
    """Show a service's refusal next to the field it concerns (or above the form if none fits)."""
    field = (field_map or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


class SignupForm(forms.Form):
    login = forms.CharField(
        label=_("Phone or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email", "autofocus": True}),
    )
    display_name = forms.CharField(
        label=_("Nickname"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("Phone or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AddressForm(forms.Form):
    recipient = forms.CharField(
        label=_("Recipient"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    province = forms.CharField(
        label=_("Province"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "address-level1"})
    )
    city = forms.CharField(
        label=_("City"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    district = forms.CharField(
        label=_("District"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level3"}),
    )
    detail = forms.CharField(
        label=_("Street address"),
        max_length=255,
        widget=forms.TextInput(
            attrs={"autocomplete": "street-address", "placeholder": _("Street, building, room")}
        ),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class AddToCartForm(forms.Form):
    sku_id = forms.IntegerField(min_value=1, error_messages={"required": _("Choose an option first.")})
    quantity = forms.IntegerField(min_value=1, max_value=999, initial=1)
    buy_now = forms.BooleanField(required=False)


class CartUpdateForm(forms.Form):
    sku_id = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=0, max_value=999)


class CheckoutForm(forms.Form):
    """Pick a saved address (`address_id`) or, with `address_id=new`, fill the inline address fields."""

    address_id = forms.CharField(required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note to the seller"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Optional")}),
    )

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.address_ids = {address.pk for address in addresses}

    def clean_address_id(self):
        value = (self.cleaned_data.get("address_id") or "").strip()
        if value in ("", "new"):
            return None
        if not value.isdigit() or int(value) not in self.address_ids:
            raise forms.ValidationError(_("Choose one of your saved addresses."))
        return int(value)
