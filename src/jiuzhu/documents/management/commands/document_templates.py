"""Write the built-in Word templates to a folder for the office to edit.

    jiuzhu document_templates [--to 文件夹] [--force]

Without --to, the folder the platform reads the office's templates from
(JIUZHU_DOCX_TEMPLATE_DIR, default <JIUZHU_DATA_DIR>/document_templates).
Existing files are kept unless --force. A 字段说明.txt lists the keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.documents import conf
from jiuzhu.documents.layouts import LAYOUTS
from jiuzhu.documents.templates_docx import default_template, keys_help


class Command(BaseCommand):
    help = "导出内置的 Word 文书模板，供修改后放回模板目录使用"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, default=None, help="输出文件夹（默认为模板目录）")
        parser.add_argument("--force", action="store_true", help="覆盖已有的模板文件")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["to"] or conf.template_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for kind in LAYOUTS:
            path = folder / f"{kind.value}.docx"
            if path.exists() and not options["force"]:
                self.stdout.write(f"已存在，保留：{path}")
                continue
            path.write_bytes(default_template(kind))
            self.stdout.write(f"已写出：{path}")
        (folder / "字段说明.txt").write_text(keys_help(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"模板目录：{folder}"))
