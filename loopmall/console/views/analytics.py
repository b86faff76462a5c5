"""Console pages: analytics — the plan scorecard, KPI drill-down, funnels, cohorts, sync lag.

KPIs are read only through `loopmall.analytics.selectors`; staff inputs go through its services.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from loopmall.analytics import selectors, services
from loopmall.analytics.kpis.registry import HORIZON_LABELS
from loopmall.analytics.warehouse import WarehouseBusy
from loopmall.console.views.dashboard import channel_label, staff_required
from loopmall.core import clock
from loopmall.core.errors import DomainError

STATUS_LABELS = {
    "ok": gettext_lazy("On target"),
    "warn": gettext_lazy("Close to target"),
    "bad": gettext_lazy("Off target"),
    "none": gettext_lazy("No data yet"),
}
SECTION_TITLES = {
    "1.1": gettext_lazy("1.1 Channels"),
    "1.2": gettext_lazy("1.2 Content"),
    "1.3": gettext_lazy("1.3 Social fission"),
    "1.4": gettext_lazy("1.4 Data collaboration"),
    "1.5": gettext_lazy("1.5 Experience and service"),
    "2.1": gettext_lazy("2.1 Demand insight"),
    "2.2": gettext_lazy("2.2 Demand adaptation"),
}
# Where a KPI's actual comes from (Kpi.source), as staff read it.
SOURCE_LABELS = {
    "warehouse": pgettext_lazy("console", "warehouse"),
    "manual": pgettext_lazy("console", "entered by staff"),
    "insight": pgettext_lazy("console", "demand insight"),
    "profiles": pgettext_lazy("console", "customer profiles"),
}
# The registry's formulas (Kpi.formula, English) as staff read them, by KPI key. Each msgid is the registry's
# text verbatim: when the registry's wording changes, the page shows the new English rather than a stale
# translation (test_analytics_pages says which entry to update).
FORMULA_LABELS = {
    "core_channel_coverage": pgettext_lazy("console", "core channels (community, mini-shop, Douyin, Xiaohongshu, video channel, live) with activity / 6"),
    "channel_positioning_consistency": pgettext_lazy("console", "share of channel content consistent with the channel's positioning (content audit)"),
    "channel_handbook_coverage": pgettext_lazy("console", "channels with a current operations handbook / channels in use"),
    "content_cadence_private": pgettext_lazy("console", "distinct posts published (Post Published) in community / mini-shop per week"),
    "content_cadence_public": pgettext_lazy("console", "distinct posts published (Post Published) on Douyin / Xiaohongshu / video channel per week"),
    "content_match_rate": pgettext_lazy("console", "share of content views where the post's need tag matches the viewer's need tags"),
    "content_interaction_rate": pgettext_lazy("console", "(post likes + shares + comments) / post views; change vs baseline"),
    "activity_participation": pgettext_lazy("console", "people who joined a group buy, invite, challenge, campaign coupon or points activity / active people"),
    "acquisition_cost": pgettext_lazy("console", "marketing spend / customers with a first paid order in the window; change vs baseline"),
    "fission_user_conversion": pgettext_lazy("console", "invited users who paid within 30 days of joining / invited users who joined"),
    "social_module_coverage": pgettext_lazy("console", "active people reached by a content, interaction or fission module (or a social order) / active people"),
    "data_sync_hours": pgettext_lazy("console", "worst per-run p95 of (visible in warehouse − committed to outbox), hours"),
    "profile_accuracy": pgettext_lazy("console", "precision of the need tags on the labelled evaluation set"),
    "steps_to_buy": pgettext_lazy("console", "median shopping steps in the 24 h before an order is completed; change vs baseline"),
    "payment_conversion": pgettext_lazy("console", "people who paid / people who viewed a product; change vs baseline"),
    "after_sales_response_hours": pgettext_lazy("console", "median hours from Ticket Opened to Ticket First Response"),
    "service_satisfaction": pgettext_lazy("console", "survey answers scoring 4–5 of 5 / survey answers"),
    "retention": pgettext_lazy("console", "customers who paid in the previous 90 days and again in these 90 days / the former; change vs baseline"),
    "social_interaction_rate": pgettext_lazy("console", "people who liked, commented, shared, reviewed or entered a challenge / active people; change vs baseline"),
    "social_revenue_share": pgettext_lazy("console", "net revenue of social-channel, group-buy and referral orders / all net revenue"),
    "repurchase_rate": pgettext_lazy("console", "customers with ≥ 2 paid orders in 90 days / customers with ≥ 1; change vs baseline"),
    "demand_collection_coverage": pgettext_lazy("console", "feedback channels of the data contract (review, comment, questionnaire, service chat, return reason, live comment, search) delivering feedback / 7"),
    "insight_hours": pgettext_lazy("console", "hours from feedback arriving to its demand being identified (p95)"),
    "identification_accuracy": pgettext_lazy("console", "classification accuracy on the labelled evaluation set"),
    "demand_response_time": pgettext_lazy("console", "median days from a demand identified to its adaptation launched; change vs baseline"),
    "adaptation_projects_live": pgettext_lazy("console", "adaptation projects in the launched state"),
    "demand_match_rate": pgettext_lazy("console", "identified high-frequency demands with a live adaptation / identified high-frequency demands"),
    "adaptation_cycle_days": pgettext_lazy("console", "median days from a high-frequency demand identified to its improvement launched"),
    "adaptation_satisfaction": pgettext_lazy("console", "satisfied answers about adapted products or services / answers"),
    "new_product_demand_match": pgettext_lazy("console", "buyers of demand-driven new products who hold the demand / buyers"),
    "new_product_success": pgettext_lazy("console", "demand-driven new products meeting their sales goal / launched"),
    "demand_satisfaction": pgettext_lazy("console", "identified demands answered by a live product or service with satisfied feedback / identified demands"),
    "team_skill_pass_rate": pgettext_lazy("console", "staff passing the skill assessment / staff assessed"),
    "market_rank": pgettext_lazy("console", "the brand's rank among social-commerce players (industry report)"),
}  # fmt: skip
DEFAULT_FUNNEL = ["Products Searched", "Product Viewed", "Product Added", "Order Completed"]
SECTION_ORDER = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "timeline 6 months", "timeline 1 year",
                 "timeline 2 years", "timeline 3 years"]  # fmt: skip


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "minor":
        return f"¥{value / 100:,.2f}"
    if unit == "hours":
        return _("%(n)s h") % {"n": f"{value:.2f}" if value < 10 else f"{value:.0f}"}
    if unit == "days":
        return _("%(n)s days") % {"n": f"{value:.1f}"}
    if unit == "per_week":
        return _("%(n)s / week") % {"n": f"{value:.1f}"}
    if unit == "steps":
        return _("%(n)s steps") % {"n": f"{value:.1f}"}
    if unit == "rank":
        return f"#{value:.0f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def format_target(row) -> str:
    if row.comparison == "relative":
        return f"{row.target * 100:+.0f}% " + _("vs baseline")
    sign = "≥ " if row.direction == "higher" else "≤ "
    return sign + format_value(row.target, row.unit)


def section_label(plan_section: str) -> str:
    """The plan section or timeline horizon as staff read it, in their language."""
    label = SECTION_TITLES.get(plan_section) or HORIZON_LABELS.get(plan_section) or plan_section
    return str(label)


def formula_label(key: str, formula: str) -> str:
    """The KPI's formula in the staff member's language; the registry's own text if no label matches it."""
    label = FORMULA_LABELS.get(key)
    if label is None:
        return formula
    with translation.override("en"):
        if str(label) != formula:  # the registry's wording changed since the label was written
            return formula
    return str(label)


def _card(row) -> dict:
    return {
        "row": row,
        "actual": format_value(row.actual, row.unit),
        "target": format_target(row),
        "change": None if row.change is None else f"{row.change * 100:+.1f}%",
        "baseline": format_value(row.baseline, row.unit),
        "status_label": (
            _("No baseline yet")
            if (row.status == "none" and row.actual is not None)
            else STATUS_LABELS[row.status]
        ),
        # `section_key` (the untranslated plan_section) groups and sorts; `section` is what staff read.
        "section_key": row.plan_section,
        "section": section_label(row.plan_section),
        "trend": {
            "x": [end.strftime("%Y-%m-%d") for end, _v in row.trend],
            "y": [value for _end, value in row.trend],
            "unit": row.unit,
        },
    }


def _warehouse_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return render(
        request,
        "console/analytics/unavailable.html",
        {"reason": str(exc)[:300]},
        status=503,
    )


@staff_required
def scorecard(request: HttpRequest) -> HttpResponse:
    try:
        rows = selectors.scorecard()
    except WarehouseBusy as exc:
        return _warehouse_error(request, exc)
    order = {section: index for index, section in enumerate(SECTION_ORDER)}
    cards = [_card(r) for r in sorted(rows, key=lambda r: order.get(r.plan_section, len(order)))]
    counts = {status: sum(1 for c in cards if c["row"].status == status) for status in STATUS_LABELS}
    lag = selectors.sync_lag()
    return render(
        request,
        "console/analytics/scorecard.html",
        {
            "cards": cards,
            "counts": counts,
            "status_labels": STATUS_LABELS,
            "as_of": rows[0].as_of if rows else None,
            "lag": lag,
            "trends": {c["row"].key: c["trend"] for c in cards},
        },
    )


@staff_required
def kpi_detail(request: HttpRequest, key: str) -> HttpResponse:
    if not selectors.kpi_exists(key):
        raise Http404(key)
    try:
        row = selectors.kpi_detail(key)
    except WarehouseBusy as exc:
        return _warehouse_error(request, exc)
    card = _card(row)
    chart = dict(card["trend"], target=None if row.comparison == "relative" else row.target)
    if row.comparison == "relative" and row.baseline is not None:
        chart["target"] = row.baseline * (1 + row.target)
        chart["baseline"] = row.baseline
    return render(
        request,
        "console/analytics/kpi_detail.html",
        {
            "card": card,
            "row": row,
            "chart": chart,
            "today": clock.business_date(),
            "formula": formula_label(row.key, row.formula),
            "source": SOURCE_LABELS.get(row.source, row.source),
        },
    )


def _float(raw: str, field: str) -> float:
    try:
        return float(Decimal(raw.strip().rstrip("%")))
    except (InvalidOperation, ValueError, AttributeError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc


def _day(raw: str, field: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise DomainError(_("Enter a date as YYYY-MM-DD."), field=field) from exc


@staff_required
@require_POST
def kpi_target_set(request: HttpRequest, key: str) -> HttpResponse:
    if not selectors.kpi_exists(key):
        raise Http404(key)
    try:
        if request.POST.get("reset"):
            services.kpi_target_reset(key=key, by=request.user)
            messages.success(request, _("Target reset to the plan's."))
        else:
            target = _float(request.POST.get("target", ""), "target")
            if request.POST.get("unit") == "percent":
                target /= 100
            services.kpi_target_set(
                key=key,
                target=target,
                baseline_start=_day(request.POST.get("baseline_start", ""), "baseline_start"),
                baseline_end=_day(request.POST.get("baseline_end", ""), "baseline_end"),
                by=request.user,
            )
            messages.success(request, _("Target saved."))
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("console:analytics_kpi", key=key)


@staff_required
@require_POST
def kpi_value_record(request: HttpRequest, key: str) -> HttpResponse:
    try:
        value = _float(request.POST.get("value", ""), "value")
        if request.POST.get("unit") == "percent":
            value /= 100
        services.kpi_manual_value_record(
            key=key,
            value=value,
            measured_on=_day(request.POST.get("measured_on", ""), "measured_on") or clock.business_date(),
            note=request.POST.get("note", "")[:200],
            by=request.user,
        )
        messages.success(request, _("Value recorded."))
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("console:analytics_kpi", key=key)


def _window(request: HttpRequest) -> tuple[datetime, datetime, int]:
    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and 1 <= int(days) <= 365 else 30
    end_day = clock.business_date() + timedelta(days=1)
    zone = clock.business_zone()
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
    return end - timedelta(days=days), end, days


@staff_required
def funnel(request: HttpRequest) -> HttpResponse:
    raw_steps = request.GET.getlist("step") or DEFAULT_FUNNEL
    steps = [s.strip() for s in raw_steps if s.strip()]
    within = request.GET.get("within", "7")
    within_days = int(within) if within.isdigit() else 7
    start, end, days = _window(request)
    result, error = [], ""
    try:
        names = selectors.event_names()
        try:
            result = selectors.funnel(steps, start=start, end=end, within_days=within_days)
        except DomainError as exc:
            error = exc.message
    except WarehouseBusy as exc:
        return _warehouse_error(request, exc)
    chart = {
        "steps": [s.name for s in result],
        "people": [s.people for s in result],
        "conversion": [s.conversion_from_first for s in result],
    }
    return render(
        request,
        "console/analytics/funnel.html",
        {
            "steps": steps,
            "slots": steps + [""] * max(0, 6 - len(steps)),
            "names": sorted(set(names) | set(DEFAULT_FUNNEL)),
            "result": result,
            "error": error,
            "days": days,
            "within": within_days,
            "chart": chart,
            "range_choices": [7, 30, 90, 180],
        },
    )


def _value_row(r, label: str) -> dict:
    return {
        "row": r,
        "label": label,
        "revenue": format_value(r.revenue_minor, "minor"),
        "ltv": format_value(r.lifetime_value_minor, "minor"),
        "spend": format_value(r.spend_minor, "minor"),
        "cac": format_value(r.acquisition_cost_minor, "minor"),
        "roas": "—" if r.return_on_spend is None else f"{r.return_on_spend:.2f}×",
    }


def _value_totals(values, *, by: str):
    """Cohort values summed over months (key=channel) or channels (key=month)."""
    from loopmall.analytics.cohorts import CohortValue

    groups: dict[str, list] = {}
    for r in values:
        groups.setdefault(getattr(r, by), []).append(r)
    totals = []
    for label, rows in groups.items():
        users = sum(r.users for r in rows)
        customers = sum(r.customers for r in rows)
        revenue = sum(r.revenue_minor for r in rows)
        spends = [r.spend_minor for r in rows if r.spend_minor is not None]
        spend = sum(spends) if spends else None
        totals.append(
            CohortValue(
                month=label if by == "month" else "",
                channel=label if by == "channel" else "",
                users=users,
                customers=customers,
                revenue_minor=revenue,
                lifetime_value_minor=revenue / users if users else None,
                spend_minor=spend,
                acquisition_cost_minor=spend / customers if (spend is not None and customers) else None,
                return_on_spend=revenue / spend if spend else None,
            )
        )
    return sorted(totals, key=lambda r: (r.month, -r.revenue_minor))


@staff_required
def cohorts(request: HttpRequest) -> HttpResponse:
    by = "channel" if request.GET.get("by") == "channel" else "week"
    try:
        retention = selectors.retention(by=by, max_weeks=12)
        value = selectors.cohort_value()
    except WarehouseBusy as exc:
        return _warehouse_error(request, exc)
    labels = [channel_label(c) for c in retention.cohorts] if by == "channel" else retention.cohorts
    heatmap = {
        "x": [str(o) for o in retention.offsets],
        "y": [f"{label} (n={size})" for label, size in zip(labels, retention.sizes, strict=True)],
        "z": retention.shares,
    }
    value_rows = [_value_row(r, channel_label(r.channel)) for r in value]
    by_channel = _value_totals(value, by="channel")
    by_month = _value_totals(value, by="month")
    return render(
        request,
        "console/analytics/cohorts.html",
        {
            "by": by,
            "heatmap": heatmap,
            "value_rows": value_rows,
            "channel_rows": [_value_row(r, channel_label(r.channel)) for r in by_channel],
            "month_rows": [_value_row(r, r.month) for r in by_month],
            "revenue_chart": {
                "x": [channel_label(r.channel) for r in by_channel],
                "y": [r.revenue_minor / 100 for r in by_channel],
            },
            "spend": selectors.marketing_spend_list(),
            "this_month": clock.business_date().replace(day=1).isoformat()[:7],
        },
    )


@staff_required
@require_POST
def marketing_spend_set(request: HttpRequest) -> HttpResponse:
    try:
        month_raw = request.POST.get("month", "").strip()
        try:
            month = date.fromisoformat(month_raw + "-01" if len(month_raw) == 7 else month_raw)
        except ValueError as exc:
            raise DomainError(_("Enter a month as YYYY-MM."), field="month") from exc
        amount = Decimal(request.POST.get("amount", "").strip() or "x")
        services.marketing_spend_set(
            channel=request.POST.get("channel", ""),
            month=month,
            amount_minor=int(amount * 100),
            by=request.user,
        )
        messages.success(request, _("Marketing spend saved."))
    except InvalidOperation:
        messages.error(request, "amount: " + _("Enter an amount such as 1200.00."))
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("console:analytics_cohorts")
