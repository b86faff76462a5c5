import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from loopmall.accounts.models import User
from loopmall.demo import logins
from loopmall.demo.models import DemoBuild
from loopmall.orders.models import Order


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_demo_builds_once_prints_the_logins_and_keeps_them(db, var_dir, capsys):
    call_command("demo", no_serve=True, customers=40)
    first = capsys.readouterr().out
    passwords = json.loads((var_dir / "demo_logins.json").read_text())
    assert f"staff login  {logins.ADMIN_LOGIN}" in first
    assert f"password     {passwords[logins.ADMIN_LOGIN]}" in first
    assert f"shopper      {logins.SHOPPER_LOGIN}  password {passwords[logins.SHOPPER_LOGIN]}" in first
    assert "/console/" in first
    admin = User.objects.get(login=logins.ADMIN_LOGIN)
    assert admin.is_staff
    from loopmall.insight.models import Adaptation

    owners = set(Adaptation.objects.values_list("owner_id", flat=True))
    assert owners == {admin.pk}  # the board's history has an owner on every card
    assert admin.is_superuser
    assert admin.role == "admin"
    assert admin.check_password(passwords[logins.ADMIN_LOGIN])
    shopper = User.objects.get(login=logins.SHOPPER_LOGIN)
    assert shopper.check_password(passwords[logins.SHOPPER_LOGIN])
    assert shopper.orders.exists()  # the demo shopper has a history to reorder from
    orders = Order.objects.count()

    admin.set_password("changed-by-someone")
    admin.save()
    call_command("demo", no_serve=True, customers=40)
    second = capsys.readouterr().out
    assert "already built" in second
    assert DemoBuild.objects.count() == 1
    assert Order.objects.count() == orders
    assert User.objects.get(login=logins.ADMIN_LOGIN).check_password(passwords[logins.ADMIN_LOGIN])


def test_demo_reset_rebuilds(transactional_db, var_dir, capsys):
    # flush runs outside a transaction, as it does for a user (PostgreSQL cannot TRUNCATE mid-transaction).

    call_command("demo", no_serve=True, customers=30, seed=1)
    assert DemoBuild.objects.get().seed == 1
    call_command("demo", no_serve=True, customers=30, seed=2, reset=True)
    assert "erasing the database" in capsys.readouterr().out
    rebuilt = DemoBuild.objects.get()
    assert rebuilt.seed == 2
    assert User.objects.filter(login=logins.ADMIN_LOGIN).count() == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


def _is_running(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.mark.slow
def test_serve_runs_web_and_queue_and_stops_both_on_sigterm(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(LOOPMALL_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    server = subprocess.Popen(
        [sys.executable, "-m", "loopmall", "serve", "--port", str(port), "--skip-checks"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and status != 200:
            time.sleep(1)
            assert server.poll() is None, server.stdout.read()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/static/vendor/plotly.min.js", timeout=10
                ) as r:
                    status = r.status
            except OSError:
                continue
        assert status == 200
        children = _children(server.pid)
        assert len(children) == 2  # the web server and the queue consumer
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        for child in children:
            assert not _is_running(child)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
