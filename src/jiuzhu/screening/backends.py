"""Which Ibis backend runs the rules: DuckDB on one machine (the default), Spark for a province.

The rules (`jiuzhu.screening.rules`) never name a backend; callers get one here.
Spark is an optional extra (`pip install 'jiuzhu[spark]'`, docs/spark.md); a
province points it at its cluster through the environment:

- `JIUZHU_SPARK_MASTER`: the master URL (`local[*]`, `spark://host:7077`, `yarn`, …);
  default `local[2]`.
- `JIUZHU_SPARK_CONF`: extra Spark settings, a comma list of `key=value`
  (e.g. `spark.executor.memory=8g,spark.sql.shuffle.partitions=200`).

Arguments given to `connect` win over the environment, which wins over the defaults.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")

MASTER_ENV = "JIUZHU_SPARK_MASTER"
CONF_ENV = "JIUZHU_SPARK_CONF"
DEFAULT_MASTER = "local[2]"
DEFAULT_APP_NAME = "jiuzhu-screening"

# The rules give DuckDB's answers with these: dates are date32 with no time zone (a UTC
# session keeps them from shifting) and integer fen arithmetic fails loudly rather than
# wrapping on overflow (ANSI mode). Results come back to Python through Arrow.
SPARK_DEFAULTS: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}
# Only for a master on this machine: no web UI to bind, no host name to resolve, and
# as many shuffle partitions as cores (Spark's 200 are for clusters).
LOCAL_DEFAULTS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
_LOCAL_MASTER = re.compile(r"local(?:\[(\d+|\*)(?:,\s*\d+)?\])?")


class EngineUnavailable(RuntimeError):
    """The engine cannot start here (library, Java or a setting missing); the message says why."""


def connect(engine: str = "duckdb", **options: Any) -> BaseBackend:
    """A connection of `engine`; `options` go to the backend's `connect` (Spark: see `spark`)."""
    if engine == "duckdb":
        return ibis.duckdb.connect(**options)
    if engine == "spark":
        return spark(**options)
    raise ValueError(f"未知的筛查引擎：{engine}（可选：{'、'.join(ENGINES)}）")


def parse_conf(text: str) -> dict[str, str]:
    """`"a=1, b=2"` → `{"a": "1", "b": "2"}` (the format of `JIUZHU_SPARK_CONF`)."""
    conf: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EngineUnavailable(f"{CONF_ENV} 格式错误：“{item}” 应为 key=value")
        conf[key.strip()] = value.strip()
    return conf


def spark_options(
    master: str | None = None, conf: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """The master and settings a session gets: argument, else environment, else default
    (settings merge as defaults < `JIUZHU_SPARK_CONF` < `conf`)."""
    master = master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER
    merged = dict(SPARK_DEFAULTS)
    if local := _LOCAL_MASTER.fullmatch(master):
        cores = local.group(1) or "1"
        merged.update(LOCAL_DEFAULTS)
        merged["spark.sql.shuffle.partitions"] = str(os.cpu_count() or 1) if cores == "*" else cores
    merged.update(parse_conf(os.environ.get(CONF_ENV, "")))
    merged.update({str(k): str(v) for k, v in (conf or {}).items()})
    return master, merged


def spark(
    master: str | None = None,
    app_name: str = DEFAULT_APP_NAME,
    conf: Mapping[str, str] | None = None,
) -> BaseBackend:
    """An Ibis PySpark connection on a new or the running SparkSession of this process.

    A running session is reused (a JVM starts once per process); its runtime SQL
    settings are set again, the static ones (master, memory) stay as they were.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable("未安装 PySpark：pip install 'jiuzhu[spark]'") from None

    master, settings = spark_options(master, conf)
    # py4j logs every closed socket at INFO; quiet it unless someone configured it.
    py4j_log = logging.getLogger("py4j")
    if py4j_log.level == logging.NOTSET:
        py4j_log.setLevel(logging.WARNING)
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j/pyspark raise several kinds when the JVM cannot start
        raise EngineUnavailable(
            f"无法启动 Spark（master={master}）：请确认已安装 Java 17 并可连接集群。{exc}"
        ) from exc
    runtime = {k: v for k, v in settings.items() if session.conf.isModifiable(k)}
    return _spark_backend_class()().connect(session, **runtime)


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@functools.cache
def _spark_backend_class() -> type[BaseBackend]:
    """Ibis's PySpark backend, reading a local path as `file://` on every node.

    Ibis hands Spark a bare path, which a cluster resolves against its default file
    system (`hdfs://…` on YARN); the screening data directory is a path on this machine
    (a shared mount on a cluster, docs/spark.md), so it is named with its scheme.
    Results come back as Arrow, not through pandas.
    """
    import pyarrow.parquet as pq
    from ibis.backends.pyspark import Backend as PySparkBackend
    from ibis.util import gen_name
    from pyspark.sql.pandas.types import from_arrow_schema

    class SparkBackend(PySparkBackend):
        def read_parquet(
            self, path: str | Path, /, *, table_name: str | None = None, **kwargs: Any
        ) -> Any:
            source = str(path)
            if _URL.match(source):
                return super().read_parquet(source, table_name=table_name, **kwargs)
            local = Path(source).resolve()
            reader = self._session.read
            if local.is_file():
                # The footer is here on the driver: no Spark job to infer the schema.
                reader = reader.schema(from_arrow_schema(pq.read_schema(local)))
            # Not as_uri(): Hadoop would read its %-escapes literally.
            frame = reader.parquet("file://" + local.as_posix(), **kwargs)
            name = table_name or gen_name("read_parquet")
            frame.createOrReplaceTempView(name)
            return self.table(name)

        def to_pyarrow(
            self,
            expr: Any,
            /,
            *,
            params: Mapping[Any, Any] | None = None,
            limit: int | str | None = None,
            **kwargs: Any,
        ) -> Any:
            # Straight from Spark's Arrow batches, not through pandas: int64 columns
            # with nulls would become float64 there and lose fen above 2**53.
            from ibis.formats.pyarrow import PyArrowData

            self._run_pre_execute_hooks(expr)
            table_expr = expr.as_table()
            sql = self.compile(table_expr, params=params, limit=limit, **kwargs)
            arrow = self._session.sql(sql).toArrow()
            return expr.__pyarrow_result__(PyArrowData.convert_table(arrow, table_expr.schema()))

    return SparkBackend
