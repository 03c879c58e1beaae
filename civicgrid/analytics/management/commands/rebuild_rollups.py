"""Recount the case rollups: all days from scratch, or (``--flush``) only the days marked stale."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from civicgrid.analytics import rollups


class Command(BaseCommand):
    help = "Rebuild the case rollups (counts per day × grid × matter item) from the case table."

    def add_arguments(self, parser):
        parser.add_argument(
            "--flush", action="store_true", help="Only recount the days marked stale."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["flush"]:
            days = rollups.flush()
            self.stdout.write(f"recounted {days} day(s) in {time.perf_counter() - started:.1f}s")
        else:
            rows = rollups.rebuild()
            self.stdout.write(f"wrote {rows} rollup row(s) in {time.perf_counter() - started:.1f}s")
