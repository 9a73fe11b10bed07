"""Which Ibis backend runs the rules: DuckDB on one machine (the default), Spark for a province.

The rules (`jiuzhu.screening.rules`) never name a backend; callers get one here.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.backends import BaseBackend

ENGINES = ("duckdb",)


def connect(engine: str = "duckdb", **options: Any) -> BaseBackend:
    """A fresh connection of `engine`; `options` go to the backend's `connect`."""
    if engine == "duckdb":
        return ibis.duckdb.connect(**options)
    raise ValueError(f"未知的筛查引擎：{engine}（可选：{'、'.join(ENGINES)}）")
