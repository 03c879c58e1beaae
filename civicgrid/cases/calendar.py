"""Working-day calendar: database overrides, then Chinese public holidays and adjusted
working days (chinese_calendar), then Monday–Friday for years the library does not cover."""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _overrides_cached(stamp: int) -> dict[dt.date, bool]:
    from .models import WorkCalendarDay

    return dict(WorkCalendarDay.objects.values_list("date", "is_workday"))


_override_stamp = [0]
_warned_years: set[int] = set()


def overrides_changed() -> None:
    _override_stamp[0] += 1
    _overrides_cached.cache_clear()


def is_workday(day: dt.date) -> bool:
    overrides = _overrides_cached(_override_stamp[0])
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("No holiday data for %s; using Monday-Friday. Add overrides.", day.year)
        return day.weekday() < 5


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n=0: `day` itself if a working day, else the next one)."""
    d = day
    if n == 0:
        while not is_workday(d):
            d += dt.timedelta(days=1)
        return d
    count = 0
    while count < n:
        d += dt.timedelta(days=1)
        if is_workday(d):
            count += 1
    return d
