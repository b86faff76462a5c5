"""Console pages: customers (list, customer 360), tags and segments."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from loopmall.console.views.dashboard import CHANNEL_LABELS, staff_required
from loopmall.core.errors import DomainError, NotFound
from loopmall.insight import contracts as insight_contracts
from loopmall.insight import selectors as insight_selectors
from loopmall.orders import selectors as orders_selectors
from loopmall.profiles import segments as segment_rules
from loopmall.profiles import selectors, services
from loopmall.profiles.models import TagKind

LIFECYCLES = ("new", "active", "dormant", "churned")
SEGMENT_EXAMPLE = {
    "match": "all",
    "conditions": [
        {"type": "tag", "tag": "price_sensitive", "min_score": 0.8},
        {"type": "event", "name": "Product Viewed", "within_days": 14},
        {"type": "bought", "within_days": 14, "negate": True},
    ],
}


# What staff read for each tag code profiles computes (need tags, lifecycle, RFM segments, fission roles).
# Codes not listed here (a new tag) show as themselves.
TAG_LABELS = {
    "price_sensitive": pgettext_lazy("console", "Price-sensitive"),
    "quality_oriented": pgettext_lazy("console", "Quality-oriented"),
    "scenario_gift": pgettext_lazy("console", "Buys gifts"),
    "scenario_family": pgettext_lazy("console", "Buys for the family"),
    "new": pgettext_lazy("console", "New"),
    "active": pgettext_lazy("console", "Active"),
    "dormant": pgettext_lazy("console", "Dormant"),
    "churned": pgettext_lazy("console", "Churned"),
    "inviter": pgettext_lazy("console", "Inviter"),
    "group_buy_starter": pgettext_lazy("console", "Group-buy starter"),
    "sharer": pgettext_lazy("console", "Sharer"),
    "rfm_important_value": pgettext_lazy("console", "Important value"),
    "rfm_important_develop": pgettext_lazy("console", "Important, to develop"),
    "rfm_important_retain": pgettext_lazy("console", "Important, to retain"),
    "rfm_important_win_back": pgettext_lazy("console", "Important, to win back"),
    "rfm_general_value": pgettext_lazy("console", "General value"),
    "rfm_general_develop": pgettext_lazy("console", "General, to develop"),
    "rfm_general_retain": pgettext_lazy("console", "General, to retain"),
    "rfm_general_win_back": pgettext_lazy("console", "General, to win back"),
}
RFM_LABELS = {code[len("rfm_") :]: label for code, label in TAG_LABELS.items() if code.startswith("rfm_")}
# profiles' need-tag definitions, marked here so makemessages keeps their translations in the console
# catalog; _definitions() looks each one up by its English text, so a reworded definition shows in English
# until it is translated again, never with a stale translation.
_DEFINITIONS_MARKED = (
    pgettext_lazy(
        "console",
        "Buying responds to price: most orders use a discount, coupon, flash sale or group buy, "
        "or the cheapest tier of a category.",
    ),
    pgettext_lazy(
        "console",
        "Buys the premium tier or the top price quartile of a category at full price, rarely with discounts.",
    ),
    pgettext_lazy("console", "Buys for others: gift wrap, ships to other people, gift sets."),
    pgettext_lazy("console", "Buys mother-and-baby, kids' or family categories and kits."),
)


def _definitions() -> dict[str, str]:
    return {code: pgettext("console", text) for code, text in selectors.NEED_TAG_DEFINITIONS.items()}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@staff_required
def customers(request: HttpRequest) -> HttpResponse:
    filters = selectors.CustomerFilters(
        query=request.GET.get("q", "")[:100],
        tag=request.GET.get("tag", "")[:64],
        segment_id=_int(request.GET.get("segment")),
        lifecycle=request.GET.get("lifecycle", "") if request.GET.get("lifecycle") in LIFECYCLES else "",
    )
    page = selectors.customers_for_console(filters=filters, page=_int(request.GET.get("page")) or 1)
    counts = selectors.tag_counts()
    chart = {
        "labels": [str(TAG_LABELS.get(c["tag"], c["tag"])) for c in counts if c["kind"] == "need"],
        "values": [c["users"] for c in counts if c["kind"] == "need"],
    }
    return render(
        request,
        "console/profiles/customers.html",
        {
            "page": page,
            "filters": filters,
            "tag_counts": counts,
            "need_chart": chart,
            "segments": selectors.segments_list(),
            "lifecycles": LIFECYCLES,
            "tag_labels": TAG_LABELS,
            "kind_labels": dict(TagKind.choices),
            "channel_labels": CHANNEL_LABELS,
            "last_run": selectors.last_run(),
        },
    )


@staff_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    try:
        result = services.profiles_recompute()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Profiles recomputed: %(users)s customers, %(tags)s tags (%(new)s new, %(changed)s changed, %(gone)s removed)."
            )
            % {
                "users": result.users,
                "tags": result.tags,
                "new": result.created,
                "changed": result.updated,
                "gone": result.removed,
            },  # fmt: skip
        )
    return redirect("console:profiles_customers")


@staff_required
def customer_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        customer = selectors.customer_get(user_id=user_id)
    except NotFound:
        return render(request, "console/profiles/not_found.html", status=404)
    tags = selectors.customer_tags(user=customer)
    feedback = [
        insight_selectors.feedback_view(f)
        for f in insight_selectors.feedback_list().filter(user_id=customer.id)[:20]
    ]
    behaviour = selectors.customer_behaviour_counts(user=customer)
    zh = (getattr(request, "LANGUAGE_CODE", "") or "zh-hans").lower().startswith("zh")
    demand_labels = {
        d.code: (d.name_zh if zh else (d.name_en or d.name_zh)) for d in insight_selectors.demands_all()
    }
    return render(
        request,
        "console/profiles/customer.html",
        {
            "customer": customer,
            "profile": selectors.customer_profile(user=customer),
            "need_tags": [t for t in tags if t.kind == "need"],
            "other_tags": [t for t in tags if t.kind != "need"],
            "definitions": _definitions(),
            "tag_labels": TAG_LABELS,
            "rfm_labels": RFM_LABELS,
            "channel_labels": CHANNEL_LABELS,
            "feedback_channel_labels": dict(insight_contracts.CHANNEL_CHOICES),
            "demand_labels": demand_labels,
            "orders": orders_selectors.orders_for_buyer(user=customer)[:30],
            "social": selectors.customer_social_activity(user=customer),
            "feedback": feedback,
            "behaviour_chart": {
                "labels": [b["name"] for b in behaviour],
                "values": [b["n"] for b in behaviour],
            },
        },
    )


@staff_required
def segments(request: HttpRequest) -> HttpResponse:
    return render(request, "console/profiles/segments.html", {"segments": selectors.segments_list()})


def _rules_from(request: HttpRequest) -> dict:
    raw = request.POST.get("rules", "")
    try:
        rules = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DomainError(
            _("Rules are not valid JSON: %(error)s") % {"error": exc.msg}, field="rules"
        ) from None
    return rules


@staff_required
def segment_edit(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    segment = selectors.segment_get(segment_id=segment_id) if segment_id else None
    error = None
    if request.method == "POST":
        if request.user.role == "analyst" and not request.user.is_superuser:
            error = DomainError(_("Analysts can read segments but not change them."), field="name")
        else:
            try:
                rules = _rules_from(request)
                segment = services.segment_save(
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", "")[:500],
                    rules=rules,
                    actor=request.user,
                    segment_id=segment.id if segment else None,
                )
            except DomainError as exc:
                error = exc
            else:
                messages.success(
                    request, _("Segment saved: %(count)s customers.") % {"count": segment.member_count}
                )
                return redirect("console:profiles_segment", segment_id=segment.id)
    rules_text = request.POST.get("rules") or json.dumps(segment.rules if segment else SEGMENT_EXAMPLE, indent=2,
                                                           ensure_ascii=False)  # fmt: skip
    return render(
        request,
        "console/profiles/segment_edit.html",
        {
            "segment": segment,
            "rules_text": rules_text,
            "name": request.POST.get("name", segment.name if segment else ""),
            "description": request.POST.get("description", segment.description if segment else ""),
            "error": error,
            "tag_counts": selectors.tag_counts(),
        },
        status=400 if error else 200,
    )


@staff_required
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    try:
        segment = selectors.segment_get(segment_id=segment_id)
    except NotFound:
        return render(request, "console/profiles/not_found.html", status=404)
    page = selectors.customers_for_console(
        filters=selectors.CustomerFilters(segment_id=segment.id), page=_int(request.GET.get("page")) or 1
    )
    return render(
        request,
        "console/profiles/segment.html",
        {
            "segment": segment,
            "page": page,
            "rules_text": json.dumps(segment.rules, indent=2, ensure_ascii=False),
        },
    )


@staff_required
@require_POST
def segment_preview(request: HttpRequest) -> JsonResponse:
    """Live count for the builder: rules in, count (or the error naming the field) out."""
    try:
        rules = _rules_from(request)
        count = segment_rules.preview_count(rules)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=400)
    return JsonResponse({"count": count})
