"""Daily job: flag grids whose patrol duty was not met (yesterday by default) and re-check the
party-organisation coverage of firms and social organisations. Idempotent; ``--loop N`` repeats
every N seconds (a day's flags are written once however often it runs)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from civicgrid.patrols import services


class Command(BaseCommand):
    help = "Flag missed patrols (per grid and day) and re-check party-organisation coverage."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, day=None, loop=0, **options):
        while True:
            target = (
                dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
            )
            flagged = services.check_patrols(day=target)
            raised, closed = services.coverage_check()
            self.stdout.write(
                f"{target}: {flagged} missed-patrol flags; coverage: {raised} raised, {closed} closed"
            )
            if not loop:
                return
            time.sleep(loop)
