"""Run LoopMall: the web server and the task-queue consumer (with its scheduler) side by side,
both stopped cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

STOP_GRACE_SECONDS = 10
# A web server that exits within this many seconds of starting did not start.
STARTUP_SECONDS = 4


def web_command(*, host: str, port: int, workers: int = 2, threads: int = 4) -> list[str]:
    if importlib.util.find_spec("gunicorn") is not None:
        return [
            sys.executable, "-m", "gunicorn", "loopmall.wsgi",
            "--workers", str(workers), "--threads", str(threads),
            "--bind", f"{host}:{port}", "--graceful-timeout", "5", "--log-level", "warning",
            # Load the app once in the master (wsgi.py also loads the URL configuration) before forking.
            "--preload", "--timeout", "120",
        ]  # fmt: skip
    return fallback_web_command(host=host, port=port)


def fallback_web_command(*, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "loopmall", "runserver", f"{host}:{port}", "--noreload", "--skip-checks"]


def queue_command() -> list[str]:
    # huey's consumer runs the periodic tasks (unpaid-order cancellation, weekly reports) too.
    return [
        sys.executable, "-m", "loopmall", "run_huey", "--workers", "2", "--worker-type", "thread",
        "--graceful-signal", "TERM", "--shutdown-timeout", "5",
    ]  # fmt: skip


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    return env


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(*, host: str = "127.0.0.1", port: int = 8000, write: Callable[[str], None] = print) -> int:
    """Run until interrupted; returns the exit status."""
    env = _environment()
    # whitenoise serves from the finders; an absent STATIC_ROOT only makes it warn at every start.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    stopping = {"signal": None}

    def on_signal(number, _frame) -> None:
        stopping["signal"] = number

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[subprocess.Popen] = []
    try:
        # The commands are this interpreter with fixed arguments (no shell, no outside input).
        command = web_command(host=host, port=port)
        using_gunicorn = "gunicorn" in command
        web = subprocess.Popen(command, env=env)  # noqa: S603
        processes.append(web)
        started = time.monotonic()
        queue = subprocess.Popen(queue_command(), env=env)  # noqa: S603
        processes.append(queue)
        write(f"LoopMall is running on http://{host}:{port}/  (Ctrl-C to stop)")
        write(f"  storefront  http://{host}:{port}/")
        write(f"  console     http://{host}:{port}/console/")
        write(f"  API docs    http://{host}:{port}/api/v1/docs")
        while stopping["signal"] is None:
            time.sleep(0.3)
            if web.poll() is not None:
                if using_gunicorn and time.monotonic() - started < STARTUP_SECONDS:
                    write("gunicorn did not start; falling back to Django's server")
                    using_gunicorn = False
                    web = subprocess.Popen(fallback_web_command(host=host, port=port), env=env)  # noqa: S603
                    processes[0] = web
                    started = time.monotonic()
                    continue
                write(f"the web server exited with status {web.returncode}; stopping")
                return web.returncode or 1
            if queue.poll() is not None:
                write(f"the task queue exited with status {queue.returncode}; stopping")
                return queue.returncode or 1
        write("stopping LoopMall ...")
        return 0
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
