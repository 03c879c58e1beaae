import datetime as dt
import shutil
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from civicgrid.cases.hotline_export import FORMATS, HotlineFilter, export_hotline
from civicgrid.core.errors import ApplicationError


def _since(value: str) -> dt.datetime:
    """An ISO date (local midnight) or date-time (local time unless it names its offset)."""
    parsed = parse_datetime(value.replace(" ", "T")) if "T" in value or " " in value else None
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: not a date or date-time: {value!r}")
        parsed = dt.datetime.combine(day, dt.time.min)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise CommandError(f"{name}: not a date (YYYY-MM-DD): {value!r}")
    return day


class Command(BaseCommand):
    help = (
        "Export the status and results of 12345 hotline cases (the import's columns plus the "
        "result columns), scoped to --user and audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username the export is done as")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("--since", help="only cases changed at or after this date/date-time")
        parser.add_argument("--from", dest="date_from", help="created on or after YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="created on or before YYYY-MM-DD")
        parser.add_argument("--out", help="output file (default: standard output)")
        parser.add_argument(
            "--full", action="store_true", help="unmasked names and phones (needs reveal_pii)"
        )

    def handle(self, *, user, format, since, date_from, date_to, out, full, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            flt = HotlineFilter(
                date_from=_day(date_from, "--from"),
                date_to=_day(date_to, "--to"),
                changed_since=_since(since) if since else None,
            )
            result = export_hotline(user=actor, flt=flt, fmt=format, reveal=full)
        except ApplicationError as e:
            raise CommandError(str(e.message))
        if out:
            with open(out, "wb") as fh:
                shutil.copyfileobj(result.file, fh)
        else:
            shutil.copyfileobj(result.file, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        self.stderr.write(f"rows={result.rows}")
