"""`jiuzhu seed_demo`: the synthetic demo county 示范县 with one login per role.

Idempotent: when the demo county already exists nothing is generated again;
the eight demo accounts get new random passwords, which are printed and
written to <JIUZHU_DATA_DIR>/demo-logins.txt (mode 0600). Refused when
JIUZHU_ENV=production.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.core import clock
from jiuzhu.registry.demo import (
    DEMO_HOUSEHOLDS,
    DEMO_SEED,
    DemoSeedError,
    format_logins,
    seed_demo,
    write_logins_file,
)


class Command(BaseCommand):
    help = "生成示范县演示数据（合成数据，无真实个人信息），并为每个角色生成一个演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households",
            type=int,
            default=DEMO_HOUSEHOLDS,
            help=f"生成的家庭数（默认 {DEMO_HOUSEHOLDS}）",
        )
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="随机种子（相同种子生成相同数据）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = seed_demo(households=options["households"], seed=options["seed"])
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        c = result.counts
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已生成示范县演示数据（用时 {elapsed:.1f} 秒）："
                    f"{c['townships']} 个街道/乡镇、{c['communities']} 个社区/村、"
                    f"{c['grids']} 个网格、{c['grid_workers']} 名网格员、"
                    f"{c['households']} 户家庭（其中在保 {c['assisted']} 户）、"
                    f"{c['members']} 名家庭成员。"
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"示范县演示数据已存在（{c['households']} 户家庭），未重复生成；"
                    f"已为 {len(result.logins)} 个演示账号重新生成密码。"
                )
            )
        path = write_logins_file(result.logins, settings.DATA_DIR, now=clock.now())
        self.stdout.write("")
        self.stdout.write("演示账号（仅用于演示环境）：")
        self.stdout.write(format_logins(result.logins))
        self.stdout.write("")
        self.stdout.write(
            f"账号清单已写入 {path}（仅本人可读）。再次运行本命令会重新生成这些密码。"
        )
        self.stdout.write("其余网格员账号未设置可用密码，需由系统管理员设置后方可登录。")
