"""The warehouse's `feedback` table is fed from the insight app (demand collection coverage reads it)."""

import duckdb
import pytest

from loopmall.analytics.warehouse import sync
from loopmall.core import clock
from loopmall.insight import selectors, services
from loopmall.insight.models import Channel
from loopmall.insight.tests import shop

pytestmark = pytest.mark.django_db


def test_feedback_reaches_the_warehouse_with_its_demands(tmp_path, settings, monkeypatch):
    shop.install_fake_engine(monkeypatch)
    path = tmp_path / "warehouse.duckdb"
    settings.LOOPMALL_WAREHOUSE_PATH = str(path)
    now = clock.now()
    services.feedback_record_many(
        [
            services.FeedbackInput(
                channel=Channel.REVIEW,
                external_id="r1",
                text="包装压扁了，快递也慢",
                rating=2,
                created_at=now,
            ),  # fmt: skip
            services.FeedbackInput(channel=Channel.QUESTIONNAIRE, external_id="q1", rating=5, created_at=now),
        ]
    )
    services.feedback_classify_new()

    rows = {row["channel"]: row for row in selectors.feedback_for_warehouse()}
    assert rows[Channel.REVIEW]["demands"] == ["logistics", "packaging"]
    assert rows[Channel.QUESTIONNAIRE]["demands"] == []
    assert rows[Channel.QUESTIONNAIRE]["rating"] == 5

    sync.run(rebuild=True, path=str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        stored = con.execute("SELECT channel, demands FROM feedback ORDER BY channel").fetchall()
    assert stored == [("questionnaire", None), ("review", "logistics;packaging")]
