"""Sign up, sign in, sign out, the "me" page and the address book."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loopmall.accounts import selectors as account_selectors
from loopmall.accounts import services as account_services
from loopmall.core.errors import DomainError
from loopmall.storefront import attribution
from loopmall.storefront.forms import AddressForm, LoginForm, SignupForm, form_add_domain_error


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request, reverse("storefront:home")))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inviter = attribution.referrer_id(request)
        try:
            try:
                user = account_services.customer_signup(
                    login=data["login"],
                    password=data["password"],
                    display_name=data["display_name"],
                    channel="referral" if inviter else "organic",
                    invited_by_id=inviter,
                )
            except DomainError as error:
                if error.field != "invited_by_id":
                    raise
                # A stale or invented ?ref= must not stop anyone signing up.
                user = account_services.customer_signup(
                    login=data["login"], password=data["password"], display_name=data["display_name"]
                )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            login(request, user, backend="loopmall.accounts.backends.LoginBackend")
            messages.success(request, _("Welcome to LoopMall!"))
            return redirect(_next_url(request, reverse("storefront:home")))
    return render(
        request, "storefront/signup.html", {"form": form, "next": _next_url(request, ""), "tab": "me"}
    )


def signin(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request, reverse("storefront:home")))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, login=form.cleaned_data["login"], password=form.cleaned_data["password"])
        if user is None or not user.is_active:
            form.add_error("password", _("Wrong phone number, email or password."))
        else:
            login(request, user)
            return redirect(_next_url(request, reverse("storefront:home")))
    return render(
        request, "storefront/login.html", {"form": form, "next": _next_url(request, ""), "tab": "me"}
    )


@require_POST
def signout(request):
    logout(request)
    return redirect("storefront:home")


@login_required
def me(request):
    return render(request, "storefront/me.html", {"tab": "me"})


@login_required
def addresses(request):
    return render(
        request,
        "storefront/addresses.html",
        {"addresses": account_selectors.addresses_for_user(user=request.user), "tab": "me"},
    )


@login_required
def address_new(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.address_create(user=request.user, **form.service_kwargs())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Address saved."))
            return redirect(_next_url(request, reverse("storefront:addresses")))
    return render(
        request,
        "storefront/address_form.html",
        {"form": form, "next": _next_url(request, ""), "tab": "me"},
    )


@login_required
def address_edit(request, address_id: int):
    address = account_selectors.address_get_for_user(user=request.user, address_id=address_id)
    if address is None:
        raise Http404(_("Address not found."))
    initial = {name: getattr(address, name) for name in AddressForm.base_fields}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.address_update(user=request.user, address_id=address.pk, **form.service_kwargs())
        except DomainError as error:
            if error.status_code == 404:
                raise Http404(error.message) from None
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Address saved."))
            return redirect(_next_url(request, reverse("storefront:addresses")))
    return render(
        request,
        "storefront/address_form.html",
        {"form": form, "address": address, "next": _next_url(request, ""), "tab": "me"},
    )


def _address_action(request, address_id: int, action, done_message: str) -> HttpResponseRedirect:
    try:
        action(user=request.user, address_id=address_id)
    except DomainError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return redirect(_next_url(request, reverse("storefront:addresses")))


@login_required
@require_POST
def address_make_default(request, address_id: int):
    return _address_action(
        request, address_id, account_services.address_set_default, _("Default address changed.")
    )


@login_required
@require_POST
def address_remove(request, address_id: int):
    return _address_action(request, address_id, account_services.address_delete, _("Address deleted."))
