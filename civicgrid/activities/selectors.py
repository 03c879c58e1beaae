"""Reads of the activities app. Staff reads start from ``restrict(user)``; a participant's reads
start from their own volunteer row. Rows out of scope answer NotFound, like missing rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from civicgrid.core.errors import NotFound
from civicgrid.core.scoping import VIEW, get_scope
from civicgrid.geo.models import Area

from .choices import ActivityStatus, ApplicationStatus, SignupStatus, star_level
from .models import (
    Activity,
    ActivityEvent,
    HoursEntry,
    Recruitment,
    RecruitmentApplication,
    Signup,
    TeamMembership,
    Training,
    Volunteer,
    VolunteerTeam,
)
from .services import participant_for


def _h(value) -> Decimal:
    """Hours as shown: one decimal (SQLite and PostgreSQL return sums in different shapes)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


def is_staff_user(user) -> bool:
    """A user with an assigned area or grid sees the staff pages; members, volunteers (and unit
    contacts, whose scope is their unit) see the participant pages."""
    scope = get_scope(user, VIEW)
    return bool(scope.everything or scope.area_ids or scope.grid_ids)


# --- staff ------------------------------------------------------------------------------------


def activity_list(*, user, when: str = "upcoming"):
    qs = Activity.objects.restrict(user).select_related("area", "team")
    now = timezone.now()
    if when == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "id")
    elif when == "past":
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        qs = qs.order_by("-starts_at", "-id")
    return qs.annotate(
        checked_in=Count(
            "signups",
            filter=Q(signups__checked_in_at__isnull=False, signups__status=SignupStatus.CONFIRMED),
        ),
    )


def activity_get(*, user, pk: int, action: str = VIEW) -> Activity:
    activity = (
        Activity.objects.restrict(user, action)
        .select_related("area", "team", "created_by")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise NotFound()
    return activity


def roster(*, user, activity: Activity):
    """Everyone signed up (and cancelled), with their volunteer rows and credited hours."""
    activity_get(user=user, pk=activity.pk)
    return (
        Signup.objects.restrict(user)
        .filter(activity=activity)
        .select_related("volunteer__member", "hours_entry", "checked_in_by")
        .order_by("status", "signed_up_at", "id")
    )


def activity_events(*, user, activity: Activity):
    return (
        ActivityEvent.objects.restrict(user)
        .filter(activity=activity)
        .select_related("actor")
        .order_by("-at", "-id")[:50]
    )


def publish_areas(*, user):
    return (
        Area.objects.restrict(user, "change")
        .filter(level__in=(Area.Level.COMMUNITY, Area.Level.STREET))
        .order_by("path")
    )


def community_choices(*, user, action: str = "change"):
    return Area.objects.restrict(user, action).filter(level=Area.Level.COMMUNITY).order_by("path")


def volunteer_list(*, user, q: str = ""):
    qs = (
        Volunteer.objects.restrict(user)
        .select_related("area", "member")
        .annotate(
            total_hours=Coalesce(
                Sum("hours_entries__hours"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=9, decimal_places=1),
            )
        )
        .order_by("-total_hours", "id")
    )
    if q:
        qs = qs.filter(name__contains=q.strip()[:50])
    return qs


def volunteer_get(*, user, pk: int) -> Volunteer:
    v = (
        Volunteer.objects.restrict(user)
        .select_related("area", "member", "resident")
        .filter(pk=pk)
        .first()
    )
    if v is None:
        raise NotFound()
    return v


def team_list(*, user):
    return (
        VolunteerTeam.objects.restrict(user)
        .select_related("area", "unit", "leader")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("area__path", "name")
    )


def team_get(*, user, pk: int) -> VolunteerTeam:
    team = (
        VolunteerTeam.objects.restrict(user)
        .select_related("area", "unit", "leader")
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise NotFound()
    return team


def team_detail(*, team: VolunteerTeam) -> dict:
    """What a team page shows (the team already passed ``team_get`` or belongs to its leader)."""
    memberships = (
        TeamMembership.objects.filter(team=team)
        .select_related("volunteer__member", "post")
        .order_by("-role", "id")
    )
    recruitments = list(
        Recruitment.objects.filter(team=team)
        .select_related("post")
        .prefetch_related(
            Prefetch(
                "applications", queryset=RecruitmentApplication.objects.select_related("volunteer")
            )
        )
    )
    posts = list(team.posts.annotate(filled=Count("memberships")).order_by("kind", "id"))
    trainings = list(Training.objects.filter(team=team).annotate(people=Count("attendances"))[:20])
    hours = _h(HoursEntry.objects.filter(team=team).aggregate(s=Sum("hours"))["s"])
    return {
        "memberships": list(memberships),
        "posts": posts,
        "recruitments": recruitments,
        "trainings": trainings,
        "hours": hours,
    }


def training_list(*, user):
    return (
        Training.objects.restrict(user)
        .select_related("area", "team")
        .annotate(people=Count("attendances"))
    )


# --- hours and statistics ---------------------------------------------------------------------


def _period(start: dt.date | None, end: dt.date | None):
    q = Q()
    if start:
        q &= Q(served_on__gte=start)
    if end:
        q &= Q(served_on__lte=end)
    return q


def hours_stats(*, user, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Hours in the user's scope for a period: per community (or street), per team, per month,
    and the top volunteers with their star levels (stars from all their hours, ever)."""
    base = HoursEntry.objects.restrict(user).filter(_period(start, end))
    total = base.aggregate(s=Sum("hours"), n=Count("id"), people=Count("volunteer", distinct=True))
    by_area = list(
        base.values("area_id", "area__name")
        .annotate(hours=Sum("hours"), n=Count("id"))
        .order_by("-hours", "area_id")
    )
    by_team = list(
        base.filter(team__isnull=False)
        .values("team_id", "team__name")
        .annotate(hours=Sum("hours"))
        .order_by("-hours")[:20]
    )
    by_month = list(
        base.annotate(m=TruncMonth("served_on"))
        .values("m")
        .annotate(hours=Sum("hours"))
        .order_by("m")
    )
    top = list(
        base.values("volunteer_id", "volunteer__name", "volunteer__member_id")
        .annotate(hours=Sum("hours"))
        .order_by("-hours", "volunteer_id")[:20]
    )
    lifetime = dict(
        HoursEntry.objects.filter(volunteer_id__in=[t["volunteer_id"] for t in top])
        .values("volunteer_id")
        .annotate(h=Sum("hours"))
        .values_list("volunteer_id", "h")
    )
    for t in top:
        t["stars"] = star_level(lifetime.get(t["volunteer_id"]))
        t["hours"] = _h(t["hours"])
    for rows in (by_area, by_team):
        for r in rows:
            r["hours"] = _h(r["hours"])
    return {
        "total_hours": _h(total["s"]),
        "entries": total["n"],
        "people": total["people"],
        "by_area": by_area,
        "by_team": by_team,
        "by_month": [
            {"month": r["m"].strftime("%Y-%m"), "hours": float(r["hours"])} for r in by_month
        ],
        "top": top,
    }


def hours_export_rows(*, user, start: dt.date | None = None, end: dt.date | None = None):
    return (
        HoursEntry.objects.restrict(user)
        .filter(_period(start, end))
        .select_related("volunteer", "activity", "team", "area")
        .order_by("served_on", "id")
    )


# --- participants -----------------------------------------------------------------------------


def open_activities(*, user):
    """Published activities that have not ended, with the user's own sign-up on each."""
    now = timezone.now()
    activities = list(
        Activity.objects.filter(status=ActivityStatus.PUBLISHED, ends_at__gte=now)
        .select_related("area")
        .order_by("starts_at", "id")[:100]
    )
    volunteer = participant_for(user)
    mine = {}
    if volunteer is not None:
        mine = {
            s.activity_id: s
            for s in Signup.objects.filter(
                volunteer=volunteer, activity__in=[a.pk for a in activities]
            )
        }
    for a in activities:
        a.my_signup = mine.get(a.pk)
    return activities


def open_activity(*, user, pk: int) -> Activity:
    activity = (
        Activity.objects.filter(pk=pk, status=ActivityStatus.PUBLISHED)
        .select_related("area", "team")
        .first()
    )
    if activity is None:
        raise NotFound()
    volunteer = participant_for(user)
    activity.my_signup = (
        Signup.objects.filter(activity=activity, volunteer=volunteer).first()
        if volunteer is not None
        else None
    )
    return activity


def my_overview(*, user) -> dict:
    volunteer = participant_for(user)
    if volunteer is None:
        return {
            "volunteer": None,
            "signups": [],
            "hours": Decimal(0),
            "stars": 0,
            "teams": [],
            "trainings": [],
        }
    signups = list(
        Signup.objects.filter(volunteer=volunteer)
        .select_related("activity", "hours_entry")
        .order_by("-activity__starts_at")[:50]
    )
    hours = _h(HoursEntry.objects.filter(volunteer=volunteer).aggregate(s=Sum("hours"))["s"])
    teams = list(TeamMembership.objects.filter(volunteer=volunteer).select_related("team", "post"))
    training_hours = _h(volunteer.trainings.aggregate(s=Sum("hours"))["s"])
    return {
        "volunteer": volunteer,
        "signups": signups,
        "hours": hours,
        "stars": star_level(hours),
        "teams": teams,
        "training_hours": training_hours,
    }


def open_recruitments(*, user):
    now = timezone.now()
    calls = list(
        Recruitment.objects.filter(open=True, closes_at__gte=now)
        .select_related("team__area", "post")
        .order_by("closes_at")[:100]
    )
    volunteer = participant_for(user)
    applied = set()
    if volunteer is not None:
        applied = set(
            RecruitmentApplication.objects.filter(
                volunteer=volunteer, recruitment__in=calls
            ).values_list("recruitment_id", flat=True)
        )
    for c in calls:
        c.applied = c.pk in applied
    return calls


def led_teams(*, user):
    """Teams whose leader is this user (they manage recruitment there without a staff role)."""
    volunteer = participant_for(user)
    if volunteer is None:
        return VolunteerTeam.objects.none()
    return VolunteerTeam.objects.filter(leader=volunteer).select_related("area")


def team_for_manager(*, user, pk: int) -> VolunteerTeam:
    """A team the user may manage: in their scope, or led by them."""
    team = (
        VolunteerTeam.objects.restrict(user)
        .filter(pk=pk)
        .select_related("area", "unit", "leader")
        .first()
    )
    if team is None:
        team = led_teams(user=user).filter(pk=pk).first()
    if team is None:
        raise NotFound()
    return team


def pending_count(recruitments) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for r in recruitments:
        for a in r.applications.all():
            if a.status == ApplicationStatus.PENDING:
                counts[r.pk] += 1
    return counts
