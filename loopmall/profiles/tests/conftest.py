import shutil
from pathlib import Path

import ibis
import pytest

from loopmall.profiles.frames import bundle_frames, load_frames
from loopmall.profiles.simulator import SimulationConfig, simulate

ACCURACY_USERS = 3000
ACCURACY_SEED = 20261203


@pytest.fixture(scope="session")
def simulated_bundle(tmp_path_factory) -> tuple[Path, object]:
    """The fixed small simulated brand the accuracy floor is checked on."""
    directory = tmp_path_factory.mktemp("bundle")
    brand = simulate(SimulationConfig(users=ACCURACY_USERS, seed=ACCURACY_SEED))
    brand.write_bundle(directory)
    return directory, brand


@pytest.fixture(scope="session")
def duckdb_tables(simulated_bundle):
    directory, _brand = simulated_bundle
    return load_frames(ibis.duckdb.connect(), bundle_frames(directory))


@pytest.fixture(scope="session")
def spark_backend(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 on PATH (java not found)")
    pyspark = pytest.importorskip("pyspark.sql", reason="pyspark is not installed")
    session = (
        pyspark.SparkSession.builder.master("local[1]")
        .appName("loopmall-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)
