"""`loopmall insight_ops collect|discover|report|close-week`: run insight's pipeline by hand.

collect                 read new outbox events and reviews into feedback, classify, refresh this week's report
discover                emerging clusters and latent demands for the last 7 days
report [--week 2026-W49] [--xlsx FILE] [--html FILE]
                        build (or rebuild) a week's report; default: the last closed week
close-week [--week W]   what the Monday scheduler does: collect, discover, final report
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loopmall.core.errors import DomainError
from loopmall.insight import report, tasks, weeks


class Command(BaseCommand):
    help = "Insight pipeline: collect, discover, report, close-week."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("collect", help="outbox and reviews -> feedback, classify, refresh this week's report")
        sub.add_parser("discover", help="emerging clusters and latent demands")
        rep = sub.add_parser("report", help="build a weekly report")
        rep.add_argument("--week", default="", help="YYYY-Www (default: the last closed week)")
        rep.add_argument("--xlsx", default="", help="also write the XLSX export here")
        rep.add_argument("--html", default="", help="also write the HTML export here")
        close = sub.add_parser("close-week", help="collect, discover and finalise a week's report")
        close.add_argument("--week", default="")

    def handle(self, *args, action, **options):
        try:
            if action == "collect":
                summary = tasks.insight_pipeline()
                self.stdout.write("collected: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
            elif action == "discover":
                summary = tasks.insight_discover()
                self.stdout.write(
                    f"emerging clusters: {summary['clusters']}, latent hypotheses: {summary['latent']}"
                )
            elif action == "report":
                self._report(options["week"] or weeks.last_closed_week(), options["xlsx"], options["html"])
            elif action == "close-week":
                week = tasks.insight_close_week(options["week"] or None)
                self.stdout.write(f"week {week} closed and reported")
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from None

    def _report(self, week: str, xlsx: str, html: str) -> None:
        weeks.week_monday(week)
        built = report.report_generate(week)
        data = built.payload
        self.stdout.write(
            f"report {built.week} ({'final' if built.is_final else 'week still running'}): "
            f"{data['totals']['feedback']} feedback, top: "
            + ", ".join(f"{d['code']} {d['share']:.0%}" for d in data["top_demands"][:5])
        )
        if xlsx:
            Path(xlsx).write_bytes(report.export_xlsx(built))
            self.stdout.write(f"wrote {xlsx}")
        if html:
            Path(html).write_text(report.export_html(built), encoding="utf-8")
            self.stdout.write(f"wrote {html}")
