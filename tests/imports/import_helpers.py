"""Helpers for the import tests (the test folder is on sys.path: pytest's rootdir-relative import)."""

import gzip
import hashlib
import json
from pathlib import Path

from django.conf import settings

from loopmall.accounts.models import User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.core.models import OutboxEvent
from loopmall.orders.models import Order, OrderLine

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(settings.BASE_DIR).parent.parent / "shared" / "data"
TABLES = (User, Category, Product, Sku, Order, OrderLine, OutboxEvent)


def gzip_file(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    return target


def replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def table_state() -> tuple[dict[str, int], str]:
    """Row counts of every table an import writes and a checksum of all their rows and columns."""
    counts, digest = {}, hashlib.sha256()
    for model in TABLES:
        rows = list(model.objects.order_by("pk").values())
        counts[model.__name__] = len(rows)
        digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
    return counts, digest.hexdigest()
