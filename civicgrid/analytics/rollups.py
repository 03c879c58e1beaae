"""Case rollups: counts per day × community × grid × matter item × handling unit
(`CaseRollup`), and per day × community × department (`CaseUnitRollup`, with the departments a
case was dispatched to before), so that no screen or report scans the case table (see
docs/analytics.md).

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
same aggregation (``manage.py rebuild_rollups``). Recounts are serialised (on PostgreSQL by a
transaction-level advisory lock; SQLite has one writer at a time), so that two flushes of the
same day cannot both insert its rows.

The measures include the assessment's own numerators (docs/assessment.md, taken from
`civicgrid.cases.assessment`); `assessment_counts` turns summed rollup rows into the fields
of `assessment.Figures`, which is how the reports compute their rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, Count, DateField, F, Q, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from civicgrid.cases import assessment
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
    "accepted_in_time",
    "done",
    "done_in_time",
    "done_reopened",
)
# The rollup measures that are the assessment's numerators, by their name in
# `assessment._counts` (the others follow from rollup measures: see `assessment_counts`).
_ASSESSED = {
    "accepted_in_time": "accepted_in_time",
    "done": "resolved",
    "done_in_time": "resolved_in_time",
    "done_reopened": "reopened",
}
# What the reports sum to compute assessment figures.
ASSESSMENT_MEASURES = ("received", "invalid", "merged", "satisfied", "basically", "dissatisfied",
                       *_ASSESSED)  # fmt: skip


def _filters() -> dict[str, Q | None]:
    """Which cases each measure counts (None: all of them)."""
    accepted = Q(accepted_at__isnull=False)
    resolved = Q(resolved_at__isnull=False)
    is_open = Q(status__in=sorted(OPEN_STATUSES))
    assessed = {name: count.filter for name, count in assessment._counts().items()}
    return {
        "received": None,
        "accepted": accepted,
        "accepted_on_time": accepted
        & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due"))),
        "resolved": resolved,
        "resolved_on_time": resolved
        & (Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due"))),
        "satisfied": Q(rating=Rating.SATISFIED),
        "basically": Q(rating=Rating.BASICALLY),
        "dissatisfied": Q(rating=Rating.DISSATISFIED),
        "reopened": Q(reopen_count__gt=0),
        "open": is_open,
        "warning_open": is_open & Q(sla_state=SlaState.WARNING),
        "overdue_open": is_open & Q(sla_state=SlaState.OVERDUE),
        "invalid": Q(status=Status.INVALID),
        "merged": Q(status=Status.MERGED),
        **{name: assessed[source] for name, source in _ASSESSED.items()},
    }


def _counts(distinct: bool = False) -> dict[str, Count]:
    """The measures as aggregates over cases; `distinct` counts a case once however many rows
    of a join it is in."""
    return {name: Count("id", filter=q, distinct=distinct) for name, q in _filters().items()}


def assessment_counts(sums: dict) -> dict:
    """The fields of `assessment.Figures` (numerators and denominators of docs/assessment.md)
    from the sums of ASSESSMENT_MEASURES over rollup rows (missing sums count as 0)."""
    g = {name: sums.get(name) or 0 for name in ASSESSMENT_MEASURES}
    return {
        "received": g["received"],
        "valid": g["received"] - g["invalid"] - g["merged"],
        "rated": g["satisfied"] + g["basically"] + g["dissatisfied"],
        "satisfied": g["satisfied"] + g["basically"],
        **{source: g[name] for name, source in _ASSESSED.items()},
    }


def sums(queryset, by: tuple[str, ...] = (), fields=ASSESSMENT_MEASURES) -> dict:
    """Sums of `fields` over rollup rows, grouped by the `by` columns: {key tuple: {field:
    sum}} (the key is () without `by`)."""
    aggregates = {f: Sum(f) for f in fields}
    if not by:
        row = queryset.aggregate(**aggregates)
        return {(): {f: row[f] or 0 for f in fields}}
    return {
        tuple(row[b] for b in by): {f: row[f] or 0 for f in fields}
        for row in queryset.order_by().values(*by).annotate(**aggregates)
    }


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _day_expr(day: dt.date | None):
    if day is None:
        return TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    return Value(day, output_field=DateField())  # a constant: not grouped by


def _write(model, grouped, columns: dict[str, str], measures: dict[str, str] | None = None) -> int:
    """INSERT … SELECT grouped rows (a values() queryset with the measures) into a rollup
    table, in the database, without bringing rows into Python; `columns` (and `measures`, if
    they are named otherwise) map the table's columns to the queryset's names. Returns the
    number of rows written."""
    measures = measures or {m: m for m in MEASURES}
    sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    target = ", ".join(qn(c) for c in (*columns, *measures))
    source = ", ".join(f"g.{qn(c)}" for c in (*columns.values(), *measures.values()))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(model._meta.db_table)} ({target}) "  # noqa: S608
            f"SELECT {source} FROM ({sql}) g",
            params,
        )
        return cursor.rowcount


def _insert(queryset, day: dt.date | None = None) -> int:
    """Write the rollup rows of a queryset of cases (one per day and key) into both tables;
    returns the number of CaseRollup rows written."""
    from .models import CaseRollup, CaseUnitRollup

    cases = queryset.order_by().annotate(rollup_day=_day_expr(day))
    written = _write(
        CaseRollup,
        cases.values("rollup_day", "area_id", "grid_id", "item_id", "handler_unit_id").annotate(
            **_counts()
        ),
        {
            "day": "rollup_day",
            "area_id": "area_id",
            "grid_id": "grid_id",
            "item_id": "item_id",
            "unit_id": "handler_unit_id",
        },  # fmt: skip
    )
    # Each case once, under the unit that holds it now (or none): the sums of the CaseRollup
    # rows just written (the same cases), cheaper than a second pass over the cases.
    just_written = CaseRollup.objects.all() if day is None else CaseRollup.objects.filter(day=day)
    _write(
        CaseUnitRollup,
        just_written.order_by()
        .annotate(rollup_holder=Value(True, output_field=BooleanField()))
        .values("day", "area_id", "unit_id", "rollup_holder")
        .annotate(**{f"sum_{m}": Sum(m) for m in MEASURES}),
        {"day": "day", "area_id": "area_id", "unit_id": "unit_id", "holder": "rollup_holder"},
        measures={m: f"sum_{m}" for m in MEASURES},
    )
    # And once more under each other unit it was dispatched to (a join with its "dispatch"
    # ledger rows; a case dispatched twice to one unit is counted once: distinct).
    dispatched = (
        queryset.order_by()
        .filter(events__action="dispatch")
        .annotate(
            rollup_day=_day_expr(day),
            rollup_unit=Cast(KeyTextTransform("to_unit_id", "events__data"), BigIntegerField()),
            rollup_holder=Value(False, output_field=BooleanField()),
        )
        .filter(rollup_unit__isnull=False)
        .filter(Q(handler_unit_id__isnull=True) | ~Q(handler_unit_id=F("rollup_unit")))
    )
    _write(
        CaseUnitRollup,
        dispatched.values("rollup_day", "area_id", "rollup_unit", "rollup_holder").annotate(
            **_counts(distinct=True)
        ),
        {
            "day": "rollup_day",
            "area_id": "area_id",
            "unit_id": "rollup_unit",
            "holder": "rollup_holder",
        },  # fmt: skip
    )
    return written


def _serialise() -> None:
    """Hold the rollup recount lock until the end of the transaction (PostgreSQL; SQLite's
    single writer already serialises)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


_LOCK_KEY = 0x43475255  # "CGRU": any constant the application uses for nothing else


@transaction.atomic
def recompute_days(days: Iterable[dt.date]) -> int:
    """Recount the rollup rows of these days exactly from the cases received on them."""
    from civicgrid.cases.models import Case

    from .models import CaseRollup, CaseUnitRollup

    _serialise()
    written = 0
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        CaseRollup.objects.filter(day=day).delete()
        CaseUnitRollup.objects.filter(day=day).delete()
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

    from .models import CaseRollup, CaseUnitRollup, RollupDirtyDay

    _serialise()
    started = timezone.now()
    CaseRollup.objects.all().delete()
    CaseUnitRollup.objects.all().delete()
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
