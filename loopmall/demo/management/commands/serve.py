"""`loopmall serve [--port 8000]`: the web server plus the task queue and its scheduler."""

from django.core.management.base import BaseCommand

from loopmall.demo import server


class Command(BaseCommand):
    help = "Serve LoopMall on 127.0.0.1: web (gunicorn) and the task-queue consumer with its scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        status = server.serve(host=host, port=port, write=self.stdout.write)
        if status:
            raise SystemExit(status)
