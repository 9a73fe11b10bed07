"""`jiuzhu unlock_user USERNAME`: lift a login lock from the server console (audited)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts import services
from jiuzhu.accounts.models import User


class Command(BaseCommand):
    help = "解除账户的登录锁定（写入审计记录）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="登录用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在。")
        was_locked = services.user_unlock(user=user)
        if was_locked:
            self.stdout.write(f"已解除账户“{user.username}”的锁定。")
        else:
            self.stdout.write(f"账户“{user.username}”当前未被锁定；失败计数已清零。")
