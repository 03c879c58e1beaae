"""Case rollups: counts per day × community × grid × matter item × handling unit, so that no
screen or report scans the case table (see docs/analytics.md).

A rollup row counts the cases *received* on its day (local time) by where they stand now:
accepted (in time), resolved (on time), rated, reopened, open, yellow and red while open,
invalid, merged. A case therefore only ever counts in the rows of the day it was received, and a
change to it only makes that one day stale.

Kept up to date by "dirty days": the case hooks (this module is listed in
``settings.CIVICGRID_CASE_HOOKS``) mark the received day of every case they are told of, in the
transaction that changed the case, and enqueue `flush` on commit; `flush` recomputes each dirty
day exactly from the raw cases of that day (an indexed range of ``created_at``). This is simpler
to keep right than increments: a change of grid, item or handler, a reopening, a sweep, a rolled
back transaction — all end in the same exact recount. `rebuild` recounts every day with the
same aggregation (``manage.py rebuild_rollups``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Q, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from civicgrid.cases.choices import OPEN_STATUSES, Rating, SlaState, Status

MEASURES = (
    "received",
    "accepted",
    "accepted_on_time",
    "resolved",
    "resolved_on_time",
    "satisfied",
    "basically",
    "dissatisfied",
    "reopened",
    "open",
    "warning_open",
    "overdue_open",
    "invalid",
    "merged",
)
_KEYS = ("area_id", "grid_id", "item_id", "handler_unit_id")


def _counts() -> dict[str, Count]:
    accepted = Q(accepted_at__isnull=False)
    resolved = Q(resolved_at__isnull=False)
    is_open = Q(status__in=sorted(OPEN_STATUSES))
    return {
        "received": Count("id"),
        "accepted": Count("id", filter=accepted),
        "accepted_on_time": Count(
            "id",
            filter=accepted & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due"))),
        ),
        "resolved": Count("id", filter=resolved),
        "resolved_on_time": Count(
            "id",
            filter=resolved & (Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due"))),
        ),
        "satisfied": Count("id", filter=Q(rating=Rating.SATISFIED)),
        "basically": Count("id", filter=Q(rating=Rating.BASICALLY)),
        "dissatisfied": Count("id", filter=Q(rating=Rating.DISSATISFIED)),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "open": Count("id", filter=is_open),
        "warning_open": Count("id", filter=is_open & Q(sla_state=SlaState.WARNING)),
        "overdue_open": Count("id", filter=is_open & Q(sla_state=SlaState.OVERDUE)),
        "invalid": Count("id", filter=Q(status=Status.INVALID)),
        "merged": Count("id", filter=Q(status=Status.MERGED)),
    }


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _insert(queryset, day: dt.date | None = None) -> int:
    """INSERT … SELECT the rollup rows of a queryset of cases (one per day and key) in the
    database, without bringing rows into Python; returns the number of rows written."""
    from .models import CaseRollup

    if day is None:
        day_expr = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    else:
        day_expr = Value(day, output_field=DateField())  # a constant: not grouped by
    grouped = (
        queryset.order_by()
        .annotate(rollup_day=day_expr)
        .values("rollup_day", *_KEYS)
        .annotate(**_counts())
    )
    sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    target = ", ".join(
        qn(c) for c in ("day", "area_id", "grid_id", "item_id", "unit_id", *MEASURES)
    )
    source = ", ".join(f"g.{qn(c)}" for c in ("rollup_day", *_KEYS, *MEASURES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(CaseRollup._meta.db_table)} ({target}) "  # noqa: S608
            f"SELECT {source} FROM ({sql}) g",
            params,
        )
        return cursor.rowcount


@transaction.atomic
def recompute_days(days: Iterable[dt.date]) -> int:
    """Recount the rollup rows of these days exactly from the cases received on them."""
    from civicgrid.cases.models import Case

    from .models import CaseRollup

    written = 0
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        CaseRollup.objects.filter(day=day).delete()
        cases = Case.objects.filter(created_at__gte=start, created_at__lt=end)
        written += _insert(cases, day)
    return written


def mark_days(days: Iterable[dt.date]) -> None:
    """Mark days stale, in the caller's transaction (a rolled-back change marks nothing)."""
    from .models import RollupDirtyDay

    days = set(days)
    if not days:
        return
    now = timezone.now()
    RollupDirtyDay.objects.filter(day__in=days).update(marked_at=now)
    RollupDirtyDay.objects.bulk_create(
        [RollupDirtyDay(day=d, marked_at=now) for d in days], ignore_conflicts=True
    )


def flush() -> int:
    """Recompute every dirty day; returns how many days. A day marked again while it is being
    recounted stays dirty (its mark is newer than the start of the recount)."""
    from .models import RollupDirtyDay

    started = timezone.now()
    days = list(RollupDirtyDay.objects.values_list("day", flat=True))
    if not days:
        return 0
    with transaction.atomic():
        recompute_days(days)
        RollupDirtyDay.objects.filter(day__in=days, marked_at__lte=started).delete()
    return len(days)


@transaction.atomic
def rebuild() -> int:
    """Recount every day from scratch; returns the number of rollup rows."""
    from civicgrid.cases.models import Case

    from .models import CaseRollup, RollupDirtyDay

    started = timezone.now()
    CaseRollup.objects.all().delete()
    written = _insert(Case.objects.all())
    RollupDirtyDay.objects.filter(marked_at__lte=started).delete()
    return written


def _mark_cases(case_ids) -> None:
    from civicgrid.cases.models import Case

    created = Case.objects.filter(pk__in=set(case_ids)).values_list("created_at", flat=True)
    mark_days(local_day(c) for c in created)
    transaction.on_commit(_enqueue_flush)


def _enqueue_flush() -> None:
    from .tasks import flush_rollups_task

    flush_rollups_task.enqueue()


# Case hooks (civicgrid.cases.hooks): run inside the transaction that changed the cases.


def events_written(events: list) -> None:
    _mark_cases(e.case_id for e in events)


def sla_changed(case_ids: list[int], sla_state: str) -> None:
    _mark_cases(case_ids)
