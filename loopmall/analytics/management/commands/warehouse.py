"""`loopmall warehouse rebuild|sync|status`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from loopmall.analytics.warehouse import sync


class Command(BaseCommand):
    requires_system_checks: list = []  # the warehouse needs the database, not the URL conf
    help = "Build the analytics warehouse from the outbox and the OLTP tables (rebuild), bring it up to date (sync) or show it (status)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "sync", "status"])
        parser.add_argument("--path", help="DuckDB file (default: settings.LOOPMALL_WAREHOUSE_PATH)")

    def handle(self, *args, action: str, path: str | None = None, **options):
        if action == "status":
            self.stdout.write(json.dumps(sync.status(path), indent=2, default=str))
            return
        result = sync.run(rebuild=action == "rebuild", path=path)
        lag = result.lag_percentile(95)
        self.stdout.write(
            f"{action}: {result.events_copied} events, rows {result.rows_copied}, "
            f"outbox id {result.outbox_id_before} → {result.outbox_id_after}"
            + (f", lag p95 {lag:.1f} s" if lag is not None else "")
        )
