"""Writes of the activities app. Every function takes a keyword-only ``actor`` and runs in one
transaction; a refused request raises an ApplicationError and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, VIEW
from civicgrid.core.validators import validate_phone
from civicgrid.geo.models import Area
from civicgrid.orgs.access import require_scope
from civicgrid.party.choices import PointsEvent
from civicgrid.party.points import points_award

from . import checkin
from .choices import (
    ActivityKind,
    ActivityStatus,
    ApplicationStatus,
    Audience,
    CheckinMethod,
    PostKind,
    SignupStatus,
    TeamRole,
)
from .models import (
    Activity,
    ActivityEvent,
    HoursEntry,
    Post,
    Recruitment,
    RecruitmentApplication,
    Signup,
    TeamMembership,
    Training,
    TrainingAttendance,
    Volunteer,
    VolunteerTeam,
)

TENTH = Decimal("0.1")
MAX_HOURS = Decimal("24")


def _area_id_of(obj) -> int:
    if isinstance(obj, Signup):
        return obj.activity.area_id
    if isinstance(obj, RecruitmentApplication):
        return obj.recruitment.team.area_id
    return obj.area_id


def _log(*, actor, action: str, obj, detail: dict | None = None) -> ActivityEvent:
    """One row of the app's own append-only record, in the transaction of the change."""
    activity_id = obj.pk if isinstance(obj, Activity) else getattr(obj, "activity_id", None)
    return ActivityEvent.objects.create(
        action=action,
        area_id=_area_id_of(obj),
        activity_id=activity_id,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail or {},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _hours(value, *, allow_zero: bool = False) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(TENTH, rounding=ROUND_DOWN)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("时长须为数字。")) from None
    if hours < 0 or (hours == 0 and not allow_zero) or hours > MAX_HOURS:
        raise ValidationFailed(_("时长须在 0 到 24 小时之间。"))
    return hours


def _text(value, label, max_length, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("请填写%(field)s。") % {"field": label})
    if len(value) > max_length:
        raise ValidationFailed(_("%(field)s过长。") % {"field": label})
    return value


# --- volunteers -------------------------------------------------------------------------------


@transaction.atomic
def volunteer_register(
    *, actor, name: str, area: Area, phone: str = "", resident=None, user=None, skills: str = ""
) -> Volunteer:
    """Register a volunteer who is not (or not yet) a party member; members need no registration."""
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("志愿者须登记在社区。"))
    require_scope(actor, area, CHANGE)
    name = _text(name, _("姓名"), 50)
    phone = (phone or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except DjangoValidationError as exc:
            raise ValidationFailed(exc.messages[0]) from None
        if Volunteer.objects.filter(phone_index=_blind(phone)).exists():
            raise Conflict(_("该手机号已登记为志愿者。"), code="volunteer_exists")
    if resident is not None:
        require_scope(actor, resident, CHANGE)
        if hasattr(resident, "party_member") and resident.party_member is not None:
            raise Conflict(_("该居民是党员,无需另行登记:党员即以党员身份参与志愿服务。"))
    if user is not None:
        if Volunteer.objects.filter(Q(user=user) | Q(member__user=user)).exists():
            raise Conflict(_("该账号已关联志愿者。"))
        if getattr(user, "party_member", None) is not None:
            raise Conflict(_("该账号属于党员,党员即以党员身份参与志愿服务。"))
    volunteer = Volunteer(
        name=name,
        area=area,
        resident=resident,
        user=user,
        skills=_text(skills, _("特长"), 200, required=False),
    )
    volunteer.set_pii(phone=phone)
    volunteer.save()
    _log(actor=actor, action=ActivityEvent.Action.VOLUNTEER_REGISTER, obj=volunteer)
    return volunteer


def _blind(value: str) -> str:
    from civicgrid.core import crypto

    return crypto.blind_index(value)


def volunteer_for_member(member) -> Volunteer:
    """The volunteer row of a party member, made on first use (name and community from the record)."""
    volunteer = Volunteer.objects.filter(member=member).first()
    if volunteer is not None:
        return volunteer
    try:
        with transaction.atomic():
            return Volunteer.objects.create(member=member, name=member.name, area_id=member.area_id)
    except IntegrityError:
        return Volunteer.objects.get(member=member)


def participant_for(user, *, create: bool = False) -> Volunteer | None:
    """The volunteer a signed-in user takes part as: their volunteer row, or their member record's
    (made on first use when ``create``). None for an account that is neither."""
    if user is None or not user.is_authenticated:
        return None
    volunteer = (
        Volunteer.objects.filter(Q(user=user) | Q(member__user=user))
        .select_related("member")
        .first()
    )
    if volunteer is not None:
        return volunteer
    member = getattr(user, "party_member", None)
    if member is not None and create:
        return volunteer_for_member(member)
    return None


# --- activities -------------------------------------------------------------------------------


@transaction.atomic
def activity_publish(
    *,
    actor,
    kind: str,
    title: str,
    area: Area,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    signup_opens_at: dt.datetime | None = None,
    signup_closes_at: dt.datetime | None = None,
    cancel_until: dt.datetime | None = None,
    capacity: int,
    hours,
    audience: str = Audience.VOLUNTEERS,
    description: str = "",
    lon: float | None = None,
    lat: float | None = None,
    waitlist: bool = False,
    team: VolunteerTeam | None = None,
    checkin_lead_minutes: int = 30,
) -> Activity:
    if area is None or area.level not in (Area.Level.COMMUNITY, Area.Level.STREET):
        raise ValidationFailed(_("活动须由社区或街道发布。"))
    require_scope(actor, area, CHANGE)
    if kind not in ActivityKind.values:
        raise ValidationFailed(_("未知的活动类型。"))
    if audience not in Audience.values:
        raise ValidationFailed(_("未知的报名对象。"))
    title = _text(title, _("标题"), 100)
    place = _text(place, _("地点"), 200)
    description = _text(description, _("内容"), 4000, required=False)
    if not starts_at or not ends_at or timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationFailed(_("请填写开始和结束时间。"))
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间。"))
    if ends_at - starts_at > dt.timedelta(days=7):
        raise ValidationFailed(_("一次活动最长七天。"))
    signup_opens_at = signup_opens_at or timezone.now()
    signup_closes_at = signup_closes_at or starts_at
    cancel_until = cancel_until or min(signup_closes_at, starts_at - dt.timedelta(hours=2))
    if signup_closes_at <= signup_opens_at:
        raise ValidationFailed(_("报名截止须晚于报名开始。"))
    if signup_closes_at > ends_at:
        raise ValidationFailed(_("报名截止不能晚于活动结束。"))
    if cancel_until > signup_closes_at:
        raise ValidationFailed(_("取消报名截止不能晚于报名截止。"))
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ValidationFailed(_("名额须为整数。")) from None
    if not 1 <= capacity <= 10000:
        raise ValidationFailed(_("名额须在 1 到 10000 之间。"))
    hours = _hours(hours, allow_zero=True)
    duration = Decimal((ends_at - starts_at).total_seconds()) / 3600
    if hours > duration:
        raise ValidationFailed(_("计入时长不能超过活动时长。"))
    if not 0 <= int(checkin_lead_minutes) <= 240:
        raise ValidationFailed(_("提前签到须在 0 到 240 分钟之间。"))
    if (lon is None) != (lat is None):
        raise ValidationFailed(_("经纬度须同时填写。"))
    if lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationFailed(_("经纬度超出范围。"))
    if team is not None:
        require_scope(actor, team, CHANGE)
    activity = Activity.objects.create(
        kind=kind,
        title=title,
        description=description,
        area=area,
        team=team,
        place=place,
        lon=lon,
        lat=lat,
        starts_at=starts_at,
        ends_at=ends_at,
        signup_opens_at=signup_opens_at,
        signup_closes_at=signup_closes_at,
        cancel_until=cancel_until,
        capacity=capacity,
        waitlist=bool(waitlist),
        audience=audience,
        hours=hours,
        checkin_lead_minutes=int(checkin_lead_minutes),
        created_by=actor,
    )
    _log(actor=actor, action=ActivityEvent.Action.PUBLISH, obj=activity)
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    require_scope(actor, activity, CHANGE)
    reason = _text(reason, _("取消原因"), 200)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        raise Conflict(_("活动已取消。"))
    if activity.credited_at is not None:
        raise Conflict(_("活动已核算时长,不能取消。"))
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    _log(actor=actor, action=ActivityEvent.Action.CANCEL, obj=activity, detail={"reason": reason})
    return activity


def _lock_activity(activity: Activity) -> Activity:
    """Lock the activity row: sign-ups and cancellations of one activity run one at a time."""
    try:
        return Activity.objects.select_for_update().get(pk=activity.pk)
    except Activity.DoesNotExist:
        raise NotFound() from None


def _confirmed(activity: Activity) -> int:
    return Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).count()


@transaction.atomic
def signup_create(*, actor, activity: Activity, now: dt.datetime | None = None) -> Signup:
    """Sign the signed-in user up. A full activity refuses (or puts on its waiting list)."""
    now = now or timezone.now()
    activity = _lock_activity(activity)
    if activity.status != ActivityStatus.PUBLISHED:
        raise Conflict(_("活动已取消。"), code="activity_cancelled")
    if now < activity.signup_opens_at:
        raise ValidationFailed(_("报名尚未开始。"), code="signup_not_open")
    if now > activity.signup_closes_at:
        raise ValidationFailed(_("报名已截止。"), code="signup_closed")
    volunteer = participant_for(actor, create=True)
    if activity.audience == Audience.MEMBERS and (volunteer is None or not volunteer.is_member):
        raise PermissionDenied(_("本活动仅限党员报名。"))
    if volunteer is None:
        if activity.audience != Audience.ANYONE or actor is None or not actor.is_authenticated:
            raise PermissionDenied(_("请先登记为志愿者再报名。"))
        community = activity.area if activity.area.level == Area.Level.COMMUNITY else None
        if community is None:
            raise PermissionDenied(_("请先到社区登记为志愿者再报名。"))
        volunteer = Volunteer.objects.create(
            name=(actor.get_full_name() or actor.username)[:50], area=community, user=actor
        )
    return _enrol(activity, volunteer, now)


def _enrol(activity: Activity, volunteer: Volunteer, now: dt.datetime) -> Signup:
    """Put a volunteer on a locked activity: a place while there is one, else the waiting list."""
    if not volunteer.active:
        raise PermissionDenied(_("志愿者登记已停用。"))
    existing = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        raise Conflict(_("已报名本活动。"), code="already_signed_up")
    confirmed = _confirmed(activity)
    if confirmed < activity.capacity:
        status = SignupStatus.CONFIRMED
    elif activity.waitlist:
        status = SignupStatus.WAITLISTED
    else:
        raise Conflict(_("名额已满。"), code="activity_full")
    if existing is not None:
        existing.status, existing.signed_up_at, existing.cancelled_at = status, now, None
        existing.save(update_fields=["status", "signed_up_at", "cancelled_at"])
        signup = existing
    else:
        signup = Signup.objects.create(
            activity=activity, volunteer=volunteer, status=status, signed_up_at=now
        )
    _store_count(activity)
    return signup


@transaction.atomic
def signup_by_organiser(
    *, actor, activity: Activity, volunteer: Volunteer, now: dt.datetime | None = None
) -> Signup:
    """The organiser signs someone up (an elderly volunteer who phoned in); the cap still holds. Audited."""
    require_scope(actor, activity, CHANGE)
    require_scope(actor, volunteer, VIEW)
    now = now or timezone.now()
    activity = _lock_activity(activity)
    if activity.status != ActivityStatus.PUBLISHED:
        raise Conflict(_("活动已取消。"), code="activity_cancelled")
    if activity.audience == Audience.MEMBERS and not volunteer.is_member:
        raise ValidationFailed(_("本活动仅限党员报名。"))
    signup = _enrol(activity, volunteer, now)
    _log(
        actor=actor,
        action=ActivityEvent.Action.ENROL,
        obj=signup,
        detail={"activity": activity.pk, "volunteer": volunteer.pk},
    )
    return signup


def _store_count(activity: Activity) -> None:
    Activity.objects.filter(pk=activity.pk).update(confirmed_count=_confirmed(activity))


@transaction.atomic
def signup_cancel(*, actor, signup: Signup, now: dt.datetime | None = None) -> Signup:
    """The participant withdraws before the cut-off; the first on the waiting list moves up."""
    now = now or timezone.now()
    activity = _lock_activity(signup.activity)
    signup = Signup.objects.select_related("volunteer__member").get(pk=signup.pk)
    if signup.volunteer.login != actor:
        raise NotFound()
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(_("报名已取消。"))
    if now > activity.cancel_until:
        raise ValidationFailed(_("已过取消报名截止时间,请联系活动组织者。"), code="cancel_closed")
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
    signup.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        first = (
            Signup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED)
            .order_by("signed_up_at", "id")
            .first()
        )
        if first is not None:
            first.status = SignupStatus.CONFIRMED
            first.save(update_fields=["status"])
    _store_count(activity)
    return signup


# --- check-in ---------------------------------------------------------------------------------


def _own_signup(actor, activity: Activity) -> Signup:
    volunteer = participant_for(actor)
    signup = None
    if volunteer is not None:
        signup = (
            Signup.objects.select_for_update()
            .filter(activity=activity, volunteer=volunteer)
            .first()
        )
    if signup is None or signup.status == SignupStatus.WAITLISTED:
        raise PermissionDenied(_("您没有报名本活动,不能签到。"), code="not_signed_up")
    if signup.status == SignupStatus.CANCELLED:
        raise PermissionDenied(_("您的报名已取消,不能签到。"), code="not_signed_up")
    return signup


def activity_for_token(token: str) -> Activity:
    parsed = checkin.parse(token)
    activity = Activity.objects.filter(
        pk=parsed.activity_id, status=ActivityStatus.PUBLISHED
    ).first()
    if activity is None:
        raise checkin.BadToken()
    return activity


@transaction.atomic
def checkin_record(*, actor, token: str, now: dt.datetime | None = None) -> tuple[Signup, bool]:
    """Check the signed-in participant in with a scanned code. Returns (signup, already)."""
    now = now or timezone.now()
    activity = activity_for_token(token)
    checkin.verify(activity, token, now)
    signup = _own_signup(actor, activity)
    if signup.checked_in_at is not None:
        return signup, True
    signup.checked_in_at, signup.checkin_method = now, CheckinMethod.QR
    signup.save(update_fields=["checked_in_at", "checkin_method"])
    return signup, False


@transaction.atomic
def checkout_record(*, actor, token: str, now: dt.datetime | None = None) -> Signup:
    now = now or timezone.now()
    activity = activity_for_token(token)
    checkin.verify(activity, token, now)
    signup = _own_signup(actor, activity)
    if signup.checked_in_at is None:
        raise Conflict(_("请先签到。"))
    if signup.checked_out_at is not None:
        raise Conflict(_("您已签退。"), code="already_checked_out")
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    return signup


@transaction.atomic
def attendance_mark(
    *,
    actor,
    signup: Signup,
    checked_in_at: dt.datetime | None = None,
    checked_out_at: dt.datetime | None = None,
    note: str = "",
) -> Signup:
    """The organiser marks a participant present by hand (no phone, flat battery); audited.
    Without times the participant is taken as present for the whole activity."""
    activity = signup.activity
    require_scope(actor, activity, CHANGE)
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(_("只能为已报名的人员补录签到。"))
    if hasattr(signup, "hours_entry"):
        raise Conflict(_("该人员的时长已核算,不能再补录。"))
    opens, closes = checkin.window(activity)
    checked_in_at = checked_in_at or activity.starts_at
    if not opens <= checked_in_at <= closes:
        raise ValidationFailed(_("签到时间须在活动签到时段内。"))
    if checked_out_at is not None and not checked_in_at < checked_out_at <= closes:
        raise ValidationFailed(_("签退时间须晚于签到时间且不晚于活动结束。"))
    if timezone.now() < opens:
        raise ValidationFailed(_("活动尚未开始签到。"))
    before = {
        "checked_in_at": str(signup.checked_in_at or ""),
        "checked_out_at": str(signup.checked_out_at or ""),
    }
    signup.checked_in_at, signup.checked_out_at = checked_in_at, checked_out_at
    signup.checkin_method, signup.checked_in_by = CheckinMethod.MANUAL, actor
    signup.save(
        update_fields=["checked_in_at", "checked_out_at", "checkin_method", "checked_in_by"]
    )
    _log(
        actor=actor,
        action=ActivityEvent.Action.MARK,
        obj=signup,
        detail={
            "activity": activity.pk,
            "volunteer": signup.volunteer_id,
            "before": before,
            "checked_in_at": str(checked_in_at),
            "checked_out_at": str(checked_out_at or ""),
            "note": (note or "")[:200],
        },
    )
    return signup


def credited_hours(signup: Signup, activity: Activity) -> Decimal:
    """From check-in (not before the start) to check-out (or the end, when none), capped by the
    activity's hours, rounded down to a tenth of an hour."""
    start = max(signup.checked_in_at, activity.starts_at)
    end = min(signup.checked_out_at or activity.ends_at, activity.ends_at)
    actual = Decimal(max(0.0, (end - start).total_seconds())) / 3600
    return min(activity.hours, actual).quantize(TENTH, rounding=ROUND_DOWN)


@transaction.atomic
def activity_credit(
    *, actor, activity: Activity, now: dt.datetime | None = None
) -> list[HoursEntry]:
    """After the end: hours and points for everyone checked in. Idempotent — a sign-up already
    credited is skipped, and the points ledger keeps one entry per cause."""
    now = now or timezone.now()
    if actor is not None:
        require_scope(actor, activity, CHANGE)
    activity = _lock_activity(activity)
    if activity.status != ActivityStatus.PUBLISHED:
        raise Conflict(_("活动已取消。"))
    if now < activity.ends_at:
        raise ValidationFailed(_("活动结束后才能核算时长。"), code="not_ended")
    signups = list(
        Signup.objects.filter(
            activity=activity,
            status=SignupStatus.CONFIRMED,
            checked_in_at__isnull=False,
            hours_entry__isnull=True,
        ).select_related("volunteer__member")
    )
    served_on = timezone.localtime(activity.starts_at).date()
    created = []
    for signup in signups:
        hours = credited_hours(signup, activity)
        entry = HoursEntry.objects.create(
            volunteer=signup.volunteer,
            signup=signup,
            activity=activity,
            team_id=activity.team_id,
            area_id=activity.area_id,
            hours=hours,
            served_on=served_on,
            actor=actor,
        )
        created.append(entry)
        member = signup.volunteer.member
        if member is not None:
            points_award(
                actor=actor,
                event=PointsEvent.ACTIVITY_ATTENDED,
                member=member,
                source=signup,
                occurred_at=activity.ends_at,
                note=activity.title[:100],
            )
            if hours > 0:
                points_award(
                    actor=actor,
                    event=PointsEvent.VOLUNTEER_HOUR,
                    member=member,
                    source=signup,
                    occurred_at=activity.ends_at,
                    quantity=hours,
                    note=activity.title[:100],
                )
    if activity.credited_at is None:
        Activity.objects.filter(pk=activity.pk).update(credited_at=now)
    if created:
        _log(
            actor=actor,
            action=ActivityEvent.Action.CREDIT,
            obj=activity,
            detail={"entries": len(created), "hours": str(sum(e.hours for e in created))},
        )
    return created


def credit_ended(*, actor=None, now: dt.datetime | None = None) -> int:
    """Credit every activity that has ended (the scheduled loop; safe to run again)."""
    now = now or timezone.now()
    count = 0
    pending = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED,
        ends_at__lte=now,
        signups__status=SignupStatus.CONFIRMED,
        signups__checked_in_at__isnull=False,
        signups__hours_entry__isnull=True,
    ).distinct()
    for activity in pending:
        count += len(activity_credit(actor=actor, activity=activity, now=now))
    return count


# --- teams, posts, recruitment, training -------------------------------------------------------


def _may_lead(actor, team: VolunteerTeam) -> bool:
    if team.leader_id is None or actor is None or not actor.is_authenticated:
        return False
    return team.leader.login == actor


def _require_team_manager(actor, team: VolunteerTeam) -> None:
    """Staff with change rights over the team's community, or the team's leader."""
    if _may_lead(actor, team):
        return
    require_scope(actor, team, CHANGE)


@transaction.atomic
def team_create(
    *,
    actor,
    name: str,
    area: Area,
    unit=None,
    description: str = "",
    leader: Volunteer | None = None,
) -> VolunteerTeam:
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("服务队须属于一个社区。"))
    require_scope(actor, area, CHANGE)
    if unit is not None and unit.area_id != area.pk:
        raise ValidationFailed(_("所属单位须在该社区。"))
    name = _text(name, _("队名"), 100)
    if VolunteerTeam.objects.filter(area=area, name=name).exists():
        raise Conflict(_("该社区已有同名服务队。"))
    team = VolunteerTeam.objects.create(
        name=name,
        area=area,
        unit=unit,
        description=_text(description, _("简介"), 2000, required=False),
    )
    if leader is not None:
        _join(team, leader, TeamRole.LEADER)
        team.leader = leader
        team.save(update_fields=["leader"])
    _log(actor=actor, action=ActivityEvent.Action.TEAM_CREATE, obj=team)
    return team


def _join(team, volunteer, role, post=None) -> TeamMembership:
    """Add a volunteer to a team, or update their place: a leader stays leader, a post is set."""
    membership = TeamMembership.objects.filter(team=team, volunteer=volunteer).first()
    if membership is None:
        return TeamMembership.objects.create(team=team, volunteer=volunteer, role=role, post=post)
    if role == TeamRole.LEADER:
        membership.role = TeamRole.LEADER
    if post is not None:
        membership.post = post
    membership.save(update_fields=["role", "post"])
    return membership


def _check_post_slots(post: Post | None) -> None:
    if post is not None and TeamMembership.objects.filter(post=post).count() >= post.slots:
        raise Conflict(_("该岗位名额已满。"), code="post_full")


@transaction.atomic
def team_add_member(
    *,
    actor,
    team: VolunteerTeam,
    volunteer: Volunteer,
    post: Post | None = None,
    leader: bool = False,
) -> TeamMembership:
    require_scope(actor, team, CHANGE)
    require_scope(actor, volunteer, VIEW)
    if post is not None and post.team_id != team.pk:
        raise ValidationFailed(_("岗位不属于该服务队。"))
    VolunteerTeam.objects.select_for_update().filter(pk=team.pk).first()
    if (
        TeamMembership.objects.filter(team=team, volunteer=volunteer).exists()
        and not leader
        and post is None
    ):
        raise Conflict(_("已是该队队员。"))
    _check_post_slots(post)
    membership = _join(team, volunteer, TeamRole.LEADER if leader else TeamRole.MEMBER, post)
    if leader:
        TeamMembership.objects.filter(team=team, role=TeamRole.LEADER).exclude(
            pk=membership.pk
        ).update(role=TeamRole.MEMBER)
        team.leader = volunteer
        team.save(update_fields=["leader"])
    _log(
        actor=actor,
        action=ActivityEvent.Action.TEAM_MEMBER_ADD,
        obj=team,
        detail={"volunteer": volunteer.pk, "leader": leader, "post": post.pk if post else None},
    )
    return membership


@transaction.atomic
def post_create(
    *, actor, team: VolunteerTeam, kind: str, title: str, requirements: str = "", slots: int = 1
) -> Post:
    _require_team_manager(actor, team)
    if kind not in PostKind.values:
        raise ValidationFailed(_("未知的岗位类型。"))
    try:
        slots = int(slots)
    except (TypeError, ValueError):
        raise ValidationFailed(_("名额须为整数。")) from None
    if not 1 <= slots <= 1000:
        raise ValidationFailed(_("名额须在 1 到 1000 之间。"))
    return Post.objects.create(
        team=team,
        kind=kind,
        title=_text(title, _("岗位名称"), 100),
        requirements=_text(requirements, _("岗位要求"), 500, required=False),
        slots=slots,
    )


@transaction.atomic
def recruitment_publish(
    *,
    actor,
    team: VolunteerTeam,
    title: str,
    slots: int,
    closes_at: dt.datetime,
    post: Post | None = None,
    description: str = "",
) -> Recruitment:
    _require_team_manager(actor, team)
    if post is not None and post.team_id != team.pk:
        raise ValidationFailed(_("岗位不属于该服务队。"))
    try:
        slots = int(slots)
    except (TypeError, ValueError):
        raise ValidationFailed(_("招募人数须为整数。")) from None
    if not 1 <= slots <= 1000:
        raise ValidationFailed(_("招募人数须在 1 到 1000 之间。"))
    if closes_at is None or closes_at <= timezone.now():
        raise ValidationFailed(_("截止时间须晚于现在。"))
    return Recruitment.objects.create(
        team=team,
        post=post,
        title=_text(title, _("标题"), 100),
        description=_text(description, _("说明"), 2000, required=False),
        slots=slots,
        closes_at=closes_at,
        created_by=actor,
    )


@transaction.atomic
def recruitment_apply(*, actor, recruitment: Recruitment, note: str = "") -> RecruitmentApplication:
    volunteer = participant_for(actor, create=True)
    if volunteer is None:
        raise PermissionDenied(_("请先登记为志愿者再报名。"))
    if not recruitment.open or recruitment.closes_at < timezone.now():
        raise ValidationFailed(_("招募已结束。"), code="recruitment_closed")
    if (
        TeamMembership.objects.filter(team_id=recruitment.team_id, volunteer=volunteer).exists()
        and recruitment.post_id is None
    ):
        raise Conflict(_("您已是该队队员。"))
    if RecruitmentApplication.objects.filter(recruitment=recruitment, volunteer=volunteer).exists():
        raise Conflict(_("您已申请过。"), code="already_applied")
    return RecruitmentApplication.objects.create(
        recruitment=recruitment,
        volunteer=volunteer,
        note=_text(note, _("申请说明"), 500, required=False),
    )


@transaction.atomic
def application_decide(
    *, actor, application: RecruitmentApplication, accept: bool
) -> RecruitmentApplication:
    """The team leader (or the community's staff) accepts or rejects; accepting adds the volunteer
    to the team (on the call's post) while the call has places left."""
    recruitment = (
        Recruitment.objects.select_for_update(of=("self",))
        .select_related("team__leader__member", "post")
        .get(pk=application.recruitment_id)
    )
    _require_team_manager(actor, recruitment.team)
    application = RecruitmentApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(_("该申请已审核。"))
    if accept:
        accepted = recruitment.applications.filter(status=ApplicationStatus.ACCEPTED).count()
        if accepted >= recruitment.slots:
            raise Conflict(_("招募名额已满。"), code="recruitment_full")
        _check_post_slots(recruitment.post)
        _join(recruitment.team, application.volunteer, TeamRole.MEMBER, recruitment.post)
    application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.REJECTED
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    _log(
        actor=actor,
        action=ActivityEvent.Action.RECRUITMENT_DECIDE,
        obj=application,
        detail={"accept": accept},
    )
    return application


@transaction.atomic
def training_record(
    *,
    actor,
    area: Area,
    title: str,
    held_on: dt.date,
    hours,
    volunteers,
    team: VolunteerTeam | None = None,
) -> Training:
    """A training session and who attended (training hours are kept apart from service hours)."""
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("培训须属于一个社区。"))
    if team is not None:
        if team.area_id != area.pk:
            raise ValidationFailed(_("服务队不在该社区。"))
        _require_team_manager(actor, team)
    else:
        require_scope(actor, area, CHANGE)
    if held_on is None or held_on > timezone.localdate():
        raise ValidationFailed(_("培训日期不能晚于今天。"))
    hours = _hours(hours)
    volunteers = list(volunteers)
    if not volunteers:
        raise ValidationFailed(_("请选择参训志愿者。"))
    training = Training.objects.create(
        area=area,
        team=team,
        title=_text(title, _("培训主题"), 100),
        held_on=held_on,
        hours=hours,
        created_by=actor,
    )
    TrainingAttendance.objects.bulk_create(
        [
            TrainingAttendance(training=training, volunteer=v, hours=hours)
            for v in {v.pk: v for v in volunteers}.values()
        ]
    )
    _log(
        actor=actor,
        action=ActivityEvent.Action.TRAINING_RECORD,
        obj=training,
        detail={"volunteers": len(volunteers)},
    )
    return training
