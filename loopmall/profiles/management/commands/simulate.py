"""`loopmall simulate --users N --output DIR`: a brand's users with hidden traits, as an import bundle."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loopmall.profiles.simulator import SimulationConfig, simulate


class Command(BaseCommand):
    help = "Generate an import bundle of simulated users with hidden need traits (plus hidden_traits.csv)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--output", required=True, help="directory to write the bundle into")
        parser.add_argument("--format", choices=["csv", "parquet"], default="csv")

    def handle(self, *args, users, seed, days, output, format, **options):
        if users < 1 or users > 5_000_000:
            raise CommandError("users: must be from 1 to 5,000,000")
        if days < 7:
            raise CommandError("days: must be at least 7")
        brand = simulate(SimulationConfig(users=users, seed=seed, days=days))
        written = brand.write_bundle(Path(output), fmt=format)
        for name, path in written.items():
            self.stdout.write(
                f"{name}: {path} ({len(getattr(brand, name if name != 'hidden_traits' else 'traits'))} rows)"
            )
