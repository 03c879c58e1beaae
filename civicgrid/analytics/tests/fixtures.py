"""Fixtures shared by the analytics and duplicate tests: the tiny county with a small
catalogue (two groups), staff in either community and over the street, a resident."""

from __future__ import annotations

import pytest

from civicgrid.cases.choices import HandlingMode, ResolveKind, Tier
from civicgrid.cases.models import MatterGroup, MatterItem
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user


def _item(code, name, group, **kw):
    params = {
        "code": code,
        "name": name,
        "group": group,
        "domain": group.domain,
        "level": Tier.COMMUNITY,
        "mode": HandlingMode.COMMUNITY_DIRECT,
        "accept_hours": 2,
        "resolve_kind": ResolveKind.WORKING_DAYS,
        "resolve_days": 3,
    }
    params.update(kw)
    return MatterItem.objects.create(**params)


@pytest.fixture
def world(tiny):
    roads = MatterGroup.objects.create(code="TR", name="市政设施", domain="livelihood")
    clean = MatterGroup.objects.create(code="TC", name="环境卫生", domain="ecology")
    tiny.lamp = _item("TR01-01", "路灯损坏", roads)
    tiny.manhole = _item("TR01-02", "井盖缺失", roads)
    tiny.garbage = _item("TC01-01", "垃圾堆放", clean)
    tiny.county_staff = make_user(Role.STREET_STAFF, area=tiny.county, username="county")
    tiny.resident = make_user(username="resident1")
    return tiny
