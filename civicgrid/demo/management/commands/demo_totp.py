"""`manage.py demo_totp USERNAME`: the current TOTP code of a demo account (development only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.demo.logins import current_code


class Command(BaseCommand):
    help = "显示演示账号当前的动态验证码(仅限开发环境,DEBUG=True)。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        if not settings.DEBUG:
            raise CommandError("仅限开发环境(DEBUG=True)使用。")
        device = TOTPDevice.objects.filter(user__username=opts["username"], confirmed=True).first()
        if device is None:
            raise CommandError(f"用户 {opts['username']} 没有已启用的 TOTP 设备。")
        self.stdout.write(current_code(device))
