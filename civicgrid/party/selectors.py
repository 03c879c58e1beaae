"""Reads for dual reporting and points. Every staff read starts from ``.restrict(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.utils import timezone

from civicgrid.core.errors import NotFound
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import Unit
from civicgrid.people.models import InformationOfficer, PartyMember

from . import periods
from .choices import OPEN_REPORT_STATUSES, PointsEvent, ReportKind, ReportStatus, SubjectKind
from .models import DualReport, PointsEntry, PointsTally, ReportEvent
from .periods import Period

# ------------------------------------------------------------------ places


def places(*, user) -> list[Area]:
    """Streets and communities the user may rank or filter by (county first)."""
    return list(
        Area.objects.restrict(user)
        .filter(level__lte=Area.Level.COMMUNITY)
        .only("id", "name", "level", "parent_id", "path")
        .order_by("path")
    )


def place_filter(*, user, area_id=None, grid_id=None) -> tuple[Area | None, Grid | None]:
    """The area or grid asked for, if the user may see it (else None: the whole scope)."""
    grid = area = None
    if grid_id:
        grid = Grid.objects.restrict(user).filter(pk=grid_id).first()
    if area_id and grid is None:
        area = Area.objects.restrict(user).filter(pk=area_id).first()
    return area, grid


def _at_place(qs, area: Area | None, grid: Grid | None, *, community_field="area_id"):
    if grid is not None:
        return qs.filter(grid_id=grid.pk)
    if area is None:
        return qs
    if area.level == Area.Level.COMMUNITY:
        return qs.filter(**{community_field: area.pk})
    if area.level == Area.Level.STREET:
        return qs.filter(street_id=area.pk)
    return qs  # the county: everything in scope


# ------------------------------------------------------------------ dual reporting


def roster(
    *,
    user,
    kind: str = "",
    status: str = "",
    community: Area | None = None,
    q: str = "",
    service: str = "",
) -> QuerySet[DualReport]:
    qs = DualReport.objects.restrict(user).select_related(
        "community", "grid", "member__organization", "member__work_unit", "unit"
    )
    if kind in ReportKind.values:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(status__in=OPEN_REPORT_STATUSES)
    elif status in ReportStatus.values:
        qs = qs.filter(status=status)
    if community is not None:
        if community.level == Area.Level.COMMUNITY:
            qs = qs.filter(community_id=community.pk)
        elif community.level == Area.Level.STREET:
            qs = qs.filter(community__parent_id=community.pk)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(member__name__contains=q) | Q(unit__name__contains=q))
    if service:
        qs = (
            qs.filter(services__contains=[service])
            if _json_contains()
            else qs.filter(services__icontains=f'"{service}"')
        )
    return qs.order_by("-submitted_at", "-id")


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def roster_counts(*, user) -> dict[str, int]:
    rows = (
        DualReport.objects.restrict(user)
        .values("kind", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[str, int] = {}
    for r in rows:
        out[f"{r['kind']}_{r['status']}"] = r["n"]
    return out


def report_get(*, user, pk: int) -> DualReport:
    report = (
        DualReport.objects.restrict(user)
        .select_related(
            "community",
            "community__parent",
            "grid",
            "member__organization",
            "member__work_unit",
            "unit",
            "decided_by",
            "moved_from__community",
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def report_events(*, report: DualReport) -> QuerySet[ReportEvent]:
    return report.events.select_related("actor")


def reports_of(
    *, member: PartyMember | None = None, unit: Unit | None = None
) -> QuerySet[DualReport]:
    """A subject's own reports, newest first (the member's or unit contact's own pages)."""
    key = f"member:{member.pk}" if member is not None else f"unit:{unit.pk}"
    return (
        DualReport.objects.filter(subject_key=key)
        .select_related("community", "decided_by", "moved_from__community")
        .order_by("-submitted_at", "-id")
    )


def inactive_members(
    *,
    user,
    months: int | None = None,
    community: Area | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[DualReport]:
    """Confirmed member reports whose member has no points entry for ``months`` months (the
    setting CIVICGRID_PARTY_INACTIVE_MONTHS, default 3), with their last entry and reminder."""
    from .reporting import inactive_months

    months = months or inactive_months()
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=round(30.44 * months))
    recent = PointsEntry.objects.filter(member_id=OuterRef("member_id"), occurred_at__gte=cutoff)
    last = (
        PointsEntry.objects.filter(member_id=OuterRef("member_id"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    reminded = (
        ReportEvent.objects.filter(report_id=OuterRef("pk"), action="remind")
        .values("report_id")
        .annotate(m=Max("at"))
        .values("m")[:1]
    )
    qs = roster(
        user=user, kind=ReportKind.MEMBER, status=ReportStatus.CONFIRMED, community=community
    )
    return qs.filter(~Exists(recent)).annotate(
        last_points_at=Subquery(last), last_reminded_at=Subquery(reminded)
    )


# ------------------------------------------------------------------ points


def ledger(
    *,
    user,
    kind: str = "",
    event: str = "",
    period: Period | None = None,
    area: Area | None = None,
    grid: Grid | None = None,
    q: str = "",
) -> QuerySet[PointsEntry]:
    qs = PointsEntry.objects.restrict(user).select_related(
        "member", "unit", "officer__resident", "area", "actor", "reversal"
    )
    if kind in SubjectKind.values:
        qs = qs.filter(subject_kind=kind)
    if event in PointsEvent.values:
        qs = qs.filter(event=event)
    if period is not None:
        start, end = period.bounds()
        qs = qs.filter(occurred_at__gte=start, occurred_at__lt=end)
    qs = _at_place(qs, area, grid)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(member__name__contains=q)
            | Q(unit__name__contains=q)
            | Q(officer__resident__name__contains=q)
        )
    return qs.order_by("-occurred_at", "-id")


def entry_get(*, user, pk: int) -> PointsEntry:
    entry = PointsEntry.objects.restrict(user).filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    return entry


def member_ledger(*, member: PartyMember, limit: int = 50) -> list[PointsEntry]:
    return list(
        PointsEntry.objects.filter(member=member)
        .select_related("reversal")
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass
class RankRow:
    rank: int
    subject_key: str
    total: int
    name: str = ""
    place: str = ""
    extra: dict = field(default_factory=dict)
    subject: object = None


def _totals(base, period: Period):
    """The (subject_key, total) rows of ``base`` — a PointsTally or PointsEntry queryset."""
    if base.model is PointsTally:
        if period.whole_year:
            base = base.filter(period=PointsTally.YEAR, start=period.start)
        else:
            base = base.filter(period=PointsTally.MONTH, start__in=period.months())
    else:
        start, end = period.bounds()
        base = base.filter(occurred_at__gte=start, occurred_at__lt=end)
    return (
        base.values("subject_key").annotate(total=Sum("points")).order_by("-total", "subject_key")
    )


def _source(user, period: Period, kind: str, area, grid, *, restrict=True):
    use_tally = period.whole_year or period.months() is not None
    model = PointsTally if use_tally else PointsEntry
    base = model.objects.restrict(user) if restrict else model.objects.all()
    base = base.filter(subject_kind=kind)
    return _at_place(base, area, grid)


def _ranks(rows: list[dict], first_rank: int = 1) -> list[RankRow]:
    """Competition ranking: equal totals share a rank (1, 2, 2, 4)."""
    out, rank, prev = [], first_rank, None
    for i, r in enumerate(rows):
        if prev is not None and r["total"] != prev:
            rank = first_rank + i
        prev = r["total"]
        out.append(
            RankRow(
                rank=rank,
                subject_key=r["subject_key"],
                total=int(r["total"] or 0),
                extra={k: v for k, v in r.items() if k not in ("subject_key", "total")},
            )
        )
    return out


def _names(rows: list[RankRow], kind: str) -> list[RankRow]:
    ids = [int(r.subject_key.split(":")[1]) for r in rows]
    if kind == SubjectKind.MEMBER:
        objs = PartyMember.objects.filter(pk__in=ids).select_related("area", "grid")
    elif kind == SubjectKind.UNIT:
        objs = Unit.objects.filter(pk__in=ids).select_related("area", "grid")
    else:
        objs = InformationOfficer.objects.filter(pk__in=ids).select_related(
            "resident", "area", "grid"
        )
    by_id = {o.pk: o for o in objs}
    for r in rows:
        o = by_id.get(int(r.subject_key.split(":")[1]))
        r.subject = o
        if o is not None:
            r.name = str(o)
            r.place = " · ".join(
                x.name for x in (o.area, getattr(o, "grid", None)) if x is not None
            )
    return rows


def ranking(
    *,
    user,
    kind: str = SubjectKind.MEMBER,
    period: Period,
    area: Area | None = None,
    grid: Grid | None = None,
    limit: int = 50,
    central_only: bool = False,
) -> list[RankRow]:
    """The top ``limit`` subjects of a kind by points in the period, inside the user's scope."""
    base = _source(user, period, kind, area, grid)
    if central_only and kind == SubjectKind.MEMBER:
        base = base.filter(member__is_central_household=True)
    rows = list(_totals(base, period)[:limit])
    return _names(_ranks(rows), kind)


def subject_rank(
    *, kind: str, subject, period: Period, area: Area | None = None
) -> tuple[int, int, int]:
    """(points, rank, subjects ranked) of one subject among its kind within ``area`` (its own
    community by default) — for the member's own page, so not restricted to a staff scope."""
    area = area or subject.area
    base = _source(None, period, kind, area, None, restrict=False)
    key = f"{kind}:{subject.pk}"
    totals = _totals(base, period)
    mine = next((r["total"] for r in totals.filter(subject_key=key)), 0) or 0
    ahead = totals.filter(total__gt=mine).count()
    ranked = totals.count()
    return int(mine), ahead + 1, max(ranked, ahead + 1)


def balance_rank(*, member: PartyMember, today: dt.date | None = None) -> dict:
    """What the member's home shows: balance, this month's and this year's points and rank in
    the member's community."""
    from .points import points_balance

    today = today or timezone.localdate()
    m = periods.month(today.year, today.month)
    y = periods.year(today.year)
    month_points, month_rank, month_of = subject_rank(
        kind=SubjectKind.MEMBER, subject=member, period=m
    )
    year_points, year_rank, year_of = subject_rank(
        kind=SubjectKind.MEMBER, subject=member, period=y
    )
    return {
        "balance": points_balance(member=member),
        "month": m,
        "month_points": month_points,
        "month_rank": month_rank,
        "month_of": month_of,
        "year": y,
        "year_points": year_points,
        "year_rank": year_rank,
        "year_of": year_of,
    }


def member_months(
    *, member: PartyMember, months: int = 12, today: dt.date | None = None
) -> list[dict]:
    """Points per month for the last ``months`` months (the member's chart)."""
    today = today or timezone.localdate()
    starts, d = [], today.replace(day=1)
    for _i in range(months):
        starts.append(d)
        d = (d - dt.timedelta(days=1)).replace(day=1)
    starts.reverse()
    got = dict(
        PointsTally.objects.filter(
            subject_key=f"member:{member.pk}", period=PointsTally.MONTH, start__in=starts
        )
        .values_list("start")
        .annotate(s=Sum("points"))
    )
    return [{"month": f"{s:%Y-%m}", "points": int(got.get(s, 0))} for s in starts]


# ------------------------------------------------------------------ awards

WHISTLE_EVENTS = (PointsEvent.CASE_REPORTED, PointsEvent.CASE_FIXED_ON_SPOT)
VOLUNTEER_EVENTS = (PointsEvent.VOLUNTEER_HOUR,)


def award_settings() -> dict:
    return {
        "whistle_top": int(getattr(settings, "CIVICGRID_PARTY_WHISTLE_TOP", 10)),
        "central_top": int(getattr(settings, "CIVICGRID_PARTY_CENTRAL_TOP", 10)),
        "volunteer_threshold": int(getattr(settings, "CIVICGRID_PARTY_VOLUNTEER_THRESHOLD", 20)),
        "volunteer_top": int(getattr(settings, "CIVICGRID_PARTY_VOLUNTEER_TOP", 10)),
    }


def golden_whistle(
    *, user, period: Period, area=None, grid=None, top: int | None = None
) -> list[RankRow]:
    """金哨奖: information officers with the most points from reporting cases and fixing them on
    the spot in the period (reversals count against them), top N; ties: more on-the-spot points
    first, then the officer registered first. Only officers with a positive total qualify."""
    top = top or award_settings()["whistle_top"]
    start, end = period.bounds()
    qs = _at_place(
        PointsEntry.objects.restrict(user).filter(
            subject_kind=SubjectKind.OFFICER,
            event__in=WHISTLE_EVENTS,
            occurred_at__gte=start,
            occurred_at__lt=end,
        ),
        area,
        grid,
    )
    rows = list(
        qs.values("subject_key", "officer_id")
        .annotate(
            total=Sum("points"),
            reported=Sum(
                Case(
                    When(event=PointsEvent.CASE_REPORTED, then="points"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
            fixed=Sum(
                Case(
                    When(event=PointsEvent.CASE_FIXED_ON_SPOT, then="points"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
        .filter(total__gt=0)
        .order_by("-total", "-fixed", "officer_id")[:top]
    )
    for r in rows:
        r.pop("officer_id")
    return _names(_ranks(rows), SubjectKind.OFFICER)


def best_central_households(*, user, period: Period, area=None, grid=None, top: int | None = None):
    """最美(优秀)中心户: party members who are central households, top N by all their points in
    the period; only positive totals."""
    top = top or award_settings()["central_top"]
    rows = [
        r
        for r in ranking(
            user=user,
            kind=SubjectKind.MEMBER,
            period=period,
            area=area,
            grid=grid,
            limit=top,
            central_only=True,
        )
        if r.total > 0
    ]
    return rows


def five_good_volunteers(
    *,
    user,
    period: Period,
    area=None,
    grid=None,
    threshold: int | None = None,
    top: int | None = None,
) -> list[RankRow]:
    """五好志愿者: party members with at least ``threshold`` volunteer-hour points in the period
    (net of reversals) and a clean record in it: no entry of theirs reversed and no manual
    deduction. Top N by volunteer points; ties: more points overall first."""
    conf = award_settings()
    threshold = conf["volunteer_threshold"] if threshold is None else threshold
    top = top or conf["volunteer_top"]
    start, end = period.bounds()
    in_period = Q(occurred_at__gte=start, occurred_at__lt=end)
    base = _at_place(
        PointsEntry.objects.restrict(user).filter(in_period, subject_kind=SubjectKind.MEMBER),
        area,
        grid,
    )
    blemished = PointsEntry.objects.filter(
        (
            Q(reverses__isnull=False)
            & (in_period | Q(reverses__occurred_at__gte=start, reverses__occurred_at__lt=end))
        )
        | (Q(event=PointsEvent.MANUAL, points__lt=0) & in_period),
        member_id=OuterRef("member_id"),
    )
    rows = list(
        base.values("subject_key", "member_id")
        .annotate(
            volunteer=Sum(
                Case(
                    When(event__in=VOLUNTEER_EVENTS, then="points"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
            total=Sum("points"),
        )
        .filter(volunteer__gte=max(threshold, 1))
        .filter(~Exists(blemished))
        .order_by("-volunteer", "-total", "member_id")[:top]
    )
    # Rank by the volunteer points (the award's measure).
    for r in rows:
        r["overall"] = r.pop("total")
        r["total"] = r.pop("volunteer")
        r.pop("member_id")
    return _names(_ranks(rows), SubjectKind.MEMBER)
