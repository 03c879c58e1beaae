"""Reads, scoped with ``.restrict(user)``: patrols, coverage, missed flags, contact points,
opinions, party-organisation coverage and the gig-worker ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from civicgrid.core.scoping import VIEW
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import Unit
from civicgrid.people.models import Visit

from .choices import COVERAGE_KINDS, FlagStatus, PatrolStatus
from .models import (
    ContactAssignment,
    ContactVisit,
    CoverageFlag,
    GigWorkerProfile,
    MissedPatrol,
    MobileReport,
    Patrol,
    PatrolDuty,
)
from .services import is_overseer, local_day_bounds, unit_figures


# ------------------------------------------------------------------ patrols
def patrol_list(*, user, grid_id: int | None = None, worker=None, action: str = VIEW):
    qs = Patrol.objects.restrict(user, action).select_related("grid", "worker", "area")
    if grid_id:
        qs = qs.filter(grid_id=grid_id)
    if worker is not None:
        qs = qs.filter(worker=worker)
    return qs.annotate(cases_n=Count("case_links")).order_by("-started_at", "-id")


PATROL_STATES = ("open", "completed", "incomplete")


@dataclass
class PatrolFilters:
    """The filters of the patrol list (巡查记录), parsed once for the page and its export."""

    grid_id: int | None = None
    community_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    state: str = ""

    @classmethod
    def from_params(cls, params) -> PatrolFilters:
        def number(name):
            value = (params.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        def day(name):
            try:
                return dt.date.fromisoformat(params.get(name) or "")
            except ValueError:
                return None

        state = params.get("state") or ""
        return cls(
            grid_id=number("grid"),
            community_id=number("community"),
            start=day("start"),
            end=day("end"),
            state=state if state in PATROL_STATES else "",
        )

    def apply(self, qs):
        if self.grid_id:
            qs = qs.filter(grid_id=self.grid_id)
        if self.community_id:
            qs = qs.filter(area_id=self.community_id)
        if self.start:
            qs = qs.filter(started_at__gte=local_day_bounds(self.start)[0])
        if self.end:
            qs = qs.filter(started_at__lt=local_day_bounds(self.end)[1])
        if self.state == "open":
            qs = qs.filter(status=PatrolStatus.OPEN)
        elif self.state == "completed":
            qs = qs.filter(completed=True)
        elif self.state == "incomplete":
            qs = qs.filter(status=PatrolStatus.ENDED, completed=False)
        return qs

    def as_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in self.__dict__.items()
            if v not in (None, "")
        }


def patrol_get(*, user, pk: int) -> Patrol | None:
    """A patrol the user may see: in their scope, or their own."""
    qs = Patrol.objects.select_related("grid", "worker", "area")
    return (qs.restrict(user) | qs.filter(worker=user)).filter(pk=pk).first()


def patrol_route(patrol: Patrol) -> list[tuple[float, float]]:
    return list(patrol.points.order_by("seq").values_list("lon", "lat"))


def patrol_visits(patrol: Patrol, *, user):
    """Visits the worker recorded while the patrol was open (by time: no link needed)."""
    end = patrol.ended_at or timezone.now()
    return (
        Visit.objects.restrict(user)
        .filter(visitor_id=patrol.worker_id, visited_at__gte=patrol.started_at, visited_at__lte=end)
        .select_related("resident")
        .order_by("visited_at")
    )


def patrol_cases(patrol: Patrol, *, user):
    from civicgrid.cases.models import Case

    return (
        (Case.objects.restrict(user) | Case.objects.filter(reporter=user))
        .filter(patrol_link__patrol=patrol)
        .select_related("item")
        .order_by("created_at")
        .distinct()
    )


def duty_list(*, user):
    return (
        Grid.objects.restrict(user)
        .filter(parent__isnull=True)
        .select_related("community", "patrol_duty")
        .order_by("community__code", "code")
    )


def missed_list(
    *,
    user,
    acknowledged: bool | None = None,
    withdrawn: bool | None = False,
    action: str = VIEW,
):
    """Missed-patrol flags in scope. By default only those in force: a flag withdrawn because
    late patrols met the duty is left out (``withdrawn=True``: only those; ``None``: all)."""
    qs = MissedPatrol.objects.restrict(user, action).select_related(
        "grid", "area", "acknowledged_by", "withdrawn_patrol"
    )
    if acknowledged is not None:
        qs = qs.filter(acknowledged_at__isnull=not acknowledged)
    if withdrawn is not None:
        qs = qs.filter(withdrawn_at__isnull=not withdrawn)
    return qs


def missed_counts(*, user) -> dict[str, int]:
    """Flags in scope in force and withdrawn (the tabs of 漏巡提醒), one query."""
    return MissedPatrol.objects.restrict(user).aggregate(
        active=Count("id", filter=Q(withdrawn_at__isnull=True)),
        withdrawn=Count("id", filter=Q(withdrawn_at__isnull=False)),
    )


@dataclass
class CoverageRow:
    area: Area
    with_duty: int = 0
    patrolled: int = 0
    patrols: int = 0
    children: list = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(100 * self.patrolled / self.with_duty, 1) if self.with_duty else None


def patrol_coverage(
    *, user, start: dt.datetime, end: dt.datetime, action: str = VIEW
) -> list[CoverageRow]:
    """Per street (with its communities): grids with an active duty, how many of them had a
    completed patrol in [start, end), and the completed patrols. Three grouped queries."""
    duties = (
        PatrolDuty.objects.restrict(user, action)
        .filter(active=True)
        .values("area_id")
        .annotate(n=Count("id"))
    )
    patrolled = (
        Patrol.objects.restrict(user, action)
        .filter(
            completed=True,
            started_at__gte=start,
            started_at__lt=end,
            grid__patrol_duty__active=True,
        )
        .values("area_id")
        .annotate(g=Count("grid_id", distinct=True), n=Count("id"))
    )
    by_area: dict[int, CoverageRow] = {}
    communities = (
        Area.objects.restrict(user, action)
        .filter(level=Area.Level.COMMUNITY)
        .select_related("parent")
    )
    for c in communities:
        by_area[c.pk] = CoverageRow(area=c)
    for d in duties:
        if d["area_id"] in by_area:
            by_area[d["area_id"]].with_duty = d["n"]
    for p in patrolled:
        if p["area_id"] in by_area:
            by_area[p["area_id"]].patrolled, by_area[p["area_id"]].patrols = p["g"], p["n"]
    streets: dict[int, CoverageRow] = {}
    for row in sorted(by_area.values(), key=lambda r: r.area.code):
        parent = row.area.parent
        srow = streets.setdefault(parent.pk, CoverageRow(area=parent))
        srow.with_duty += row.with_duty
        srow.patrolled += row.patrolled
        srow.patrols += row.patrols
        srow.children.append(row)
    return sorted(streets.values(), key=lambda r: r.area.code)


def patrol_stats(area: Area, start: dt.datetime, end: dt.datetime) -> dict:
    """Patrol figures of an area subtree over [start, end): an input for assessment (see
    docs/patrols.md). Not scoped: the caller has checked the user may see ``area``."""
    in_area = Q(area__path__startswith=area.path)
    patrols = Patrol.objects.filter(in_area, started_at__gte=start, started_at__lt=end)
    agg = patrols.aggregate(
        n=Count("id"),
        done=Count("id", filter=Q(completed=True)),
        dist=Sum("distance_m", filter=Q(completed=True)),
    )
    hours = (
        sum(p.duration_s for p in patrols.filter(completed=True).only("started_at", "ended_at"))
        / 3600
    )
    with_duty = PatrolDuty.objects.filter(in_area, active=True).count()
    patrolled = (
        patrols.filter(completed=True, grid__patrol_duty__active=True)
        .values("grid_id")
        .distinct()
        .count()
    )
    missed = MissedPatrol.objects.filter(
        in_area,
        day__gte=timezone.localtime(start).date(),
        day__lt=timezone.localtime(end).date(),
        withdrawn_at__isnull=True,  # withdrawn flags (late patrols met the duty) do not count
    ).count()
    return {
        "patrols": agg["n"],
        "completed": agg["done"],
        "distance_km": round((agg["dist"] or 0) / 1000, 2),
        "hours": round(hours, 1),
        "grids_with_duty": with_duty,
        "grids_patrolled": patrolled,
        "coverage_rate": round(100 * patrolled / with_duty, 1) if with_duty else None,
        "missed": missed,
    }


def week_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_day_bounds(day - dt.timedelta(days=day.weekday()), 7)


# ------------------------------------------------------------------ contact points
def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def contact_list(*, user, today: dt.date | None = None, leader=None):
    """Assignments the user may see — their own; all in scope for the organisation department and
    system administrators — with the last visit, the opinions collected, the due date and
    whether the contact is overdue (no visit within the cadence)."""
    today = today or timezone.localdate()
    qs = ContactAssignment.objects.restrict(user).filter(active=True)
    if not is_overseer(user):
        qs = qs.filter(leader=user)
    elif leader is not None:
        qs = qs.filter(leader=leader)
    rows = list(
        qs.select_related("leader", "target_area", "target_unit", "area").annotate(
            last_visit=Max("visits__visited_on"),
            visits_n=Count("visits"),
            opinions_n=Sum("visits__opinions_count"),
        )
    )
    for a in rows:
        a.due_on = add_months(a.last_visit or a.since, a.cadence)
        a.overdue = a.due_on < today
    return rows


def contact_get(*, user, pk: int) -> ContactAssignment | None:
    qs = ContactAssignment.objects.restrict(user).select_related(
        "leader", "target_area", "target_unit"
    )
    if not is_overseer(user):
        qs = qs.filter(leader=user)
    return qs.filter(pk=pk).first()


def contact_visit_get(*, user, pk: int) -> ContactVisit | None:
    qs = ContactVisit.objects.restrict(user).select_related(
        "assignment__target_area", "assignment__target_unit", "leader"
    )
    if not is_overseer(user):
        qs = qs.filter(leader=user)
    return qs.filter(pk=pk).first()


def contact_visits(
    *,
    user,
    start: dt.date | None = None,
    end: dt.date | None = None,
    assignment: ContactAssignment | None = None,
    action: str = VIEW,
):
    """Leaders' visits the user may see — their own; all in scope for the organisation
    department and system administrators — of one contact point or over [start, end]."""
    qs = ContactVisit.objects.restrict(user, action)
    if not is_overseer(user):
        qs = qs.filter(leader=user)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    if start is not None:
        qs = qs.filter(visited_on__gte=start)
    if end is not None:
        qs = qs.filter(visited_on__lte=end)
    return (
        qs.select_related("leader", "area", "assignment__target_area", "assignment__target_unit")
        .prefetch_related("case_links__case")
        .order_by("-visited_on", "-id")
    )


def opinions_summary(*, user, start: dt.date, end: dt.date, action: str = VIEW) -> list[dict]:
    """Opinions collected per leader and area over [start, end] (镇江's "10,000 opinions")."""
    qs = ContactVisit.objects.restrict(user, action).filter(
        visited_on__gte=start, visited_on__lte=end
    )
    if not is_overseer(user):
        qs = qs.filter(leader=user)
    return list(
        qs.values("leader_id", "leader__username", "leader__display_name", "area_id", "area__name")
        .annotate(visits=Count("id"), opinions=Sum("opinions_count"))
        .order_by("-opinions", "leader_id")
    )


# ------------------------------------------------------------------ 两个覆盖
@dataclass
class RateRow:
    key: str
    label: str
    units: int = 0
    worked: int = 0  # units with a party member, an organisation or an instructor
    eligible: int = 0  # units with >= 3 members
    organised: int = 0  # of those, with an organisation of their own

    @property
    def org_rate(self) -> float | None:
        return round(100 * self.organised / self.eligible, 1) if self.eligible else None

    @property
    def work_rate(self) -> float | None:
        return round(100 * self.worked / self.units, 1) if self.units else None


def coverage_rates(*, user) -> dict:
    """Organisation coverage (units with >= 3 members that have an organisation / units with
    >= 3 members) and work coverage (units with any party member, an organisation or an active
    instructor / all units), for firms and social organisations, per street and per kind."""
    units = unit_figures(Unit.objects.restrict(user).filter(kind__in=COVERAGE_KINDS)).values(
        "id",
        "kind",
        "area_id",
        "area__level",
        "area__parent_id",
        "members_n",
        "orgs_n",
        "instructors_n",
    )
    streets: dict[int, RateRow] = {}
    kinds: dict[str, RateRow] = {}
    total = RateRow(key="all", label="")
    kind_labels = dict(Unit._meta.get_field("kind").choices)
    rows = list(units)
    street_ids = {
        u["area__parent_id"] if u["area__level"] == Area.Level.COMMUNITY else u["area_id"]
        for u in rows
    }
    names = dict(Area.objects.filter(pk__in=street_ids).values_list("id", "name"))
    for u in rows:
        sid = u["area__parent_id"] if u["area__level"] == Area.Level.COMMUNITY else u["area_id"]
        targets = (
            streets.setdefault(sid, RateRow(key=str(sid), label=names.get(sid, ""))),
            kinds.setdefault(u["kind"], RateRow(key=u["kind"], label=str(kind_labels[u["kind"]]))),
            total,
        )
        for r in targets:
            r.units += 1
            if u["members_n"] or u["orgs_n"] or u["instructors_n"]:
                r.worked += 1
            if u["members_n"] >= 3:
                r.eligible += 1
                if u["orgs_n"]:
                    r.organised += 1
    return {
        "streets": sorted(streets.values(), key=lambda r: r.label),
        "kinds": list(kinds.values()),
        "total": total,
    }


def coverage_flags(*, user, status: str | None = FlagStatus.OPEN):
    qs = CoverageFlag.objects.restrict(user).select_related("unit", "area", "owner", "organization")
    if status:
        qs = qs.filter(status=status)
    return qs


# ------------------------------------------------------------------ gig workers
def gig_ledger(*, user, sector: str | None = None):
    qs = (
        GigWorkerProfile.objects.restrict(user)
        .select_related("member", "sector_organization", "area")
        .annotate(reports_n=Count("reports"))
        .order_by("sector", "id")
    )
    if sector:
        qs = qs.filter(sector=sector)
    return qs


def my_mobile_reports(profile: GigWorkerProfile):
    return MobileReport.objects.filter(profile=profile).select_related("case", "case__item")[:20]
