"""The same KPI, funnel and cohort code on a local Spark session (Ibis' PySpark backend)."""

import importlib.util
import shutil

import pytest

from loopmall.analytics import cohorts, funnels, warehouse
from loopmall.analytics.kpis import BY_KEY
from loopmall.analytics.kpis.evaluate import evaluate_windows, tables_for
from loopmall.analytics.tests import tiny

pytestmark = pytest.mark.spark

if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
    pytest.skip("Spark tests need pyspark and a Java runtime (java on PATH)", allow_module_level=True)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    session = warehouse.spark_session(warehouse_dir=tmp_path_factory.mktemp("spark-warehouse"))
    con = warehouse.connect("spark", session=session)
    tiny.load(con)
    yield con
    session.stop()


def test_every_kpi_on_spark_matches_the_hand_computed_value(spark):
    t = tables_for(spark, spend=tiny.SPEND, sync_runs=tiny.SYNC_RUNS)
    for key, expected in sorted(tiny.EXPECTED.items()):
        [value] = evaluate_windows(spark, BY_KEY[key], t, [tiny.JAN])
        assert value == pytest.approx(expected, rel=1e-9), key


def test_funnel_on_spark(spark):
    steps = funnels.funnel_compute(
        spark, ["Product Viewed", "Product Added", "Order Completed"], start=tiny.JAN[0], end=tiny.JAN[1]
    )
    assert [s.people for s in steps] == [3, 1, 1]
    assert [s.median_seconds_from_previous for s in steps] == [None, 600.0, 1200.0]


def test_weekly_retention_on_spark(spark):
    result = cohorts.retention_compute(spark, by="week", max_weeks=12)
    assert result.cohorts[0] == "2025-12-08"
    assert result.shares[0][:7] == [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]
