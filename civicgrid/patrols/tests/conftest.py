from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.orgs.choices import OrgKind
from civicgrid.orgs.models import PartyOrganization
from civicgrid.people.models import PartyMember
from civicgrid.web.tests.conftest import registry  # noqa: F401  (a fixture)


@pytest.fixture
def branch(tiny):
    return PartyOrganization.objects.create(
        name="东门第一网格党支部",
        kind=OrgKind.GRID_BRANCH,
        area=tiny.community_a,
        grid=tiny.grid_a1,
    )


@pytest.fixture
def worker_member(tiny, branch):
    """worker_a1 is also a party member (points go to the member)."""
    return PartyMember.objects.create(
        name="网格员党员",
        gender="M",
        organization=branch,
        area=tiny.community_a,
        grid=tiny.grid_a1,
        user=tiny.worker_a1,
    )


@pytest.fixture
def item(db):
    from civicgrid.cases.models import MatterItem

    return MatterItem.objects.filter(active=True).order_by("code").first()


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def walk(
    start: dt.datetime,
    n: int,
    *,
    seq0: int = 0,
    lon0: float = 114.001,
    lat0: float = 23.001,
    step_deg: float = 0.0001,
    every_s: int = 10,
) -> list[dict]:
    """n fixes walking east from (lon0, lat0): ~10 m per fix, one fix every 10 s."""
    return [
        {
            "seq": seq0 + i,
            "lat": lat0,
            "lon": lon0 + (seq0 + i) * step_deg,
            "t": ms(start + dt.timedelta(seconds=(seq0 + i) * every_s)),
            "acc": 8,
        }
        for i in range(n)
    ]


def backdate(patrol, minutes: int):
    """Make an open patrol look as if it started ``minutes`` ago."""
    patrol.started_at = timezone.now() - dt.timedelta(minutes=minutes)
    patrol.save(update_fields=["started_at"])
    return patrol
