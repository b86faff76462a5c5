"""Cart, checkout and the sandbox pay page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loopmall.accounts import selectors as account_selectors
from loopmall.accounts import services as account_services
from loopmall.core.errors import DomainError, NotFound
from loopmall.orders import selectors as order_selectors
from loopmall.orders import services as order_services
from loopmall.storefront import attribution
from loopmall.storefront.forms import (
    AddressForm,
    AddToCartForm,
    CartUpdateForm,
    CheckoutForm,
    form_add_domain_error,
)

# Remembers which address an inline "new address" checkout created, per idempotency key, so a
# double-submitted checkout saves the address once as well as placing the order once.
_INLINE_ADDRESS_KEY = "storefront_checkout_addresses"
ADDRESS_PREFIX = "address"


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


@login_required
def cart(request):
    summary = order_selectors.cart_get(user=request.user)
    return render(request, "storefront/cart.html", {"cart": summary, "tab": "cart"})


@require_POST
def cart_add(request):
    back = _safe_next(request, reverse("storefront:home"))
    if not request.user.is_authenticated:
        # The POST is lost on the way through sign-in; bring the shopper back to the product.
        return redirect_to_login(back)
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
            break
        return redirect(back)
    try:
        order_services.cart_add(
            user=request.user, sku_id=form.cleaned_data["sku_id"], quantity=form.cleaned_data["quantity"]
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    if form.cleaned_data["buy_now"]:
        return redirect("storefront:checkout")
    messages.success(request, _("Added to your cart."))
    return redirect(back)


@login_required
@require_POST
def cart_update(request):
    data = request.POST.copy()
    if data.get("set_quantity"):
        # The − / + buttons carry the new quantity themselves.
        data["quantity"] = data["set_quantity"]
    form = CartUpdateForm(data)
    if not form.is_valid():
        messages.error(request, _("Enter a quantity between 0 and 999."))
        return redirect("storefront:cart")
    try:
        order_services.cart_update(
            user=request.user, sku_id=form.cleaned_data["sku_id"], quantity=form.cleaned_data["quantity"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if form.cleaned_data["quantity"] == 0:
            messages.success(request, _("Removed from your cart."))
    return redirect("storefront:cart")


def _checkout_context(request, *, form, address_form, summary, addresses):
    return {
        "form": form,
        "address_form": address_form,
        "cart": summary,
        "addresses": addresses,
        "selected_address": str(form["address_id"].value() or "new"),
        "idempotency_key": uuid.uuid4() if form.is_bound else form.initial["idempotency_key"],
        "tab": "cart",
    }


def _inline_address(request, key: str, address_form: AddressForm):
    """The address a "new address" checkout uses: created once per idempotency key."""
    remembered = request.session.get(_INLINE_ADDRESS_KEY) or {}
    if key in remembered:
        existing = account_selectors.address_get_for_user(user=request.user, address_id=remembered[key])
        if existing is not None:
            return existing
    address = account_services.address_create(user=request.user, **address_form.service_kwargs())
    remembered = dict(list(remembered.items())[-9:])
    remembered[key] = address.pk
    request.session[_INLINE_ADDRESS_KEY] = remembered
    return address


@login_required
def checkout(request):
    summary = order_selectors.cart_get(user=request.user)
    addresses = list(account_selectors.addresses_for_user(user=request.user))
    if request.method != "POST":
        if summary.is_empty:
            return redirect("storefront:cart")  # the cart page says it is empty
        default = next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
        form = CheckoutForm(
            addresses=addresses,
            initial={"idempotency_key": uuid.uuid4(), "address_id": str(default.pk) if default else "new"},
        )
        address_form = AddressForm(prefix=ADDRESS_PREFIX, initial={"is_default": not addresses})
        return render(
            request,
            "storefront/checkout.html",
            _checkout_context(
                request, form=form, address_form=address_form, summary=summary, addresses=addresses
            ),
        )

    form = CheckoutForm(request.POST, addresses=addresses)
    created_address_id = None
    wants_new_address = request.POST.get("address_id", "new") in ("", "new")
    address_form = AddressForm(request.POST if wants_new_address else None, prefix=ADDRESS_PREFIX)
    if form.is_valid() and (not wants_new_address or address_form.is_valid()):
        key = str(form.cleaned_data["idempotency_key"])
        try:
            address_id = form.cleaned_data["address_id"]
            if wants_new_address:
                address_id = _inline_address(request, key, address_form).pk
                created_address_id = address_id
            order = order_services.order_place(
                user=request.user,
                address_id=address_id,
                idempotency_key=key,
                attribution=attribution.attribution_for_order(request),
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            target = address_form if wants_new_address and error.field in address_form.fields else form
            form_add_domain_error(target, error, field_map={"address": "address_id"})
        else:
            attribution.attribution_clear(request)
            return redirect("storefront:pay", order_number=order.number)
    # Show the page again with the errors next to their fields, and a fresh key: nothing was placed.
    context = _checkout_context(
        request,
        form=form,
        address_form=address_form,
        summary=order_selectors.cart_get(user=request.user),
        addresses=list(account_selectors.addresses_for_user(user=request.user)),
    )
    if created_address_id is not None:
        # The new address was saved before the order was refused: offer it as a saved one now.
        context["selected_address"] = str(created_address_id)
        context["address_form"] = AddressForm(prefix=ADDRESS_PREFIX)
    return render(request, "storefront/checkout.html", context)


@login_required
def pay(request, order_number: str):
    try:
        order = order_selectors.order_get_for_buyer(user=request.user, order_number=order_number)
    except NotFound:
        raise Http404(_("Order not found.")) from None
    if request.method == "POST":
        try:
            order_services.sandbox_pay(user=request.user, order_number=order.number)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("storefront:pay", order_number=order.number)
        messages.success(request, _("Payment received. Thank you!"))
        return redirect("storefront:order", order_number=order.number)
    if order.status != "pending_payment":
        return redirect("storefront:order", order_number=order.number)
    return render(request, "storefront/pay.html", {"order": order, "tab": "me"})
