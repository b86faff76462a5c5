"""`loopmall import taobao`: Taobao UserBehavior rows into users, inactive products and outbox events."""

import gzip
import shutil
from datetime import UTC, datetime

import pytest
from import_helpers import FIXTURES, SHARED_DATA, table_state

from loopmall.accounts.models import User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.core.models import OutboxEvent
from loopmall.imports import taobao
from loopmall.imports.base import ImportFailed

pytestmark = pytest.mark.django_db
SAMPLE = SHARED_DATA / "taobao_userbehavior_sample"


@pytest.fixture
def behaviour_dir(tmp_path):
    shutil.copy(FIXTURES / "taobao" / "UserBehavior.csv", tmp_path / "UserBehavior.csv")
    return tmp_path


def test_rows_become_users_inactive_products_and_events(behaviour_dir):
    result = taobao.run(behaviour_dir, progress=False)

    assert result.created == {"users": 2, "categories": 2, "products": 4, "skus": 4, "events": 7}
    # the repeated row (same user, item, behaviour and second) is one event
    assert result.unchanged["events"] == 1
    first = User.objects.get(external_id="taobao:1")
    assert (first.channel, first.date_joined) == ("taobao", datetime.fromtimestamp(1511544070, tz=UTC))
    assert not first.has_usable_password()

    product = Product.objects.get(external_id="taobao:2268318")
    sku = Sku.objects.get(external_id="taobao:2268318")
    assert (product.name, product.is_active, product.category.slug) == (
        "Taobao item 2268318",
        False,
        "taobao-2520377",
    )
    assert "no product names or prices" in product.description
    assert (sku.code, sku.price_minor, sku.is_active, sku.product) == ("taobao-2268318", 0, False, product)
    assert Category.objects.get(slug="taobao-411153").name == "Taobao category 411153"

    events = OutboxEvent.objects.filter(user=first).order_by("occurred_at")
    assert [e.name for e in events] == [
        "Product Viewed",
        "Product Added",
        "Order Completed",
        "Product Added to Wishlist",
    ]
    viewed = events[0]
    assert viewed.event_id == "taobao:1:2268318:pv:1511544070"
    assert viewed.occurred_at == datetime(2017, 11, 24, 17, 21, 10, tzinfo=UTC)
    assert viewed.channel == "taobao"
    assert viewed.properties == {
        "sku_id": sku.pk,
        "product_id": product.pk,
        "category": "taobao-2520377",
        "taobao_item_id": "2268318",
        "taobao_category_id": "2520377",
    }


def test_running_again_changes_nothing(behaviour_dir):
    taobao.run(behaviour_dir, progress=False)
    before = table_state()

    again = taobao.run(behaviour_dir, progress=False)

    assert table_state() == before
    assert sum(again.created.values()) == 0
    assert again.unchanged == {"users": 2, "categories": 2, "products": 4, "skus": 4, "events": 8}


def test_a_bad_row_keeps_the_file_out_unless_skipped(behaviour_dir):
    path = behaviour_dir / "UserBehavior.csv"
    lines = path.read_text().splitlines()
    lines[2] = "1,2268318,2520377,like,1511545000"
    lines[5] = "100,5002615,2520377,pv,yesterday"
    lines.append("7,8")
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(ImportFailed) as caught:
        taobao.run(behaviour_dir, progress=False)

    assert [str(e) for e in caught.value.errors] == [
        "UserBehavior.csv:3: behavior: must be one of pv, cart, fav, buy, not 'like'",
        "UserBehavior.csv:6: timestamp: not Unix seconds: 'yesterday'",
        "UserBehavior.csv:9: expected 5 columns (user_id, item_id, category_id, behavior, timestamp), got 2",
    ]
    assert OutboxEvent.objects.count() == 0
    assert User.objects.count() == 0

    result = taobao.run(behaviour_dir, skip_bad=True, progress=False)

    assert len(result.skipped) == 3
    assert result.created["events"] == 6  # the repeated row is no longer a repeat: its twin was bad
    assert not OutboxEvent.objects.filter(event_id="taobao:1:2268318:like:1511545000").exists()


def test_gzip_files_and_a_header_line_are_read(tmp_path):
    text = "user_id,item_id,category_id,behavior,timestamp\n5,6,7,buy,1511544070\n"
    (tmp_path / "part-1.csv.gz").write_bytes(gzip.compress(text.encode()))

    result = taobao.run(tmp_path, progress=False)

    assert result.created["events"] == 1
    assert OutboxEvent.objects.get().event_id == "taobao:5:6:buy:1511544070"


def test_a_folder_without_data_is_refused(tmp_path):
    with pytest.raises(ImportFailed, match="no UserBehavior .csv or .csv.gz file"):
        taobao.run(tmp_path, progress=False)


@pytest.mark.slow
def test_the_real_sample_loads_all_its_events_once(tmp_path):
    if not SAMPLE.exists():
        pytest.skip(f"the Taobao UserBehavior sample is not at {SAMPLE}")
    shutil.copy(SAMPLE / "UserBehavior_first814users.csv.gz", tmp_path)

    result = taobao.run(tmp_path, progress=False)

    # counts from the sample's SOURCE.md
    assert result.created["events"] == 84_287
    assert result.created["users"] == 814
    assert result.created["products"] == 55_233
    assert OutboxEvent.objects.filter(name="Order Completed").count() == 1_749
    assert OutboxEvent.objects.filter(name="Product Viewed").count() == 75_693
    counts_before = OutboxEvent.objects.count()

    again = taobao.run(tmp_path, progress=False)

    assert again.created.get("events", 0) == 0
    assert again.unchanged["events"] == 84_287
    assert OutboxEvent.objects.count() == counts_before
