"""`loopmall import SOURCE DIR [--skip-bad]`: load outside data. Sources live in loopmall.imports.<source>
and expose `run(directory: Path, *, skip_bad: bool, progress: bool) -> ImportResult`."""

import importlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loopmall.imports.base import ImportFailed

SOURCES = {
    "olist": "loopmall.imports.olist",
    "bundle": "loopmall.imports.bundle",
    "taobao": "loopmall.imports.taobao",
}


class Command(BaseCommand):
    help = "Import data: olist (public Olist tables), bundle (the LoopMall data contract), taobao (UserBehavior)."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(SOURCES))
        parser.add_argument("directory")
        parser.add_argument("--skip-bad", action="store_true", help="load good rows and list the bad ones")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, source, directory, skip_bad, no_progress, **options):
        path = Path(directory)
        if not path.exists():
            raise CommandError(f"directory: {directory} does not exist")
        try:
            module = importlib.import_module(SOURCES[source])
        except ModuleNotFoundError as exc:
            raise CommandError(f"source: the {source} importer is not installed ({exc})") from None
        try:
            result = module.run(path, skip_bad=skip_bad, progress=not no_progress)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"imported {source} from {path}:\n{result.summary()}")
