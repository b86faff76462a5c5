"""My orders: the list, one order with its status timeline, cancel, and one-tap reorder."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loopmall.core.errors import DomainError, NotFound
from loopmall.orders import selectors as order_selectors
from loopmall.orders import services as order_services
from loopmall.storefront import timeline

PER_PAGE = 10
STATUS_FILTERS = ("pending_payment", "paid", "shipped", "completed")
REORDERABLE = frozenset(
    {"paid", "shipped", "delivered", "completed", "cancelled", "refunded", "refund_requested"}
)


def _order_or_404(request, order_number: str):
    try:
        return order_selectors.order_get_for_buyer(user=request.user, order_number=order_number)
    except NotFound:
        raise Http404(_("Order not found.")) from None


@login_required
def orders(request):
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    queryset = order_selectors.orders_for_buyer(user=request.user, status=status or None)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "storefront/orders.html",
        {
            "page": page,
            # Each order's "buy again" form carries its own idempotency key against double taps.
            "rows": [(item, uuid.uuid4()) for item in page.object_list],
            "status": status,
            "status_filters": timeline.status_filters(),
            "reorderable": REORDERABLE,
            "tab": "me",
        },
    )


@login_required
def order(request, order_number: str):
    item = _order_or_404(request, order_number)
    return render(
        request,
        "storefront/order.html",
        {
            "order": item,
            "lines": list(item.lines.all()),
            "steps": timeline.order_steps(item),
            "banner": timeline.order_banner(item),
            "can_reorder": item.status in REORDERABLE,
            "reorder_key": uuid.uuid4(),
            "tab": "me",
        },
    )


@login_required
@require_POST
def order_reorder(request, order_number: str):
    """One tap: the same items, the saved default address, straight to the pay page."""
    past = _order_or_404(request, order_number)
    key = request.POST.get("idempotency_key", "")
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        key = None
    try:
        new_order = order_services.order_reorder(
            user=request.user, order_number=past.number, idempotency_key=key
        )
    except DomainError as error:
        messages.error(request, error.message)
        if error.field in ("address", "address_id"):
            return redirect(
                f"{reverse('storefront:address_new')}?next={reverse('storefront:order', args=[past.number])}"
            )
        return redirect("storefront:order", order_number=past.number)
    return redirect("storefront:pay", order_number=new_order.number)


@login_required
@require_POST
def order_cancel(request, order_number: str):
    item = _order_or_404(request, order_number)
    try:
        order_services.order_cancel(
            order_number=item.number, reason=_("Cancelled by the shopper"), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order cancelled."))
    return redirect("storefront:order", order_number=item.number)
