"""`jiuzhu import-roster DIR`: load a roster folder (divisions?, households, members; .csv or .xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts.models import User
from jiuzhu.domain.errors import DomainError
from jiuzhu.registry.imports import roster_import_directory
from jiuzhu.registry.models import ImportStatus


class Command(BaseCommand):
    help = "导入在保对象名册（divisions/households/members，CSV 或 XLSX）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="名册所在目录")
        parser.add_argument(
            "--user", help="以该工作人员的辖区导入（默认：全平台，由服务器操作员执行）"
        )
        parser.add_argument(
            "--show-rejects", type=int, default=50, help="最多列出多少条拒绝记录（默认 50）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["directory"]
        if not folder.is_dir():
            raise CommandError(f"目录不存在：{folder}")
        actor = None
        if options["user"]:
            actor = User.objects.select_related("division").filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户不存在：{options['user']}")
        try:
            batch = roster_import_directory(folder=folder, actor=actor)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"批次 #{batch.pk}：{batch.get_status_display()}")
        self.stdout.write(batch.message)
        rejects = batch.report.get("rejects", [])
        limit = options["show_rejects"]
        for reject in rejects[:limit]:
            self.stdout.write(
                f"  {reject['file']} 第 {reject['line']} 行：{reject['reason']} {reject['message']}"
            )
        if len(rejects) > limit:
            self.stdout.write(f"  …… 另有 {len(rejects) - limit} 条，见批次报告")
        if batch.status == ImportStatus.FAILED:
            raise CommandError("导入失败，已有数据未做任何改动")
