"""Publishing, sign-up with a cap and a waiting list, cancellation, check-in with the rotating
code, manual attendance, and crediting hours and points exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.activities import checkin, services
from civicgrid.activities.choices import SignupStatus, star_level
from civicgrid.activities.models import Activity, ActivityEvent, HoursEntry, Signup, Volunteer
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.testing.factories import make_user

from .conftest import Crowd

pytestmark = pytest.mark.django_db


def running(crowd, **kw):
    """An activity that started ten minutes ago and runs two more hours."""
    return crowd.activity(
        start_in=-dt.timedelta(minutes=10), length=dt.timedelta(hours=2, minutes=10), **kw
    )


# --- publishing ---------------------------------------------------------------------------------


def test_publish_is_scoped_to_the_publishers_areas(crowd):
    a = crowd.activity()
    assert a.area == crowd.tiny.community_a and a.confirmed_count == 0
    with pytest.raises(NotFound):
        crowd.activity(actor=crowd.tiny.staff_b)
    with pytest.raises((NotFound, PermissionDenied)):
        crowd.activity(actor=crowd.tiny.worker_a1)
    street = crowd.activity(actor=crowd.tiny.street_staff, area=crowd.tiny.street)
    assert street.area == crowd.tiny.street
    assert Activity.objects.count() == 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": " "}, "标题"),
        ({"capacity": 0}, "名额"),
        ({"capacity": "many"}, "名额"),
        ({"hours": "-1"}, "时长"),
        ({"hours": "abc"}, "时长"),
        ({"hours": 9}, "计入时长"),
        ({"lon": 114.0}, "经纬度"),
        ({"lon": 200.0, "lat": 23.0}, "经纬度"),
        ({"kind": "party"}, "类型"),
        ({"audience": "all"}, "报名对象"),
    ],
)
def test_publish_refuses_bad_input(crowd, change, message):
    with pytest.raises(ValidationFailed) as err:
        crowd.activity(**change)
    assert message in str(err.value.message)
    assert not Activity.objects.exists()


def test_publish_refuses_end_before_start(crowd):
    now = timezone.now()
    with pytest.raises(ValidationFailed):
        services.activity_publish(
            actor=crowd.tiny.staff_a,
            area=crowd.tiny.community_a,
            kind="volunteer",
            title="t",
            place="p",
            starts_at=now + dt.timedelta(hours=3),
            ends_at=now + dt.timedelta(hours=2),
            capacity=3,
            hours=1,
        )
    assert not Activity.objects.exists()


# --- sign-up ------------------------------------------------------------------------------------


def test_sign_up_as_member_and_as_volunteer_until_full(crowd):
    a = crowd.activity(capacity=2)
    s1 = services.signup_create(actor=crowd.member_user_a, activity=a)
    assert s1.status == SignupStatus.CONFIRMED and s1.volunteer.member == crowd.member_a
    s2 = services.signup_create(actor=crowd.vol_user, activity=a)
    assert s2.volunteer == crowd.volunteer_a
    with pytest.raises(Conflict) as err:
        services.signup_create(actor=crowd.member_user_b, activity=a)
    assert err.value.code == "activity_full"
    a.refresh_from_db()
    assert a.confirmed_count == 2 and Signup.objects.count() == 2
    with pytest.raises(Conflict) as err:
        services.signup_create(actor=crowd.member_user_a, activity=a)
    assert err.value.code == "already_signed_up"


def test_member_volunteer_row_has_no_copy_of_personal_data(crowd):
    a = crowd.activity()
    s = services.signup_create(actor=crowd.member_user_a, activity=a)
    v = Volunteer.objects.get(pk=s.volunteer_id)
    assert v.member == crowd.member_a and v.phone == "" and v.area_id == crowd.member_a.area_id


def test_audience_members_only_and_accounts_without_records(crowd):
    members_only = crowd.activity(audience="members")
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=crowd.vol_user, activity=members_only)
    assert services.signup_create(actor=crowd.member_user_b, activity=members_only)
    volunteers = crowd.activity(audience="volunteers")
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=crowd.plain_user, activity=volunteers)
    anyone = crowd.activity(audience="anyone")
    s = services.signup_create(actor=crowd.plain_user, activity=anyone)
    assert s.volunteer.user == crowd.plain_user and s.volunteer.area == crowd.tiny.community_a


def test_sign_up_window(crowd):
    now = timezone.now()
    a = crowd.activity(signup_opens_at=now + dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed) as err:
        services.signup_create(actor=crowd.member_user_a, activity=a)
    assert err.value.code == "signup_not_open"
    with pytest.raises(ValidationFailed) as err:
        services.signup_create(
            actor=crowd.member_user_a, activity=a, now=a.signup_closes_at + dt.timedelta(seconds=1)
        )
    assert err.value.code == "signup_closed"
    assert not Signup.objects.exists()


def test_waiting_list_moves_up_when_a_place_frees(crowd):
    a = crowd.activity(capacity=1, waitlist=True)
    first = services.signup_create(actor=crowd.member_user_a, activity=a)
    second = services.signup_create(actor=crowd.vol_user, activity=a)
    assert second.status == SignupStatus.WAITLISTED
    services.signup_cancel(actor=crowd.member_user_a, signup=first)
    second.refresh_from_db()
    a.refresh_from_db()
    assert second.status == SignupStatus.CONFIRMED and a.confirmed_count == 1
    # Signing up again after cancelling joins the end of the list.
    again = services.signup_create(actor=crowd.member_user_a, activity=a)
    assert again.pk == first.pk and again.status == SignupStatus.WAITLISTED


def test_cancel_only_own_and_before_the_cutoff(crowd):
    a = crowd.activity()
    s = services.signup_create(actor=crowd.member_user_a, activity=a)
    with pytest.raises(NotFound):
        services.signup_cancel(actor=crowd.member_user_b, signup=s)
    with pytest.raises(ValidationFailed) as err:
        services.signup_cancel(
            actor=crowd.member_user_a, signup=s, now=a.cancel_until + dt.timedelta(minutes=1)
        )
    assert err.value.code == "cancel_closed"
    s.refresh_from_db()
    assert s.status == SignupStatus.CONFIRMED
    services.signup_cancel(actor=crowd.member_user_a, signup=s)
    s.refresh_from_db()
    assert s.status == SignupStatus.CANCELLED
    with pytest.raises(Conflict):
        services.signup_cancel(actor=crowd.member_user_a, signup=s)


def test_cancelled_activity_refuses_sign_up(crowd):
    a = crowd.activity()
    services.activity_cancel(actor=crowd.tiny.staff_a, activity=a, reason="天气")
    with pytest.raises(Conflict):
        services.signup_create(actor=crowd.member_user_a, activity=a)
    with pytest.raises(NotFound):
        services.activity_cancel(actor=crowd.tiny.staff_b, activity=a, reason="x")


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_for_the_last_place_at_the_same_moment(tiny):
    crowd = Crowd(tiny)
    a = crowd.activity(capacity=2)
    services.signup_create(actor=crowd.vol_user, activity=a)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sign_up(user):
        try:
            barrier.wait()
            results.append(services.signup_create(actor=user, activity=a))
        except Conflict as exc:
            errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign_up, args=(u,))
        for u in (crowd.member_user_a, crowd.member_user_b)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1, (results, errors)
    assert errors == ["activity_full"]
    a.refresh_from_db()
    assert a.confirmed_count == 2
    assert Signup.objects.filter(activity=a, status=SignupStatus.CONFIRMED).count() == 2


# --- the check-in code ---------------------------------------------------------------------------


def test_token_rotates_and_expires(crowd):
    a = running(crowd)
    now = timezone.now()
    token = checkin.make_token(a, now)
    checkin.verify(a, token, now)
    checkin.verify(
        a, token, now + dt.timedelta(seconds=checkin.STEP_SECONDS)
    )  # grace: the next step
    with pytest.raises(checkin.ExpiredToken):
        checkin.verify(a, token, now + dt.timedelta(seconds=2 * checkin.STEP_SECONDS))
    with pytest.raises(
        checkin.ExpiredToken
    ):  # a code of the future (a forged step is caught first)
        checkin.verify(a, checkin.make_token(a, now + dt.timedelta(minutes=5)), now)
    assert checkin.make_token(a, now + dt.timedelta(seconds=checkin.STEP_SECONDS)) != token


def test_token_of_another_activity_or_forged_is_refused(crowd):
    a, b = running(crowd), running(crowd, title="另一个活动")
    now = timezone.now()
    with pytest.raises(checkin.BadToken):
        checkin.verify(a, checkin.make_token(b, now), now)
    aid, step, sig = checkin.make_token(a, now).split("-")
    with pytest.raises(checkin.BadToken):
        checkin.verify(a, f"{aid}-{int(step) + 0}-{'0' * len(sig)}", now)
    with pytest.raises(checkin.BadToken):
        checkin.verify(a, f"{b.pk}-{step}-{sig}", now)
    for junk in ("", "abc", "1-2", "x-1-abc", "1-y-abc"):
        with pytest.raises(checkin.BadToken):
            checkin.verify(a, junk, now)


def test_token_only_inside_the_window(crowd):
    a = crowd.activity(start_in=dt.timedelta(hours=5), checkin_lead_minutes=30)
    early = a.starts_at - dt.timedelta(minutes=31)
    with pytest.raises(checkin.OutsideWindow):
        checkin.verify(a, checkin.make_token(a, early), early)
    ok = a.starts_at - dt.timedelta(minutes=29)
    checkin.verify(a, checkin.make_token(a, ok), ok)
    late = a.ends_at + dt.timedelta(seconds=1)
    with pytest.raises(checkin.OutsideWindow):
        checkin.verify(a, checkin.make_token(a, late), late)


def test_check_in_once_then_check_out(crowd):
    a = running(crowd)
    services.signup_create(actor=crowd.member_user_a, activity=a)
    token = checkin.make_token(a)
    signup, already = services.checkin_record(actor=crowd.member_user_a, token=token)
    assert not already and signup.checked_in_at is not None and signup.checkin_method == "qr"
    first_time = signup.checked_in_at
    again, already = services.checkin_record(actor=crowd.member_user_a, token=checkin.make_token(a))
    assert already and again.checked_in_at == first_time
    out = services.checkout_record(actor=crowd.member_user_a, token=token)
    assert out.checked_out_at >= first_time
    with pytest.raises(Conflict):
        services.checkout_record(actor=crowd.member_user_a, token=token)


def test_check_in_needs_a_sign_up(crowd):
    a = running(crowd, capacity=1, waitlist=True)
    services.signup_create(actor=crowd.vol_user, activity=a)
    waiting = services.signup_create(actor=crowd.member_user_a, activity=a)
    assert waiting.status == SignupStatus.WAITLISTED
    token = checkin.make_token(a)
    for user in (crowd.member_user_a, crowd.member_user_b, crowd.plain_user):
        with pytest.raises(PermissionDenied):
            services.checkin_record(actor=user, token=token)
    assert not Signup.objects.filter(checked_in_at__isnull=False).exists()


def test_check_in_refuses_a_cancelled_activity(crowd):
    a = running(crowd)
    services.signup_create(actor=crowd.member_user_a, activity=a)
    token = checkin.make_token(a)
    services.activity_cancel(actor=crowd.tiny.staff_a, activity=a, reason="暴雨")
    with pytest.raises(checkin.BadToken):
        services.checkin_record(actor=crowd.member_user_a, token=token)


# --- manual marks and crediting --------------------------------------------------------------------


def ended(crowd, **kw):
    """An activity from three hours ago to one hour ago (2 h, 2 h credited)."""
    return crowd.activity(start_in=-dt.timedelta(hours=3), length=dt.timedelta(hours=2), **kw)


def sign_up_then(crowd, a, user, when):
    services.signup_create(actor=user, activity=a, now=a.starts_at - dt.timedelta(minutes=5))
    return services.checkin_record(actor=user, token=checkin.make_token(a, when), now=when)[0]


def test_manual_mark_is_scoped_and_audited(crowd):
    a = running(crowd)
    s = services.signup_create(actor=crowd.vol_user, activity=a)
    with pytest.raises(NotFound):
        services.attendance_mark(actor=crowd.tiny.staff_b, signup=s)
    s.refresh_from_db()
    assert s.checked_in_at is None
    marked = services.attendance_mark(actor=crowd.tiny.staff_a, signup=s, note="老人没有手机")
    assert marked.checkin_method == "manual" and marked.checked_in_by == crowd.tiny.staff_a
    log = ActivityEvent.objects.filter(action="mark").get()
    assert log.object_id == str(s.pk) and log.detail["note"] == "老人没有手机"


def test_manual_mark_refuses_times_outside_the_window(crowd):
    a = running(crowd)
    s = services.signup_create(actor=crowd.vol_user, activity=a)
    with pytest.raises(ValidationFailed):
        services.attendance_mark(
            actor=crowd.tiny.staff_a, signup=s, checked_in_at=a.starts_at - dt.timedelta(hours=5)
        )
    with pytest.raises(ValidationFailed):
        services.attendance_mark(
            actor=crowd.tiny.staff_a,
            signup=s,
            checked_in_at=a.starts_at,
            checked_out_at=a.starts_at - dt.timedelta(minutes=1),
        )
    s.refresh_from_db()
    assert s.checked_in_at is None and not ActivityEvent.objects.filter(action="mark").exists()


def test_credit_hours_and_points_once(crowd):
    a = ended(crowd, hours=2)
    # Member A: in 10 minutes before the start, never checks out -> whole activity, capped at 2 h.
    sign_up_then(crowd, a, crowd.member_user_a, a.starts_at - dt.timedelta(minutes=10))
    # Volunteer: in 30 minutes late, out after one hour -> 1.0 h.
    sv = sign_up_then(crowd, a, crowd.vol_user, a.starts_at + dt.timedelta(minutes=30))
    services.checkout_record(
        actor=crowd.vol_user,
        token=checkin.make_token(a, a.starts_at + dt.timedelta(minutes=90)),
        now=a.starts_at + dt.timedelta(minutes=90),
    )
    # Member B signed up but never came: nothing.
    services.signup_create(
        actor=crowd.member_user_b, activity=a, now=a.starts_at - dt.timedelta(minutes=5)
    )
    with pytest.raises(ValidationFailed):
        services.activity_credit(
            actor=crowd.tiny.staff_a, activity=a, now=a.ends_at - dt.timedelta(minutes=1)
        )
    with pytest.raises(NotFound):
        services.activity_credit(actor=crowd.tiny.staff_b, activity=a)
    entries = services.activity_credit(actor=crowd.tiny.staff_a, activity=a)
    hours = {e.volunteer_id: e.hours for e in entries}
    assert hours[sv.volunteer_id] == Decimal("1.0")
    assert hours[crowd.member_a.volunteer.pk] == Decimal("2.0")
    assert len(hours) == 2
    points = PointsEntry.objects.filter(member=crowd.member_a)
    assert sorted(points.values_list("event", "quantity")) == [
        (PointsEvent.ACTIVITY_ATTENDED, Decimal("1.00")),
        (PointsEvent.VOLUNTEER_HOUR, Decimal("2.00")),
    ]
    assert not PointsEntry.objects.filter(member=crowd.member_b).exists()
    # Re-running adds nothing: not hours, not points.
    assert services.activity_credit(actor=crowd.tiny.staff_a, activity=a) == []
    assert services.credit_ended() == 0
    assert HoursEntry.objects.count() == 2 and PointsEntry.objects.count() == 2
    a.refresh_from_db()
    assert a.credited_at is not None


def test_credit_ended_picks_up_a_late_manual_mark(crowd):
    a = ended(crowd)
    s = services.signup_create(
        actor=crowd.vol_user, activity=a, now=a.starts_at - dt.timedelta(minutes=5)
    )
    assert services.credit_ended() == 0  # nobody checked in yet
    services.attendance_mark(actor=crowd.tiny.staff_a, signup=s)
    assert services.credit_ended() == 1
    assert HoursEntry.objects.get().hours == Decimal("2.0")
    with pytest.raises(Conflict):
        services.attendance_mark(actor=crowd.tiny.staff_a, signup=s)


def test_party_day_without_hours_awards_attendance_only(crowd):
    a = ended(crowd, kind="party_day", hours=0)
    sign_up_then(crowd, a, crowd.member_user_a, a.starts_at)
    services.activity_credit(actor=None, activity=a)
    assert list(PointsEntry.objects.values_list("event", flat=True)) == [
        PointsEvent.ACTIVITY_ATTENDED
    ]
    assert HoursEntry.objects.get().hours == 0


@pytest.mark.parametrize(
    "hours, stars",
    [
        (0, 0),
        (99.9, 0),
        (100, 1),
        (299, 1),
        (300, 2),
        (600, 3),
        (999, 3),
        (1000, 4),
        (1499.9, 4),
        (1500, 5),
        (9000, 5),
    ],
)
def test_star_levels(hours, stars):
    assert star_level(hours) == stars


# --- teams ---------------------------------------------------------------------------------------------


def test_team_post_recruitment_and_leader_decides(crowd):
    t = crowd.tiny
    team = services.team_create(
        actor=t.staff_a, name="东门红马甲", area=t.community_a, leader=crowd.volunteer_a
    )
    with pytest.raises(NotFound):
        services.team_create(actor=t.staff_b, name="x", area=t.community_a)
    post = services.post_create(
        actor=crowd.vol_user, team=team, kind="emergency", title="防汛值守", slots=1
    )
    call = services.recruitment_publish(
        actor=crowd.vol_user,
        team=team,
        post=post,
        title="招募防汛队员",
        slots=2,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    app_a = services.recruitment_apply(actor=crowd.member_user_a, recruitment=call, note="会游泳")
    app_b = services.recruitment_apply(actor=crowd.member_user_b, recruitment=call)
    with pytest.raises(Conflict):
        services.recruitment_apply(actor=crowd.member_user_a, recruitment=call)
    with pytest.raises(NotFound):  # a stranger cannot decide
        services.application_decide(actor=crowd.member_user_b, application=app_a, accept=True)
    services.application_decide(actor=crowd.vol_user, application=app_a, accept=True)
    assert team.memberships.filter(volunteer__member=crowd.member_a, post=post).exists()
    with pytest.raises(Conflict) as err:  # the post has one slot
        services.application_decide(actor=t.staff_a, application=app_b, accept=True)
    assert err.value.code == "post_full"
    services.application_decide(actor=t.staff_a, application=app_b, accept=False)
    app_b.refresh_from_db()
    assert app_b.status == "rejected"
    with pytest.raises(Conflict):
        services.application_decide(actor=t.staff_a, application=app_b, accept=True)


def test_training_record(crowd):
    t = crowd.tiny
    team = services.team_create(actor=t.staff_a, name="东门急救队", area=t.community_a)
    member_vol = services.volunteer_for_member(crowd.member_a)
    tr = services.training_record(
        actor=t.staff_a,
        area=t.community_a,
        team=team,
        title="心肺复苏培训",
        held_on=timezone.localdate(),
        hours="3",
        volunteers=[crowd.volunteer_a, member_vol],
    )
    assert tr.attendances.count() == 2
    with pytest.raises(ValidationFailed):
        services.training_record(
            actor=t.staff_a,
            area=t.community_a,
            title="x",
            held_on=timezone.localdate(),
            hours="3",
            volunteers=[],
        )
    with pytest.raises(NotFound):
        services.training_record(
            actor=t.staff_b,
            area=t.community_a,
            title="x",
            held_on=timezone.localdate(),
            hours="3",
            volunteers=[crowd.volunteer_a],
        )


def test_volunteer_register_validates(crowd):
    t = crowd.tiny
    with pytest.raises(ValidationFailed):
        services.volunteer_register(actor=t.staff_a, name="李", area=t.community_a, phone="123")
    with pytest.raises(Conflict):
        services.volunteer_register(
            actor=t.staff_a, name="李", area=t.community_a, phone="13512345678"
        )
    with pytest.raises(NotFound):
        services.volunteer_register(actor=t.staff_b, name="李", area=t.community_a)
    with pytest.raises(Conflict):
        services.volunteer_register(
            actor=t.staff_a, name="王", area=t.community_a, user=crowd.member_user_a
        )
    v = services.volunteer_register(
        actor=t.staff_a,
        name="李四",
        area=t.community_a,
        phone="13612345678",
        user=make_user(username="li"),
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT phone FROM {Volunteer._meta.db_table} WHERE id = %s", [v.pk])
        raw = cur.fetchone()[0]
    assert (
        "13612345678" not in raw
        and v.phone_masked.startswith("136")
        and "1234" not in v.phone_masked
    )
