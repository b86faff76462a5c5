"""KPIs another app measures reach the scorecard through the provider it registered (kpi_providers)."""

from datetime import UTC, datetime

import pytest

from loopmall.analytics import kpi_providers
from loopmall.analytics.kpis import BY_KEY
from loopmall.analytics.kpis.scorecard import evaluate_all

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def providers(monkeypatch):
    """The registry as the installed apps left it, restored after the test."""
    monkeypatch.setattr(kpi_providers, "_providers", dict(kpi_providers._providers))
    return kpi_providers


def _evaluate(con, *keys):
    kpis = tuple(BY_KEY[key] for key in keys)
    return {e.kpi.key: e for e in evaluate_all(con, kpis=kpis, now=NOW, with_trend=False)}


def test_a_registered_providers_value_reaches_the_scorecard(duck, providers):
    calls = []

    def provider(*, key, start, end):
        calls.append((key, start, end))
        return 0.93 if key == "profile_accuracy" else None

    providers.register_kpi_provider("profiles", provider)
    results = _evaluate(duck, "profile_accuracy", "content_match_rate")
    assert results["profile_accuracy"].actual == pytest.approx(0.93)
    assert results["profile_accuracy"].status == "ok"
    assert results["content_match_rate"].actual is None
    assert results["content_match_rate"].status == "none"
    assert {key for key, _, _ in calls} == {"profile_accuracy", "content_match_rate"}
    assert all(start.tzinfo is not None and end.tzinfo is not None for _, start, end in calls)


def test_an_app_without_a_provider_gives_no_data(duck, providers):
    providers.unregister_kpi_provider("insight")
    [evaluation] = _evaluate(duck, "identification_accuracy").values()
    assert evaluation.actual is None
    assert evaluation.status == "none"


def test_a_failing_provider_gives_no_data_not_an_error(duck, providers):
    def provider(*, key, start, end):
        raise RuntimeError("boom")

    providers.register_kpi_provider("insight", provider)
    providers.register_kpi_provider("profiles", "loopmall.no_such_module.plan_kpi_value")
    results = _evaluate(duck, "insight_hours", "profile_accuracy")
    assert results["insight_hours"].actual is None
    assert results["profile_accuracy"].actual is None


def test_a_dotted_path_is_imported_on_first_use(providers):
    providers.register_kpi_provider("profiles", "loopmall.analytics.tests.test_kpi_providers._answer")
    assert providers.kpi_provider("profiles") is _answer
    assert providers.kpi_value_from_provider(source="profiles", key="x", start=NOW, end=NOW) == 42.0
    assert providers.kpi_provider("nobody") is None


def _answer(*, key, start, end):
    return 42


@pytest.mark.django_db
def test_the_profiles_app_registers_its_tag_accuracy(duck):
    """The installed profiles app registers `selectors.plan_kpi_value`: its latest tag evaluation is the
    profile-accuracy KPI."""
    from loopmall.profiles.models import TagEvaluation
    from loopmall.profiles.selectors import plan_kpi_value

    assert kpi_providers.kpi_provider("profiles") is plan_kpi_value
    assert _evaluate(duck, "profile_accuracy")["profile_accuracy"].actual is None
    TagEvaluation.objects.create(
        evaluated_at=datetime(2026, 1, 10, tzinfo=UTC), users=100, seed=1, per_tag={}, min_precision=0.88
    )
    assert _evaluate(duck, "profile_accuracy")["profile_accuracy"].actual == pytest.approx(0.88)
