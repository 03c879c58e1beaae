"""Builders for the project-wide scoping test (civicgrid/orgs/tests/test_scoping_all_models.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from civicgrid.resources.choices import (
    BookerKind,
    BookingEventKind,
    BookingStatus,
    CentreLevel,
    ResourceKind,
    SkillTag,
)
from civicgrid.resources.models import Booking, BookingEvent, Resource, ServiceCentre, Skill


def _resource(s):
    return Resource.objects.get_or_create(
        name=f"会议室{s.tag}",
        defaults={"kind": ResourceKind.MEETING_ROOM, "area": s.community, "grid": s.grid},
    )[0]


def _booking(s):
    start = timezone.now() + dt.timedelta(days=2)
    return Booking.objects.get_or_create(
        resource=_resource(s),
        defaults={
            "start": start,
            "end": start + dt.timedelta(hours=1),
            "status": BookingStatus.APPROVED,
            "booker_kind": BookerKind.STAFF,
            "booker": s.tiny.staff_a,
            "booker_name": "x",
            "purpose": "会议",
            "attendees": 3,
        },
    )[0]


BUILDERS = {
    "resources.resource": _resource,
    "resources.booking": _booking,
    "resources.bookingevent": lambda s: BookingEvent.objects.create(
        booking=_booking(s), kind=BookingEventKind.REQUESTED
    ),
    "resources.servicecentre": lambda s: ServiceCentre.objects.create(
        name=f"中心{s.tag}", level=CentreLevel.COMPOUND, area=s.community, grid=s.grid
    ),
    "resources.skill": lambda s: Skill.objects.create(
        party_member=s.member(), tag=SkillTag.LEGAL, area=s.community, grid=s.grid
    ),
}
