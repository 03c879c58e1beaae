"""Scoping builders for the activities models (see orgs/tests/test_scoping_all_models.py)."""

import datetime as dt

from django.utils import timezone

from civicgrid.activities.models import (
    Activity,
    ActivityEvent,
    HoursEntry,
    Recruitment,
    RecruitmentApplication,
    Signup,
    Training,
    Volunteer,
    VolunteerTeam,
)


def _volunteer(side):
    return Volunteer.objects.get_or_create(
        name=f"志愿者{side.tag}", defaults={"area": side.community}
    )[0]


def _team(side):
    return VolunteerTeam.objects.get_or_create(name=f"服务队{side.tag}", area=side.community)[0]


def _activity(side):
    start = timezone.now() + dt.timedelta(days=1)
    return Activity.objects.get_or_create(
        title=f"活动{side.tag}",
        defaults=dict(
            kind="volunteer",
            area=side.community,
            place="中心",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            signup_opens_at=start - dt.timedelta(days=2),
            signup_closes_at=start,
            cancel_until=start,
            capacity=5,
            hours=2,
        ),
    )[0]


def _signup(side):
    return Signup.objects.get_or_create(
        activity=_activity(side),
        volunteer=_volunteer(side),
        defaults={"status": "confirmed", "signed_up_at": timezone.now()},
    )[0]


def _recruitment(side):
    return Recruitment.objects.get_or_create(
        team=_team(side),
        title=f"招募{side.tag}",
        defaults={"slots": 2, "closes_at": timezone.now() + dt.timedelta(days=2)},
    )[0]


BUILDERS = {
    "activities.activityevent": lambda s: ActivityEvent.objects.create(
        action="publish",
        area=s.community,
        activity=_activity(s),
        object_type="activities.activity",
        object_id=str(_activity(s).pk),
    ),
    "activities.volunteer": _volunteer,
    "activities.volunteerteam": _team,
    "activities.activity": _activity,
    "activities.signup": _signup,
    "activities.recruitment": _recruitment,
    "activities.recruitmentapplication": lambda s: RecruitmentApplication.objects.create(
        recruitment=_recruitment(s), volunteer=_volunteer(s)
    ),
    "activities.training": lambda s: Training.objects.create(
        area=s.community, title=f"培训{s.tag}", held_on=dt.date(2026, 11, 1), hours=2
    ),
    "activities.hoursentry": lambda s: HoursEntry.objects.create(
        volunteer=_volunteer(s),
        signup=_signup(s),
        activity=_activity(s),
        area=s.community,
        hours=2,
        served_on=dt.date(2026, 11, 1),
    ),
}
