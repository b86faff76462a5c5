"""Console pages: insight (weekly report, feedback and corrections, active-learning queue, taxonomy,
emerging clusters, latent demands, demand board). Staff only; customer text is always masked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loopmall.console.views.dashboard import staff_required
from loopmall.core import clock
from loopmall.core.errors import DomainError
from loopmall.insight import (
    board,
    contracts,
    emerging,
    latent,
    pii,
    report,
    selectors,
    services,
    sources,
    weeks,
)

TABS = [
    ("overview", "console:insight_overview"),
    ("feedback", "console:insight_feedback"),
    ("queue", "console:insight_queue"),
    ("taxonomy", "console:insight_taxonomy"),
    ("emerging", "console:insight_emerging"),
    ("latent", "console:insight_latent"),
    ("board", "console:insight_board"),
]


def _language(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "zh-hans") or "zh-hans").lower()


def _context(request: HttpRequest, tab: str, **extra) -> dict:
    services.taxonomy_ensure_seeded()
    names = {d.code: d for d in selectors.demands_all()}
    language = _language(request)
    labels = {
        code: (d.name_zh if language.startswith("zh") else (d.name_en or d.name_zh))
        for code, d in names.items()
    }
    return {"tab": tab, "demand_labels": labels, "demands": list(names.values()), **extra}


def _fail(request: HttpRequest, exc: DomainError) -> None:
    where = f"{exc.field}: " if exc.field else ""
    messages.error(request, f"{where}{exc.message}")


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target.startswith("/console/insight/"):
        return redirect(target)
    return redirect(fallback)


# -- overview: the weekly report ------------------------------------------------------------------


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    current = weeks.week_of(clock.now())
    week = request.GET.get("week") or ""
    if week:
        try:
            weeks.week_monday(week)
        except DomainError as exc:
            _fail(request, exc)
            week = ""
    stored_weeks = [r.week for r in selectors.reports_list()]
    if not week:
        week = stored_weeks[0] if stored_weeks else current
    stored = selectors.report_get(week)
    data = stored.payload if stored else None
    chart = None
    zh = _language(request).startswith("zh")
    if data:
        trend = data["trend"]
        top_codes = [d["code"] for d in data["top_demands"][:6]]
        chart = {
            "weeks": trend["weeks"],
            "series": [
                {"code": c, "name": data_name(data, c, zh=zh), "share": trend["share"].get(c, [])}
                for c in top_codes
            ],
            "top": [
                {
                    "code": d["code"],
                    "name": _row_name(d, zh=zh),
                    "share": d["share"],
                    "previous": d["previous_share"],
                    "high": d["is_high_frequency"],
                }
                for d in data["top_demands"]
            ],  # fmt: skip
            "threshold": data["threshold"],
        }
    return render(
        request,
        "console/insight/overview.html",
        _context(
            request,
            "overview",
            week=week,
            current_week=current,
            report=stored,
            data=data,
            chart=chart,
            weeks_available=sorted(set(stored_weeks) | {current}, reverse=True),
            latency_recent=report.latency_recent(),
            status=selectors.pipeline_status(),
            previous_week=weeks.week_shift(week, -1),
            next_week=weeks.week_shift(week, 1),
        ),  # fmt: skip
    )


def _row_name(row: dict, *, zh: bool) -> str:
    """A report row's demand name in the viewer's language (name_en falls back to name_zh, then the code)."""
    if zh:
        return row.get("name_zh") or row["code"]
    return row.get("name_en") or row.get("name_zh") or row["code"]


def data_name(data: dict, code: str, *, zh: bool = True) -> str:
    for row in data.get("top_demands", []):
        if row["code"] == code:
            return _row_name(row, zh=zh)
    return code


@staff_required
@require_POST
def report_build(request: HttpRequest) -> HttpResponse:
    week = request.POST.get("week") or weeks.week_of(clock.now())
    try:
        weeks.week_monday(week)
        built = report.report_generate(week)
        messages.success(request, _("Report for %(week)s generated.") % {"week": built.week})
    except DomainError as exc:
        _fail(request, exc)
    return redirect(f"{reverse('console:insight_overview')}?week={week}")


@staff_required
@require_POST
def pipeline_run(request: HttpRequest) -> HttpResponse:
    from loopmall.insight import tasks

    summary = tasks.insight_pipeline()
    messages.success(
        request,
        _("Collected %(events)d events into %(feedback)d feedback items; classified %(classified)d.")
        % {"events": summary["events"], "feedback": summary["feedback"], "classified": summary["classified"]},
    )
    return _back(request, "console:insight_overview")


@staff_required
def report_export(request: HttpRequest, week: str, fmt: str) -> HttpResponse:
    stored = selectors.report_get(week)
    if stored is None:
        raise Http404("no report for that week")
    if fmt == "xlsx":
        response = HttpResponse(
            report.export_xlsx(stored),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="loopmall-demand-report-{week}.xlsx"'
        return response
    response = HttpResponse(report.export_html(stored), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loopmall-demand-report-{week}.html"'
    return response


# -- feedback and corrections ---------------------------------------------------------------------


def _day(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=clock.business_zone())
    except ValueError:
        messages.error(request, _("%(field)s: not a date (YYYY-MM-DD)") % {"field": name})
        return None


def _rows(feedback_items) -> list[dict]:
    products = sources.products_info({f.product_id for f in feedback_items if f.product_id})
    return [
        {
            "item": f,
            "text": pii.mask(f.text),
            "codes": [d.code for d in f.demands.all()],
            "demands": [
                {"code": d.code, "score": d.score, "sentence": pii.mask(d.sentence)} for d in f.demands.all()
            ],
            "product": products.get(f.product_id).name if f.product_id in products else "",
        }
        for f in feedback_items
    ]


@staff_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "channel": request.GET.get("channel", ""),
        "code": request.GET.get("code", ""),
        "lang": request.GET.get("lang", ""),
        "query": request.GET.get("q", "").strip(),
        "uncovered": request.GET.get("uncovered") == "1",
    }
    rating = request.GET.get("rating", "")
    queryset = selectors.feedback_list(
        **filters,
        rating=int(rating) if rating.isdigit() else None,
        since=_day(request, "since"),
        until=(_day(request, "until") + timedelta(days=1)) if _day(request, "until") else None,
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "console/insight/feedback.html",
        _context(
            request,
            "feedback",
            page=page,
            rows=_rows(list(page.object_list)),
            filters=filters,
            rating=rating,
            channels=contracts.CHANNEL_CHOICES,
            since=request.GET.get("since", ""),
            until=request.GET.get("until", ""),
            counts=selectors.feedback_counts_by_channel(),
        ),  # fmt: skip
    )


@staff_required
@require_POST
def feedback_correct(request: HttpRequest, feedback_id: int) -> HttpResponse:
    try:
        services.correction_record(
            feedback_id=feedback_id, codes=request.POST.getlist("codes"), by_user_id=request.user.id
        )
        messages.success(request, _("Correction saved; it will train the classifier."))
    except DomainError as exc:
        _fail(request, exc)
    return _back(request, "console:insight_feedback")


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    items = selectors.active_learning_queue(limit=30)
    return render(
        request,
        "console/insight/queue.html",
        _context(
            request,
            "queue",
            rows=_rows(items),
            pending=selectors.corrections_pending_training(),
            recent=selectors.corrections_recent(limit=10),
        ),  # fmt: skip
    )


@staff_required
@require_POST
def retrain(request: HttpRequest) -> HttpResponse:
    try:
        summary = services.classifier_retrain(by_user_id=request.user.id)
        messages.success(
            request,
            _("Classifier retrained with %(n)d corrections; feedback will be classified again.")
            % {"n": summary["corrections"]},
        )
    except (DomainError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("console:insight_queue")


# -- taxonomy -------------------------------------------------------------------------------------


@staff_required
def taxonomy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/insight/taxonomy.html",
        _context(
            request,
            "taxonomy",
            mentions=selectors.demand_mention_counts(),
            words=selectors.domain_words(),
            editing=request.GET.get("edit", ""),
        ),  # fmt: skip
    )


@staff_required
@require_POST
def demand_save(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        services.demand_save(
            code=post.get("code", ""), name_zh=post.get("name_zh", ""), name_en=post.get("name_en", ""),
            definition=post.get("definition", ""), lexicon_zh=post.get("lexicon_zh", ""),
            lexicon_en=post.get("lexicon_en", ""), is_active=post.get("is_active") == "1",
            by_user_id=request.user.id,
        )  # fmt: skip
        messages.success(request, _("Demand %(code)s saved.") % {"code": post.get("code", "")})
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_taxonomy")


@staff_required
@require_POST
def demand_merge(request: HttpRequest) -> HttpResponse:
    try:
        services.demand_merge(
            code=request.POST.get("code", ""),
            into_code=request.POST.get("into", ""),
            by_user_id=request.user.id,
        )
        messages.success(request, _("Demands merged."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_taxonomy")


@staff_required
@require_POST
def words_add(request: HttpRequest) -> HttpResponse:
    try:
        added = services.domain_word_add(words=request.POST.get("words", ""), by_user_id=request.user.id)
        messages.success(request, _("%(n)d new dictionary words.") % {"n": added})
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_taxonomy")


# -- emerging clusters ----------------------------------------------------------------------------


@staff_required
def emerging_list(request: HttpRequest) -> HttpResponse:
    clusters = [{"cluster": c, "quotes": selectors.cluster_quotes(c)} for c in selectors.clusters_list()]
    promoted = selectors.clusters_list(status="promoted")
    return render(
        request,
        "console/insight/emerging.html",
        _context(
            request, "emerging", clusters=clusters, promoted=promoted, backends=emerging.available_backends()
        ),
    )


@staff_required
@require_POST
def emerging_run(request: HttpRequest) -> HttpResponse:
    found = emerging.emerging_refresh()
    messages.success(request, _("%(n)d emerging clusters found.") % {"n": len(found)})
    return redirect("console:insight_emerging")


@staff_required
@require_POST
def emerging_promote(request: HttpRequest, cluster_id: int) -> HttpResponse:
    try:
        demand = emerging.cluster_promote(
            cluster_id=cluster_id, code=request.POST.get("code", "").strip(),
            name_zh=request.POST.get("name_zh", "").strip(), name_en=request.POST.get("name_en", "").strip(),
            by_user_id=request.user.id,
        )  # fmt: skip
        messages.success(request, _("Promoted to demand %(code)s.") % {"code": demand.code})
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_emerging")


@staff_required
@require_POST
def emerging_dismiss(request: HttpRequest, cluster_id: int) -> HttpResponse:
    try:
        emerging.cluster_dismiss(cluster_id=cluster_id, by_user_id=request.user.id)
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_emerging")


# -- latent demands -------------------------------------------------------------------------------


@staff_required
def latent_list(request: HttpRequest) -> HttpResponse:
    available = selectors.latent_weeks()
    week = request.GET.get("week") or (available[0] if available else weeks.week_of(clock.now()))
    kind = request.GET.get("kind", "")
    return render(
        request,
        "console/insight/latent.html",
        _context(
            request,
            "latent",
            items=selectors.latent_list(week=week, kind=kind),
            week=week,
            kind=kind,
            weeks_available=available,
            kinds=contracts.LATENT_KIND_CHOICES,
        ),  # fmt: skip
    )


@staff_required
@require_POST
def latent_run(request: HttpRequest) -> HttpResponse:
    found = latent.latent_refresh()
    messages.success(request, _("%(n)d latent-demand hypotheses for the last 7 days.") % {"n": len(found)})
    return redirect("console:insight_latent")


# -- demand board ---------------------------------------------------------------------------------


@staff_required
def board_view(request: HttpRequest) -> HttpResponse:
    columns = board.board_columns()
    return render(
        request,
        "console/insight/board.html",
        _context(
            request,
            "board",
            columns=[
                (status, label, columns[status]) for status, label in contracts.ADAPTATION_STATUS_CHOICES
            ],
            status_labels=dict(contracts.ADAPTATION_STATUS_CHOICES),
            forward=board.FORWARD,
            transitions=board.TRANSITIONS,
            score=board.scorecard(),
            types=contracts.ADAPTATION_TYPE_CHOICES,
            staff=sources.staff_users(),
            categories=sources.categories_all(),
            today=clock.business_date(),
            default_due=clock.business_date() + timedelta(days=board.DEFAULT_DUE_DAYS),
            preset=request.GET.get("demand", ""),
            preset_title=request.GET.get("title", "")[:200],
        ),  # fmt: skip
    )


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@staff_required
@require_POST
def board_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        due = date.fromisoformat(post["due_date"]) if post.get("due_date") else None
    except ValueError:
        messages.error(request, _("due_date: not a date (YYYY-MM-DD)"))
        return redirect("console:insight_board")
    target = post.get("sales_target", "").strip()
    try:
        from loopmall.core.money import Money

        target_minor = Money.parse(target, "CNY").minor if target else None
    except Exception:
        messages.error(request, _("sales_target: write an amount such as 5000.00"))
        return redirect("console:insight_board")
    try:
        board.adaptation_create(
            demand_code=post.get("demand_code", ""), title=post.get("title", ""),
            owner_id=_int_or_none(post.get("owner", "")), adaptation_type=post.get("adaptation_type", ""),
            due_date=due, category_id=_int_or_none(post.get("category", "")),
            product_ids=[int(p) for p in post.get("product_ids", "").replace("，", ",").split(",") if p.strip().isdigit()],
            sales_target_minor=target_minor, note=post.get("note", ""), by_user_id=request.user.id,
        )  # fmt: skip
        messages.success(request, _("Card added to the board."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_board")


@staff_required
@require_POST
def board_move(request: HttpRequest, adaptation_id: int) -> HttpResponse:
    try:
        card = board.adaptation_move(
            adaptation_id=adaptation_id, to=request.POST.get("to", ""), by_user_id=request.user.id
        )
        messages.success(request, _("Moved to %(status)s.") % {"status": card.get_status_display()})
    except DomainError as exc:
        _fail(request, exc)
    return redirect("console:insight_board")
