"""`manage.py demo --scale small|county [--seed N] [--if-empty] [--database-url URL]`."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from civicgrid.demo.generator import generate
from civicgrid.demo.logins import demo_logins
from civicgrid.demo.scales import SCALES
from civicgrid.geo.models import Area


class Command(BaseCommand):
    help = "生成演示县数据(仅供演示):区划、网格、单位、党组织、网格员、居民、党员和各角色演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help="small:1个街道、3个社区、约5,000名居民;county:博罗县规模(约121万居民)",
        )
        parser.add_argument("--seed", type=int, default=2024, help="随机种子:相同种子生成相同数据")
        parser.add_argument(
            "--if-empty", action="store_true", help="已有区划数据时不生成,只列出演示账号"
        )
        parser.add_argument(
            "--database-url", help="写入另一个数据库(如 postgres://…),在子进程中执行"
        )
        parser.add_argument("--migrate", action="store_true", help="生成前先执行数据库迁移")

    def handle(self, *args, **opts):
        if opts["database_url"] and os.environ.get("DATABASE_URL") != opts["database_url"]:
            return self._delegate(opts)
        if opts["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if Area.objects.exists():
            if not opts["if_empty"]:
                raise CommandError(
                    "数据库中已有区划数据:演示数据只能载入空数据库(--if-empty 可跳过并列出演示账号)。"
                )
            self.stdout.write("数据库中已有区划数据,跳过生成。")
        else:
            summary = generate(
                scale=opts["scale"], seed=opts["seed"], progress=opts["verbosity"] > 0
            )
            self.stdout.write(
                f"已生成演示数据(规模 {summary.scale},种子 {summary.seed}),用时 {summary.seconds:.1f} 秒:"
            )
            for key, n in sorted(summary.counts.items()):
                self.stdout.write(f"  {key:<24}{n:>10,}")
        self._print_logins()

    def _delegate(self, opts) -> None:
        argv = [
            sys.executable,
            "-m",
            "civicgrid",
            "demo",
            "--scale",
            opts["scale"],
            "--seed",
            str(opts["seed"]),
            "--verbosity",
            str(opts["verbosity"]),
        ]
        argv += ["--if-empty"] if opts["if_empty"] else []
        argv += ["--migrate"] if opts["migrate"] else []
        env = {**os.environ, "DATABASE_URL": opts["database_url"]}
        if subprocess.run(argv, env=env, check=False).returncode:
            raise CommandError("在目标数据库中生成演示数据失败。")

    def _print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("没有演示账号。")
            return
        self.stdout.write("\n演示账号(仅供演示,切勿用于真实数据):")
        header = ("用户名", "角色", "范围", "密码")
        rows = [(x.username, x.role, x.scope, x.password) for x in logins]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(4)]
        for row in [header, *rows]:
            self.stdout.write(
                "  " + "  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True))
            )
        for x in logins:
            if x.totp_secret:
                self.stdout.write(
                    f"\n{x.username} 需两步验证(TOTP)。密钥 {x.totp_secret}\n  {x.otpauth_url}"
                )
        self.stdout.write("\n开发环境可用 `manage.py demo_totp 用户名` 查看当前动态验证码。")


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))
