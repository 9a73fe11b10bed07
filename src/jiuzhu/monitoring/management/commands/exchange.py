"""`jiuzhu exchange import DIR --period 2026Q1`: load every department extract found in DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.domain.errors import DomainError
from jiuzhu.exchange.report import REASON_LABELS
from jiuzhu.monitoring.services import import_extracts

SHOWN_REJECTS = 20


class Command(BaseCommand):
    help = "导入部门比对数据（税务、人社、医保、不动产、车辆、市场监管、死亡登记）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"], help="import：导入一个季度的比对数据")
        parser.add_argument("directory", type=Path, help="比对数据文件所在目录")
        parser.add_argument("--period", required=True, help="所属季度，如 2026Q1")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["directory"]
        if not folder.is_dir():
            raise CommandError(f"目录不存在：{folder}")
        try:
            loaded = import_extracts(folder, options["period"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if not loaded:
            raise CommandError(f"目录中没有可识别的比对数据文件：{folder}")
        for item in loaded:
            report = item.report
            if item.unchanged:
                self.stdout.write(f"{report.file}：与本季度已导入的文件相同，未重复导入")
                continue
            self.stdout.write(
                f"{report.file}：读入 {report.rows_read} 行，接收 {report.rows_loaded} 行，"
                f"拒绝 {len(report.rejected)} 行"
            )
            for warning in report.warnings:
                self.stdout.write(f"  提示：{warning}")
            for reject in report.rejected[:SHOWN_REJECTS]:
                label = REASON_LABELS.get(reject.reason, reject.reason)
                self.stdout.write(
                    f"  第 {reject.line} 行：{label}（{reject.reason}）{reject.message}"
                )
            if len(report.rejected) > SHOWN_REJECTS:
                self.stdout.write(
                    f"  另有 {len(report.rejected) - SHOWN_REJECTS} 行被拒绝，"
                    "完整清单见比对数据上传页面或导入报告"
                )
