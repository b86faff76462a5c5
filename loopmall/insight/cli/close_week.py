"""`loopmall insight close-week`: see loopmall/insight/cli/pipeline.py."""

from loopmall.insight.cli.pipeline import close_week as _subcommand

help = _subcommand.help
add_arguments = _subcommand.add_arguments
run = _subcommand.run
