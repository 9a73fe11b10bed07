"""`jiuzhu screen --period 2026Q1 --output warnings.csv [--engine spark]`: a quarter's warning list.

The engine defaults to the setting or environment variable `JIUZHU_SCREENING_ENGINE`,
else DuckDB; Spark is for a province (docs/spark.md).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.domain.errors import DomainError
from jiuzhu.monitoring.services import run_screening, warning_row
from jiuzhu.screening.backends import ENGINES, EngineUnavailable

COLUMNS = ("household_id", "rule", "members", "details")
ENGINE_SETTING = "JIUZHU_SCREENING_ENGINE"


def default_engine() -> str:
    return getattr(settings, ENGINE_SETTING, None) or os.environ.get(ENGINE_SETTING) or "duckdb"


class Command(BaseCommand):
    help = "按季度运行大数据筛查，输出预警清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="筛查季度，如 2026Q1")
        parser.add_argument("--output", type=Path, required=True, help="预警清单 CSV 文件")
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default=None,
            help=f"筛查引擎（默认取 {ENGINE_SETTING}，未设置时为 duckdb）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = options["engine"] or default_engine()
        if engine not in ENGINES:
            raise CommandError(f"未知的筛查引擎：{engine}（可选：{'、'.join(ENGINES)}）")
        try:
            warnings = run_screening(options["period"], engine=engine)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except EngineUnavailable as exc:
            raise CommandError(str(exc)) from None
        output: Path = options["output"]
        with output.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(warning_row(w) for w in warnings)
        self.stdout.write(f"预警 {len(warnings)} 条，已写入 {output}")
