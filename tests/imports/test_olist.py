import hashlib
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from loopmall.accounts.models import User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.imports import olist
from loopmall.imports.base import ImportFailed
from loopmall.orders.models import Order, OrderLine, Payment
from loopmall.social.models import Review

FIXTURE = Path(__file__).parent / "olist_fixture"
SAMPLE = Path(settings.BASE_DIR).parent.parent / "shared" / "data" / "olist_sample"
TABLES = (User, Category, Product, Sku, Order, OrderLine, Payment, Review)

pytestmark = pytest.mark.django_db


def checksum() -> str:
    digest = hashlib.sha256()
    for model in TABLES:
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def test_fixture_loads_every_table():
    result = olist.run(FIXTURE, progress=False)
    assert result.created == {
        "categories": 3, "products": 3, "skus": 3, "users": 3, "orders": 4,
        "order_lines": 4, "payments": 3, "reviews": 2,
    }  # fmt: skip
    assert not result.skipped
    # Two Olist customer ids of the same person are one user, keyed by the unique id.
    repeat = User.objects.get(external_id="olist:u0000000000000000000000000000001")
    assert repeat.orders.count() == 2
    assert repeat.channel == "organic"
    assert repeat.city == "sao paulo"
    delivered = Order.objects.get(external_id="olist:o0000000000000000000000000000001")
    assert delivered.status == "completed"
    assert delivered.currency == "BRL"
    assert delivered.channel == "storefront"
    assert delivered.subtotal_minor == 2999 * 2 + 4500
    assert delivered.shipping_minor == 872 * 2 + 1210
    assert delivered.total_minor == delivered.subtotal_minor + delivered.shipping_minor
    assert delivered.paid_minor == 12000 + 1522  # card + voucher
    assert delivered.placed_at.isoformat() == "2017-10-02T13:56:33+00:00"  # São Paulo is UTC-3
    lines = {line.sku.external_id: line.quantity for line in delivered.lines.select_related("sku")}
    assert lines == {"olist:p0000000000000000000000000000001": 2, "olist:p0000000000000000000000000000002": 1}
    payment = Payment.objects.get(order=delivered)
    assert payment.method == "credit_card+voucher"
    assert len(payment.raw["payments"]) == 2
    cancelled = Order.objects.get(external_id="olist:o0000000000000000000000000000003")
    assert cancelled.status == "cancelled"
    assert cancelled.paid_minor == 0
    assert Order.objects.get(external_id="olist:o0000000000000000000000000000004").status == "paid"
    sku = Sku.objects.get(external_id="olist:p0000000000000000000000000000001")
    assert sku.price_minor == 2999
    assert sku.currency == "BRL"
    assert sku.attributes["weight_g"] == 225
    assert sku.product.category.name_en == "Health beauty"
    assert Sku.objects.get(external_id="olist:p0000000000000000000000000000003").product.category.slug == (
        "olist-uncategorised"
    )
    review = Review.objects.get(order=delivered)
    assert review.lang == "pt"
    assert review.source == "olist"
    assert review.rating == 5
    assert review.title == "Recomendo"
    assert review.text == "Produto excelente, chegou antes do prazo.\nMuito bem embalado."
    assert review.user == repeat
    # The cancelled order has no items: its review has no product and is reported, not loaded.
    assert any("without items" in note for note in result.notes)


def test_second_run_creates_nothing_and_changes_nothing():
    olist.run(FIXTURE, progress=False)
    before_counts, before_sum = counts(), checksum()
    again = olist.run(FIXTURE, progress=False)
    assert sum(again.created.values()) == 0
    assert again.unchanged["orders"] == 4
    assert counts() == before_counts
    assert checksum() == before_sum


@pytest.fixture
def broken(tmp_path):
    directory = tmp_path / "olist"
    shutil.copytree(FIXTURE, directory)
    items = directory / "olist_order_items_dataset.csv"
    lines = items.read_text().splitlines()
    lines[3] = lines[3].replace('"45.00"', '"45,00"')  # a decimal comma on line 4
    items.write_text("\n".join(lines) + "\n")
    return directory


def test_a_broken_row_names_file_line_and_field_and_nothing_is_loaded(broken):
    with pytest.raises(ImportFailed) as failure:
        olist.run(broken, progress=False)
    assert [str(error) for error in failure.value.errors] == [
        "olist_order_items_dataset.csv:4: price: '45,00' is not an amount"
    ]
    assert counts() == dict.fromkeys(counts(), 0)


def test_skip_bad_loads_the_good_rows_and_lists_the_bad(broken):
    result = olist.run(broken, skip_bad=True, progress=False)
    assert [(e.file, e.line, e.field) for e in result.skipped] == [
        ("olist_order_items_dataset.csv", 4, "price")
    ]
    assert result.created["order_lines"] == 3
    assert "olist_order_items_dataset.csv:4: price:" in result.summary()


def test_rows_pointing_at_unknown_or_invalid_records_are_errors(tmp_path):
    directory = tmp_path / "olist"
    shutil.copytree(FIXTURE, directory)
    orders = directory / "olist_orders_dataset.csv"
    text = orders.read_text().replace('"invoiced","2018-08-20 14:00:00"', '"lost","2018-08-20 14:00:00"')
    orders.write_text(text.replace('"c0000000000000000000000000000003"', '"c-nobody"'))
    with pytest.raises(ImportFailed) as failure:
        olist.run(directory, progress=False)
    shown = [str(error) for error in failure.value.errors]
    assert "olist_orders_dataset.csv:4: customer_id: c-nobody is not in olist_customers_dataset" in shown
    assert any(s.startswith("olist_orders_dataset.csv:5: order_status: 'lost' is not one of") for s in shown)
    # Rows of the orders that could not load are errors too, not silently dropped.
    assert any(s.startswith("olist_order_items_dataset.csv:6: order_id:") for s in shown)


def test_missing_required_file_is_reported(tmp_path):
    (tmp_path / "olist_orders_dataset.csv").write_text("order_id\n")
    with pytest.raises(ImportFailed) as failure:
        olist.run(tmp_path, progress=False)
    assert "olist_customers_dataset.csv:0: file is missing" in str(failure.value)


def test_command_reports_counts_and_errors(broken, capsys):
    call_command("import", "olist", str(FIXTURE), "--no-progress")
    assert "orders: 4 new, 0 already there" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"olist_order_items_dataset\.csv:4: price"):
        call_command("import", "olist", str(broken), "--no-progress")


@pytest.mark.slow
def test_the_real_sample_loads_and_a_rerun_changes_nothing():
    if not (SAMPLE / "olist_orders_dataset.csv.gz").exists():
        pytest.skip(f"the Olist sample is not at {SAMPLE}")
    result = olist.run(SAMPLE, progress=False)
    assert not result.skipped
    assert result.created["orders"] == 4000
    assert result.created["users"] == 3998
    assert result.created["products"] == 3132
    assert Order.objects.filter(currency="BRL").count() == 4000
    assert Review.objects.filter(lang="pt", source="olist").count() == result.created["reviews"] > 3900
    assert OrderLine.objects.count() > 4000
    before_counts, before_sum = counts(), checksum()
    again = olist.run(SAMPLE, progress=False)
    assert sum(again.created.values()) == 0
    assert counts() == before_counts
    assert checksum() == before_sum
