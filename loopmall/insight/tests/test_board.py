"""The demand board: the transition table, events on every move, and measured outcomes."""

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps

from loopmall.core import clock
from loopmall.core.errors import Conflict, DomainError
from loopmall.core.models import OutboxEvent
from loopmall.insight import board, services
from loopmall.insight.models import AdaptationStatus as S
from loopmall.insight.models import Channel, Feedback, FeedbackDemand
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db

ALL = [S.IDENTIFIED, S.ADAPTING, S.LAUNCHED, S.MEASURED, S.CLOSED]


@pytest.fixture
def fake_engine(monkeypatch):
    shop.install_fake_engine(monkeypatch)
    services.taxonomy_ensure_seeded()


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_transition_table(current, target):
    allowed = {
        (S.IDENTIFIED, S.ADAPTING), (S.IDENTIFIED, S.CLOSED), (S.ADAPTING, S.LAUNCHED),
        (S.ADAPTING, S.IDENTIFIED), (S.ADAPTING, S.CLOSED), (S.LAUNCHED, S.MEASURED),
        (S.MEASURED, S.CLOSED), (S.MEASURED, S.ADAPTING),
    }  # fmt: skip
    assert board.can_move(current, target) == ((current, target) in allowed)


def test_card_walks_the_board_with_timestamps_and_events(fake_engine):
    card = board.adaptation_create(demand_code="packaging", title="加厚纸箱")
    assert card.due_date == clock.business_date() + timedelta(days=30)
    for step in [S.ADAPTING, S.LAUNCHED, S.MEASURED, S.CLOSED]:
        card = board.adaptation_advance(adaptation_id=card.id)
        assert card.status == step
    assert card.adapting_at <= card.launched_at <= card.measured_at <= card.closed_at
    moves = OutboxEvent.objects.filter(name="Demand Adaptation Moved").order_by("id")
    assert [e.properties["to"] for e in moves] == ["adapting", "launched", "measured", "closed"]
    assert OutboxEvent.objects.filter(name="Demand Adaptation Created").count() == 1


def test_illegal_moves_are_refused_and_change_nothing(fake_engine):
    card = board.adaptation_create(demand_code="packaging", title="x")
    with pytest.raises(Conflict):
        board.adaptation_move(adaptation_id=card.id, to=S.MEASURED)
    card.refresh_from_db()
    assert card.status == S.IDENTIFIED
    assert not OutboxEvent.objects.filter(name="Demand Adaptation Moved").exists()


def test_create_validates(fake_engine):
    with pytest.raises(DomainError) as error:
        board.adaptation_create(demand_code="nope", title="x")
    assert error.value.field == "demand_code"
    with pytest.raises(DomainError) as error:
        board.adaptation_create(demand_code="price", title="新品", adaptation_type="new_product")
    assert error.value.field == "sales_target_minor"


def _review(product, rating, at, text="好", code=None, n=[0]):  # noqa: B006
    n[0] += 1
    apps.get_model("social.Review").objects.create(product=product, rating=rating, text=text, created_at=at)
    feedback = Feedback.objects.create(
        channel=Channel.REVIEW, external_id=f"r{n[0]}", product=product, text=text, rating=rating,
        created_at=at, collected_at=at,
    )  # fmt: skip
    if code:
        FeedbackDemand.objects.create(feedback=feedback, code=code)


def test_measure_compares_share_and_satisfaction_after_launch(fake_engine):
    cat = shop.category()
    product = shop.product(cat, name="杯子")
    start = clock.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        card = board.adaptation_create(demand_code="packaging", title="加厚纸箱", product_ids=[product.id])
    for day in range(10):  # before launch: half the reviews complain about packaging
        _review(
            product, 2, start + timedelta(days=day), text="包装压扁", code="packaging" if day % 2 else None
        )
    with time_machine.travel(start + timedelta(days=12), tick=False):
        board.adaptation_move(adaptation_id=card.id, to=S.ADAPTING)
        board.adaptation_move(adaptation_id=card.id, to=S.LAUNCHED)
    for day in range(13, 33):  # after launch: 19 of 20 satisfied, one packaging mention
        _review(
            product,
            5 if day != 13 else 3,
            start + timedelta(days=day),
            code="packaging" if day == 20 else None,
        )
    card = board.adaptation_move(adaptation_id=card.id, to=S.MEASURED)
    outcome = card.outcome
    assert outcome["share_before"] == pytest.approx(0.5)
    assert outcome["share_after"] == pytest.approx(0.05)
    assert outcome["satisfaction"] == pytest.approx(0.95)
    assert outcome["cycle_days"] == pytest.approx(12)
    assert outcome["on_time"] is True
    assert outcome["success"] is True
    score = board.scorecard()
    assert score.success_rate == 1.0
    assert score.average_cycle_days == pytest.approx(12)


def test_unhappy_customers_mean_no_success(fake_engine):
    cat = shop.category()
    product = shop.product(cat)
    card = board.adaptation_create(demand_code="quality", title="换材料", product_ids=[product.id])
    board.adaptation_move(adaptation_id=card.id, to=S.ADAPTING)
    board.adaptation_move(adaptation_id=card.id, to=S.LAUNCHED)
    for rating in (5, 4, 2, 1):
        _review(product, rating, clock.now())
    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=False):
        card = board.adaptation_move(adaptation_id=card.id, to=S.MEASURED)
    assert card.outcome["satisfaction"] == pytest.approx(0.5)
    assert card.outcome["success"] is False


def test_new_product_success_is_sales_against_target(fake_engine):
    cat = shop.category()
    product = shop.product(cat, price_minor=10000)
    user = shop.user()
    card = board.adaptation_create(
        demand_code="price", title="节日礼盒", adaptation_type="new_product", product_ids=[product.id],
        sales_target_minor=25000,
    )  # fmt: skip
    board.adaptation_move(adaptation_id=card.id, to=S.ADAPTING)
    board.adaptation_move(adaptation_id=card.id, to=S.LAUNCHED)
    order_model, line_model = apps.get_model("orders.Order"), apps.get_model("orders.OrderLine")
    for n in range(3):
        later = clock.now() + timedelta(minutes=1)
        order = order_model.objects.create(
            number=f"N{n}", user=user, status="paid", placed_at=later, paid_at=later
        )
        line_model.objects.create(
            order=order, sku=product.skus.get(), product_name="x", unit_price_minor=10000, quantity=1
        )
    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=False):
        card = board.adaptation_move(adaptation_id=card.id, to=S.MEASURED)
    assert card.outcome["sales_minor"] == 30000
    assert card.outcome["success"] is True
    assert board.scorecard().new_product_success_rate == 1.0


def test_past_moves_keep_their_moments_in_order(fake_engine):
    now = clock.now()
    card = board.adaptation_create(demand_code="packaging", title="加厚纸箱", at=now - timedelta(days=40))
    board.adaptation_move(adaptation_id=card.id, to=S.ADAPTING, at=now - timedelta(days=35))
    card = board.adaptation_move(adaptation_id=card.id, to=S.LAUNCHED, at=now - timedelta(days=20))
    assert (now - card.identified_at).days == 40
    assert (now - card.launched_at).days == 20
    assert card.due_date == clock.business_date(now - timedelta(days=40)) + timedelta(days=30)
    moved = OutboxEvent.objects.filter(name="Demand Adaptation Moved").order_by("id").last()
    assert moved.occurred_at == card.launched_at

    with pytest.raises(DomainError) as error:  # before the card's previous step
        board.adaptation_move(adaptation_id=card.id, to=S.MEASURED, at=now - timedelta(days=30))
    assert error.value.field == "at"
    with pytest.raises(DomainError) as error:  # the future is not history
        board.adaptation_move(adaptation_id=card.id, to=S.MEASURED, at=now + timedelta(days=1))
    assert error.value.field == "at"
    card.refresh_from_db()
    assert card.status == S.LAUNCHED
    with pytest.raises(DomainError) as error:
        board.adaptation_create(demand_code="packaging", title="x", at=now + timedelta(hours=1))
    assert error.value.field == "at"
