"""Assessment (考核) figures per community, street and department for a period.

The definitions are in docs/assessment.md; units are judged by them, so change them only
with that page. A case belongs to the period in which it was raised (created_at in
[start, end)). Figures are computed at the moment of asking from stored timestamps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from civicgrid.geo.models import Area

from .choices import Rating, Status
from .models import Case, CaseEvent, Department, WhistleResponse

EXCLUDED = (Status.MERGED, Status.INVALID)
DONE = (Status.RESOLVED, Status.RATED, Status.CLOSED)
# The rates a ranking can be ordered by (the page's "排序"), with their names.
MEASURES = {
    "resolution_rate": _("办结率"),
    "on_time_rate": _("按时办结率"),
    "response_rate": _("响应率"),
    "satisfaction_rate": _("满意率"),
    "reopen_rate": _("重办率"),
}
TREND_MONTHS = 6


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
    # Figures other apps add (see `with_extras`): Extra.code → value, None when no data.
    extras: dict = field(default_factory=dict)

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


def _counts() -> dict[str, Count]:
    """The numerators and denominators of docs/assessment.md, as aggregates over cases."""
    valid = ~Q(status__in=EXCLUDED)
    return {
        "received": Count("id"),
        "valid": Count("id", filter=valid),
        "accepted_in_time": Count(
            "id", filter=valid & Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))
        ),
        "resolved": Count("id", filter=Q(status__in=DONE)),
        "resolved_in_time": Count(
            "id", filter=Q(status__in=DONE, resolved_at__lte=F("resolve_due"))
        ),
        "rated": Count(
            "id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED])
        ),
        "satisfied": Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY])),
        "reopened": Count("id", filter=Q(reopen_count__gt=0, status__in=DONE)),
    }


def _aggregate(qs: QuerySet[Case]) -> dict:
    return qs.aggregate(**_counts())


def _period(qs: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    return qs.filter(created_at__gte=start, created_at__lt=end)


def month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period of a calendar month (local time): [its first day, the next month's first)."""
    first = first.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(first, dt.time(), tz), dt.datetime.combine(following, dt.time(), tz)


def months_to(last: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    """The first days of `count` months ending with the month of `last`, oldest first."""
    firsts = [last.replace(day=1)]
    while len(firsts) < count:
        firsts.append((firsts[-1] - dt.timedelta(days=1)).replace(day=1))
    return firsts[::-1]


def _in_area(qs: QuerySet[Case], area: Area) -> QuerySet[Case]:
    """The cases of an area: located in it (a community), in one of its communities (a
    street), or anywhere below it (the county)."""
    if area.level == Area.Level.COMMUNITY:
        return qs.filter(area_id=area.pk)
    if area.level == Area.Level.STREET:
        return qs.filter(area__parent_id=area.pk)
    return qs.filter(area__path__startswith=area.path)


def for_areas(*, user, level: int, start: dt.datetime, end: dt.datetime) -> list[Figures]:
    """Communities (level 3) or streets (level 2): the cases raised in them."""
    areas = Area.objects.restrict(user).filter(level=level).order_by("code")
    base = _period(Case.objects.restrict(user), start, end)
    return [Figures(key=a.pk, name=a.name, **_aggregate(_in_area(base, a))) for a in areas]


def areas_in_view(*, user) -> list[Area]:
    """The top areas a user sees: the county, their street or their community (each visible
    area whose parent is not visible), county first."""
    visible = list(
        Area.objects.restrict(user)
        .only("id", "name", "level", "path", "parent_id", "code")
        .order_by("level", "code")
    )
    ids = {a.pk for a in visible}
    return [a for a in visible if a.parent_id not in ids]


def monthly(*, user, area: Area, last: dt.date, months: int = TREND_MONTHS) -> list[Figures]:
    """One area's figures month by month (the `months` months ending with the month of
    `last`, oldest first), each month as the page computes it for that month (same cases, same
    counts); `Figures.name` is the month ("2026-11"). One query, grouped by local month."""
    firsts = months_to(last, months)
    start, end = month_bounds(firsts[0])[0], month_bounds(firsts[-1])[1]
    tz = timezone.get_current_timezone()
    grouped = (
        _period(_in_area(Case.objects.restrict(user), area), start, end)
        .order_by()
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(**_counts())
    )
    by_month = {}
    for row in grouped:
        month = row.pop("month")
        if timezone.is_aware(month):
            month = timezone.localtime(month, tz)
        by_month[(month.year, month.month)] = row
    empty = dict.fromkeys(_counts(), 0)
    return [
        Figures(
            key=area.pk,
            name=f"{first:%Y-%m}",
            **by_month.get((first.year, first.month), empty),
        )
        for first in firsts
    ]


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


# ------------------------------------------------------------------ figures from other apps
SHEETS = ("community", "street", "department")


@dataclass(frozen=True)
class Extra:
    """A column another app adds to an assessment sheet: `values` maps `Figures.key` (the area
    id, or the department's unit id) to what is shown; a key left out means "no data"."""

    code: str
    label: str
    values: dict


def with_extras(
    rows: list[Figures], *, user, sheet: str, start: dt.datetime, end: dt.datetime
) -> list[Extra]:
    """Ask every provider in settings.CIVICGRID_ASSESSMENT_EXTRAS for its columns of `sheet`
    ("community", "street" or "department") over [start, end), put each row's values in
    `Figures.extras`, and return the columns in order (for headings). Providers are called as
    ``provider(user=, sheet=, keys=, start=, end=)`` and return a list of Extra; this module
    knows none of them (the apps that count patrols or evaluations depend on cases, not the
    other way round)."""
    keys = [r.key for r in rows]
    columns: list[Extra] = []
    for path in getattr(settings, "CIVICGRID_ASSESSMENT_EXTRAS", ()):
        columns += import_string(path)(user=user, sheet=sheet, keys=keys, start=start, end=end)
    for r in rows:
        r.extras = {c.code: c.values.get(r.key) for c in columns}
    return columns


def ranked(rows: list[Figures], by: str = "resolution_rate") -> list[Figures]:
    return sorted(rows, key=lambda r: (getattr(r, by) is None, -(getattr(r, by) or 0), r.name))


def chart_data(*, sheets: dict, by: str, trends: list[tuple[Area, list[Figures]]]) -> dict:
    """What the page's charts draw (JSON-safe): each sheet's ranking by the measure `by`, in
    the order of its table, and each area's monthly line of the same measure."""
    months = [f.name for f in trends[0][1]] if trends else []
    return {
        "measure": by,
        "label": str(MEASURES[by]),
        "rankings": [
            {
                "title": str(title),
                "x": [r.name for r in rows],
                "series": [{"name": str(MEASURES[by]), "values": [getattr(r, by) for r in rows]}],
                "percent": True,
                "horizontal": True,
            }
            for title, rows in sheets.items()
        ],
        "trend": {
            "x": months,
            "series": [
                {"name": area.name, "values": [getattr(f, by) for f in figures]}
                for area, figures in trends
            ],
            "percent": True,
        },
    }
