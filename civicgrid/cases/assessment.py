"""Assessment (考核) figures per community, street and department for a period.

The definitions are in docs/assessment.md; units are judged by them, so change them only
with that page. A case belongs to the period in which it was raised (created_at in
[start, end)). Figures are computed at the moment of asking from stored timestamps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from civicgrid.geo.models import Area

from .choices import Rating, Status
from .models import Case, CaseEvent, Department, WhistleResponse

EXCLUDED = (Status.MERGED, Status.INVALID)
DONE = (Status.RESOLVED, Status.RATED, Status.CLOSED)


@dataclass
class Figures:
    key: int
    name: str
    received: int
    valid: int
    accepted_in_time: int
    resolved: int
    resolved_in_time: int
    rated: int
    satisfied: int
    reopened: int
    whistle_due: int = 0
    whistle_on_time: int = 0

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return round(100.0 * num / den, 1) if den else None

    @property
    def response_rate(self):
        return self._rate(self.accepted_in_time, self.valid)

    @property
    def on_time_rate(self):
        return self._rate(self.resolved_in_time, self.resolved)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved, self.valid)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)

    @property
    def reopen_rate(self):
        return self._rate(self.reopened, self.resolved)

    @property
    def whistle_report_rate(self):
        return self._rate(self.whistle_on_time, self.whistle_due)


def _aggregate(qs: QuerySet[Case]) -> dict:
    valid = ~Q(status__in=EXCLUDED)
    return qs.aggregate(
        received=Count("id"),
        valid=Count("id", filter=valid),
        accepted_in_time=Count(
            "id", filter=valid & Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))
        ),
        resolved=Count("id", filter=Q(status__in=DONE)),
        resolved_in_time=Count("id", filter=Q(status__in=DONE, resolved_at__lte=F("resolve_due"))),
        rated=Count(
            "id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED])
        ),
        satisfied=Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY])),
        reopened=Count("id", filter=Q(reopen_count__gt=0, status__in=DONE)),
    )


def _period(qs: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    return qs.filter(created_at__gte=start, created_at__lt=end)


def for_areas(*, user, level: int, start: dt.datetime, end: dt.datetime) -> list[Figures]:
    """Communities (level 3) or streets (level 2): the cases raised in them."""
    areas = Area.objects.restrict(user).filter(level=level).order_by("code")
    base = _period(Case.objects.restrict(user), start, end)
    rows = []
    for area in areas:
        qs = (
            base.filter(area_id=area.pk)
            if level == Area.Level.COMMUNITY
            else base.filter(area__parent_id=area.pk)
        )
        rows.append(Figures(key=area.pk, name=area.name, **_aggregate(qs)))
    return rows


def for_departments(*, user, start: dt.datetime, end: dt.datetime) -> list[Figures]:
    """Departments: every case dispatched to them at least once, plus their whistle reports."""
    rows = []
    base = _period(Case.objects.restrict(user), start, end)
    for dept in Department.objects.restrict(user).select_related("unit").order_by("unit__name"):
        dispatched = CaseEvent.objects.filter(
            action="dispatch", data__to_unit_id=dept.unit_id
        ).values("case_id")
        qs = base.filter(Q(handler_unit_id=dept.unit_id) | Q(pk__in=dispatched))
        whistles = WhistleResponse.objects.filter(
            unit_id=dept.unit_id, call__at__gte=start, call__at__lt=end
        )
        rows.append(
            Figures(
                key=dept.unit_id,
                name=dept.unit.name,
                **_aggregate(qs),
                whistle_due=whistles.count(),
                whistle_on_time=whistles.filter(reported_at__isnull=False, late=False).count(),
            )
        )
    return rows


def ranked(rows: list[Figures], by: str = "resolution_rate") -> list[Figures]:
    return sorted(rows, key=lambda r: (getattr(r, by) is None, -(getattr(r, by) or 0), r.name))
