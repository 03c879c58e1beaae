"""Background work: the deadline sweep. Runs as a django-tasks task (enqueued by the
`sweep_cases` command on a schedule, or by `make run`'s worker loop); safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import hooks
from .choices import OPEN_STATUSES, SlaState, Status
from .models import Case, Notification
from .oversight import mark_late_whistle_reports


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark warnings (yellow) and overdue (red) from stored deadlines, notify handlers' queues,
    mark late whistle reports, and close cases left unrated for CIVICGRID_RATING_DAYS."""
    now = now or timezone.now()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    # "Not yet red" spelt as the two other colours, so that an index on the colour serves it.
    not_red = [SlaState.ON_TIME, SlaState.WARNING]
    late = open_cases.filter(resolve_due__lt=now, sla_state__in=not_red)
    newly_overdue = list(late.values_list("id", "number")[:10000])
    overdue = late.update(sla_state=SlaState.OVERDUE)
    hooks.sla_changed([pk for pk, _ in newly_overdue], SlaState.OVERDUE)
    warning = open_cases.filter(warn_at__lte=now, sla_state=SlaState.ON_TIME, resolve_due__gte=now)
    newly_warned = list(warning.values_list("id", flat=True)[:10000])
    warned = warning.update(sla_state=SlaState.WARNING)
    hooks.sla_changed(newly_warned, SlaState.WARNING)
    Notification.objects.bulk_create(
        [
            Notification(case_id=pk, channel="app", message=f"事件 {number} 已超期")
            for pk, number in newly_overdue
        ],
        batch_size=1000,
    )
    late = mark_late_whistle_reports(now)
    closed = close_unrated(now)
    return {"overdue": overdue, "warned": warned, "late_whistle": late, "closed_unrated": closed}


def close_unrated(now: dt.datetime) -> int:
    from .services import SYSTEM, case_transition

    days = int(getattr(settings, "CIVICGRID_RATING_DAYS", 7))
    stale = Case.objects.filter(
        status=Status.RESOLVED, resolved_at__lt=now - dt.timedelta(days=days)
    )
    n = 0
    for case in stale.iterator(chunk_size=500):
        case_transition(actor=SYSTEM, case=case, action="close", note="逾期未评价,按未评价归档")
        n += 1
    return n


@task()
def sweep_task() -> dict[str, int]:
    return sweep()
