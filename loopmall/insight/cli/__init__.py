"""Subcommands of `loopmall insight`. Each module here exposes `help`, `add_arguments(parser)` and
`run(options, *, stdout, stderr) -> None` (raising CommandError on failure); register a new one in
SUBCOMMANDS below and `loopmall insight NAME` runs it."""

SUBCOMMANDS = {
    "classify": "loopmall.insight.cli.classify",
    "collect": "loopmall.insight.cli.collect",
    "discover": "loopmall.insight.cli.discover",
    "report": "loopmall.insight.cli.report",
    "close-week": "loopmall.insight.cli.close_week",
    "bootstrap": "loopmall.insight.cli.bootstrap",
}
