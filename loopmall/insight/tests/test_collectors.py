"""Feedback arrives from the outbox as events happen, once, from every channel."""

from datetime import timedelta

import pytest

from loopmall.core import clock
from loopmall.insight import collectors, services
from loopmall.insight.models import Channel, Feedback, FeedbackDemand, FeedbackStatus
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_engine(monkeypatch):
    return shop.install_fake_engine(monkeypatch)


@pytest.fixture
def world():
    cat = shop.category("家居")
    return {"cat": cat, "product": shop.product(cat, name="收纳盒"), "user": shop.user()}


def test_each_channel_becomes_feedback_once(world, fake_engine):
    now = clock.now()
    user, product = world["user"], world["product"]
    shop.emit("Product Reviewed", at=now, user_id=user.id, review_id=11, text="盒子压扁了", rating=2,
              product_id=product.id)  # fmt: skip
    shop.emit("Comment Posted", at=now, user_id=user.id, comment_id=5, text="快递太慢了", post_id=3)
    shop.emit(
        "Comment Posted", at=now, user_id=user.id, comment_id=6, text="有没有可降解的", live_session_id=9
    )
    shop.emit("Survey Answered", at=now, user_id=user.id, answer_id=1, answer="价格有点贵", score=3)
    shop.emit("Ticket Opened", at=now, user_id=user.id, ticket_id=77, subject="东西坏了怎么办")
    shop.emit("Return Requested", at=now, user_id=user.id, return_id=4, reason="质量太差")
    shop.emit("Products Searched", at=now, user_id=user.id, query="可降解垃圾袋", results_count=0)
    shop.emit("Products Searched", at=now, user_id=user.id, query="收纳盒", results_count=30)
    shop.emit("Order Updated", at=now, user_id=user.id, order_id=1)

    result = collectors.collect()
    again = collectors.collect()

    assert result.events == 9
    assert again.events == 0
    channels = sorted(Feedback.objects.values_list("channel", flat=True))
    assert channels == sorted(
        [Channel.REVIEW, Channel.COMMENT, Channel.LIVE_COMMENT, Channel.QUESTIONNAIRE, Channel.SERVICE_CHAT,
         Channel.RETURN_REASON, Channel.SEARCH_QUERY]
    )  # fmt: skip
    review = Feedback.objects.get(channel=Channel.REVIEW)
    assert (review.external_id, review.rating, review.product_id, review.category_id) == (
        "11",
        2,
        product.id,
        world["cat"].id,
    )
    assert Feedback.objects.get(channel=Channel.SEARCH_QUERY).text == "可降解垃圾袋"


def test_collected_feedback_is_classified(world, fake_engine):
    shop.emit("Product Reviewed", at=clock.now(), review_id=1, text="包装压扁了，快递也慢", rating=2,
              product_id=world["product"].id)  # fmt: skip
    collectors.collect()
    assert services.feedback_classify_new() == 1
    feedback = Feedback.objects.get()
    assert feedback.status == FeedbackStatus.CLASSIFIED
    assert set(FeedbackDemand.objects.values_list("code", flat=True)) == {"packaging", "logistics"}
    assert services.feedback_classify_new() == 0


def test_view_without_order_becomes_viewed_not_bought(world, fake_engine):
    start = clock.now() - timedelta(days=20)
    buyer, browser = world["user"], shop.user()
    product = world["product"]
    shop.emit("Product Viewed", at=start, user_id=buyer.id, product_id=product.id, price="59.90")
    shop.emit("Product Viewed", at=start, user_id=browser.id, product_id=product.id, price="59.90")
    shop.emit("Order Completed", at=start + timedelta(days=1), user_id=buyer.id,
              products=[{"product_id": product.id, "quantity": 1}])  # fmt: skip

    collectors.collect()

    signals = Feedback.objects.filter(channel=Channel.VIEWED_NOT_BOUGHT)
    assert [f.user_id for f in signals] == [browser.id]
    assert signals[0].kind == "behaviour"


def test_view_waits_for_its_window_before_counting(world, fake_engine):
    shop.emit("Product Viewed", at=clock.now() - timedelta(days=1), user_id=world["user"].id,
              product_id=world["product"].id)  # fmt: skip
    collectors.collect()
    assert not Feedback.objects.filter(channel=Channel.VIEWED_NOT_BOUGHT).exists()


def test_replayed_history_does_not_flag_a_view_bought_later_in_the_stream(world, fake_engine):
    start = clock.now() - timedelta(days=60)
    shop.emit("Product Viewed", at=start, user_id=world["user"].id, product_id=world["product"].id)
    for day in range(1, 12):  # unrelated traffic in between
        shop.emit("Post Viewed", at=start + timedelta(days=day), post_id=day)
    shop.emit("Order Completed", at=start + timedelta(days=3), user_id=world["user"].id,
              products=[{"product_id": world["product"].id}])  # fmt: skip
    collectors.collect(batch_size=5)
    assert not Feedback.objects.filter(channel=Channel.VIEWED_NOT_BOUGHT).exists()


def test_cart_without_order_becomes_cart_abandoned(world, fake_engine):
    sku = world["product"].skus.get()
    shop.emit("Product Added", at=clock.now() - timedelta(days=3), user_id=world["user"].id, sku_id=sku.id,
              price="59.90")  # fmt: skip
    collectors.collect()
    signal = Feedback.objects.get(channel=Channel.CART_ABANDONED)
    assert signal.product_id == world["product"].id
    assert signal.properties["price"] == "59.90"


def test_review_backfill_and_event_do_not_double_count(world, fake_engine):
    from django.apps import apps

    review = apps.get_model("social.Review").objects.create(
        product=world["product"], rating=1, text="质量太差", created_at=clock.now()
    )
    shop.emit("Product Reviewed", at=clock.now(), review_id=review.id, text="质量太差", rating=1,
              product_id=world["product"].id)  # fmt: skip
    assert collectors.backfill_reviews() == 1
    collectors.collect()
    assert collectors.backfill_reviews() == 0
    assert Feedback.objects.filter(channel=Channel.REVIEW).count() == 1


def test_score_only_survey_answer_is_kept_for_satisfaction(world, fake_engine):
    # The contract's Survey Answered may carry a score and no words; it must not stop the collector.
    now = clock.now()
    shop.emit("Survey Answered", at=now, user_id=world["user"].id, answer_id=2, score=5)
    shop.emit("Survey Answered", at=now, user_id=world["user"].id, answer_id=3)  # neither: nothing to keep
    shop.emit("Comment Posted", at=now, user_id=world["user"].id, comment_id=8, text="快递太慢了", post_id=3)

    collectors.collect()

    answer = Feedback.objects.get(channel=Channel.QUESTIONNAIRE)
    assert (answer.external_id, answer.rating, answer.text) == ("2", 5, "")
    assert Feedback.objects.filter(channel=Channel.COMMENT).count() == 1
    services.feedback_classify_new()
    answer.refresh_from_db()
    assert answer.status == FeedbackStatus.CLASSIFIED
    assert not answer.demands.exists()


def test_a_text_less_answer_without_a_score_is_refused_by_the_api_check():
    from loopmall.core.errors import DomainError

    item = services.FeedbackInput(
        channel=Channel.QUESTIONNAIRE, external_id="q1", text="", created_at=clock.now()
    )
    with pytest.raises(DomainError) as excinfo:
        services.feedback_check(item)
    assert excinfo.value.field == "text"
