"""Fixtures: a meeting room in community A (owned by a school), a square in B, their users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.orgs import services as org_services
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.resources import services
from civicgrid.resources.choices import ResourceKind
from civicgrid.testing.factories import make_user

ALL_DAY = {d: [(dt.time(8, 0), dt.time(21, 0))] for d in range(7)}


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime ``days`` from today (local time) at hour:minute."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Res:
    def __init__(self, tiny):
        self.tiny = tiny
        self.unit_a = org_services.unit_create(
            actor=None,
            name="东门小学",
            kind=UnitKind.SCHOOL,
            area=tiny.community_a,
            grid=tiny.grid_a1,
        )
        self.unit_b = org_services.unit_create(
            actor=None, name="西门医院", kind=UnitKind.HOSPITAL, area=tiny.community_b
        )
        self.unit_user_a = make_user(Role.DEPARTMENT_HANDLER, unit=self.unit_a, username="school_a")
        self.unit_user_b = make_user(
            Role.DEPARTMENT_HANDLER, unit=self.unit_b, username="hospital_b"
        )
        self.room = services.resource_create(
            actor=None,
            name="东门小学会议室",
            kind=ResourceKind.MEETING_ROOM,
            area=tiny.community_a,
            grid=tiny.grid_a1,
            owner_unit=self.unit_a,
            capacity=30,
            lon=114.005,
            lat=23.005,
            hours=ALL_DAY,
            open_to_residents=True,
        )
        self.hall = services.resource_create(
            actor=None,
            name="东门社区党群活动中心",
            kind=ResourceKind.ACTIVITY_CENTRE,
            area=tiny.community_a,
            capacity=100,
            requires_approval=True,
            hours=ALL_DAY,
            lon=114.012,
            lat=23.004,
        )
        self.square_b = services.resource_create(
            actor=None,
            name="西门休闲广场",
            kind=ResourceKind.SQUARE,
            area=tiny.community_b,
            grid=tiny.grid_b1,
            capacity=300,
            hours=ALL_DAY,
            lon=114.025,
            lat=23.005,
        )
        self.private_b = services.resource_create(
            actor=None,
            name="西门社区内部会议室",
            kind=ResourceKind.MEETING_ROOM,
            area=tiny.community_b,
            capacity=12,
            public=False,
            hours=ALL_DAY,
        )
        self.resident = make_user(username="resident1", display_name="刘女士")
        from civicgrid.cases.models import PortalAccount

        PortalAccount.objects.create(user=self.resident, phone="13800138000", phone_index="idx-r1")


@pytest.fixture
def res(tiny):
    return Res(tiny)
