"""Checkout benchmark: orders per second and latency on PostgreSQL, over real HTTP.

Starts gunicorn on a free port against a fresh benchmark database, seeds customers (each with an
address and an API token) and SKUs, then runs N client threads for a fixed time. Each client loops:
POST /api/v1/checkout (with an Idempotency-Key) then POST /api/v1/orders/<n>/pay/sandbox.
One "order" = both requests. Prints orders/s and p50/p99 latency per request and per order.

    .venv/bin/python bench/checkout.py --clients 8 --seconds 30
    .venv/bin/python bench/checkout.py --database-url postgres://postgres@127.0.0.1:5432/loopmall_bench

Needs PostgreSQL (default: 127.0.0.1:5432, database `loopmall_bench`, dropped and re-created).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-checkout-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(env: dict, customers: int, skus: int) -> dict:
    """Migrate and create the shop through its own services; returns tokens and SKU ids."""
    subprocess.run(
        [sys.executable, "-m", "loopmall", "migrate", "--skip-checks", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    script = f"""
import json, django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from loopmall.accounts import services as accounts
from loopmall.catalog import services as catalog
category = catalog.category_create(name="茶叶", name_en="Tea", slug="tea")
sku_ids = []
for i in range({skus}):
    product = catalog.product_create(category_id=category.pk, name=f"基准茶 {{i}}", slug=f"bench-{{i}}")
    sku_ids.append(catalog.sku_create(product_id=product.pk, code=f"BENCH-{{i}}", price_minor=5990 + i,
                                      stock=10_000_000).pk)
tokens = []
for i in range({customers}):
    user = accounts.customer_signup(login=f"139{{i:08d}}", password="{PASSWORD}")
    accounts.address_create(user=user, recipient="基准", phone="13900000000", province="上海市",
                            city="上海市", detail=f"{{i}}号")
    tokens.append(accounts.api_token_issue(user=user))
print(json.dumps({{"tokens": tokens, "sku_ids": sku_ids}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def server_start(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "loopmall.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--threads", str(threads), "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    # The first request imports every app and the URL tree; on a busy 2-core box that takes a while.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("server did not come up within 300 s")


class Client(threading.Thread):
    def __init__(self, port: int, token: str, sku_ids: list[int], stop_at: float, warmup_until: float):
        super().__init__(daemon=True)
        self.port, self.token, self.sku_ids = port, token, sku_ids
        self.stop_at, self.warmup_until = stop_at, warmup_until
        self.checkout_ms: list[float] = []
        self.pay_ms: list[float] = []
        self.order_ms: list[float] = []
        self.errors: dict[str, int] = {}

    def post(self, conn, path: str, body: dict, headers: dict) -> tuple[int, dict]:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, (json.loads(payload) if payload else {})

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        auth = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        rng = random.Random(self.token)
        while time.monotonic() < self.stop_at:
            sku_id = rng.choice(self.sku_ids)
            started = time.perf_counter()
            try:
                status, order = self.post(
                    conn, "/api/v1/checkout", {"items": [{"sku_id": sku_id, "quantity": rng.randint(1, 3)}]},
                    {**auth, "Idempotency-Key": uuid.uuid4().hex},
                )  # fmt: skip
                placed = time.perf_counter()
                if status != 201:
                    self.errors[f"checkout {status}"] = self.errors.get(f"checkout {status}", 0) + 1
                    continue
                status, paid = self.post(conn, f"/api/v1/orders/{order['number']}/pay/sandbox", {}, auth)
                done = time.perf_counter()
                if status != 200 or paid.get("status") != "paid":
                    self.errors[f"pay {status}"] = self.errors.get(f"pay {status}", 0) + 1
                    continue
            except (OSError, http.client.HTTPException) as exc:
                # During warm-up a worker's first request imports the whole app and may time out.
                name = ("warm-up " if time.monotonic() < self.warmup_until else "") + type(exc).__name__
                self.errors[name] = self.errors.get(name, 0) + 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            if time.monotonic() >= self.warmup_until:
                self.checkout_ms.append((placed - started) * 1000)
                self.pay_ms.append((done - placed) * 1000)
                self.order_ms.append((done - started) * 1000)
        conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--skus", type=int, default=20)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loopmall_bench"),
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("the checkout benchmark runs on PostgreSQL: pass --database-url postgres://...")

    var_dir = tempfile.mkdtemp(prefix="loopmall-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "LOOPMALL_VAR_DIR": var_dir,
        "LOOPMALL_CONN_MAX_AGE": "60",
        "PYTHONWARNINGS": "ignore::UserWarning",
        "DJANGO_SETTINGS_MODULE": "loopmall.settings",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
    }
    env.pop("REDIS_URL", None)
    print(f"database {args.database_url} (re-created); var dir {var_dir}")
    database_recreate(args.database_url)
    load_before = os.getloadavg()
    data = seed(env, customers=args.clients, skus=args.skus)
    port = free_port()
    server = server_start(env, port, args.workers, args.threads)
    try:
        start = time.monotonic()
        warmup_until = start + args.warmup
        stop_at = warmup_until + args.seconds
        clients = [
            Client(port, token, data["sku_ids"], stop_at, warmup_until)
            for token in data["tokens"][: args.clients]
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    orders = [ms for c in clients for ms in c.order_ms]
    checkout = [ms for c in clients for ms in c.checkout_ms]
    pay = [ms for c in clients for ms in c.pay_ms]
    errors: dict[str, int] = {}
    for c in clients:
        for name, count in c.errors.items():
            errors[name] = errors.get(name, 0) + count
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} (other work shares the cores)"
    )
    print(f"gunicorn {args.workers} workers x {args.threads} threads; {args.clients} client threads; "
          f"{args.seconds:.0f} s measured after {args.warmup:.0f} s warm-up")  # fmt: skip
    print(f"orders placed and paid: {len(orders)}  ->  {len(orders) / args.seconds:.1f} orders/s")
    for name, values in (("checkout", checkout), ("sandbox pay", pay), ("order (both)", orders)):
        print(f"  {name:<13} p50 {percentile(values, 50):7.1f} ms   p99 {percentile(values, 99):7.1f} ms   "
              f"mean {statistics.fmean(values) if values else float('nan'):7.1f} ms")  # fmt: skip
    print(f"errors: {errors or 'none'}")


if __name__ == "__main__":
    main()
