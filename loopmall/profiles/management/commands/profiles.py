"""`loopmall profiles compute` and `loopmall profiles export --output tags.csv` (data contract)."""

import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from loopmall.core.errors import DomainError
from loopmall.profiles import selectors, services


class Command(BaseCommand):
    help = "Customer profiles and tags: compute them from the warehouse, or export them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="recompute tags and profiles from the warehouse")
        compute.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
        evaluate = sub.add_parser("evaluate", help="measure need-tag precision/recall on a simulated brand")
        evaluate.add_argument("--users", type=int, default=3000)
        evaluate.add_argument("--seed", type=int, default=20261203)
        export = sub.add_parser("export", help="write user_id,tag,score,evidence")
        export.add_argument("--output", required=True, help="CSV path, or - for standard output")
        export.add_argument(
            "--kind", default="", help="only tags of this kind (need, lifecycle, rfm, fission)"
        )

    def handle(self, *args, action, **options):
        if action == "compute":
            try:
                result = services.profiles_recompute(backend=options["backend"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(
                f"profiles: {result.users} customers, {result.tags} tags "
                f"({result.created} new, {result.updated} changed, {result.removed} removed) in {result.seconds:.1f}s"
            )
            return
        if action == "evaluate":
            try:
                evaluation = services.tag_accuracy_evaluate(users=options["users"], seed=options["seed"])
            except DomainError as exc:
                raise CommandError(f"{exc.field}: {exc.message}") from None
            for code, figures in evaluation.per_tag.items():
                self.stdout.write(
                    f"{code:18} precision {figures['precision']:.3f} recall {figures['recall']:.3f} "
                    f"({figures['tagged']} tagged, {figures['true']} true)"
                )
            return
        rows = selectors.tags_for_export()
        if options["kind"]:
            rows = rows.filter(kind=options["kind"])
        target = options["output"]
        handle = sys.stdout if target == "-" else open(target, "w", newline="", encoding="utf-8")  # noqa: SIM115
        try:
            writer = csv.writer(handle)
            writer.writerow(["user_id", "tag", "score", "evidence"])
            count = 0
            for tag in rows.iterator(chunk_size=5000):
                writer.writerow(
                    [selectors.contract_user_id(tag.user), tag.tag, f"{tag.score:.4f}", tag.evidence]
                )
                count += 1
        finally:
            if handle is not sys.stdout:
                handle.close()
        if target != "-":
            self.stdout.write(f"wrote {count} tags to {target}")
