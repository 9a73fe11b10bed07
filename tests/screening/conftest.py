"""Fixtures of the screening tests: a throw-away keyring and an Ibis connection per engine.

`con` runs each test on DuckDB and on Spark (local mode). The SparkSession is
started once per test run (a JVM costs seconds); without PySpark or Java the
Spark half is skipped, unless `JIUZHU_REQUIRE_SPARK=1` (CI) makes it fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pytest

from jiuzhu.protection.sm import KeyRing
from jiuzhu.screening.backends import EngineUnavailable, connect


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    return KeyRing("t1", {"t1": os.urandom(16)}, index_key=os.urandom(32))


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (
        java_home and (Path(java_home) / "bin/java").is_file()
    ):
        return "no Java runtime for Spark (install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark_con() -> Iterator[Any]:
    """One local Spark connection for the whole run."""
    reason = spark_missing()
    backend = None
    if reason is None:
        # The tables are tiny: a JVM that compiles quickly beats one that optimises long.
        jvm = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        try:
            backend = connect(
                "spark",
                master="local[2]",
                app_name="jiuzhu-tests",
                conf={"spark.driver.extraJavaOptions": jvm},
            )
        except EngineUnavailable as exc:
            reason = str(exc)
    if backend is None:
        if os.environ.get("JIUZHU_REQUIRE_SPARK") == "1":
            pytest.fail(f"JIUZHU_REQUIRE_SPARK=1 but Spark cannot run: {reason}")
        pytest.skip(f"Spark tests skipped: {reason}")
    yield backend
    backend.disconnect()


# PySpark leaves the socket of each collected result to the garbage collector.
SPARK_MARKS = (
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
)


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=SPARK_MARKS)])
def con(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "spark":
        yield request.getfixturevalue("spark_con")
        return
    backend = ibis.duckdb.connect()
    yield backend
    backend.disconnect()
