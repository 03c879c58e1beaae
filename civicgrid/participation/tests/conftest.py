"""A small world for the participation tests: the tiny county, a department, two property
companies (each with a handler) serving one compound each, and the default criteria."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases.models import Department, MatterItem
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.participation import services
from civicgrid.participation.models import Criterion
from civicgrid.testing.factories import make_user
from civicgrid.web.tests.conftest import registry  # noqa: F401  (a fixture)

CRITERIA = [("环境卫生", 20, "1.00"), ("设施设备", 20, "1.50"), ("服务规范", 30, "1.00")]


def ensure_catalogue():
    from civicgrid.cases.catalogue import load_catalogue

    if not MatterItem.objects.filter(code="MS01-02").exists():
        load_catalogue()


def ensure_criteria():
    """Exactly the three criteria above are active (the migration's defaults are set aside)."""
    Criterion.objects.update(active=False)
    for i, (name, max_score, weight) in enumerate(CRITERIA, 1):
        Criterion.objects.update_or_create(
            name=name,
            defaults={"max_score": max_score, "weight": weight, "position": i, "active": True},
        )


class World:
    def __init__(self, tiny):
        ensure_catalogue()
        ensure_criteria()
        self.tiny = tiny
        t = tiny
        self.dept = Unit.objects.create(
            name="县住房和城乡建设局", kind=UnitKind.DEPARTMENT, area=t.county
        )
        Department.objects.create(unit=self.dept, department_type="housing", county=t.county)
        self.dept_handler = make_user(Role.DEPARTMENT_HANDLER, unit=self.dept, username="zhujian")
        self.company_a = Unit.objects.create(
            name="东门红色物业", kind=UnitKind.PROPERTY_COMPANY, area=t.community_a, grid=t.grid_a1
        )
        self.company_b = Unit.objects.create(
            name="西门物业", kind=UnitKind.PROPERTY_COMPANY, area=t.community_b, grid=t.grid_b1
        )
        self.company_user = make_user(
            Role.DEPARTMENT_HANDLER, unit=self.company_a, username="wuye_a"
        )
        self.compound_a = services.compound_save(
            actor=t.staff_a,
            name="东门花园",
            community=t.community_a,
            households=200,
            grids=[t.grid_a1],
            company=self.company_a,
        )
        self.compound_b = services.compound_save(
            actor=t.staff_b,
            name="西门小区",
            community=t.community_b,
            households=100,
            grids=[t.grid_b1],
            company=self.company_b,
        )
        self.item_facility = MatterItem.objects.get(code="MS01-02")  # 小区公共设施损坏, community
        self.item_dispute = MatterItem.objects.get(code="ZA01-04")  # 物业服务纠纷, street
        self.item_other = MatterItem.objects.get(code="ZA01-01")  # 邻里纠纷, not property
        self.criteria = list(Criterion.objects.filter(active=True))
        self.month = timezone.localdate().replace(day=1)
        self.tomorrow = timezone.localdate() + dt.timedelta(days=1)

    def meeting(self, actor=None, **kw):
        t = self.tiny
        defaults = {
            "kind": "red_hall",
            "title": "东门花园红色议事厅(十二月)",
            "area": t.community_a,
            "compound": self.compound_a,
            "scheduled_at": timezone.now(),
            "place": "东门社区党群服务中心",
        }
        defaults.update(kw)
        return services.meeting_schedule(actor=actor or t.staff_a, **defaults)

    def full_scores(self, fraction=1.0):
        return {c.pk: c.max_score * fraction for c in self.criteria}


@pytest.fixture
def world(tiny):
    return World(tiny)
