"""Report periods: a day (2026-11-30), an ISO week (2026-W48) or a month (2026-11)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationFailed

from .models import Kind


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    first: dt.date  # first day, inclusive
    after: dt.date  # first day after the period

    def _aware(self, d: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(d, dt.time.min))

    @property
    def last(self) -> dt.date:
        return self.after - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        return self._aware(self.first)

    @property
    def end(self) -> dt.datetime:
        return self._aware(self.after)

    def previous(self) -> Period:
        return containing(self.kind, self.first - dt.timedelta(days=1))


def containing(kind: str, day: dt.date) -> Period:
    if kind == Kind.DAILY:
        return Period(kind, day.isoformat(), day, day + dt.timedelta(days=1))
    if kind == Kind.WEEKLY:
        first = day - dt.timedelta(days=day.weekday())
        year, week, _wd = first.isocalendar()
        return Period(kind, f"{year}-W{week:02d}", first, first + dt.timedelta(days=7))
    first = day.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(kind, f"{first:%Y-%m}", first, after)


def parse(kind: str, text: str) -> Period:
    text = (text or "").strip()
    try:
        if kind == Kind.DAILY and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return containing(kind, dt.date.fromisoformat(text))
        if kind == Kind.WEEKLY and (m := re.fullmatch(r"(\d{4})-W(\d{2})", text)):
            return containing(kind, dt.date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if kind in (Kind.MONTHLY, Kind.MAJOR) and re.fullmatch(r"\d{4}-\d{2}", text):
            return containing(kind, dt.date.fromisoformat(text + "-01"))
    except ValueError:
        pass
    examples = {Kind.DAILY: "2026-11-30", Kind.WEEKLY: "2026-W48", Kind.MONTHLY: "2026-11"}
    raise ValidationFailed(
        _("周期格式有误,应为 %(example)s 这样的格式。")
        % {"example": examples.get(kind, "2026-11")},
        details={"period": text},
    )


def last_complete(kind: str, today: dt.date | None = None) -> Period:
    """The latest period that has ended (yesterday, last week, last month)."""
    today = today or timezone.localdate()
    return containing(kind, today).previous()
