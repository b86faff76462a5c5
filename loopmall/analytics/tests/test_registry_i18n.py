"""What the scorecard shows staff about a KPI reads in their language; keys stay as they are."""

import pytest
from django.utils import translation

from loopmall.analytics.kpis import BY_KEY, KPIS
from loopmall.analytics.kpis.registry import HORIZON_LABELS


@pytest.mark.parametrize(
    ("key", "english", "chinese"),
    [
        ("content_cadence_private", "“Post Published” events", "内容发布"),
        ("after_sales_response_hours", "“Ticket Opened” and “Ticket First Response” events", "工单首次响应"),
        ("service_satisfaction", "“Survey Answered” events with a score", "问卷作答"),
        ("profile_accuracy", "tag evaluation results (profiles)", "标签"),
    ],
)
def test_kpi_inputs_follow_the_active_language(key, english, chinese):
    inputs = BY_KEY[key].inputs
    with translation.override("en"):
        assert str(inputs) == english
    with translation.override("zh-hans"):
        assert chinese in str(inputs)
        assert english not in str(inputs)


def test_every_horizon_has_a_translated_label():
    horizons = {k.plan_section for k in KPIS if k.plan_section.startswith("timeline")}
    assert horizons == set(HORIZON_LABELS)
    with translation.override("zh-hans"):
        for label in HORIZON_LABELS.values():
            assert "months" not in str(label)
            assert "year" not in str(label)
    with translation.override("en"):
        assert str(HORIZON_LABELS["timeline 6 months"]) == "Timeline targets · 6 months"
