"""Console pages: sign-in, dashboard, orders, products, feedback.

Every page is for staff (`is_staff`); anyone else is sent to the console sign-in. Reading is open to
every staff role; changing stock needs an administrator or an operator (analysts and service agents
read only).
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from loopmall.catalog import reporting as catalog_reporting
from loopmall.core.errors import DomainError
from loopmall.core.money import exponent
from loopmall.orders import reporting as order_reporting
from loopmall.social import selectors as social_selectors

STOCK_EDITOR_ROLES = frozenset({"admin", "operator"})

CHANNEL_LABELS = {
    "storefront": pgettext_lazy("console", "Storefront"),
    "community": pgettext_lazy("console", "Community group"),
    "mini_shop": pgettext_lazy("console", "Mini-program shop"),
    "douyin": pgettext_lazy("console", "Douyin"),
    "xiaohongshu": pgettext_lazy("console", "Xiaohongshu"),
    "video_channel": pgettext_lazy("console", "Video channel"),
    "live": pgettext_lazy("console", "Live stream"),
    "referral": pgettext_lazy("console", "Referral"),
    "referral_link": pgettext_lazy("console", "Referral link"),
    "organic": pgettext_lazy("console", "Organic"),
    "group_buy": pgettext_lazy("console", "Group buy"),
    "olist": pgettext_lazy("console", "Olist import"),
}
LANGUAGE_LABELS = {
    "zh": pgettext_lazy("console", "Chinese"),
    "en": pgettext_lazy("console", "English"),
    "pt": pgettext_lazy("console", "Portuguese"),
}


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code or "—"))


def is_console_user(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_edit_stock(user) -> bool:
    return is_console_user(user) and (user.is_superuser or user.role in STOCK_EDITOR_ROLES)


def staff_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not is_console_user(request.user):
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        return view(request, *args, **kwargs)

    return wrapper


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _parse_day(request: HttpRequest, field: str, label: str) -> date | None:
    raw = request.GET.get(field, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        messages.error(
            request,
            pgettext("console", "%(field)s: not a date (YYYY-MM-DD): %(value)s")
            % {"field": label, "value": raw},
        )
        return None


# -- sign-in ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if is_console_user(request.user) and request.method == "GET":
        return redirect(next_url or "console:dashboard")
    error = ""
    login_value = ""
    if request.method == "POST":
        login_value = request.POST.get("login", "").strip()
        password = request.POST.get("password", "")
        if not login_value or not password:
            error = pgettext("console", "Enter your phone or email and your password.")
        else:
            user = authenticate(request, login=login_value, password=password)
            if user is None:
                error = pgettext("console", "Phone/email or password is not right.")
            elif not is_console_user(user):
                error = pgettext("console", "This account has no access to the console.")
            else:
                login(request, user)
                return redirect(next_url or "console:dashboard")
    status = 400 if error else 200
    return render(
        request,
        "console/sign_in.html",
        {"error": error, "login_value": login_value, "next": next_url},
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")


# -- dashboard ----------------------------------------------------------------------------------


def _chart_data(figures: order_reporting.Dashboard) -> dict:
    status_labels = dict(order_reporting.order_statuses())
    return {
        "currency": figures.currency,
        "exponent": exponent(figures.currency),
        "labels": {
            "orders": pgettext("console", "Orders"),
            "paid_orders": pgettext("console", "Paid orders"),
            "revenue": pgettext("console", "Revenue"),
            "empty": pgettext("console", "No orders in this range"),
        },
        "daily": {
            "days": [p.day.isoformat() for p in figures.daily],
            "orders": [p.orders for p in figures.daily],
            "paid_orders": [p.paid_orders for p in figures.daily],
            "revenue_minor": [p.revenue_minor for p in figures.daily],
        },
        "channels": {
            "labels": [channel_label(c.channel) for c in figures.channels],
            "orders": [c.orders for c in figures.channels],
            "revenue_minor": [c.revenue_minor for c in figures.channels],
        },
        "statuses": {
            "labels": [str(status_labels.get(s, s)) for s, _n in figures.statuses],
            "codes": [s for s, _n in figures.statuses],
            "orders": [n for _s, n in figures.statuses],
        },
        "products": {
            "names": [p.name for p in figures.top_products],
            "revenue_minor": [p.revenue_minor for p in figures.top_products],
            "quantity": [p.quantity for p in figures.top_products],
        },
    }


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        range_days = int(request.GET.get("days", "30"))
    except ValueError:
        range_days = 30
    if range_days not in order_reporting.RANGE_CHOICES:
        range_days = 30
    days = order_reporting.DayRange.ending_today(range_days)
    figures = order_reporting.dashboard(days=days, currency=request.GET.get("currency", ""))
    return render(
        request,
        "console/dashboard.html",
        {
            "kpis": figures.kpis,
            "days": days,
            "range_days": range_days,
            "range_choices": order_reporting.RANGE_CHOICES,
            "currency": figures.currency,
            "currencies": figures.currencies,
            "chart_data": _chart_data(figures),
        },
    )


# -- orders -------------------------------------------------------------------------------------


@staff_required
def orders_list(request: HttpRequest) -> HttpResponse:
    statuses = order_reporting.order_statuses()
    status = request.GET.get("status", "")
    if status not in dict(statuses):
        status = ""
    filters = order_reporting.OrderFilters(
        status=status,
        channel=request.GET.get("channel", "").strip(),
        first_day=_parse_day(request, "from", pgettext("console", "From")),
        last_day=_parse_day(request, "to", pgettext("console", "To")),
        search=request.GET.get("q", ""),
    )
    page = order_reporting.orders_for_console(filters=filters, page=_page_number(request))
    channels = [(c, channel_label(c)) for c in order_reporting.order_channels()]
    return render(
        request,
        "console/orders/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": statuses,
            "status_labels": dict(statuses),
            "channels": channels,
            "channel_labels": dict(channels),
        },
    )


@staff_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = order_reporting.order_for_console(number=number)
    if order is None:
        raise Http404(pgettext("console", "No such order"))
    status_labels = dict(order_reporting.order_statuses())
    return render(
        request,
        "console/orders/detail.html",
        {
            "order": order,
            "status_label": status_labels.get(order.status, order.status),
            "channel": channel_label(order.channel),
            "timeline": order_reporting.order_timeline(order=order),
        },
    )


# -- products -----------------------------------------------------------------------------------


@staff_required
def products_list(request: HttpRequest) -> HttpResponse:
    tiers = catalog_reporting.tiers()
    tier = request.GET.get("tier", "")
    if tier not in dict(tiers):
        tier = ""
    try:
        category_id = int(request.GET.get("category", "") or 0) or None
    except ValueError:
        category_id = None
    filters = catalog_reporting.ProductFilters(
        search=request.GET.get("q", ""),
        category_id=category_id,
        tier=tier,
        is_low_stock=request.GET.get("low") == "1",
    )
    page = catalog_reporting.products_for_console(filters=filters, page=_page_number(request))
    return render(
        request,
        "console/products/list.html",
        {
            "page": page,
            "filters": filters,
            "tiers": tiers,
            "tier_labels": dict(tiers),
            "categories": catalog_reporting.categories_for_console(),
            "can_edit_stock": can_edit_stock(request.user) and _stock_set_service() is not None,
            "stock_service_missing": _stock_set_service() is None,
            "low_stock": catalog_reporting.LOW_STOCK,
        },
    )


def _stock_set_service():
    """catalog.services.stock_set, once the catalog app provides it."""
    try:
        from loopmall.catalog import services
    except ImportError:
        return None
    return getattr(services, "stock_set", None)


@staff_required
@require_POST
def sku_stock_set(request: HttpRequest, sku_id: int) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    back = back or reverse("console:products")
    if not can_edit_stock(request.user):
        return HttpResponseForbidden(pgettext("console", "Your role may not change stock."))
    stock_set = _stock_set_service()
    if stock_set is None:
        messages.error(request, pgettext("console", "Stock changes are not available yet."))
        return redirect(back)
    sku = catalog_reporting.sku_get(sku_id=sku_id)
    if sku is None:
        raise Http404(pgettext("console", "No such SKU"))
    raw = request.POST.get("stock", "").strip()
    try:
        stock = int(raw)
    except ValueError:
        messages.error(
            request, pgettext("console", "stock: enter a whole number, got “%(value)s”.") % {"value": raw}
        )
        return redirect(back)
    if stock < 0:
        messages.error(request, pgettext("console", "stock: cannot be negative."))
        return redirect(back)
    try:
        stock_set(sku_id=sku.id, stock=stock, actor=request.user)
    except DomainError as error:
        field = getattr(error, "field", "") or "stock"
        messages.error(request, f"{field}: {error}")
        return redirect(back)
    messages.success(
        request,
        pgettext("console", "Stock of %(code)s set to %(stock)d.") % {"code": sku.code, "stock": stock},
    )
    return redirect(back)


# -- feedback -----------------------------------------------------------------------------------


@staff_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    try:
        rating = int(request.GET.get("rating", "") or 0)
    except ValueError:
        rating = 0
    rating = rating if 1 <= rating <= 5 else None
    languages = social_selectors.review_languages()
    lang = request.GET.get("lang", "")
    if lang not in {code for code, _n in languages}:
        lang = ""
    filters = social_selectors.ReviewFilters(rating=rating, lang=lang, search=request.GET.get("q", ""))
    page = social_selectors.reviews_for_staff(filters=filters, page=_page_number(request))
    return render(
        request,
        "console/feedback/list.html",
        {
            "page": page,
            "filters": filters,
            "languages": [(code, str(LANGUAGE_LABELS.get(code, code)), n) for code, n in languages],
            "language_labels": {code: str(LANGUAGE_LABELS.get(code, code)) for code, _n in languages},
            "summary": social_selectors.review_rating_summary(),
            "stars": [5, 4, 3, 2, 1],
        },
    )
