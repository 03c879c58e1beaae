"""Periods for rankings and awards: a month, a quarter, a year or custom dates (local time)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from .choices import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day
    end: dt.date  # last day (inclusive)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return gettext("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}
        if self.kind == PeriodKind.QUARTER:
            return gettext("%(y)d年第%(q)d季度") % {
                "y": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        if self.kind == PeriodKind.YEAR:
            return gettext("%(y)d年") % {"y": self.start.year}
        return f"{self.start:%Y-%m-%d} — {self.end:%Y-%m-%d}"

    @property
    def value(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return ""

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes."""
        start = timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))
        return start, end

    @property
    def whole_year(self) -> bool:
        return (
            (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
            and self.start.year == self.end.year
        )

    def months(self) -> list[dt.date] | None:
        """The first days of the months the period covers, if it is made of whole months."""
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return None
        out, m = [], self.start
        while m <= self.end:
            out.append(m)
            m = _next_month(m)
        return out


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month(year: int, m: int) -> Period:
    start = dt.date(year, m, 1)
    return Period(PeriodKind.MONTH, start, _next_month(start) - dt.timedelta(days=1))


def quarter(year: int, q: int) -> Period:
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = _next_month(_next_month(_next_month(start))) - dt.timedelta(days=1)
    return Period(PeriodKind.QUARTER, start, end)


def year(y: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(y, 1, 1), dt.date(y, 12, 31))


def custom(start: dt.date, end: dt.date) -> Period:
    if end < start:
        start, end = end, start
    if (end - start).days > 3 * 366:
        end = start + dt.timedelta(days=3 * 366)
    return Period(PeriodKind.CUSTOM, start, end)


def parse(params, today: dt.date | None = None) -> Period:
    """From a query string: period=month|quarter|year|custom, value=2026-11 | 2026-Q4 | 2026,
    or date_from / date_to. Anything unreadable falls back to the current month."""
    today = today or timezone.localdate()
    kind = params.get("period") or PeriodKind.MONTH
    value = (params.get("value") or "").strip()
    try:
        if kind == PeriodKind.YEAR:
            return year(int(value) if re.fullmatch(r"\d{4}", value) else today.year)
        if kind == PeriodKind.QUARTER:
            m = re.fullmatch(r"(\d{4})-Q([1-4])", value)
            if m:
                return quarter(int(m[1]), int(m[2]))
            return quarter(today.year, (today.month - 1) // 3 + 1)
        if kind == PeriodKind.CUSTOM:
            start = dt.date.fromisoformat(params.get("date_from") or "")
            end = dt.date.fromisoformat(params.get("date_to") or "")
            return custom(start, end)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if m and 1 <= int(m[2]) <= 12:
            return month(int(m[1]), int(m[2]))
    except ValueError:
        pass
    return month(today.year, today.month)
