import time

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.errors import ApplicationError
from civicgrid.geo.models import Area
from civicgrid.reports import services
from civicgrid.reports.models import Format, Kind
from civicgrid.reports.tasks import make_due_task


class Command(BaseCommand):
    help = (
        "Make one report (--kind --area --period [--format]), or the due reports of every area "
        "(no arguments: once; --loop N: every N seconds, enqueued for the worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=Kind.values)
        parser.add_argument("--area", help="area code")
        parser.add_argument("--period", help="2026-11-30, 2026-W48 or 2026-11")
        parser.add_argument("--format", choices=[*Format.values, "both"], default="both")
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, kind, area, period, format, loop, **options):
        if kind or area or period:
            if not (kind and area and period):
                raise CommandError("--kind, --area and --period go together")
            try:
                target = Area.objects.get(code=area)
            except Area.DoesNotExist as e:
                raise CommandError(f"unknown area {area}") from e
            fmts = Format.values if format == "both" else [format]
            for fmt in fmts:
                try:
                    r = services.report_generate(
                        actor=None, kind=kind, area=target, period=period, fmt=fmt, scheduled=True
                    )
                except ApplicationError as e:
                    raise CommandError(str(e.message)) from e
                self.stdout.write(f"{r.file} {r.size} {r.sha256}")
            return
        if not loop:
            self.stdout.write(f"made {len(services.make_due())}")
            return
        while True:
            make_due_task.enqueue()
            time.sleep(loop)
