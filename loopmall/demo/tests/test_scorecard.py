"""The demo's acceptance point (data platform): the scorecard shows every KPI LoopMall computes itself
with an actual value and a trend; only the KPIs measured outside the software wait for staff input."""

import io
import time

import pytest

from loopmall.analytics import selectors
from loopmall.analytics.kpis.registry import KPIS
from loopmall.catalog.models import Sku
from loopmall.core.models import OutboxEvent
from loopmall.demo import simulator
from loopmall.demo.management.commands.demo import Command as DemoCommand

# Measured by a run of the software (a warehouse sync, a tag evaluation): the demo makes one such run,
# so they have an actual value; their trend grows with the runs the served demo's scheduler makes.
ONE_RUN = {"data_sync_hours", "profile_accuracy"}
# The demand-loop KPIs of the insight app follow the board (cards launched and measured at past
# moments): they have an actual value; their trend has points only in windows where a card moved.
INSIGHT = {kpi.key for kpi in KPIS if kpi.source == "insight"}
COMPUTED = {kpi.key for kpi in KPIS if kpi.source in ("warehouse", "profiles")}


@pytest.mark.slow
def test_every_computed_kpi_has_an_actual_value_and_a_trend_on_the_demo(db, settings, tmp_path):
    # the data builder and the derive steps of `loopmall demo --no-serve`, on a small brand
    settings.VAR_DIR = tmp_path
    simulator.build(seed=simulator.DEFAULT_SEED, customers=300)
    DemoCommand(stdout=io.StringIO())._derive(time.monotonic(), seed=simulator.DEFAULT_SEED)
    rows = {row.key: row for row in selectors.scorecard(use_cache=False)}

    assert set(rows) >= COMPUTED
    assert sorted(key for key in COMPUTED | INSIGHT if rows[key].actual is None) == []
    match = rows["content_match_rate"].actual
    assert match is not None
    assert 0 < match <= 1
    flat = sorted(
        key for key in COMPUTED - ONE_RUN if sum(value is not None for _, value in rows[key].trend) < 4
    )
    assert flat == []
    # the content behind the content KPIs: posts on the five content channels, need-tagged, linking
    # demo products, read by signed-in customers
    published = list(OutboxEvent.objects.filter(name="Post Published").values("channel", "properties"))
    assert len(published) > 50
    assert {event["channel"] for event in published} == {
        "community", "mini_shop", "douyin", "xiaohongshu", "video_channel",
    }  # fmt: skip
    assert any("need_tags" in event["properties"] for event in published)
    linked = {event["properties"]["sku_id"] for event in published if "sku_id" in event["properties"]}
    assert linked
    assert linked <= set(Sku.objects.values_list("pk", flat=True))
    assert OutboxEvent.objects.filter(name="Post Viewed", user__isnull=False).count() > len(published)
