"""Factories for tests: a small, valid area tree with square grids, users with roles."""

from __future__ import annotations

import random

import factory
from django.contrib.auth import get_user_model

from civicgrid.core.validators import id_check_digit
from civicgrid.geo import services as geo_services
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment


def square(x0: float, y0: float, size: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]],
    }


def rect(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def valid_id_number(rng: random.Random | None = None, region: str = "441322") -> str:
    rng = rng or random.Random()
    first17 = f"{region}{rng.randint(1940, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first17 + id_check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("pass-word-123")


def make_user(role: str | None = None, *, area: Area | None = None, grid: Grid | None = None,
              unit=None, username: str | None = None, **kwargs):
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    if role:
        RoleAssignment.objects.create(user=user, role=role, area=area, grid=grid, unit=unit)
    return user


class TinyCounty:
    """County (1) > street (1) > communities A and B, each with two 0.01° square grids.

    Community A spans x 114.00–114.02, community B spans x 114.02–114.04; y 23.00–23.01.
    """

    def __init__(self):
        self.county = geo_services.area_create(actor=None, code="441322000000", name="测试县", level=Area.Level.COUNTY)
        self.street = geo_services.area_create(actor=None, code="441322001000", name="罗阳街道",
                                               level=Area.Level.STREET, parent=self.county)
        self.community_a = geo_services.area_create(
            actor=None, code="441322001001", name="东门社区", level=Area.Level.COMMUNITY, parent=self.street,
            geometry=rect(114.00, 23.00, 114.02, 23.01),
        )
        self.community_b = geo_services.area_create(
            actor=None, code="441322001002", name="西门社区", level=Area.Level.COMMUNITY, parent=self.street,
            geometry=rect(114.02, 23.00, 114.04, 23.01),
        )
        self.grid_a1 = geo_services.grid_create(actor=None, code="G-A1", name="东门第一网格",
                                                community=self.community_a, geometry=square(114.00, 23.00, 0.01))
        self.grid_a2 = geo_services.grid_create(actor=None, code="G-A2", name="东门第二网格",
                                                community=self.community_a, geometry=square(114.01, 23.00, 0.01))
        self.grid_b1 = geo_services.grid_create(actor=None, code="G-B1", name="西门第一网格",
                                                community=self.community_b, geometry=square(114.02, 23.00, 0.01))
        self.grid_b2 = geo_services.grid_create(actor=None, code="G-B2", name="西门第二网格",
                                                community=self.community_b, geometry=square(114.03, 23.00, 0.01))
        self.staff_a = make_user(Role.COMMUNITY_STAFF, area=self.community_a, username="staff_a")
        self.staff_b = make_user(Role.COMMUNITY_STAFF, area=self.community_b, username="staff_b")
        self.street_staff = make_user(Role.STREET_STAFF, area=self.street, username="street")
        self.worker_a1 = make_user(Role.GRID_WORKER, grid=self.grid_a1, username="worker_a1")
        self.parttime_a1 = make_user(Role.GRID_WORKER_PARTTIME, grid=self.grid_a1, username="parttime_a1")
