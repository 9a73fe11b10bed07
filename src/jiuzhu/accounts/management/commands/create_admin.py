"""`jiuzhu create_admin USERNAME --division CODE`: the first system administrator (§A.5).

A fresh install has no account. This creates one with a random one-time
password, printed once; the first login forces the administrator to set
their own.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts import services


class Command(BaseCommand):
    help = "创建系统管理员账户（随机一次性初始密码，首次登录须修改）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="登录用户名")
        parser.add_argument("--division", required=True, help="所属区划代码（通常为区县）")
        parser.add_argument("--full-name", default="", help="姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, password = services.admin_bootstrap(
                username=options["username"],
                division_code=options["division"],
                full_name=options["full_name"],
            )
        except services.AccountError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已创建系统管理员：{user.username}")
        self.stdout.write(f"初始密码（只显示这一次）：{password}")
        self.stdout.write("首次登录后系统将要求立即修改密码。")
