import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civicgrid.analytics.hotspots import detect
from civicgrid.analytics.tasks import detect_hotspots_task


class Command(BaseCommand):
    help = "Find emerging hotspots (rises above baseline, space-time clusters) and store alerts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="detect as of the end of this day (YYYY-MM-DD), e.g. to backfill"
        )
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            help="repeat every N seconds (enqueues for the worker); e.g. 3600 — a day's alerts "
            "are updated, never duplicated",
        )

    def handle(self, *args, date: str | None, loop: int, **options):
        if loop:
            while True:
                detect_hotspots_task.enqueue()
                time.sleep(loop)
        now = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError("--date must look like 2026-11-30") from None
            now = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
        self.stdout.write(str(detect(now)))
