"""`loopmall import bundle`: the data contract's import bundle, loaded on SQLite and PostgreSQL."""

import sys
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from import_helpers import gzip_file, replace_line, table_state

import loopmall.imports
from loopmall.accounts.models import User
from loopmall.catalog.models import Category, Product, Sku
from loopmall.core.models import OutboxEvent
from loopmall.imports import bundle
from loopmall.imports.base import ImportFailed
from loopmall.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db


def messages(exc: ImportFailed) -> list[str]:
    return [str(e) for e in exc.errors]


def test_every_file_loads_with_its_rows_linked(bundle_dir):
    result = bundle.run(bundle_dir, progress=False)

    assert result.created == {
        "users": 4, "categories": 2, "products": 2, "skus": 3, "orders": 5, "order_items": 6, "events": 6,
        "feedback": 2,
    }  # fmt: skip
    u1, u2, u3, u4 = (User.objects.get(external_id=f"bundle:U{n}") for n in range(1, 5))
    # No offset means Asia/Shanghai; a bare date is its midnight there.
    assert u1.date_joined == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert u2.date_joined == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert u3.date_joined == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
    assert (u1.channel, u1.city, u1.display_name, u1.phone, u1.email) == (
        "community", "上海", "Lin Mei", "13800000001", "lin@example.com",
    )  # fmt: skip
    assert u3.channel == "organic"
    assert not u1.has_usable_password()
    # An inviter later in the same file is still linked.
    assert (u2.invited_by, u3.invited_by, u1.invited_by) == (u1, u4, None)

    tea = Product.objects.get(external_id="bundle:TEA-1")
    assert (tea.name, tea.category.name, tea.category.slug, tea.attributes) == (
        "Longjing tea 100 g", "Tea", "tea", ["eco", "gift_box"],
    )  # fmt: skip
    small, large = Sku.objects.get(code="TEA-1-S"), Sku.objects.get(external_id="bundle:TEA-1-L")
    assert (small.price_minor, small.list_price_minor, small.tier, small.product) == (
        5990,
        7900,
        "standard",
        tea,
    )
    assert (large.price_minor, large.list_price_minor, large.tier, large.product) == (
        12900,
        None,
        "premium",
        tea,
    )
    baby = Sku.objects.get(code="BABY-1")
    assert baby.product.category.name == "母婴"
    assert baby.product.category.slug.startswith("c-")

    orders = {o.external_id.removeprefix("bundle:"): o for o in Order.objects.all()}
    o1, o2, o3, o4, o5 = (orders[f"O{n}"] for n in range(1, 6))
    # O1 gave no total: lines (2 x 59.90 - 5.00 + 45.50) less the order discount of 10.00.
    assert (o1.status, o1.subtotal_minor, o1.discount_minor, o1.total_minor, o1.paid_minor) == (
        "completed", 16530, 1500, 15030, 15030,
    )  # fmt: skip
    assert (o1.user, o1.channel, o1.coupon_code, o1.number) == (u1, "community", "SAVE10", "B-O1")
    assert o1.placed_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert o1.paid_at == datetime(2026, 3, 10, 12, 1, tzinfo=UTC)
    # O2's total is given, so it stands even though its lines say otherwise.
    assert (o2.status, o2.total_minor, o2.paid_minor, o2.subtotal_minor) == ("paid", 10000, 10000, 12900)
    assert o2.paid_at == o2.placed_at
    assert o2.attribution == {"group_buy_id": "G7", "referrer_id": "U1"}
    assert (o2.ship_to_self, o2.is_gift_wrapped) == (False, True)
    assert (o3.status, o3.total_minor, o3.paid_minor, o3.paid_at, o3.channel) == (
        "pending_payment", 5990, 0, None, "storefront",
    )  # fmt: skip
    assert o3.attribution == {"live_session_id": "L9"}
    assert (o3.ship_to_self, o3.is_gift_wrapped) == (True, False)
    assert (o4.status, o4.total_minor, o4.paid_minor, o4.refunded_minor) == ("refunded", 13600, 13600, 13600)
    assert (o5.status, o5.total_minor, o5.paid_minor) == ("cancelled", 5990, 0)
    line = OrderLine.objects.get(order=o4)
    assert (line.sku, line.quantity, line.unit_price_minor, line.discount_minor, line.product_name) == (
        baby, 3, 4550, 50, "Baby lotion",
    )  # fmt: skip

    events = {e.event_id: e for e in OutboxEvent.objects.all()}
    assert events["E1"].occurred_at == datetime(2026, 3, 10, 11, 50, tzinfo=UTC)
    assert (events["E1"].name, events["E1"].user, events["E1"].channel) == ("Product Viewed", u1, "community")
    # Bundle ids become database ids (what the warehouse reads); the bundle's value is kept beside.
    assert events["E1"].properties == {
        "sku_id": small.pk, "product_id": tea.pk, "category": "tea", "bundle_sku_id": "TEA-1-S",
    }  # fmt: skip
    assert events["E2"].properties["quantity"] == 2
    assert events["E3"].properties == {"order_id": "B-O1", "bundle_order_id": "O1"}
    assert (events["E4"].user, events["E4"].anonymous_id) == (None, "anon-42")
    assert events["E4"].occurred_at == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)
    assert events["E4"].properties == {
        "product_id": baby.product_id, "category": baby.product.category.slug, "bundle_product_id": "BABY-1",
    }  # fmt: skip
    # Names outside the catalog are kept.
    assert (events["E5"].name, events["E5"].properties) == ("Mood Board Pinned", {})
    assert events["E6"].properties == {"query": "有机 奶粉", "category": "baby-food"}


def test_running_the_same_bundle_again_changes_nothing(bundle_dir):
    first = bundle.run(bundle_dir, progress=False)
    before = table_state()

    again = bundle.run(bundle_dir, progress=False)

    assert table_state() == before
    assert sum(again.created.values()) == 0
    assert again.unchanged == {
        "users": 4, "skus": 3, "orders": 5, "order_items": 6, "events": 6, "categories": 2, "products": 2,
        "feedback": 2,
    }  # fmt: skip
    assert first.unchanged["events"] == 0


def test_compressed_and_jsonl_files_load_alike(bundle_dir):
    gzip_file(bundle_dir / "users.csv")
    gzip_file(bundle_dir / "products.jsonl")
    (bundle_dir / "events.csv").unlink()
    (bundle_dir / "events.jsonl").write_text(
        '{"event_id": "J1", "name": "Product Viewed", "timestamp": "2026-03-10T19:50:00",'
        ' "user_id": "U1", "properties": {"sku_id": "BABY-1"}}\n\n'
        '{"event_id": "J2", "name": "Post Liked", "timestamp": "2026-03-10T19:51:00", "anonymous_id": "a1",'
        ' "properties": "{\\"post_id\\": \\"P9\\"}"}\n',
        encoding="utf-8",
    )

    result = bundle.run(bundle_dir, progress=False)

    assert (result.created["users"], result.created["skus"], result.created["events"]) == (4, 3, 2)
    baby = Sku.objects.get(code="BABY-1")
    assert OutboxEvent.objects.get(event_id="J1").properties["sku_id"] == baby.pk
    assert OutboxEvent.objects.get(event_id="J2").properties == {"post_id": "P9"}


def test_a_bad_row_keeps_its_whole_file_out_and_dependent_rows_fail_clearly(bundle_dir):
    replace_line(bundle_dir / "orders.csv", 3, "O2,U2,yesterday,paid,,group_buy,100.00,,,G7,U1,,false,true")

    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)

    errors = messages(caught.value)
    assert errors[0] == "orders.csv:3: created_at: not an ISO-8601 time: 'yesterday'"
    assert "order_items.csv:2: order_id: unknown order 'O1' (not in orders)" in errors
    # every item and every feedback row names an order that was not loaded
    assert len([e for e in errors if e.startswith("order_items.csv")]) == 6
    assert len([e for e in errors if e.startswith("feedback.csv")]) == 2
    assert len(errors) == 1 + 6 + 2
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    # Files that do not depend on orders loaded; the event naming O1 keeps the bundle's id only.
    assert User.objects.count() == 4
    assert Sku.objects.count() == 3
    assert OutboxEvent.objects.get(event_id="E3").properties == {"bundle_order_id": "O1"}
    assert "loaded from the other files" in str(caught.value)
    assert "orders.csv: 1 bad row(s), nothing from it was loaded" in str(caught.value)


def test_skip_bad_loads_the_good_rows_and_lists_the_bad(bundle_dir):
    replace_line(bundle_dir / "orders.csv", 3, "O2,U2,2026-03-11T12:00:00,paid,,group_buy,100.001,,,,,,,")

    result = bundle.run(bundle_dir, skip_bad=True, progress=False)

    skipped = [str(e) for e in result.skipped]
    assert skipped[0] == "orders.csv:3: total: '100.001' has more than 2 decimal places for CNY"
    assert skipped[1] == "order_items.csv:4: order_id: unknown order 'O2' (not in orders)"
    assert len(skipped) == 2
    assert result.created["orders"] == 4
    assert result.created["order_items"] == 5
    assert not Order.objects.filter(external_id="bundle:O2").exists()
    assert "skipped 2 bad row(s)" in result.summary()


@pytest.mark.parametrize(
    ("file", "line", "text", "expected"),
    [
        ("users.csv", 2, "U1,,community,,,,,", "users.csv:2: created_at: is required"),
        ("users.csv", 3, "U2,2026-03-02,referral,U9,,,,", "users.csv:3: invited_by: unknown user 'U9' (not in users)"),
        ("users.csv", 5, "U1,2026-03-02,,,,,,", "users.csv:5: user_id: duplicate of line 2"),
        ("users.csv", 2, "U1,2026-03-02,,,,,,not-mail", "users.csv:2: email: not an email address: 'not-mail'"),
        (
            "products.jsonl", 3,
            '{"sku_id": "BABY-1", "product_id": "BABY-1", "name": "x", "category": "c", "price": "4.555"}',
            "products.jsonl:3: price: '4.555' has more than 2 decimal places for CNY",
        ),
        (
            "products.jsonl", 3,
            '{"sku_id": "B", "product_id": "B", "name": "x", "category": "c", "price": "4", "tier": "luxury"}',
            "products.jsonl:3: tier: must be one of budget, standard, premium, not 'luxury'",
        ),
        (
            "products.jsonl", 3,
            '{"sku_id": "B", "product_id": "B", "name": "x", "category": "c", "price": 4.5}',
            'products.jsonl:3: price: write money as a decimal string, e.g. "59.90", not a JSON number',
        ),
        (
            "products.jsonl", 3,
            '{"sku_id": "B", "product_id": "B", "name": "x", "category": "c", "price": "4", "list_price": "3"}',
            "products.jsonl:3: list_price: must not be below price",
        ),
        (
            "products.jsonl", 2,
            '{"sku_id": "TEA-1-L", "product_id": "TEA-1", "name": "x", "category": "Snacks", "price": "4"}',
            "products.jsonl:2: category: product 'TEA-1' is in 'Tea' on line 1",
        ),
        ("products.jsonl", 3, "[1, 2]", "products.jsonl:3: each line must be a JSON object"),
        ("orders.csv", 2, "O1,U1,2026-03-10,delivered,,,,,,,,,,", "orders.csv:2: status: must be one of pending, paid, shipped, completed, cancelled, refunded, not 'delivered'"),
        ("orders.csv", 2, "O1,U7,2026-03-10,paid,,,,,,,,,,", "orders.csv:2: user_id: unknown user 'U7' (not in users)"),
        ("orders.csv", 2, "O1,U1,2026-03-10,paid,,,,,,,,,maybe,", "orders.csv:2: ship_to_self: must be true or false, not 'maybe'"),
        ("orders.csv", 2, "O1,U1,2026-03-10,paid,,,-5.00,,,,,,,", "orders.csv:2: total: must not be negative"),
        ("order_items.csv", 2, "O1,NOPE,2,59.90,", "order_items.csv:2: sku_id: unknown SKU 'NOPE' (not in products)"),
        ("order_items.csv", 2, "O1,TEA-1-S,0,59.90,", "order_items.csv:2: quantity: must be at least 1, not 0"),
        ("order_items.csv", 2, "O1,TEA-1-S,two,59.90,", "order_items.csv:2: quantity: not a whole number: 'two'"),
        ("order_items.csv", 2, "O1,TEA-1-S,1,59.90,60.00", "order_items.csv:2: discount: more than the line's amount"),
        ("order_items.csv", 2, "O1,TEA-1-S,1,,", "order_items.csv:2: unit_price: is required"),
        ("events.csv", 2, 'E1,Product Viewed,2026-03-10,U1,,"{bad",', "events.csv:2: properties: not valid JSON: Expecting property name enclosed in double quotes at column 2"),
        ("events.csv", 2, 'E1,Product Viewed,2026-03-10,U1,,"[1]",', "events.csv:2: properties: must be a JSON object"),
        ("events.csv", 2, "E1,Product Viewed,2026-03-10,,,,", "events.csv:2: user_id: user_id or anonymous_id is required"),
        ("events.csv", 2, "E1,Product Viewed,2026-03-10,U8,,,", "events.csv:2: user_id: unknown user 'U8' (not in users)"),
        ("events.csv", 2, "E1,Product Viewed,2026-13-10,U1,,,", "events.csv:2: timestamp: not an ISO-8601 time: '2026-13-10'"),
        ("events.csv", 2, "E1,,2026-03-10,U1,,,", "events.csv:2: name: is required"),
        ("events.csv", 2, "E1,Product Viewed,2026-03-10,U1,,,,extra", "events.csv:2: more values than header columns"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_line_and_field(bundle_dir, file, line, text, expected):
    replace_line(bundle_dir / file, line, text)

    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)

    assert expected in messages(caught.value)


def test_order_discount_larger_than_its_items_is_refused(bundle_dir):
    replace_line(bundle_dir / "orders.csv", 6, "O5,U4,2026-03-14T12:00:00,cancelled,,storefront,,80.00,,,,,,")

    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)

    assert messages(caught.value) == ["order_items.csv:7: discount: order 'O5': discounts exceed its items"]
    assert OrderLine.objects.count() == 0


def test_fixing_a_refused_items_file_and_running_again_completes_the_orders(bundle_dir):
    items = bundle_dir / "order_items.csv"
    good_line = items.read_text().splitlines()[1]
    replace_line(items, 2, "O1,TEA-1-S,2,59.901,5.00")
    with pytest.raises(ImportFailed):
        bundle.run(bundle_dir, progress=False)
    assert Order.objects.get(external_id="bundle:O1").total_minor == 0

    replace_line(items, 2, good_line)
    result = bundle.run(bundle_dir, progress=False)

    assert {table: n for table, n in result.created.items() if n} == {"order_items": 6}
    o1 = Order.objects.get(external_id="bundle:O1")
    assert (o1.subtotal_minor, o1.discount_minor, o1.total_minor, o1.paid_minor) == (
        16530,
        1500,
        15030,
        15030,
    )


def test_items_may_name_orders_and_skus_from_an_earlier_import(bundle_dir, tmp_path):
    bundle.run(bundle_dir, progress=False)
    later = tmp_path / "later"
    later.mkdir()
    (later / "order_items.csv").write_text("order_id,sku_id,quantity,unit_price\nO3,BABY-1,1,45.50\n")

    result = bundle.run(later, progress=False)

    assert result.created == {"order_items": 1}
    o3 = Order.objects.get(external_id="bundle:O3")
    # O3's total was set by the earlier import and stands; its subtotal follows its lines.
    assert (o3.subtotal_minor, o3.total_minor) == (5990 + 4550, 5990)
    assert bundle.run(later, progress=False).unchanged == {"order_items": 1}


def test_an_existing_sku_code_is_not_taken_over(bundle_dir):
    category = Category.objects.create(name="Own", slug="own")
    product = Product.objects.create(category=category, name="Own tea", slug="own-tea")
    Sku.objects.create(product=product, code="BABY-1", price_minor=100)

    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)

    assert (
        messages(caught.value)[0] == "products.jsonl:3: sku_id: already the code of a SKU not from a bundle"
    )


def test_duplicate_event_ids_load_once(bundle_dir):
    with (bundle_dir / "events.csv").open("a", encoding="utf-8") as handle:
        handle.write("E1,Product Viewed,2026-03-12T10:00:00,U2,,,\n")

    result = bundle.run(bundle_dir, progress=False)

    assert (result.created["events"], result.unchanged["events"]) == (6, 1)
    assert OutboxEvent.objects.get(event_id="E1").user.external_id == "bundle:U1"


def test_feedback_goes_through_the_insight_importer(bundle_dir):
    replace_line(bundle_dir / "feedback.csv", 3, "F2,service_chat,2026-03-16T10:00:00,hi,U4,,,O9,,en")

    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)

    assert messages(caught.value) == ["feedback.csv:3: order_id: unknown order_id 'O9'"]


def test_without_the_insight_importer_feedback_rows_are_only_checked(bundle_dir, monkeypatch):
    # as if the insight importer were not installed
    monkeypatch.setitem(sys.modules, "loopmall.imports.feedback", None)
    monkeypatch.delattr(loopmall.imports, "feedback", raising=False)

    result = bundle.run(bundle_dir, progress=False)

    assert "feedback" not in result.created
    assert result.notes == ["feedback: 2 rows validated, the insight importer is not installed yet"]
    replace_line(bundle_dir / "feedback.csv", 3, "F2,tweet,2026-03-16T10:00:00,hi,U4,,,,6,en")
    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)
    assert messages(caught.value) == [
        "feedback.csv:3: channel: must be one of review, comment, questionnaire, service_chat, return_reason,"
        " live_comment, search_query, not 'tweet'"
    ]
    replace_line(bundle_dir / "feedback.csv", 3, "F2,review,2026-03-16T10:00:00,hi,U4,,,,6,en")
    with pytest.raises(ImportFailed) as caught:
        bundle.run(bundle_dir, progress=False)
    assert messages(caught.value) == ["feedback.csv:3: rating: must be from 1 to 5, not 6"]


def test_the_command_prints_counts_and_refuses_bad_files(bundle_dir):
    out = StringIO()
    call_command("import", "bundle", str(bundle_dir), "--no-progress", stdout=out)
    assert "orders: 5 new, 0 already there" in out.getvalue()

    replace_line(bundle_dir / "users.csv", 2, "U1,2026-03-01T25:00:00,community,,,,,")
    (bundle_dir / "users.csv").write_text((bundle_dir / "users.csv").read_text() + "U5,2026-03-01,,,,,,\n")
    with pytest.raises(CommandError, match=r"users.csv:2: created_at: not an ISO-8601 time"):
        call_command("import", "bundle", str(bundle_dir), "--no-progress", stdout=StringIO())
    assert not User.objects.filter(external_id="bundle:U5").exists()


def test_a_simulated_brand_loads_and_reloads_unchanged(tmp_path):
    from loopmall.profiles.simulator import SimulationConfig, simulate

    brand = simulate(SimulationConfig(users=40, days=60))
    brand.write_bundle(tmp_path)

    result = bundle.run(tmp_path, progress=False)

    assert result.created["users"] == 40
    assert result.created["events"] == len(brand.events)
    assert result.created["order_items"] == len(brand.order_items)
    assert result.created["orders"] == len(brand.orders)
    assert sum(Order.objects.values_list("total_minor", flat=True)) == int(brand.orders["total_minor"].sum())
    before = table_state()
    bundle.run(tmp_path, progress=False)
    assert table_state() == before
