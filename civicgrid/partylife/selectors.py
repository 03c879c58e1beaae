"""Reads for mutual evaluation and smart party building; every list starts from restrict()."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from civicgrid.core.errors import NotFound
from civicgrid.core.scoping import get_scope
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import PartyOrganization, Unit
from civicgrid.people.models import PartyMember

from . import choices as c
from . import rules
from .models import (
    EvaluationAssignment,
    EvaluationRound,
    EvaluationScore,
    Meeting,
    OrgWarning,
    Rectification,
    StarRating,
    TrainingRecord,
)
from .services import acting_for, is_org_department


# --- mutual evaluation ---------------------------------------------------------------------
def round_list(*, user) -> QuerySet[EvaluationRound]:
    return (
        EvaluationRound.objects.restrict(user)
        .select_related("area")
        .annotate(
            n=Count("assignments"),
            done=Count("assignments", filter=Q(assignments__status=c.AssignmentStatus.SUBMITTED)),
        )
        .order_by("-created_at", "-id")
    )


def round_get(*, user, pk) -> EvaluationRound:
    try:
        return EvaluationRound.objects.restrict(user).select_related("area").get(pk=pk)
    except (EvaluationRound.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def oversees(user, round: EvaluationRound) -> bool:
    """True when the user's scope holds the round's whole area (street/county staff, leaders,
    the organisation department over it): they may follow the round while it runs."""
    scope = get_scope(user)
    return scope.everything or round.area_id in scope.area_ids


def may_see_raters(user, round: EvaluationRound) -> bool:
    """Who may learn which rater gave which score (docs/partylife.md, 匿名方式):
    named — everyone who sees the result; hidden from the rated — only those who oversee the
    whole round area (never a community's or a unit's own users); organisation department
    only — the organisation department over the round area (and system administrators)."""
    if round.anonymity == c.Anonymity.NAMED:
        return True
    if round.anonymity == c.Anonymity.HIDDEN_FROM_RATED:
        return oversees(user, round)
    return is_org_department(user) and oversees(user, round)


def my_assignments(*, user, open_only: bool = False) -> QuerySet[EvaluationAssignment]:
    """The evaluations the user fills in for their unit or community."""
    units, communities = acting_for(user)
    qs = EvaluationAssignment.objects.filter(
        Q(rater_unit_id__in=units) | Q(rater_area_id__in=communities)
    ).select_related(
        "round", "rater_unit", "rater_area", "target_area", "target_unit", "target_member"
    )
    if open_only:
        qs = qs.filter(round__status=c.RoundStatus.OPEN)
    return qs.order_by("round_id", "status", "id")


@dataclass
class Result:
    kind: str  # community / unit / member
    target: object
    mean: Decimal | None
    raters: int
    expected: int
    bands: dict[str, int] = field(default_factory=dict)
    criteria: dict[int, Decimal] = field(default_factory=dict)  # criterion id → mean % of max
    rank: int | None = None
    totals: list = field(default_factory=list)  # (rater, total), filled only for who may see

    @property
    def name(self) -> str:
        return str(self.target)


_TARGET = {
    c.Direction.UNIT_TO_COMMUNITY: ("community", "target_area"),
    c.Direction.COMMUNITY_TO_UNIT: ("unit", "target_unit"),
    c.Direction.COMMUNITY_TO_MEMBER: ("member", "target_member"),
}


def _mean(values) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def round_results(
    round: EvaluationRound, direction: str, *, with_raters: bool = False
) -> list[Result]:
    """Aggregates per target over every submitted assignment of the round (not scoped: the
    callers filter the targets a user may see). The mean is the plain mean of the raters'
    weighted totals (each 0–100); rank 1 is the highest mean (ties share a rank)."""
    kind, field_name = _TARGET[direction]
    rows = list(
        EvaluationAssignment.objects.filter(round=round, direction=direction)
        .select_related(field_name, "rater_unit", "rater_area")
        .order_by(f"{field_name}_id", "id")
    )
    per_criterion: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for s in EvaluationScore.objects.filter(
        assignment__round=round,
        assignment__direction=direction,
        assignment__status=c.AssignmentStatus.SUBMITTED,
    ).values("assignment__" + field_name + "_id", "criterion_id", "criterion__max_score", "score"):
        pct = s["score"] * 100 / s["criterion__max_score"]
        per_criterion[s["assignment__" + field_name + "_id"]][s["criterion_id"]].append(pct)
    grouped: dict[int, list[EvaluationAssignment]] = defaultdict(list)
    for a in rows:
        grouped[getattr(a, f"{field_name}_id")].append(a)
    results = []
    for tid, items in grouped.items():
        done = [a for a in items if a.status == c.AssignmentStatus.SUBMITTED]
        bands = Counter(c.band_of(a.total) for a in done)
        results.append(
            Result(
                kind=kind,
                target=getattr(items[0], field_name),
                mean=_mean(a.total for a in done),
                raters=len(done),
                expected=len(items),
                bands={code: bands.get(code, 0) for code, _l, _f in c.BANDS},
                criteria={k: _mean(v) for k, v in per_criterion.get(tid, {}).items()},
                totals=[(a.rater, a.total) for a in done] if with_raters else [],
            )
        )
    results.sort(key=lambda r: (r.mean is None, -(r.mean or 0), r.name))
    rank, last = 0, object()
    for i, r in enumerate(results, 1):
        if r.mean is None:
            continue
        if r.mean != last:
            rank, last = i, r.mean
        r.rank = rank
    return results


def _visible_targets(user, kind: str, ids) -> set[int]:
    model = {"community": Area, "unit": Unit, "member": PartyMember}[kind]
    return set(model.objects.restrict(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def visible_results(*, user, round: EvaluationRound, direction: str) -> list[Result]:
    """The results a user may see: while the round runs only those who oversee it; after it
    closes, every target in the user's scope (the rated see their own aggregate). Rater
    totals only where the round's anonymity lets this user see raters."""
    if round.status != c.RoundStatus.CLOSED and not oversees(user, round):
        return []
    results = round_results(round, direction, with_raters=may_see_raters(user, round))
    if get_scope(user).everything:
        return results
    seen = _visible_targets(user, _TARGET[direction][0], [r.target.pk for r in results])
    return [r for r in results if r.target.pk in seen]


def evaluation_scores(area: Area, period: str, *, user=None) -> dict[str, dict[int, Result]]:
    """Mutual-evaluation results for assessment (考核): for closed rounds of ``period`` that
    cover ``area`` (rounds over it or over a subtree of it), per kind ("community", "unit",
    "member") → target id → Result, over every rater of every such round. Targets outside
    ``area`` are left out, and outside the user's scope when a user is given.

    Join to civicgrid.cases.assessment: ``Figures.key`` is the area id for communities
    (``for_areas``) and the unit id for departments (``for_departments``), the same keys as
    here, e.g. ``evaluation_scores(street, "2026")["community"].get(fig.key)``."""
    rounds = EvaluationRound.objects.filter(period=period, status=c.RoundStatus.CLOSED).filter(
        Q(area__path__startswith=area.path) | Q(pk__in=_rounds_over(area))
    )
    out: dict[str, dict[int, Result]] = {"community": {}, "unit": {}, "member": {}}
    pool: dict[tuple[str, int], list[Result]] = defaultdict(list)
    for r in rounds:
        for direction in c.Direction.values:
            for res in round_results(r, direction):
                pool[(res.kind, res.target.pk)].append(res)
    subtree = set(Area.objects.filter(path__startswith=area.path).values_list("pk", flat=True))
    for (kind, tid), parts in pool.items():
        target = parts[0].target
        where = target.pk if kind == "community" else target.area_id
        if where not in subtree:
            continue
        totals = [p.mean * p.raters for p in parts if p.mean is not None]
        raters = sum(p.raters for p in parts)
        merged = Result(
            kind=kind,
            target=target,
            raters=raters,
            expected=sum(p.expected for p in parts),
            mean=(sum(totals) / raters).quantize(Decimal("0.01")) if raters else None,
        )
        out[kind][tid] = merged
    if user is not None and not get_scope(user).everything:
        for kind in out:
            seen = _visible_targets(user, kind, out[kind])
            out[kind] = {k: v for k, v in out[kind].items() if k in seen}
    for rows in out.values():
        ordered = sorted((r for r in rows.values() if r.mean is not None), key=lambda r: -r.mean)
        rank, last = 0, None
        for i, r in enumerate(ordered, 1):
            if r.mean != last:
                rank, last = i, r.mean
            r.rank = rank
    return out


def _rounds_over(area: Area):
    """Rounds whose area is an ancestor of ``area`` (a county round covers its streets)."""
    ids = [int(x) for x in area.path.strip("/").split("/") if x]
    return EvaluationRound.objects.filter(area_id__in=ids).values("pk")


# --- organisations -------------------------------------------------------------------------
def org_list(*, user, q: str = "") -> QuerySet[PartyOrganization]:
    year = timezone.localdate().year
    qs = (
        PartyOrganization.objects.restrict(user)
        .filter(kind__in=c.GRASSROOTS_KINDS)
        .select_related("area", "grid")
        .annotate(
            member_count=Count("members", distinct=True),
            warning_count=Count(
                "warnings",
                filter=Q(warnings__state__in=[c.WarningState.OPEN, c.WarningState.RECTIFYING]),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "star_ratings", queryset=StarRating.objects.filter(year=year), to_attr="this_year"
            )
        )
        .order_by("path", "id")
    )
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def org_get(*, user, pk) -> PartyOrganization:
    try:
        return (
            PartyOrganization.objects.restrict(user)
            .select_related("area", "grid", "parent")
            .get(pk=pk, kind__in=c.GRASSROOTS_KINDS)
        )
    except (PartyOrganization.DoesNotExist, ValueError, TypeError):
        raise NotFound()


@dataclass
class MemberRow:
    member: PartyMember
    hours: Decimal
    short: Decimal
    dues: rules.DuesStatus


def org_members(*, user, org: PartyOrganization, year: int, today: dt.date) -> list[MemberRow]:
    """Members of the organisation in the user's scope, with training hours against the
    requirement and dues status (a fixed number of queries)."""
    members = list(
        PartyMember.objects.restrict(user).filter(organization=org).order_by("name", "id")
    )
    ids = [m.pk for m in members]
    hours = rules.training_hours(ids, year)
    need = rules.required_hours(year, today)
    dues = rules.dues_status(ids, today)
    return [
        MemberRow(
            m,
            hours.get(m.pk, Decimal("0")),
            max(need - hours.get(m.pk, Decimal("0")), Decimal("0")),
            dues[m.pk],
        )
        for m in members
    ]


def org_meetings(*, user, org: PartyOrganization, limit: int = 50):
    return (
        Meeting.objects.restrict(user)
        .filter(organization=org)
        .annotate(
            present=Count("attendance", filter=Q(attendance__status=c.Attendance.PRESENT)),
            expected=Count("attendance"),
        )
        .order_by("-held_on", "-id")[:limit]
    )


def org_life_status(org: PartyOrganization, today: dt.date) -> list[dict]:
    """For each required kind: the frequency, the current and last complete period and
    whether a meeting was held in each."""
    kinds = rules.required_kinds(org)
    start = rules.add_months(rules.quarter_start(today), -3)
    dates = rules.meeting_dates([org.pk], start, today + dt.timedelta(days=1)).get(org.pk, {})
    labels = dict(c.MeetingKind.choices)
    out = []
    for k in kinds:
        freq = c.FREQUENCY[k]
        last_s, last_e = rules.last_complete_period(freq, today)
        held = [d for d in dates.get(k, []) if last_s <= d < last_e]
        current = [d for d in dates.get(k, []) if d >= last_e]
        out.append(
            {
                "kind": k,
                "label": labels[k],
                "frequency": c.Frequency(freq).label,
                "last_period": last_s,
                "last_held": bool(held),
                "current_held": bool(current),
            }
        )
    return out


def training_list(*, user, org: PartyOrganization | None = None, year: int | None = None):
    qs = TrainingRecord.objects.restrict(user).select_related("member")
    if org is not None:
        qs = qs.filter(member__organization=org)
    if year:
        qs = qs.filter(taken_on__year=year)
    return qs


# --- overview, warnings, rectification -----------------------------------------------------
def star_distribution(*, user, year: int, area: Area | None = None) -> dict[int, int]:
    qs = StarRating.objects.restrict(user).filter(year=year)
    if area is not None:
        qs = qs.filter(organization__area__path__startswith=area.path)
    counts = dict(qs.values_list("stars").annotate(n=Count("id")).values_list("stars", "n"))
    return {s: counts.get(s, 0) for s in range(1, 6)}


def overview_areas(*, user) -> QuerySet[Area]:
    return (
        Area.objects.restrict(user)
        .filter(level__in=[Area.Level.COUNTY, Area.Level.STREET])
        .order_by("code")
    )


def warning_list(*, user, state: str = "active", area: Area | None = None) -> QuerySet[OrgWarning]:
    qs = OrgWarning.objects.restrict(user).select_related(
        "organization__area", "rectification__owner"
    )
    if state == "active":
        qs = qs.filter(state__in=[c.WarningState.OPEN, c.WarningState.RECTIFYING])
    elif state in c.WarningState.values:
        qs = qs.filter(state=state)
    if area is not None:
        qs = qs.filter(organization__area__path__startswith=area.path)
    return qs.order_by("-raised_on", "-id")


def warning_get(*, user, pk) -> OrgWarning:
    try:
        return OrgWarning.objects.restrict(user).select_related("organization__area").get(pk=pk)
    except (OrgWarning.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def rectification_of(warning: OrgWarning) -> Rectification | None:
    return (
        Rectification.objects.filter(warning=warning)
        .select_related("owner", "closed_by")
        .prefetch_related("notes__author")
        .first()
    )


def owner_choices(*, org: PartyOrganization):
    """Users who may own a rectification: those with a role that can change the organisation."""
    from django.contrib.auth import get_user_model

    from civicgrid.orgs.models import RoleAssignment

    path_ids = [int(x) for x in org.area.path.strip("/").split("/") if x]
    q = Q(
        area_id__in=path_ids,
        role__in=[Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.ORG_DEPARTMENT],
    )
    if org.grid_id:
        q |= Q(grid_id=org.grid_id, role__in=[Role.GRID_CHIEF, Role.GRID_WORKER])
    users = RoleAssignment.objects.filter(q, active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=users, is_active=True).order_by("username")
