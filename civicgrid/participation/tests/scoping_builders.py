"""Scoping builders for the participation models (see orgs/tests/test_scoping_all_models.py)."""

import datetime as dt

from django.utils import timezone

from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.participation.models import (
    AgendaItem,
    AssessmentPublication,
    Compound,
    Deputy,
    Inspection,
    Meeting,
    MeetingInvitee,
    Milestone,
    ParticipationEvent,
    Project,
    PropertyCompanyProfile,
    Proposal,
    Vote,
)


def _company(side):
    return Unit.objects.get_or_create(
        name=f"物业{side.tag}", defaults={"kind": UnitKind.PROPERTY_COMPANY, "area": side.community}
    )[0]


def _meeting(side):
    return Meeting.objects.get_or_create(
        title=f"议事{side.tag}",
        defaults={"kind": "red_hall", "area": side.community, "scheduled_at": timezone.now()},
    )[0]


def _vote(side):
    now = timezone.now()
    return Vote.objects.get_or_create(
        title=f"票决{side.tag}",
        defaults={"area": side.community, "opens_at": now, "closes_at": now + dt.timedelta(days=1)},
    )[0]


def _project(side):
    return Project.objects.get_or_create(
        title=f"项目{side.tag}",
        defaults={
            "vote": _vote(side),
            "description": "x",
            "cost": 1,
            "area": side.community,
            "origin": "resident",
            "chosen": True,
        },
    )[0]


BUILDERS = {
    "participation.meeting": _meeting,
    "participation.meetinginvitee": lambda s: MeetingInvitee.objects.create(
        meeting=_meeting(s), kind="resident", name=f"居民{s.tag}"
    ),
    "participation.proposal": lambda s: Proposal.objects.create(
        area=s.community, title="t", text="x"
    ),
    "participation.agendaitem": lambda s: AgendaItem.objects.create(
        meeting=_meeting(s), title="t", origin="staff"
    ),
    "participation.participationevent": lambda s: ParticipationEvent.objects.create(
        area=s.community, action="x", object_type="meeting", object_id=1
    ),
    "participation.propertycompanyprofile": lambda s: PropertyCompanyProfile.objects.create(
        unit=_company(s)
    ),
    "participation.compound": lambda s: Compound.objects.create(
        name=f"小区{s.tag}", community=s.community, company=_company(s)
    ),
    "participation.inspection": lambda s: Inspection.objects.create(
        company=_company(s), month=dt.date(2026, 10, 1)
    ),
    "participation.assessmentpublication": lambda s: AssessmentPublication.objects.create(
        area=s.community, month=dt.date(2026, 10, 1)
    ),
    "participation.vote": _vote,
    "participation.project": _project,
    "participation.milestone": lambda s: Milestone.objects.create(
        project=_project(s), title="t", progress=10, reached_on=dt.date(2026, 10, 1)
    ),
    "participation.deputy": lambda s: Deputy.objects.create(
        vote=_vote(s), name=f"代表{s.tag}", code_hash=f"hash-{s.tag}"
    ),
}
