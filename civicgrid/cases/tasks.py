"""Background work: the deadline sweep. Runs as a django-tasks task (enqueued by the
`sweep_cases` command on a schedule, or by `make run`'s worker loop); safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import hooks
from .choices import SlaState, Status
from .models import Case, Notification, open_q
from .oversight import mark_late_whistle_reports

BATCH = 1000
NOTIFY_MAX = 10000  # in-app "overdue" notices written per run at most


def _recolour(candidates, state: str, fields=("id",)) -> list:
    """Turn the candidate cases to `state`; returns their (id, …) rows. The candidates are
    found through a partial index, then updated by primary key in batches, so that the
    hooks learn exactly which cases changed colour."""
    rows = list(
        candidates.values_list(*fields)
        if len(fields) > 1
        else candidates.values_list(*fields, flat=True)
    )
    ids = [r[0] for r in rows] if len(fields) > 1 else rows
    for i in range(0, len(ids), BATCH):
        candidates.filter(pk__in=ids[i : i + BATCH]).update(sla_state=state)
    hooks.sla_changed(ids, state)
    return rows


def overdue_candidates(now: dt.datetime):
    # "Not yet red" spelt as the two other colours, so that the index on the colour serves it.
    return Case.objects.filter(
        open_q(), sla_state__in=[SlaState.ON_TIME, SlaState.WARNING], resolve_due__lt=now
    ).order_by()


def warning_candidates(now: dt.datetime):
    return Case.objects.filter(
        open_q(), sla_state=SlaState.ON_TIME, warn_at__lte=now, resolve_due__gte=now
    ).order_by()


def unrated_candidates(now: dt.datetime):
    days = int(getattr(settings, "CIVICGRID_RATING_DAYS", 7))
    # Unordered: with the model's default order SQLite walks the creation-time index instead.
    return Case.objects.filter(
        status=Status.RESOLVED, resolved_at__lt=now - dt.timedelta(days=days)
    ).order_by()


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark warnings (yellow) and overdue (red) from stored deadlines, notify handlers' queues,
    mark late whistle reports, and close cases left unrated for CIVICGRID_RATING_DAYS."""
    now = now or timezone.now()
    with transaction.atomic():
        late = _recolour(overdue_candidates(now), SlaState.OVERDUE, fields=("id", "number"))
        warned = _recolour(warning_candidates(now), SlaState.WARNING)
        Notification.objects.bulk_create(
            [
                Notification(case_id=pk, channel="app", message=f"事件 {number} 已超期")
                for pk, number in late[:NOTIFY_MAX]
            ],
            batch_size=BATCH,
        )
    late_whistle = mark_late_whistle_reports(now)
    closed = close_unrated(now)
    return {
        "overdue": len(late),
        "warned": len(warned),
        "late_whistle": late_whistle,
        "closed_unrated": closed,
    }


def close_unrated(now: dt.datetime) -> int:
    from .services import SYSTEM, case_transition

    n = 0
    for case in unrated_candidates(now).iterator(chunk_size=500):
        case_transition(actor=SYSTEM, case=case, action="close", note="逾期未评价,按未评价归档")
        n += 1
    return n


@task()
def sweep_task() -> dict[str, int]:
    return sweep()
