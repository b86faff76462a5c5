"""Console pages: analytics — the plan scorecard, KPI drill-down, funnels, cohorts, sync lag.

KPIs are read only through `loopmall.analytics.selectors`; staff inputs go through its services.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loopmall.analytics import selectors, services
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
        "section": SECTION_TITLES.get(row.plan_section, row.plan_section),
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
        {"card": card, "row": row, "chart": chart, "today": clock.business_date()},
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
