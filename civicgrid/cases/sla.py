"""Deadlines: computed once, when a case is created or re-dispatched, and stored.

accept_due  = reported + the item's accept hours (clock hours).
resolve_due = urgent: reported + urgent hours; same day: 18:00 of the working day it was
              reported (the next working day when reported after 18:00 or on a rest day);
              N working days: 18:00 of the N-th working day after the day it was reported.
The warning (yellow) starts when `CIVICGRID_SLA_WARN_SHARE` of the time has gone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from .calendar import add_workdays, is_workday
from .choices import ResolveKind, SlaState


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def _end_of(day: dt.date) -> dt.datetime:
    hour, minute = (int(x) for x in getattr(settings, "CIVICGRID_WORKDAY_END", "18:00").split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_tz())


def accept_due(start: dt.datetime, accept_hours: int) -> dt.datetime:
    return start + dt.timedelta(hours=accept_hours)


def resolve_due(
    start: dt.datetime, *, kind: str, days: int = 0, urgent_hours: int | None = None
) -> dt.datetime:
    if urgent_hours:
        return start + dt.timedelta(hours=urgent_hours)
    local = start.astimezone(_tz())
    day = local.date()
    if kind == ResolveKind.SAME_DAY:
        if is_workday(day) and local < _end_of(day):
            return _end_of(day)
        return _end_of(add_workdays(day, 1))
    return _end_of(add_workdays(day, max(days, 1)))


def warn_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    share = float(getattr(settings, "CIVICGRID_SLA_WARN_SHARE", 0.8))
    return start + (due - start) * share


def sla_state(start: dt.datetime, due: dt.datetime | None, now: dt.datetime) -> str:
    if due is None:
        return SlaState.ON_TIME
    if now > due:
        return SlaState.OVERDUE
    share = float(getattr(settings, "CIVICGRID_SLA_WARN_SHARE", 0.8))
    if now >= start + (due - start) * share:
        return SlaState.WARNING
    return SlaState.ON_TIME
