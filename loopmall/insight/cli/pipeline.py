"""`loopmall insight collect|discover|report|close-week`: run the insight pipeline by hand.

collect                 new outbox events and reviews -> feedback, classify, refresh this week's report
discover                emerging clusters and latent demands for the last 7 days
report [--week 2026-W49] [--xlsx FILE] [--html FILE]
                        build (or rebuild) a week's report; default: the last closed week
close-week [--week W]   what the Monday 00:10 scheduler does: collect, discover, final report
"""

from pathlib import Path

from django.core.management.base import CommandError

from loopmall.core.errors import DomainError


def _guard(action):
    def run(options, *, stdout, stderr) -> None:
        try:
            action(options, stdout)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from None

    return run


def _collect(options, stdout) -> None:
    from loopmall.insight import tasks

    summary = tasks.insight_pipeline()
    stdout.write("collected: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


def _discover(options, stdout) -> None:
    from loopmall.insight import tasks

    summary = tasks.insight_discover()
    stdout.write(f"emerging clusters: {summary['clusters']}, latent hypotheses: {summary['latent']}")


def _report(options, stdout) -> None:
    from loopmall.insight import report, weeks

    week = options.get("week") or weeks.last_closed_week()
    weeks.week_monday(week)
    built = report.report_generate(week)
    data = built.payload
    stdout.write(
        f"report {built.week} ({'final' if built.is_final else 'week still running'}): "
        f"{data['totals']['feedback']} feedback, top: "
        + ", ".join(f"{d['code']} {d['share']:.0%}" for d in data["top_demands"][:5])
    )
    if options.get("xlsx"):
        Path(options["xlsx"]).write_bytes(report.export_xlsx(built))
        stdout.write(f"wrote {options['xlsx']}")
    if options.get("html"):
        Path(options["html"]).write_text(report.export_html(built), encoding="utf-8")
        stdout.write(f"wrote {options['html']}")


def _close_week(options, stdout) -> None:
    from loopmall.insight import tasks, weeks

    if options.get("week"):
        weeks.week_monday(options["week"])
    week = tasks.insight_close_week(options.get("week") or None)
    stdout.write(f"week {week} closed and reported")


def _bootstrap(options, stdout) -> None:
    from loopmall.insight import tasks

    built = tasks.insight_bootstrap(weeks_back=options.get("weeks") or 6)
    stdout.write(f"insight ready: reports for {', '.join(built)}")


def _weeks_argument(parser) -> None:
    parser.add_argument("--weeks", type=int, default=6, help="closed weeks to report (default 6)")


class _Subcommand:
    def __init__(self, help_text: str, action, arguments) -> None:
        self.help = help_text
        self.run = _guard(action)
        self.add_arguments = arguments


def _no_arguments(parser) -> None:
    return None


def _report_arguments(parser) -> None:
    parser.add_argument("--week", default="", help="YYYY-Www (default: the last closed week)")
    parser.add_argument("--xlsx", default="", help="also write the XLSX export here")
    parser.add_argument("--html", default="", help="also write the HTML export here")


def _week_argument(parser) -> None:
    parser.add_argument("--week", default="", help="YYYY-Www (default: the last closed week)")


collect = _Subcommand("Collect new outbox events and reviews into feedback, classify, refresh this week's report.",
                      _collect, _no_arguments)  # fmt: skip
discover = _Subcommand("Find emerging clusters and latent demands (last 7 days).", _discover, _no_arguments)
report = _Subcommand("Build a weekly demand report (and export XLSX/HTML).", _report, _report_arguments)
bootstrap = _Subcommand("Collect and classify everything, cluster, and report the last weeks (after a demo build or an import).",
                        _bootstrap, _weeks_argument)  # fmt: skip
close_week = _Subcommand("Collect, discover and finalise a week's report.", _close_week, _week_argument)
