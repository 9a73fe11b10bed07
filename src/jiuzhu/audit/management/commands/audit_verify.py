"""`jiuzhu audit_verify`: walk the SM3 hash chain over the audit log (security.md §C.14).

Prints the result in Chinese; exits with status 1 when the chain is broken,
naming the first broken row and why.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的 SM3 哈希链；发现记录被改动或删除时以非零状态退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"哈希链已断开：第{report.first_broken_seq}条记录，{report.reason}"
                f"（已检查{report.rows}条）"
            )
        self.stdout.write(self.style.SUCCESS(f"哈希链完整，共{report.rows}条"))
