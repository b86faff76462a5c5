"""`loopmall insight SUBCOMMAND ...`: the demand engine's scripting interface (see loopmall/insight/cli/)."""

import importlib

from django.core.management.base import BaseCommand, CommandError

from loopmall.insight.cli import SUBCOMMANDS


class Command(BaseCommand):
    help = "Demand insight tools: " + ", ".join(sorted(SUBCOMMANDS))

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        for name, module_path in sorted(SUBCOMMANDS.items()):
            module = importlib.import_module(module_path)
            # called_from_command_line keeps Django's CommandParser error handling in the subparser
            subparser = subparsers.add_parser(name, help=module.help, description=module.help)
            module.add_arguments(subparser)

    def handle(self, *args, subcommand, **options):
        if subcommand not in SUBCOMMANDS:
            raise CommandError(f"subcommand: unknown {subcommand!r}")
        module = importlib.import_module(SUBCOMMANDS[subcommand])
        module.run(options, stdout=self.stdout, stderr=self.stderr)
