"""`loopmall demo`: migrate, build the demo brand once, print the sign-ins, serve on 127.0.0.1."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from loopmall.demo import board as demo_board
from loopmall.demo import logins, server, simulator
from loopmall.demo.models import DemoBuild


class _Quiet:
    """Swallows a sub-command's own output; the demo prints one line per step instead."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class Command(BaseCommand):
    help = "Build the demo brand (once; --reset rebuilds) and serve LoopMall with it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--reset", action="store_true", help="erase the database and build the demo again"
        )
        parser.add_argument("--seed", type=int, default=simulator.DEFAULT_SEED)
        parser.add_argument("--customers", type=int, default=simulator.DEFAULT_CUSTOMERS)
        parser.add_argument("--no-serve", action="store_true", help="build and print the sign-ins, then exit")

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def handle(self, *args, port, host, reset, seed, customers, no_serve, **options):
        self.say("preparing the database ...")
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            self.say("--reset: erasing the database")
            call_command("flush", interactive=False, verbosity=0)
        built = DemoBuild.objects.order_by("-id").first()
        if built is None:
            self.say(f"building the demo brand (seed {seed}) ...")
            started = time.monotonic()
            counts = simulator.build(
                seed=seed,
                customers=customers,
                shopper_login=logins.SHOPPER_LOGIN,
                progress=self._progress(started),
            )
            tables = ", ".join(f"{name} {count}" for name, count in counts.items() if "." not in name)
            self.say(f"demo brand built in {time.monotonic() - started:.1f} s: {tables}")
            logins.demo_logins_ensure()  # staff exist before the board's history is given owners
            self._derive(started, seed=seed)
        else:
            self.say(f"demo brand already built ({built}); `loopmall demo --reset` rebuilds it")
        admin, shopper = logins.demo_logins_ensure()
        base = f"http://{host}:{port}"
        self.say(
            "\n"
            "================ LoopMall demo ================\n"
            f"  storefront   {base}/\n"
            f"  console      {base}/console/   (staff)\n"
            f"  API docs     {base}/api/v1/docs\n"
            f"  staff login  {admin.login}\n"
            f"  password     {admin.password}\n"
            f"  shopper      {shopper.login}  password {shopper.password}\n"
            "  (passwords are kept in var/demo_logins.json)\n"
            "===============================================\n"
        )
        if not no_serve:
            status = server.serve(host=host, port=port, write=self.say)
            if status:
                raise SystemExit(status)

    def _derive(self, started: float, *, seed: int) -> None:
        """What the scheduler would otherwise take minutes to catch up on: demand insight over the
        history (feedback, weekly reports), the warehouse, and customer tags; then the brand's marketing
        spend as staff would enter it, and a first sync that copies those records (a measured sync lag)."""
        report = self._progress(started)
        steps = (
            ("demand insight: collect, classify, weekly reports", ("insight", "bootstrap")),
            ("warehouse: rebuild from the outbox and the shop tables", ("warehouse", "rebuild")),
            ("customer profiles and tags", ("profiles", "compute")),
            ("tag accuracy against a simulated brand", ("profiles", "evaluate")),
        )
        for label, command in steps:
            report(label)
            call_command(*command, stdout=_Quiet(), stderr=_Quiet())
            if command == ("insight", "bootstrap"):
                report("demand board: what staff did about the most voiced demands")
                demo_board.replay_board_history()
        report("marketing spend per channel and month, as staff enter it")
        simulator.record_marketing_spend(seed)
        report("warehouse: sync the spend records (the first measured sync lag)")
        call_command("warehouse", "sync", stdout=_Quiet(), stderr=_Quiet())
        report("derived data ready")

    def _progress(self, started: float):
        def report(message: str) -> None:
            self.say(f"  [{time.monotonic() - started:5.1f} s] {message}")

        return report
