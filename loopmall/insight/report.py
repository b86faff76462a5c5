"""The weekly demand report: top demands with their share and trend, quotes, emerging and latent
demands, and what changed since last week. Stored as JSON (WeeklyReport), exported as XLSX and HTML.

The running week's report is refreshed as feedback arrives (tasks.insight_pipeline); the closed week's
is finalised on Monday 00:10 Asia/Shanghai. Insight latency is the time from a feedback item entering
LoopMall to its first appearance in a report; the report records it and the goal is under 10 minutes.
"""

from __future__ import annotations

import io
import statistics
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string

from loopmall.core import clock
from loopmall.core.events import event_emit
from loopmall.insight import frequency, pii, sources, weeks
from loopmall.insight.latent import latent_title
from loopmall.insight.models import (
    Channel,
    DemandDefinition,
    EmergingCluster,
    Feedback,
    FeedbackDemand,
    FeedbackKind,
    FeedbackOrigin,
    FeedbackStatus,
    LatentDemand,
    WeeklyReport,
)

TOP = 10
QUOTES = 3
LATENCY_GOAL_SECONDS = 600
LIVE_WINDOW = timedelta(hours=1)


def demand_names() -> dict[str, dict[str, str]]:
    return {
        code: {"zh": zh, "en": en or zh}
        for code, zh, en in DemandDefinition.objects.values_list("code", "name_zh", "name_en")
    }


def quotes_for(code: str, start: datetime, end: datetime, *, count: int = QUOTES, **scope: Any) -> list[dict]:
    """Representative masked quotes for a demand in a window: unhappiest and surest first."""
    rows = (
        FeedbackDemand.objects.filter(
            code=code, feedback__created_at__gte=start, feedback__created_at__lt=end, **scope
        )
        .select_related("feedback")
        .order_by(F("feedback__rating").asc(nulls_last=True), "-score", "-feedback__created_at")[:50]
    )
    out, seen = [], set()
    for row in rows:
        text = pii.mask(row.sentence or row.feedback.text).strip()
        if not text or text in seen:
            continue
        seen.add(text)
        out.append(
            {
                "feedback_id": row.feedback_id,
                "text": text[:300],
                "channel": row.feedback.channel,
                "rating": row.feedback.rating,
                "created_at": row.feedback.created_at.isoformat(),
            }
        )
        if len(out) == count:
            break
    return out


def entered_at(feedback_origin: str, created_at: datetime, collected_at: datetime) -> datetime:
    """When LoopMall got the item. A live event or API call enters when it happens (so the collector's
    own delay counts); history replayed from the outbox, imports and backfills enter when loaded."""
    live = feedback_origin in (FeedbackOrigin.OUTBOX, FeedbackOrigin.API)
    if live and timedelta(0) <= collected_at - created_at <= LIVE_WINDOW:
        return created_at
    return collected_at


def _stamp_latency(start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Mark feedback of the week seen by a report for the first time and measure how long it took."""
    fresh = Feedback.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        status=FeedbackStatus.CLASSIFIED,
        first_reported_at__isnull=True,
    )
    rows = list(fresh.values_list("id", "origin", "created_at", "collected_at", "kind"))
    fresh.update(first_reported_at=now)
    latencies = [
        (now - entered_at(origin, created, collected)).total_seconds()
        for _, origin, created, collected, kind in rows
        if kind == FeedbackKind.TEXT
    ]
    return _latency_summary(latencies)


def _latency_summary(latencies: list[float]) -> dict[str, Any]:
    if not latencies:
        return {
            "items": 0,
            "p50_seconds": None,
            "p90_seconds": None,
            "max_seconds": None,
            "within_goal": None,
        }
    ordered = sorted(latencies)
    return {
        "items": len(ordered),
        "p50_seconds": round(statistics.median(ordered), 1),
        "p90_seconds": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 1),
        "max_seconds": round(ordered[-1], 1),
        "within_goal": round(sum(1 for s in ordered if s <= LATENCY_GOAL_SECONDS) / len(ordered), 4),
        "goal_seconds": LATENCY_GOAL_SECONDS,
    }


def _row(r: frequency.DemandFrequency, names: dict, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "code": r.code,
        "name_zh": names.get(r.code, {}).get("zh", r.code),
        "name_en": names.get(r.code, {}).get("en", r.code),
        "key": r.key,
        "label": (labels or {}).get(r.key, r.key),
        "mentions": r.mentions,
        "feedback": r.feedback,
        "share": round(r.share, 4),
        "share_low": round(r.share_low, 4),
        "share_high": round(r.share_high, 4),
        "previous_share": round(r.previous_share, 4),
        "change": round(r.change, 4),
        "p_value": round(r.p_value, 6),
        "is_rising": r.is_rising,
        "is_high_frequency": r.is_high_frequency,
    }


def build_payload(week: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain JSON."""
    now = now or clock.now()
    start, end = weeks.week_bounds(week)
    names = demand_names()
    in_week = Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
    by_channel = dict(in_week.values_list("channel").annotate(n=Count("id")).order_by("-n", "channel"))
    text_count = in_week.filter(kind=FeedbackKind.TEXT).count()
    top = frequency.demand_frequency(week)
    category_labels = dict(sources.categories_all())
    by_category = [
        r
        for r in frequency.demand_frequency(week, dimension="category")
        if r.is_high_frequency or r.is_rising
    ]
    channel_rows = frequency.demand_frequency(week, dimension="channel")
    top_rows = []
    for r in top[:TOP]:
        row = _row(r, names)
        row["quotes"] = quotes_for(r.code, start, end)
        top_rows.append(row)
    previous = WeeklyReport.objects.filter(week=weeks.week_shift(week, -1)).first()
    previous_top = {d["code"]: d for d in (previous.payload.get("top_demands", []) if previous else [])}
    current_top = {d["code"]: d for d in top_rows}
    changes = {
        "previous_week": weeks.week_shift(week, -1),
        "has_previous_report": previous is not None,
        "new_in_top": [c for c in current_top if c not in previous_top],
        "left_top": [c for c in previous_top if c not in current_top],
        "share_changes": sorted(
            (
                {
                    "code": c,
                    "share": current_top[c]["share"],
                    "previous": previous_top[c]["share"],
                    "change": round(current_top[c]["share"] - previous_top[c]["share"], 4),
                }
                for c in current_top
                if c in previous_top
            ),
            key=lambda d: -abs(d["change"]),
        ),  # fmt: skip
        "rising": [r["code"] for r in top_rows if r["is_rising"]],
        "high_frequency": [r["code"] for r in top_rows if r["is_high_frequency"]],
    }
    emerging = [
        {
            "id": c.id,
            "label": c.label,
            "terms": c.terms,
            "size": c.size,
            "status": c.status,
            "quotes": [
                pii.mask(" ".join(t.split()))[:160]
                for t in Feedback.objects.filter(id__in=c.quote_ids).values_list("text", flat=True)
            ],
        }
        for c in EmergingCluster.objects.filter(status=EmergingCluster.Status.OPEN).order_by("-size")[:10]
    ]
    latent = [
        {
            "id": h.id,
            "kind": h.kind,
            "title": h.title,
            "evidence": h.evidence,
            "users": len(h.user_ids),
            "strength": h.strength,
            "detected_at": h.detected_at.isoformat(),
            "first_signal_at": h.first_signal_at.isoformat() if h.first_signal_at else None,
        }
        for h in LatentDemand.objects.filter(week=week).exclude(status=LatentDemand.Status.DISMISSED)[:20]
    ]
    return {
        "week": week,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "generated_at": now.isoformat(),
        "threshold": frequency.share_threshold(),
        "totals": {
            "feedback": sum(by_channel.values()),
            "text_feedback": text_count,
            "by_channel": by_channel,
        },
        "top_demands": top_rows,
        "by_category": [
            _row(r, names, {str(k): v for k, v in category_labels.items()}) for r in by_category[:20]
        ],
        "by_channel": [_row(r, names) for r in channel_rows[:30]],
        "trend": frequency.weekly_series(week, count=8),
        "emerging": emerging,
        "latent": latent,
        "changes": changes,
    }


def report_generate(week: str, *, final: bool | None = None) -> WeeklyReport:
    """Build (or rebuild) the report of `week` and store it."""
    now = clock.now()
    start, end = weeks.week_bounds(week)
    is_final = end <= now if final is None else final
    payload = build_payload(week, now=now)
    with transaction.atomic():
        latency = _stamp_latency(start, end, now)
        report = WeeklyReport.objects.filter(week=week).first() or WeeklyReport(
            week=week, starts_at=start, ends_at=end
        )
        earlier = (report.payload or {}).get("latency", {}) if report.pk else {}
        payload["latency"] = latency if latency["items"] else earlier or latency
        report.generated_at = now
        report.is_final = is_final
        report.payload = payload
        report.feedback_count = payload["totals"]["feedback"]
        report.latency_p50_seconds = payload["latency"].get("p50_seconds")
        report.latency_max_seconds = payload["latency"].get("max_seconds")
        report.save()
        event_emit(
            "Weekly Demand Report Generated",
            properties={"week": week, "is_final": is_final, "feedback": report.feedback_count,
                        "high_frequency": payload["changes"]["high_frequency"]},
            aggregate=("weekly_report", week),
        )  # fmt: skip
    return report


def latency_recent(*, hours: int = 24) -> dict[str, Any]:
    """Insight latency of feedback that entered in the last `hours` and has been reported."""
    since = clock.now() - timedelta(hours=hours)
    rows = Feedback.objects.filter(
        Q(first_reported_at__isnull=False), kind=FeedbackKind.TEXT, collected_at__gte=since
    ).values_list("origin", "created_at", "collected_at", "first_reported_at")
    return _latency_summary(
        [
            (reported - entered_at(origin, created, collected)).total_seconds()
            for origin, created, collected, reported in rows
        ]
    )


# --- exports -------------------------------------------------------------------------------------


def channel_label(code: str) -> str:
    """A feedback channel's name in the active language; an unknown code as it is."""
    return str(dict(Channel.choices).get(code, code))


def export_xlsx(report: WeeklyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font

    data = report.payload
    book = Workbook()
    bold = Font(bold=True)
    summary = book.active
    summary.title = "Summary"
    summary.append(["LoopMall weekly demand report", data["week"]])
    summary.append(["Generated", data["generated_at"]])
    summary.append(["Final", "yes" if report.is_final else "no (week still running)"])
    summary.append(["Feedback", data["totals"]["feedback"]])
    summary.append(["Text feedback", data["totals"]["text_feedback"]])
    latency = data.get("latency", {})
    summary.append(["Insight latency p50 (s)", latency.get("p50_seconds")])
    summary.append(["Insight latency max (s)", latency.get("max_seconds")])
    summary.append(["High-frequency threshold", data["threshold"]])
    for cell in summary["A"]:
        cell.font = bold

    top = book.create_sheet("Top demands")
    top.append(["code", "demand", "mentions", "feedback", "share", "share 95% low", "share 95% high",
                "previous 4 weeks", "change", "p-value", "rising", "high-frequency"])  # fmt: skip
    for r in data["top_demands"]:
        top.append([r["code"], r["name_zh"], r["mentions"], r["feedback"], r["share"], r["share_low"],
                    r["share_high"], r["previous_share"], r["change"], r["p_value"],
                    "yes" if r["is_rising"] else "", "yes" if r["is_high_frequency"] else ""])  # fmt: skip
    for cell in top[1]:
        cell.font = bold

    trend = book.create_sheet("Trend")
    series = data["trend"]
    codes = list(series["share"])
    trend.append(["week", "feedback", *codes])
    for i, week in enumerate(series["weeks"]):
        trend.append([week, series["feedback"][i], *[series["share"][c][i] for c in codes]])
    if codes and series["weeks"]:
        chart = LineChart()
        chart.title = "Share of feedback per demand"
        chart.add_data(
            Reference(trend, min_col=3, max_col=2 + len(codes), min_row=1, max_row=1 + len(series["weeks"])),
            titles_from_data=True,
        )
        chart.set_categories(Reference(trend, min_col=1, min_row=2, max_row=1 + len(series["weeks"])))
        trend.add_chart(chart, f"B{len(series['weeks']) + 4}")

    quotes = book.create_sheet("Quotes")
    quotes.append(["code", "channel", "rating", "quote (personal data masked)"])
    for r in data["top_demands"]:
        for q in r.get("quotes", []):
            quotes.append([r["code"], channel_label(q["channel"]), q["rating"], q["text"]])

    emerging = book.create_sheet("Emerging")
    emerging.append(["cluster", "size", "terms", "quotes"])
    for c in data["emerging"]:
        emerging.append([c["label"], c["size"], ", ".join(c["terms"]), " | ".join(c["quotes"])])

    latent = book.create_sheet("Latent")
    latent.append(["kind", "hypothesis", "users", "strength", "first signal", "detected"])
    for h in data["latent"]:
        latent.append(
            [
                h["kind"],
                latent_title(h["kind"], h.get("evidence") or {}, fallback=h["title"]),
                h["users"],
                h["strength"],
                h["first_signal_at"],
                h["detected_at"],
            ]
        )

    changes = book.create_sheet("Changes")
    ch = data["changes"]
    changes.append(["new in top", ", ".join(ch["new_in_top"])])
    changes.append(["left top", ", ".join(ch["left_top"])])
    changes.append(["rising", ", ".join(ch["rising"])])
    changes.append(["high-frequency", ", ".join(ch["high_frequency"])])
    changes.append([])
    changes.append(["code", "share", "previous week", "change"])
    for c in ch["share_changes"]:
        changes.append([c["code"], c["share"], c["previous"], c["change"]])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_html(report: WeeklyReport) -> str:
    """A self-contained HTML page (no scripts) to mail or archive."""
    return render_to_string("console/insight/report_export.html", {"report": report, "data": report.payload})
