"""Writes: patrols and their route points, duties and missed-patrol flags, leaders' contact
visits, coverage flags and gig-worker reports. Keyword-only ``actor``, atomic."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import Source
from civicgrid.cases.services import case_create
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, VIEW, get_scope
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.access import require_scope
from civicgrid.orgs.choices import GRID_ROLES, OrgKind, Role
from civicgrid.orgs.models import PartyOrganization, RoleAssignment, Unit
from civicgrid.party.choices import PointsEvent
from civicgrid.party.points import points_award

from .choices import (
    COVERAGE_KINDS,
    Cadence,
    DutyFrequency,
    FlagStatus,
    GigSector,
    PatrolStatus,
    WithdrawReason,
)
from .models import (
    ContactAssignment,
    ContactVisit,
    ContactVisitCase,
    CoverageFlag,
    GigWorkerProfile,
    MissedPatrol,
    MobileReport,
    Patrol,
    PatrolDuty,
    PatrolPoint,
)
from .route import route_figures

MAX_BATCH = 500
OVERSEER_ROLES = frozenset({Role.ORG_DEPARTMENT, Role.SYSTEM_ADMIN})


def setting(name: str, default):
    return getattr(settings, name, default)


def min_duration_s() -> int:
    return int(setting("PATROL_MIN_DURATION_S", 600))


def min_distance_m() -> float:
    return float(setting("PATROL_MIN_DISTANCE_M", 200))


def late_tolerance_s() -> int:
    """Fixes up to this many seconds outside the patrol (clock skew, the last fix) still count."""
    return int(setting("PATROL_TIME_TOLERANCE_S", 120))


def is_overseer(user) -> bool:
    return bool(user.is_superuser or get_scope(user).roles & OVERSEER_ROLES)


def patrol_grids(user):
    """Grids the user may patrol: those of their active grid roles (and their micro-grids)."""
    ids = list(
        RoleAssignment.objects.filter(
            user=user, active=True, role__in=GRID_ROLES, grid__isnull=False
        ).values_list("grid_id", flat=True)
    )
    return Grid.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids)).select_related("community")


# ------------------------------------------------------------------ patrols
@transaction.atomic
def patrol_start(*, actor, grid: Grid) -> Patrol:
    """Start a patrol of ``grid``. A worker has at most one open patrol: starting again returns it."""
    if not patrol_grids(actor).filter(pk=grid.pk).exists():
        raise PermissionDenied(_("您不是该网格的网格员,不能在此巡查。"))
    existing = Patrol.objects.filter(worker=actor, status=PatrolStatus.OPEN).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Patrol.objects.create(
                worker=actor, grid=grid, area_id=grid.community_id, started_at=timezone.now()
            )
    except IntegrityError:
        return Patrol.objects.get(worker=actor, status=PatrolStatus.OPEN)


def _own(actor, patrol: Patrol) -> Patrol:
    if patrol.worker_id != getattr(actor, "pk", None):
        if Patrol.objects.restrict(actor).filter(pk=patrol.pk).exists():
            raise PermissionDenied(_("只有巡查人本人可以记录这次巡查。"))
        raise NotFound()
    return Patrol.objects.select_for_update().get(pk=patrol.pk)


@transaction.atomic
def patrol_end(*, actor, patrol: Patrol, note: str = "") -> Patrol:
    """End the patrol (again: nothing changes). Points that arrive later still count."""
    patrol = _own(actor, patrol)
    if patrol.status == PatrolStatus.ENDED:
        return patrol
    patrol.status = PatrolStatus.ENDED
    patrol.ended_at = timezone.now()
    patrol.note = (note or "").strip()[:200]
    patrol.save(update_fields=["status", "ended_at", "note"])
    _recompute(patrol, actor=actor)
    return patrol


def _parse_point(raw: Any) -> tuple[dict | None, str]:
    if not isinstance(raw, dict):
        return None, "not an object"
    seq, lat, lon, t = raw.get("seq"), raw.get("lat"), raw.get("lon"), raw.get("t")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 10_000_000:
        return None, "seq"
    vals = {}
    for name, value, lo, hi in (("lat", lat, -90, 90), ("lon", lon, -180, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, name
        value = float(value)
        if not math.isfinite(value) or not lo <= value <= hi:
            return None, name
        vals[name] = value
    if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t <= 0:
        return None, "t"
    try:
        at = dt.datetime.fromtimestamp(t / 1000.0, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None, "t"
    acc = raw.get("acc")
    if acc is not None and (
        isinstance(acc, bool)
        or not isinstance(acc, int | float)
        or not math.isfinite(acc)
        or acc < 0
    ):
        return None, "acc"
    return {
        "seq": seq,
        "at": at,
        "lat": vals["lat"],
        "lon": vals["lon"],
        "accuracy": float(acc) if acc is not None else None,
    }, ""


@transaction.atomic
def points_ingest(*, actor, patrol: Patrol, batch: str, points: Any) -> dict:
    """Store a batch of location fixes, each once per (patrol, seq).

    A malformed batch is refused as a whole (nothing stored) with the index and field of every
    bad point. Well-formed fixes timed outside the patrol (beyond the tolerance) are acknowledged
    but not stored ("ignored"), so the phone stops resending them. Fixes already stored are
    acknowledged as duplicates. The reply's ``acked`` lists every seq the phone may forget."""
    batch = str(batch or "")[:64]
    if not isinstance(points, list) or not points:
        raise ValidationFailed(_("批次中没有轨迹点。"), code="bad_batch")
    if len(points) > MAX_BATCH:
        raise ValidationFailed(_("一个批次最多%(n)d个点。") % {"n": MAX_BATCH}, code="bad_batch")
    parsed, errors = [], {}
    for i, raw in enumerate(points):
        p, err = _parse_point(raw)
        if p is None:
            errors[str(i)] = err
        else:
            parsed.append(p)
    if errors:
        raise ValidationFailed(
            _("批次中有格式错误的轨迹点,整批未保存。"),
            code="bad_points",
            details={"points": errors},
        )
    patrol = _own(actor, patrol)
    tol = dt.timedelta(seconds=late_tolerance_s())
    lo = patrol.started_at - tol
    hi = (patrol.ended_at or timezone.now()) + tol
    by_seq: dict[int, dict] = {}
    ignored = []
    for p in parsed:
        if p["seq"] in by_seq:
            continue
        if not lo <= p["at"] <= hi:
            ignored.append({"seq": p["seq"], "reason": "outside_patrol"})
            continue
        by_seq[p["seq"]] = p
    already = set(
        PatrolPoint.objects.filter(patrol=patrol, seq__in=list(by_seq)).values_list(
            "seq", flat=True
        )
    )
    new = [
        PatrolPoint(patrol=patrol, batch=batch, **p) for s, p in by_seq.items() if s not in already
    ]
    PatrolPoint.objects.bulk_create(new, ignore_conflicts=True)
    _recompute(patrol, actor=actor)
    acked = sorted(set(by_seq) | {i["seq"] for i in ignored})
    return {
        "batch": batch,
        "acked": acked,
        "stored": len(new),
        "duplicates": len(by_seq) - len(new),
        "ignored": ignored,
        "points_count": patrol.points_count,
        "distance_m": round(patrol.distance_m, 1),
        "completed": patrol.completed,
    }


def _recompute(patrol: Patrol, *, actor) -> None:
    """Figures from every stored point (in seq order); completion and its points once."""
    rows = PatrolPoint.objects.filter(patrol=patrol).order_by("seq").values_list("lon", "lat", "at")
    fig = route_figures((lon, lat, at.timestamp()) for lon, lat, at in rows)
    patrol.distance_m = fig.distance_m
    patrol.points_count = fig.points
    patrol.jumps_count = fig.jumps
    fields = ["distance_m", "points_count", "jumps_count"]
    newly_completed = (
        patrol.status == PatrolStatus.ENDED
        and not patrol.completed
        and patrol.duration_s >= min_duration_s()
        and patrol.distance_m >= min_distance_m()
    )
    if newly_completed:
        patrol.completed = True
        fields.append("completed")
    patrol.save(update_fields=fields)
    if patrol.completed:
        award_patrol(patrol, actor=actor)
    if newly_completed:
        missed_recheck(patrol=patrol)


def points_subject(user) -> dict:
    """The points subject of a user: their party-member record, else their information-officer
    record, else none (the patrol is only counted)."""
    for attr, key in (("party_member", "member"), ("information_officer", "officer")):
        try:
            obj = getattr(user, attr)
        except ObjectDoesNotExist:
            continue
        if obj is not None:
            return {key: obj}
    return {}


def award_patrol(patrol: Patrol, *, actor=None):
    subject = points_subject(patrol.worker)
    if not subject:
        return None
    return points_award(
        actor=actor,
        event=PointsEvent.PATROL_COMPLETED,
        source=patrol,
        occurred_at=patrol.ended_at,
        note=str(patrol.grid)[:100],
        **subject,
    )


# ------------------------------------------------------------------ duties and missed patrols
@transaction.atomic
def duty_set(*, actor, grid: Grid, frequency: str, times: int, active: bool = True) -> PatrolDuty:
    require_scope(actor, grid, CHANGE)
    if frequency not in DutyFrequency.values:
        raise ValidationFailed(
            _("未知的巡查周期。"), details={"frequency": [_("未知的巡查周期。")]}
        )
    limit = 6 if frequency == DutyFrequency.DAILY else 21
    if not isinstance(times, int) or not 1 <= times <= limit:
        raise ValidationFailed(
            _("巡查次数须在1到%(n)d之间。") % {"n": limit}, details={"times": [_("次数无效。")]}
        )
    duty, _created = PatrolDuty.objects.update_or_create(
        grid=grid,
        defaults={
            "area_id": grid.community_id,
            "frequency": frequency,
            "times": times,
            "active": active,
            "updated_by": actor,
        },
    )
    return duty


def local_day_bounds(day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=days), dt.time.min))
    return start, end


def completed_counts(start: dt.datetime, end: dt.datetime, grid_ids=None) -> dict[int, int]:
    qs = Patrol.objects.filter(completed=True, started_at__gte=start, started_at__lt=end)
    if grid_ids is not None:
        qs = qs.filter(grid_id__in=grid_ids)
    return dict(qs.values("grid_id").annotate(n=Count("id")).values_list("grid_id", "n"))


@transaction.atomic
def check_patrols(*, day: dt.date) -> int:
    """Flag every grid whose duty was not met: daily duties for ``day``; weekly duties for the
    week ending on ``day`` when it is a Sunday. One flag per grid and day: running again adds
    nothing (a withdrawn flag is not raised again) and withdraws the day's open flags that late
    patrols have met since. Returns the number of flags written now."""
    duties = list(
        PatrolDuty.objects.filter(active=True).values("grid_id", "area_id", "frequency", "times")
    )
    daily = completed_counts(*local_day_bounds(day))
    weekly: dict[int, int] = {}
    if day.weekday() == 6:
        weekly = completed_counts(*local_day_bounds(day - dt.timedelta(days=6), 7))
    rows = []
    for d in duties:
        if d["frequency"] == DutyFrequency.DAILY:
            done = daily.get(d["grid_id"], 0)
        elif day.weekday() == 6:
            done = weekly.get(d["grid_id"], 0)
        else:
            continue
        if done < d["times"]:
            rows.append(
                MissedPatrol(
                    grid_id=d["grid_id"],
                    area_id=d["area_id"],
                    day=day,
                    frequency=d["frequency"],
                    expected=d["times"],
                    done=done,
                )
            )
    before = MissedPatrol.objects.filter(day=day).count()
    # A flag already there — open, acknowledged or withdrawn — is kept as it is (unique per grid
    # and day): running again never raises a withdrawn flag anew.
    MissedPatrol.objects.bulk_create(rows, ignore_conflicts=True)
    written = MissedPatrol.objects.filter(day=day).count() - before
    # Safety net: a patrol completed between the counts above and the insert found no flag to
    # withdraw; recount the day's open flags now (and at every later run).
    _refresh_flags(
        list(MissedPatrol.objects.select_for_update().filter(day=day, withdrawn_at__isnull=True))
    )
    return written


def flag_bounds(frequency: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period a flag of ``day`` counts: the day, or the Monday–Sunday week ending on it."""
    if frequency == DutyFrequency.WEEKLY:
        return local_day_bounds(day - dt.timedelta(days=6), 7)
    return local_day_bounds(day)


def _refresh_flags(flags: list[MissedPatrol], *, patrol: Patrol | None = None) -> int:
    """Recount the completed patrols of each (locked, open) flag's period: ``done`` follows the
    count, and a flag whose count reaches ``expected`` is withdrawn. One grouped count per
    period. Returns the number withdrawn."""
    periods: dict[tuple[str, dt.date], list[MissedPatrol]] = {}
    for flag in flags:
        periods.setdefault((flag.frequency, flag.day), []).append(flag)
    now = timezone.now()
    withdrawn = 0
    for (frequency, day), group in periods.items():
        counts = completed_counts(*flag_bounds(frequency, day), grid_ids=[f.grid_id for f in group])
        for flag in group:
            done = min(counts.get(flag.grid_id, 0), 32767)
            fields = []
            if done != flag.done:
                flag.done = done
                fields.append("done")
            if done >= flag.expected:
                flag.withdrawn_at = now
                flag.withdrawn_reason = WithdrawReason.LATE_PATROL
                flag.withdrawn_patrol = patrol
                fields += ["withdrawn_at", "withdrawn_reason", "withdrawn_patrol"]
                withdrawn += 1
            if fields:
                flag.save(update_fields=fields)
    return withdrawn


@transaction.atomic
def missed_recheck(*, patrol: Patrol) -> int:
    """A patrol has just been completed: recount the open flags it may answer — its grid's
    daily flag for the day it started and weekly flag for the week ending that Sunday — and
    withdraw those now met. Called in the completing transaction (late points, a late end).
    Returns the number withdrawn."""
    day = timezone.localtime(patrol.started_at).date()
    sunday = day + dt.timedelta(days=6 - day.weekday())
    flags = MissedPatrol.objects.select_for_update().filter(
        Q(frequency=DutyFrequency.DAILY, day=day) | Q(frequency=DutyFrequency.WEEKLY, day=sunday),
        grid_id=patrol.grid_id,
        withdrawn_at__isnull=True,
    )
    return _refresh_flags(list(flags), patrol=patrol)


@transaction.atomic
def missed_acknowledge(*, actor, flag: MissedPatrol) -> MissedPatrol:
    require_scope(actor, flag, VIEW)
    if not RoleAssignment.objects.filter(
        user=actor, active=True, role=Role.GRID_CHIEF, grid_id=flag.grid_id
    ).exists() and not is_overseer(actor):
        require_scope(actor, flag, CHANGE)
    flag = MissedPatrol.objects.select_for_update().get(pk=flag.pk)
    if flag.acknowledged_at is None:
        flag.acknowledged_by, flag.acknowledged_at = actor, timezone.now()
        flag.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return flag


# ------------------------------------------------------------------ leaders' contact points
def _require_overseer(actor, obj) -> None:
    require_scope(actor, obj, VIEW)
    if not is_overseer(actor):
        raise PermissionDenied(_("只有组织部门或系统管理员可以安排领导联系点。"))


@transaction.atomic
def contact_assign(
    *,
    actor,
    leader,
    cadence: int,
    since: dt.date,
    target_area: Area | None = None,
    target_unit: Unit | None = None,
) -> ContactAssignment:
    if (target_area is None) == (target_unit is None):
        raise ValidationFailed(_("请选择一个联系村社区或一个联系单位。"))
    target = target_unit or target_area
    _require_overseer(actor, target)
    if not RoleAssignment.objects.filter(user=leader, role=Role.LEADER, active=True).exists():
        raise ValidationFailed(_("该用户不是领导干部。"), details={"leader": [_("须为领导角色。")]})
    if cadence not in Cadence.values:
        raise ValidationFailed(_("未知的联系频次。"))
    return ContactAssignment.objects.create(
        leader=leader,
        target_area=target_area,
        target_unit=target_unit,
        area_id=target_unit.area_id if target_unit else target_area.pk,
        cadence=cadence,
        since=since,
        created_by=actor,
    )


def _may_record(actor, assignment: ContactAssignment) -> None:
    require_scope(actor, assignment, VIEW)
    if assignment.leader_id != actor.pk and not is_overseer(actor):
        raise NotFound()


@transaction.atomic
def contact_visit_record(
    *,
    actor,
    assignment: ContactAssignment,
    visited_on: dt.date,
    met_with: str,
    heard: str,
    decided: str = "",
    opinions: list[str] | None = None,
    opinions_count: int | None = None,
) -> ContactVisit:
    _may_record(actor, assignment)
    met_with, heard, decided = (
        (met_with or "").strip(),
        (heard or "").strip(),
        (decided or "").strip(),
    )
    errors: dict[str, list] = {}
    if not met_with:
        errors["met_with"] = [_("请填写接谈对象。")]
    if not heard:
        errors["heard"] = [_("请填写听取的情况。")]
    if visited_on > timezone.localdate():
        errors["visited_on"] = [_("走访日期不能晚于今天。")]
    texts = [t.strip()[:500] for t in (opinions or []) if t and t.strip()]
    count = len(texts) if opinions_count is None else opinions_count
    if count < len(texts):
        errors["opinions_count"] = [_("意见数不能少于摘录的条数。")]
    if len(texts) > 200:
        errors["opinions"] = [_("意见摘录最多200条。")]
    if errors:
        raise ValidationFailed(details=errors)
    return ContactVisit.objects.create(
        assignment=assignment,
        leader=assignment.leader,
        area_id=assignment.area_id,
        visited_on=visited_on,
        met_with=met_with[:200],
        heard=heard[:4000],
        decided=decided[:4000],
        opinions_count=count,
        opinions=texts,
        recorded_by=actor,
    )


@transaction.atomic
def contact_visit_raise_case(
    *,
    actor,
    visit: ContactVisit,
    item,
    text: str,
    grid: Grid | None = None,
    address: str = "",
    idempotency_key: str | None = None,
):
    """A problem heard on the visit becomes a case (source 领导走访) routed to its handler."""
    _may_record(actor, visit.assignment)
    area = Area.objects.get(pk=visit.area_id)
    unit = visit.assignment.target_unit
    if grid is None and unit is not None and unit.grid_id:
        grid = unit.grid
    if (
        grid is not None
        and not Area.objects.filter(pk=grid.community_id, path__startswith=area.path).exists()
    ):
        raise ValidationFailed(_("所选网格不在联系点范围内。"), details={"grid": [_("网格无效。")]})
    community = area if area.level == Area.Level.COMMUNITY else None
    if grid is None and community is None:
        raise ValidationFailed(_("请选择事件所在网格。"), details={"grid": [_("请选择网格。")]})
    case = case_create(
        actor=actor,
        item=item,
        text=text,
        source=Source.LEADER_VISIT,
        grid=grid,
        community=community,
        address=address or str(visit.assignment.target),
        idempotency_key=idempotency_key,
    )
    ContactVisitCase.objects.get_or_create(case=case, defaults={"visit": visit})
    return case


# ------------------------------------------------------------------ 两个覆盖
def unit_figures(units):
    """Each unit with its party-member, organisation and instructor counts (one query)."""
    return units.annotate(
        members_n=Count("party_members", distinct=True),
        orgs_n=Count("organizations", distinct=True),
        instructors_n=Count(
            "party_instructors", distinct=True, filter=Q(party_instructors__active=True)
        ),
    )


@transaction.atomic
def coverage_check(*, actor=None, area: Area | None = None) -> tuple[int, int]:
    """Flag firms and social organisations with >= 3 party members and no organisation of their
    own; close open flags whose unit now has one (or fewer than 3 members). Returns
    (flags raised, flags closed)."""
    units = Unit.objects.filter(kind__in=COVERAGE_KINDS)
    if area is not None:
        units = units.filter(area__path__startswith=area.path)
    if actor is not None:
        units = units.restrict(actor, CHANGE)
    figures = {u.pk: u for u in unit_figures(units).only("id", "area_id")}
    today = timezone.localdate()
    open_flags = {
        f.unit_id: f
        for f in CoverageFlag.objects.select_for_update().filter(
            unit_id__in=list(figures), status=FlagStatus.OPEN
        )
    }
    raised = closed = 0
    for unit_id, u in figures.items():
        flag = open_flags.get(unit_id)
        needs = u.members_n >= 3 and u.orgs_n == 0
        if needs and flag is None:
            CoverageFlag.objects.create(
                unit_id=unit_id,
                area_id=u.area_id,
                members_count=u.members_n,
                raised_on=today,
                deadline=today + dt.timedelta(days=90),
            )
            raised += 1
        elif flag is not None and not needs:
            flag.status, flag.closed_on = FlagStatus.CLOSED, today
            if u.orgs_n:
                flag.organization = PartyOrganization.objects.filter(unit_id=unit_id).first()
                flag.closed_reason = str(_("已建立党组织"))
            else:
                flag.closed_reason = str(_("党员不足3名"))
            flag.save(update_fields=["status", "closed_on", "organization", "closed_reason"])
            closed += 1
        elif flag is not None and flag.members_count != u.members_n:
            flag.members_count = u.members_n
            flag.save(update_fields=["members_count"])
    return raised, closed


@transaction.atomic
def coverage_flag_update(
    *, actor, flag: CoverageFlag, owner=None, deadline: dt.date | None = None
) -> CoverageFlag:
    require_scope(actor, flag, CHANGE)
    flag = CoverageFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        raise ValidationFailed(_("已销号的整改任务不能修改。"))
    flag.owner, flag.deadline = owner, deadline
    flag.save(update_fields=["owner", "deadline"])
    return flag


# ------------------------------------------------------------------ 新业态 gig workers
def is_sector_org(org: PartyOrganization) -> bool:
    if org.kind == OrgKind.SECTOR_COMMITTEE:
        return True
    ancestor_ids = [int(x) for x in org.path.strip("/").split("/") if x.isdigit()]
    return PartyOrganization.objects.filter(
        pk__in=ancestor_ids, kind=OrgKind.SECTOR_COMMITTEE
    ).exists()


@transaction.atomic
def gig_profile_save(
    *,
    actor,
    member,
    platform: str,
    sector: str,
    sector_organization: PartyOrganization,
    since: dt.date | None = None,
    active: bool = True,
) -> GigWorkerProfile:
    require_scope(actor, member, CHANGE)
    errors: dict[str, list] = {}
    if not (platform or "").strip():
        errors["platform"] = [_("请填写平台或企业。")]
    if sector not in GigSector.values:
        errors["sector"] = [_("未知的行业。")]
    if not is_sector_org(sector_organization):
        errors["sector_organization"] = [_("须为行业党委或其下属党组织。")]
    if errors:
        raise ValidationFailed(details=errors)
    profile, _c = GigWorkerProfile.objects.update_or_create(
        member=member,
        defaults={
            "platform": platform.strip()[:100],
            "sector": sector,
            "sector_organization": sector_organization,
            "area_id": member.area_id,
            "since": since or timezone.localdate(),
            "active": active,
        },
    )
    return profile


def gig_profile_of(user) -> GigWorkerProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        GigWorkerProfile.objects.filter(member__user=user, active=True)
        .select_related("member")
        .first()
    )


@transaction.atomic
def mobile_report(
    *,
    actor,
    item,
    text: str,
    lon: float | None,
    lat: float | None,
    address: str = "",
    idempotency_key: str | None = None,
):
    """A signed-in gig-economy party member reports a case (流动哨); points once per case."""
    profile = gig_profile_of(actor)
    if profile is None:
        raise PermissionDenied(_("只有登记在册的新就业群体党员可以使用流动哨上报。"))
    case = case_create(
        actor=actor,
        item=item,
        text=text,
        source=Source.GIG_WORKER,
        lon=lon,
        lat=lat,
        address=address,
        idempotency_key=idempotency_key,
    )
    MobileReport.objects.get_or_create(
        case=case, defaults={"profile": profile, "area_id": case.area_id}
    )
    points_award(actor=actor, event=PointsEvent.MOBILE_REPORT, member=profile.member, source=case)
    return case
