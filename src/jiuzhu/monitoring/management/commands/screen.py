"""`jiuzhu screen --period 2026Q1 --output warnings.csv`: the warning list (预警清单) of a quarter."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.domain.errors import DomainError
from jiuzhu.monitoring.services import run_screening, warning_row

COLUMNS = ("household_id", "rule", "members", "details")


class Command(BaseCommand):
    help = "按季度运行大数据筛查，输出预警清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="筛查季度，如 2026Q1")
        parser.add_argument("--output", type=Path, required=True, help="预警清单 CSV 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            warnings = run_screening(options["period"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        output: Path = options["output"]
        with output.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(warning_row(w) for w in warnings)
        self.stdout.write(f"预警 {len(warnings)} 条，已写入 {output}")
