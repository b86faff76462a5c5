"""`loopmall insight bootstrap`: see loopmall/insight/cli/pipeline.py."""

from loopmall.insight.cli.pipeline import bootstrap as _subcommand

help = _subcommand.help
add_arguments = _subcommand.add_arguments
run = _subcommand.run
