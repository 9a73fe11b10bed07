"""`jiuzhu assess FILE.yaml [...]`: 试算 from case files, one JSON object per case.

Uses the reviewed parameter files plus the county's approved changes (when a
database is configured). A malformed case prints a Chinese message naming the
file and the field on stderr and the command exits with status 1 — never a
traceback; the other files are still assessed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.policy import ParameterTable, parse_case_text
from jiuzhu.policy.services import assess_application, file_table, parameter_table


class Command(BaseCommand):
    help = "按案例文件试算（每个案例输出一行 JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", type=Path, help="案例文件（YAML，格式见 cases/README.md）"
        )
        parser.add_argument("--pretty", action="store_true", help="缩进输出，便于阅读")
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="只用随版本发布的参数文件，不读数据库中县级审批通过的调整",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        table = self._table(files_only=options["files_only"])
        failures = 0
        for path in options["files"]:
            try:
                result = self._assess(path, table)
            except DomainError as exc:
                failures += 1
                self.stderr.write(f"{path}：{exc.message}")
                continue
            indent = 2 if options["pretty"] else None
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent))
        if failures:
            self.stderr.write(f"共 {failures} 个案例未能试算")
            sys.exit(1)

    def _table(self, *, files_only: bool) -> ParameterTable:
        if files_only:
            return file_table()
        try:
            return parameter_table()
        except DatabaseError:
            self.stderr.write("（数据库不可用，仅使用随版本发布的参数文件）")
            return file_table()

    @staticmethod
    def _assess(path: Path, table: ParameterTable) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DomainError("文件不存在") from None
        except UnicodeDecodeError:
            raise DomainError("文件不是 UTF-8 编码的文本") from None
        except OSError as exc:
            raise DomainError(f"无法读取文件（{exc.strerror}）") from None
        application, _expect = parse_case_text(text, source=path.name)
        result = assess_application(application, table=table).as_dict()
        return {"file": str(path), **result}
