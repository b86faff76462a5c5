"""The weekly report: payload, latency, storage, the XLSX and HTML exports, the command."""

import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from loopmall.core import clock
from loopmall.core.models import OutboxEvent
from loopmall.insight import report, tasks, weeks
from loopmall.insight.models import Feedback, WeeklyReport
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_engine(monkeypatch):
    return shop.install_fake_engine(monkeypatch)


@pytest.fixture
def week_of_reviews(fake_engine):
    """A closed week with packaging complaints, one carrying a phone number."""
    week = weeks.last_closed_week()
    start = weeks.week_bounds(week)[0] + timedelta(days=1)
    cat = shop.category()
    product = shop.product(cat)
    texts = ["盒子压扁了，包装太差", "快递太慢了", "包装破了 电话13812345678", "很好用", "包装简陋", "物流慢"]
    with time_machine.travel(start, tick=False):
        for n, text in enumerate(texts):
            shop.emit("Product Reviewed", at=start + timedelta(hours=n), review_id=n + 1, text=text,
                      rating=2 if n != 3 else 5, product_id=product.id)  # fmt: skip
    return week


def test_report_has_top_demands_quotes_and_masks_personal_data(week_of_reviews):
    tasks.insight_pipeline(refresh_report=False)
    built = report.report_generate(week_of_reviews)
    data = built.payload
    assert built.is_final
    top = {d["code"]: d for d in data["top_demands"]}
    assert top["packaging"]["mentions"] == 3
    assert top["packaging"]["share"] == pytest.approx(0.5)
    assert top["logistics"]["mentions"] == 2
    assert len(top["packaging"]["quotes"]) == 3
    quotes = " ".join(q["text"] for q in top["packaging"]["quotes"])
    assert "13812345678" not in quotes
    assert "138****5678" in quotes
    assert data["trend"]["weeks"][-1] == week_of_reviews
    assert data["totals"]["feedback"] == 6
    assert OutboxEvent.objects.filter(name="Weekly Demand Report Generated").count() == 1


def test_latency_is_measured_from_entry_to_first_report(fake_engine):
    cat = shop.category()
    product = shop.product(cat)
    entered = clock.now()
    with time_machine.travel(entered, tick=False):
        shop.emit(
            "Product Reviewed", at=entered, review_id=9, text="包装破了", rating=1, product_id=product.id
        )
    with time_machine.travel(entered + timedelta(seconds=90), tick=False):
        summary = tasks.insight_pipeline()
    assert summary["classified"] == 1
    current = WeeklyReport.objects.get(week=weeks.week_of(entered))
    assert not current.is_final
    assert current.payload["latency"]["items"] == 1
    assert current.payload["latency"]["p50_seconds"] == pytest.approx(90, abs=1)
    assert current.payload["latency"]["within_goal"] == 1.0
    assert Feedback.objects.get().first_reported_at is not None
    # A later refresh does not re-measure items already reported.
    with time_machine.travel(entered + timedelta(hours=2), tick=False):
        again = report.report_generate(weeks.week_of(entered))
    assert again.payload["latency"]["p50_seconds"] == pytest.approx(90, abs=1)


def test_changes_since_last_week(week_of_reviews):
    tasks.insight_pipeline(refresh_report=False)
    previous = weeks.week_shift(week_of_reviews, -1)
    WeeklyReport.objects.create(
        week=previous, starts_at=clock.now(), ends_at=clock.now(), generated_at=clock.now(),
        payload={"top_demands": [{"code": "packaging", "share": 0.2}, {"code": "price", "share": 0.1}]},
    )  # fmt: skip
    changes = report.report_generate(week_of_reviews).payload["changes"]
    assert changes["has_previous_report"]
    assert changes["new_in_top"] == ["logistics"]
    assert changes["left_top"] == ["price"]
    assert changes["share_changes"][0] == {"code": "packaging", "share": 0.5, "previous": 0.2, "change": 0.3}


def test_xlsx_export_opens_with_openpyxl(week_of_reviews):
    tasks.insight_pipeline(refresh_report=False)
    built = report.report_generate(week_of_reviews)
    book = openpyxl.load_workbook(io.BytesIO(report.export_xlsx(built)))
    assert book.sheetnames == ["Summary", "Top demands", "Trend", "Quotes", "Emerging", "Latent", "Changes"]
    rows = list(book["Top demands"].iter_rows(values_only=True))
    assert rows[0][0] == "code"
    assert rows[1][0] == "packaging"
    assert rows[1][4] == pytest.approx(0.5)
    quotes = [r[3] for r in book["Quotes"].iter_rows(min_row=2, values_only=True)]
    assert not any("13812345678" in q for q in quotes)


def test_html_export_is_self_contained(week_of_reviews):
    tasks.insight_pipeline(refresh_report=False)
    html = report.export_html(report.report_generate(week_of_reviews))
    assert week_of_reviews in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "<script" not in html


def test_report_command_builds_and_exports(week_of_reviews, tmp_path):
    tasks.insight_pipeline(refresh_report=False)
    out = io.StringIO()
    call_command("insight", "report", "--week", week_of_reviews, "--xlsx", str(tmp_path / "r.xlsx"),
                 "--html", str(tmp_path / "r.html"), stdout=out)  # fmt: skip
    assert "packaging 50%" in out.getvalue()
    assert (tmp_path / "r.xlsx").stat().st_size > 1000
    assert WeeklyReport.objects.filter(week=week_of_reviews, is_final=True).exists()


def test_report_command_rejects_a_bad_week():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="week"):
        call_command("insight", "report", "--week", "2026-49")


def test_close_week_is_what_the_scheduler_runs(week_of_reviews):
    assert tasks.insight_close_week() == week_of_reviews
    assert WeeklyReport.objects.get(week=week_of_reviews).is_final


def test_bootstrap_builds_past_reports_for_a_fresh_shop(week_of_reviews):
    out = io.StringIO()
    call_command("insight", "bootstrap", "--weeks", "2", stdout=out)
    assert week_of_reviews in out.getvalue()
    assert WeeklyReport.objects.filter(is_final=True).count() == 2
    assert WeeklyReport.objects.filter(week=weeks.week_of(clock.now()), is_final=False).exists()
    assert WeeklyReport.objects.get(week=week_of_reviews).payload["top_demands"][0]["code"] == "packaging"
