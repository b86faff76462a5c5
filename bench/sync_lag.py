"""Sync lag (outbox → warehouse) with the demo running as `loopmall serve` runs it (target: p95 < 2 min).

Per run: start the web server and the task-queue consumer (with its scheduler) exactly as the demo does
(`loopmall.demo.server.web_command` / `queue_command`), post page views to `POST /api/v1/analytics/events`
at a steady rate for `--minutes`, keep the consumer running until every posted event is in the
warehouse (or `--drain` minutes pass), stop both, then read what the warehouse recorded:

- per event: lag = time the sync run that copied it had committed it (SyncRun.finished_at, taken right
  after the warehouse commit) − time the API answered the post (the event was in the outbox then);
  an event no run copied counts as lagging until the end of the drain;
- per sync run: the lag p95 the run recorded itself (SyncRun.lag_p95_seconds), and failed runs.

Prints p50 / p95 / max per run. The demo database is built once in `--var` (`loopmall demo --no-serve`,
then `loopmall warehouse rebuild`) and reused by later runs and invocations.

    .venv/bin/python bench/sync_lag.py --runs 3 --minutes 5
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, check=True, cwd=ROOT)  # noqa: S603 (this interpreter, fixed args)


def prepare(env: dict[str, str]) -> None:
    """The demo database and its warehouse, built once per --var directory."""
    marker = Path(env["LOOPMALL_VAR_DIR"]) / "sync-lag-prepared"
    if marker.exists():
        return
    started = time.monotonic()
    print("building the demo (loopmall demo --no-serve) ...", flush=True)
    _run([sys.executable, "-m", "loopmall", "demo", "--no-serve"], env)
    print("rebuilding the warehouse ...", flush=True)
    _run([sys.executable, "-m", "loopmall", "warehouse", "rebuild"], env)
    marker.write_text(datetime.now(UTC).isoformat())
    print(f"prepared in {time.monotonic() - started:.0f} s", flush=True)


def wait_for_web(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (local URL we started)
                return
        except Exception:  # noqa: BLE001 (not up yet)
            time.sleep(0.5)
    raise RuntimeError(f"the web server did not answer at {url}")


class Probe(threading.Thread):
    """Posts `batch` page views every `interval` seconds; remembers when each post was answered."""

    def __init__(self, endpoint: str, *, batch: int, interval: float, seconds: float, run_tag: str):
        super().__init__(daemon=True)
        self.endpoint, self.batch, self.interval, self.seconds = endpoint, batch, interval, seconds
        self.run_tag = run_tag
        self.posted: dict[str, float] = {}  # event_id → epoch seconds the API answered
        self.failures = 0

    def run(self) -> None:
        start = time.monotonic()
        tick = 0
        while time.monotonic() - start < self.seconds:
            events = [
                {
                    "event_id": f"lag-{self.run_tag}-{tick}-{i}-{uuid.uuid4().hex[:8]}",
                    "name": "Product Viewed",
                    "timestamp": int(time.time() * 1000),
                    "anonymous_id": f"lag-visitor-{tick % 50}",
                    "properties": {"path": "/bench/sync-lag"},
                    "channel": "storefront",
                }
                for i in range(self.batch)
            ]
            request = urllib.request.Request(  # noqa: S310 (local URL we started)
                self.endpoint,
                data=json.dumps({"batch": events}).encode(),
                headers={"Content-Type": "text/plain"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    ok = 200 <= response.status < 300
            except Exception:  # noqa: BLE001 (count it, keep the rate)
                ok = False
            answered = time.time()
            if ok:
                for event in events:
                    self.posted[event["event_id"]] = answered
            else:
                self.failures += 1
            tick += 1
            next_at = start + tick * self.interval
            time.sleep(max(0.0, next_at - time.monotonic()))


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(posted: dict[str, float], since: datetime, drained_at: float) -> dict:
    """Lags of the posted events from the outbox ids and the SyncRun rows (read in this process)."""
    from loopmall.analytics.models import SyncRun
    from loopmall.core.models import OutboxEvent

    ids: dict[str, int] = {}
    names = list(posted)
    for start in range(0, len(names), 500):
        ids.update(
            OutboxEvent.objects.filter(event_id__in=names[start : start + 500]).values_list("event_id", "id")
        )
    runs = list(
        SyncRun.objects.filter(kind=SyncRun.Kind.SYNC, started_at__gte=since).order_by("finished_at", "id")
    )
    ok = [r for r in runs if r.is_ok and r.finished_at]
    lags = []
    missing = 0
    for event_id, answered in posted.items():
        outbox_id = ids.get(event_id)
        run = next((r for r in ok if outbox_id is not None and r.outbox_id_after >= outbox_id), None)
        if run is None:
            missing += 1
            lags.append(drained_at - answered)
            continue
        lags.append(max(0.0, run.finished_at.timestamp() - answered))
    recorded = [r.lag_p95_seconds for r in ok if r.lag_p95_seconds is not None]
    durations = [(r.finished_at - r.started_at).total_seconds() for r in ok]
    return {
        "events": len(posted),
        "not_synced": missing,
        "p50": percentile(lags, 50),
        "p95": percentile(lags, 95),
        "max": max(lags) if lags else None,
        "runs_ok": len(ok),
        "runs_failed": len(runs) - len(ok),
        "errors": sorted({(r.error or "")[:120] for r in runs if not r.is_ok}),
        "recorded_p95_median": percentile(recorded, 50),
        "recorded_p95_max": max(recorded) if recorded else None,
        "run_seconds_median": percentile(durations, 50),
        "run_seconds_max": max(durations) if durations else None,
    }


def one_run(number: int, args, env: dict[str, str]) -> dict:
    from loopmall.demo import server

    web_cmd = server.web_command(host="127.0.0.1", port=args.port)
    queue_cmd = server.queue_command()
    if args.workers:
        queue_cmd = [*queue_cmd]
        queue_cmd[queue_cmd.index("--workers") + 1] = str(args.workers)
    log = open(Path(env["LOOPMALL_VAR_DIR"]) / f"sync-lag-run{number}.log", "w")  # noqa: SIM115
    since = datetime.now(UTC)
    processes = [
        subprocess.Popen(web_cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT),  # noqa: S603
        subprocess.Popen(queue_cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT),  # noqa: S603
    ]
    load_before = os.getloadavg()
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for_web(f"{base}/api/v1/docs")
        probe = Probe(
            f"{base}/api/v1/analytics/events",
            batch=args.batch,
            interval=args.interval,
            seconds=args.minutes * 60,
            run_tag=f"{int(time.time())}-{number}",
        )
        probe.start()
        probe.join()
        # Keep the consumer running until every posted event is in the warehouse, or the drain ends.
        deadline = time.monotonic() + args.drain * 60
        from loopmall.analytics.models import SyncRun
        from loopmall.core.models import OutboxEvent

        last_id = (
            OutboxEvent.objects.filter(event_id__in=list(probe.posted)[-50:])
            .order_by("-id")
            .values_list("id", flat=True)
        ).first() or 0
        while time.monotonic() < deadline:
            done = SyncRun.objects.filter(
                kind=SyncRun.Kind.SYNC, is_ok=True, started_at__gte=since, outbox_id_after__gte=last_id
            ).exists()
            if done:
                break
            time.sleep(2)
        drained_at = time.time()
    finally:
        stop(processes)
        log.close()
    result = measure(probe.posted, since, drained_at)
    result["post_failures"] = probe.failures
    result["load"] = (load_before, os.getloadavg())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=5.0, help="minutes of posting per run")
    parser.add_argument("--drain", type=float, default=4.0, help="minutes to wait for the last events")
    parser.add_argument("--batch", type=int, default=5, help="page views per post")
    parser.add_argument("--interval", type=float, default=4.0, help="seconds between posts")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--var", default="/tmp/loopmall-sync-lag", help="LOOPMALL_VAR_DIR for the demo")
    parser.add_argument(
        "--workers", type=int, default=0, help="consumer threads (default: as the demo starts it)"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env["LOOPMALL_VAR_DIR"] = args.var
    env.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    env.pop("DATABASE_URL", None)  # the demo's embedded SQLite database, as `loopmall demo` runs it
    env.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("LOOPMALL_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    Path(args.var).mkdir(parents=True, exist_ok=True)
    prepare(env)
    import django

    django.setup()
    from loopmall.demo import server

    queue_cmd = server.queue_command()
    workers = args.workers or queue_cmd[queue_cmd.index("--workers") + 1]
    print(
        f"{args.runs} runs × {args.minutes:g} min, {args.batch} page views every {args.interval:g} s, "
        f"consumer threads {workers}, var {args.var}",
        flush=True,
    )
    header = (
        f"{'run':>3} {'events':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'runs ok/failed':>14} "
        f"{'recorded p95 med/max s':>22} {'run s med/max':>14} {'load 1-min':>10}"
    )
    print(header, flush=True)
    results = []
    for number in range(1, args.runs + 1):
        r = one_run(number, args, env)
        results.append(r)

        def f(value):
            return "-" if value is None else f"{value:.1f}"

        print(
            f"{number:>3} {r['events']:>6} {f(r['p50']):>7} {f(r['p95']):>7} {f(r['max']):>7} "
            f"{r['runs_ok']:>7}/{r['runs_failed']:<6} "
            f"{f(r['recorded_p95_median']):>10}/{f(r['recorded_p95_max']):<11} "
            f"{f(r['run_seconds_median']):>6}/{f(r['run_seconds_max']):<7} "
            f"{r['load'][0][0]:>4.1f}→{r['load'][1][0]:<4.1f}",
            flush=True,
        )
        if r["errors"] or r["not_synced"] or r["post_failures"]:
            print(
                f"    not synced {r['not_synced']}, failed posts {r['post_failures']}, errors {r['errors']}",
                flush=True,
            )
    met = sum(1 for r in results if r["p95"] is not None and r["p95"] < 120)
    print(f"p95 < 120 s in {met} of {len(results)} runs")


if __name__ == "__main__":
    main()
