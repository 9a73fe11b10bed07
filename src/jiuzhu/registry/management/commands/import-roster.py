"""`jiuzhu import-roster DIR`: load a roster folder (divisions.csv?, households, members).

Run by an operator on the server: the whole county is in scope unless
`--user` names the staff member whose jurisdiction applies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts.models import User
from jiuzhu.core import clock
from jiuzhu.registry.imports import (
    ALLOWED_SUFFIXES,
    ROSTER_PARTS,
    files_digest,
    roster_import_files,
)
from jiuzhu.registry.models import ImportBatch, ImportStatus


def find_parts(folder: Path) -> dict[str, Path]:
    parts: dict[str, Path] = {}
    for part in ROSTER_PARTS:
        for suffix in ALLOWED_SUFFIXES:
            candidate = folder / f"{part}{suffix}"
            if candidate.is_file():
                parts[part] = candidate
    return parts


class Command(BaseCommand):
    help = "导入在保对象名册（divisions/households/members，CSV 或 XLSX）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="名册所在目录")
        parser.add_argument("--user", help="以该工作人员的辖区导入（默认：全县，系统操作员）")
        parser.add_argument(
            "--show-rejects", type=int, default=50, help="最多列出多少条拒绝记录（默认 50）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["directory"]
        if not folder.is_dir():
            raise CommandError(f"目录不存在：{folder}")
        paths = find_parts(folder)
        missing = [p for p in ("households", "members") if p not in paths]
        if missing:
            raise CommandError(f"目录中缺少文件：{'、'.join(m + '.csv/.xlsx' for m in missing)}")
        actor = None
        scope = ""
        jurisdiction = None
        if options["user"]:
            actor = User.objects.select_related("division").filter(username=options["user"]).first()
            if actor is None or actor.division is None:
                raise CommandError(f"用户不存在或没有所属辖区：{options['user']}")
            scope = actor.division.path
            jurisdiction = actor.division.code
        batch = ImportBatch.objects.create(
            kind="roster",
            digest=files_digest(paths),
            file_names="、".join(p.name for p in paths.values()),
            status=ImportStatus.PENDING,
            created_by=actor,
            jurisdiction_path=scope,
            created_at=clock.now(),
        )
        batch = roster_import_files(
            batch=batch, paths=paths, jurisdiction_code=jurisdiction, actor=actor
        )
        self.stdout.write(f"批次 #{batch.pk}：{batch.get_status_display()}")
        self.stdout.write(batch.message)
        rejects = batch.report.get("rejects", [])
        limit = options["show_rejects"]
        for reject in rejects[:limit]:
            self.stdout.write(
                f"  {reject['file']} 第 {reject['line']} 行：{reject['reason']} {reject.get('message', '')}"
            )
        if len(rejects) > limit:
            self.stdout.write(f"  …… 另有 {len(rejects) - limit} 条，见批次报告")
        if batch.status == ImportStatus.FAILED:
            raise CommandError("导入失败")
