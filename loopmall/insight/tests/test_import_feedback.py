"""The data contract's feedback file: loads, names bad rows, re-runs change nothing."""

import json

import pytest
from django.apps import apps

from loopmall.imports import feedback as importer
from loopmall.imports.base import ImportFailed
from loopmall.insight.models import Feedback, FeedbackOrigin
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db


def _write(tmp_path, rows, name="feedback.jsonl"):
    (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return tmp_path


@pytest.fixture
def bundle_rows():
    cat = shop.category()
    product = shop.product(cat)
    product.external_id = "bundle:P1"
    product.save()
    user = shop.user()
    user.external_id = "bundle:U1"
    user.save()
    return [
        {"feedback_id": "f1", "channel": "review", "created_at": "2026-11-02T10:00:00", "text": "包装压扁了",
         "user_id": "U1", "product_id": "P1", "rating": 2, "lang": "zh"},
        {"feedback_id": "f2", "channel": "service_chat", "created_at": "2026-11-02T11:00:00+08:00", "text": "退款太慢"},
        {"feedback_id": "f1", "channel": "return_reason", "created_at": "2026-11-03", "text": "尺码不对"},
    ]  # fmt: skip


def test_loads_links_and_is_idempotent(tmp_path, bundle_rows):
    result = importer.run(_write(tmp_path, bundle_rows), progress=False)
    assert result.created["feedback"] == 3
    review = Feedback.objects.get(channel="review")
    assert review.product.external_id == "bundle:P1"
    assert review.user.external_id == "bundle:U1"
    assert review.category_id == review.product.category_id
    assert review.origin == FeedbackOrigin.IMPORT
    again = importer.run(tmp_path, progress=False)
    assert again.created["feedback"] == 0
    assert again.unchanged["feedback"] == 3
    assert Feedback.objects.count() == 3


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"text": ""}, "text"),
        ({"created_at": "last tuesday"}, "created_at"),
        ({"rating": "6"}, "rating"),
        ({"product_id": "NOPE"}, "product_id"),
    ],
)
def test_bad_row_names_line_and_field_and_loads_nothing(tmp_path, bundle_rows, bad, field):
    rows = [bundle_rows[1], {**bundle_rows[0], **bad}]
    with pytest.raises(ImportFailed) as failure:
        importer.run(_write(tmp_path, rows), progress=False)
    error = failure.value.errors[0]
    assert (error.file, error.line, error.field) == ("feedback.jsonl", 2, field)
    assert not Feedback.objects.exists()


def test_skip_bad_loads_the_good_rows(tmp_path, bundle_rows):
    rows = [bundle_rows[1], {**bundle_rows[0], "channel": "fax"}]
    result = importer.run(_write(tmp_path, rows), skip_bad=True, progress=False)
    assert result.created["feedback"] == 1
    assert [e.field for e in result.skipped] == ["channel"]


def test_csv_is_read_too(tmp_path):
    (tmp_path / "feedback.csv").write_text(
        'feedback_id,channel,created_at,text,rating\nc1,comment,2026-11-01T08:00:00,"好看, 但是太贵",\n',
        encoding="utf-8",
    )
    importer.run(tmp_path, progress=False)
    assert Feedback.objects.get().text == "好看, 但是太贵"


def test_bundle_importer_calls_it(tmp_path, bundle_rows):
    bundle = pytest.importorskip("loopmall.imports.bundle")
    bundle.run(_write(tmp_path, bundle_rows[1:2]), progress=False)
    assert Feedback.objects.count() == 1
    assert apps.get_model("insight.Feedback").objects.get().channel == "service_chat"
