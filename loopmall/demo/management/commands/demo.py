"""`loopmall demo`: migrate, build the demo brand once, print the sign-ins, serve on 127.0.0.1."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from loopmall.demo import logins, server, simulator
from loopmall.demo.models import DemoBuild


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

    def _progress(self, started: float):
        def report(message: str) -> None:
            self.say(f"  [{time.monotonic() - started:5.1f} s] {message}")

        return report
