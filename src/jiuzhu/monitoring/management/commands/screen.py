"""`jiuzhu screen --period 2026Q1 --output warnings.csv [--raise-tasks] [--engine spark]`.

A quarter's warning list (预警清单) as CSV; with `--raise-tasks` each warning also
becomes a verification task (核查任务), as a screening run started from the page does.
The engine defaults to the setting `JIUZHU_SCREENING_ENGINE` (DuckDB); Spark is for a
province (docs/spark.md).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.domain.errors import DomainError
from jiuzhu.monitoring.services import raise_tasks, run_screening, warning_row
from jiuzhu.screening.backends import ENGINES, EngineUnavailable

COLUMNS = ("household_id", "rule", "members", "details")


class Command(BaseCommand):
    help = "按季度运行大数据筛查，输出预警清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="筛查季度，如 2026Q1")
        parser.add_argument("--output", type=Path, required=True, help="预警清单 CSV 文件")
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default=None,
            help="筛查引擎（默认取 JIUZHU_SCREENING_ENGINE，未设置时为 duckdb）",
        )
        parser.add_argument(
            "--raise-tasks",
            action="store_true",
            help="同时生成核查任务（同一家庭同一规则未办结的任务只更新，不重复生成）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = options["engine"] or settings.JIUZHU_SCREENING_ENGINE
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
        if options["raise_tasks"]:
            self.stdout.write(raise_tasks(options["period"], warnings).message())
