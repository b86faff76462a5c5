from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from loopmall.accounts.models import Address, User
from loopmall.catalog.models import BundleItem, Category, Product, Sku
from loopmall.core.models import OutboxEvent
from loopmall.demo import router, simulator
from loopmall.demo.models import DemoBuild
from loopmall.demo.tests.conftest import DEMO_NOW
from loopmall.orders.models import Order, OrderLine, OrderStatus, Payment, Refund, Shipment
from loopmall.social.models import Review

PAID_STATES = {
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUND_REQUESTED,
    OrderStatus.REFUNDED,
}


def test_every_demo_review_is_real_text_on_a_product_of_its_category(small_demo):
    reviews = list(Review.objects.select_related("product__category", "order", "sku"))
    assert len(reviews) > 200
    for review in reviews:
        placement = router.route(review.text)
        assert placement is not None, review.text
        assert placement.category == review.product.category.slug, review.text
        assert router.product_for(review.text, placement.category) in (None, review.product.name), review.text
        assert review.source == "demo"
        assert review.lang == "zh"
        assert review.user_id == review.order.user_id
        assert review.order.delivered_at < review.created_at <= DEMO_NOW
        assert OrderLine.objects.filter(order=review.order, sku=review.sku).exists()
    ratings = Counter(review.rating for review in reviews)
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert len({review.text for review in reviews}) == len(reviews)


def test_money_adds_up_and_follows_the_status(small_demo):
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert order.subtotal_minor == sum(line.unit_price_minor * line.quantity for line in lines)
        assert order.total_minor == order.subtotal_minor - order.discount_minor + order.shipping_minor
        assert order.total_minor > 0
        if order.status in PAID_STATES:
            assert order.paid_minor == order.total_minor
            assert order.paid_at is not None
        else:
            assert order.paid_minor == 0
            assert order.paid_at is None
        if order.status == OrderStatus.REFUNDED:
            assert order.refunded_minor == order.total_minor
            assert sum(line.refunded_minor for line in lines) == order.refunded_minor
        else:
            assert order.refunded_minor == 0
    paid = Order.objects.filter(status__in=PAID_STATES).count()
    assert Payment.objects.filter(status="succeeded").count() == paid
    assert (
        Refund.objects.filter(status="succeeded").count() == Order.objects.filter(status="refunded").count()
    )


def test_statuses_are_consistent_with_age(small_demo):
    old = Order.objects.filter(placed_at__lt=DEMO_NOW - timedelta(days=20))
    assert set(old.values_list("status", flat=True)) <= {"completed", "cancelled", "refunded"}
    pending = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT)
    assert all(DEMO_NOW - order.placed_at < timedelta(minutes=30) for order in pending)
    assert Order.objects.filter(placed_at__gt=DEMO_NOW).count() == 0
    recent = set(
        Order.objects.filter(placed_at__gte=DEMO_NOW - timedelta(days=3)).values_list("status", flat=True)
    )
    assert recent & {"paid", "shipped"}
    assert Shipment.objects.count() == Order.objects.exclude(shipped_at=None).count()


def test_orders_follow_weekly_daily_and_festival_patterns(small_demo):
    zone = ZoneInfo("Asia/Shanghai")
    per_day: Counter = Counter()
    per_hour: Counter = Counter()
    for placed in Order.objects.values_list("placed_at", flat=True):
        local = placed.astimezone(zone)
        per_day[local.date()] += 1
        per_hour[local.hour] += 1
    double_eleven = per_day[DEMO_NOW.date().replace(month=11, day=11)]
    ordinary = sorted(per_day.values())[len(per_day) // 2]
    assert double_eleven >= 3 * ordinary
    evening = sum(per_hour[hour] for hour in (19, 20, 21, 22))
    small_hours = sum(per_hour[hour] for hour in (2, 3, 4, 5))
    assert evening > 5 * small_hours
    weekend = [n for day, n in per_day.items() if day.weekday() >= 5]
    weekday = [n for day, n in per_day.items() if day.weekday() < 5]
    assert sum(weekend) / len(weekend) > 1.1 * sum(weekday) / len(weekday)


def test_customers_channels_referrals_and_repeat_buyers(small_demo):
    customers = User.objects.filter(external_id__startswith="demo:")
    assert customers.count() == 300
    assert set(customers.values_list("channel", flat=True)) == set(simulator.ACQUISITION_CHANNELS)
    for user in customers.filter(channel="referral").exclude(invited_by=None).select_related("invited_by"):
        assert user.invited_by.date_joined <= user.date_joined
    assert Address.objects.filter(is_default=True).count() == 300
    orders_per_user = Counter(Order.objects.values_list("user_id", flat=True))
    assert sum(1 for n in orders_per_user.values() if n >= 3) > 40
    assert Order.objects.exclude(reordered_from=None).exists()
    assert set(Order.objects.values_list("channel", flat=True)) == {
        "storefront", "community", "live", "group_buy", "referral_link",
    }  # fmt: skip


def test_catalog_sells_what_the_reviews_talk_about(small_demo):
    assert Category.objects.filter(is_family=True, slug="book-children").exists()
    assert 60 <= Product.objects.count() <= 120
    assert set(Sku.objects.values_list("tier", flat=True)) == {"budget", "standard", "premium"}
    bundles = Sku.objects.filter(is_bundle=True)
    assert bundles.count() == 2
    assert all(bundle.stock == 0 for bundle in bundles)
    assert BundleItem.objects.count() == 6
    attributes = {a for values in Product.objects.values_list("attributes", flat=True) for a in values}
    assert {"eco", "gift_box", "premium"} <= attributes
    assert set(router.DOMAIN_OF_CATEGORY) <= set(Category.objects.values_list("slug", flat=True))


def test_history_is_in_the_outbox(small_demo):
    events = OutboxEvent.objects.all()
    assert events.filter(occurred_at__gt=DEMO_NOW).count() == 0
    names = Counter(events.values_list("name", flat=True))
    assert names["Order Completed"] == Order.objects.exclude(paid_at=None).count()
    assert names["Order Cancelled"] == Order.objects.filter(status="cancelled").count()
    assert names["Order Refunded"] == Order.objects.filter(status="refunded").count()
    assert names["Product Reviewed"] == Review.objects.count()
    assert names["Product Viewed"] > names["Product Added"] > names["Order Completed"]
    searches = events.filter(name="Products Searched")
    assert searches.filter(properties__results=0).exists()
    viewed = events.filter(name="Product Viewed").first().properties
    assert {"sku_id", "product_id", "category", "price", "name"} <= set(viewed)
    completed = events.filter(name="Order Completed").first()
    order = Order.objects.get(pk=completed.properties["order_id"])
    assert completed.occurred_at == order.paid_at
    assert completed.properties["total"] == f"{order.total_minor / 100:.2f}"
    assert {"sku_id", "product_id", "category", "price", "quantity"} <= set(
        completed.properties["products"][0]
    )


def test_a_seed_builds_the_same_brand_again(db):
    def snapshot():
        return (
            list(Order.objects.order_by("number").values_list("number", "status", "total_minor", "channel")),
            sorted(Review.objects.values_list("text", "rating")),
            OutboxEvent.objects.count(),
        )

    simulator.build(seed=11, customers=60, now=DEMO_NOW)
    first = snapshot()
    for model in (OutboxEvent, Review, Refund, Payment, Shipment, OrderLine, Order, Address, User, BundleItem, Sku,
                  Product, DemoBuild):  # fmt: skip
        model.objects.all().delete()
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()
    simulator.build(seed=11, customers=60, now=DEMO_NOW)
    assert snapshot() == first
    assert first[0]
