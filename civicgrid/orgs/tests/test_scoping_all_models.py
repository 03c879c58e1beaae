"""Scoping for every model: each concrete ScopedModel must keep rows inside the user's scope.

The test discovers every concrete subclass of ScopedModel. For each it needs a *builder*
that creates one row belonging to a given side (community A with grid A1, or community B
with grid B1). A model without a builder fails the test, so no new model can skip scoping.

Builders live in BUILDERS below; an app may also contribute builders for its own models in
``<app>/tests/scoping_builders.py`` exporting ``BUILDERS = {"app_label.modelname": fn}``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from civicgrid.core.scoping import ScopedModel
from civicgrid.geo import services as geo_services
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import OrgKind, Role, UnitKind
from civicgrid.orgs.models import PartyOrganization, RoleAssignment, Unit
from civicgrid.people.models import (
    Building,
    Household,
    InformationOfficer,
    LandlordLink,
    PartyMember,
    Resident,
    Visit,
)
from civicgrid.testing.factories import make_user, square

pytestmark = pytest.mark.django_db


@dataclass
class Side:
    """What a builder gets: the county fixture, the side's community and grid, a tag."""

    tiny: Any
    community: Area
    grid: Grid
    tag: str  # "a" or "b", for unique names and codes

    def unit(self) -> Unit:
        return Unit.objects.get_or_create(
            name=f"单位{self.tag}",
            defaults={"kind": UnitKind.FIRM, "area": self.community, "grid": self.grid},
        )[0]

    def org(self) -> PartyOrganization:
        return PartyOrganization.objects.get_or_create(
            name=f"网格支部{self.tag}",
            defaults={"kind": OrgKind.GRID_BRANCH, "area": self.community, "grid": self.grid},
        )[0]

    def resident(self) -> Resident:
        return Resident.objects.get_or_create(
            name=f"居民{self.tag}",
            defaults={"gender": "M", "area": self.community, "grid": self.grid},
        )[0]

    def member(self) -> PartyMember:
        return PartyMember.objects.get_or_create(
            name=f"党员{self.tag}",
            defaults={
                "gender": "F",
                "organization": self.org(),
                "area": self.community,
                "grid": self.grid,
                "is_central_household": True,
                "is_party_landlord": True,
            },
        )[0]

    def case(self):
        from civicgrid.cases.models import Case, MatterGroup, MatterItem

        group = MatterGroup.objects.get_or_create(
            code="T", defaults={"name": "测试", "domain": "livelihood"}
        )[0]
        item = MatterItem.objects.get_or_create(
            code="T01",
            defaults={
                "name": "测试事项",
                "group": group,
                "domain": "livelihood",
                "level": 3,
                "mode": "community_direct",
                "accept_hours": 2,
                "resolve_kind": "working_days",
                "resolve_days": 3,
            },
        )[0]
        return Case.objects.get_or_create(
            text=f"事件{self.tag}",
            defaults={
                "source": "patrol",
                "item": item,
                "level": 3,
                "mode": "community_direct",
                "area": self.community,
                "grid": self.grid,
            },
        )[0]


def _case_builders() -> dict:
    from civicgrid.cases import models as m

    def department(s: Side):
        # Departments are scoped by the county they serve; here each side's community stands in.
        unit = Unit.objects.create(name=f"部门{s.tag}", kind=UnitKind.DEPARTMENT, area=s.community)
        return m.Department.objects.create(unit=unit, department_type="housing", county=s.community)

    def whistle(s: Side):
        return m.WhistleCall.objects.create(
            case=s.case(), blown_by=s.tiny.street_staff, note="吹哨", report_hours=24
        )

    return {
        "cases.department": department,
        "cases.case": lambda s: s.case(),
        "cases.caseevent": lambda s: m.CaseEvent.objects.create(case=s.case(), action="note"),
        "cases.caseattachment": lambda s: m.CaseAttachment.objects.create(
            case=s.case(), file=f"cases/{s.tag}.jpg", content_type="image/jpeg", size=1
        ),
        "cases.casetask": lambda s: m.CaseTask.objects.create(
            case=s.case(), unit=s.unit(), role="lead", due=timezone.now()
        ),
        "cases.whistlecall": whistle,
        "cases.whistleresponse": lambda s: m.WhistleResponse.objects.create(
            call=whistle(s), unit=s.unit(), due=timezone.now()
        ),
        "cases.supervision": lambda s: m.Supervision.objects.create(
            case=s.case(), by=s.tiny.street_staff, note="督办"
        ),
    }


def _household(s: Side) -> Household:
    return Household.objects.create(number=f"H-{s.tag}", area=s.community, grid=s.grid)


BUILDERS = {
    # Areas have no level below community: the community itself is the row on its side.
    "geo.area": lambda s: s.community,
    # A micro-grid inside the side's grid: also checks that grid roles reach micro-grids.
    "geo.grid": lambda s: geo_services.grid_create(
        actor=None,
        code=f"M-{s.tag}",
        name=f"微网格{s.tag}",
        community=s.community,
        parent=s.grid,
        kind=Grid.Kind.MICRO,
        geometry=square(s.grid.min_x, s.grid.min_y, 0.001),
    ),
    "orgs.unit": lambda s: s.unit(),
    "orgs.partyorganization": lambda s: s.org(),
    "orgs.roleassignment": lambda s: RoleAssignment.objects.create(
        user=make_user(), role=Role.GRID_CHIEF, grid=s.grid
    ),
    "people.building": lambda s: Building.objects.create(
        name=f"楼{s.tag}", area=s.community, grid=s.grid
    ),
    "people.household": _household,
    "people.resident": lambda s: s.resident(),
    "people.visit": lambda s: Visit.objects.create(
        resident=s.resident(),
        area=s.community,
        grid=s.grid,
        visitor=s.tiny.street_staff,
        visited_at=timezone.now() - dt.timedelta(days=1),
        notes="走访",
    ),
    "people.partymember": lambda s: s.member(),
    "people.landlordlink": lambda s: LandlordLink.objects.create(
        party_member=s.member(), resident=s.resident(), kind="tenant"
    ),
    "people.informationofficer": lambda s: InformationOfficer.objects.create(
        resident=s.resident(), central_household=s.member(), area=s.community, grid=s.grid
    ),
}


def all_builders() -> dict:
    builders = dict(BUILDERS)
    if apps.is_installed("civicgrid.cases"):
        builders.update(_case_builders())
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tests.scoping_builders")
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith(config.name):
                continue
            raise
        builders.update(module.BUILDERS)
    return builders


def scoped_models() -> list:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, ScopedModel) and not m._meta.abstract),
        key=lambda m: m._meta.label_lower,
    )


def test_every_scoped_model_has_a_builder():
    missing = [
        m._meta.label_lower for m in scoped_models() if m._meta.label_lower not in all_builders()
    ]
    assert not missing, (
        f"Scoped models without a scoping test builder: {missing}. Add one to BUILDERS in "
        "civicgrid/orgs/tests/test_scoping_all_models.py or to <app>/tests/scoping_builders.py."
    )


def test_discovery_finds_the_known_models():
    labels = {m._meta.label_lower for m in scoped_models()}
    assert {
        "geo.area",
        "geo.grid",
        "orgs.unit",
        "people.resident",
        "people.informationofficer",
    } <= labels
    assert "core.auditlog" not in labels


@pytest.mark.parametrize("label", [m._meta.label_lower for m in scoped_models()])
def test_restrict_keeps_rows_in_scope(tiny, label):
    builder = all_builders().get(label)
    assert builder is not None, f"{label} has no scoping builder"
    model = apps.get_model(label)
    row_a = builder(Side(tiny, tiny.community_a, tiny.grid_a1, "a"))
    row_b = builder(Side(tiny, tiny.community_b, tiny.grid_b1, "b"))
    assert isinstance(row_a, model) and isinstance(row_b, model) and row_a.pk != row_b.pk
    ids = {row_a.pk, row_b.pk}

    def seen(user, action="view"):
        return set(
            model.objects.restrict(user, action).filter(pk__in=ids).values_list("pk", flat=True)
        )

    assert seen(tiny.staff_a) == {row_a.pk}
    assert seen(tiny.staff_b) == {row_b.pk}
    assert seen(tiny.street_staff) == ids
    assert seen(make_user(is_superuser=True)) == ids
    assert seen(make_user()) == set()
    assert seen(make_user(is_active=False, is_superuser=True)) == set()
    # A grid worker of A1 sees A1's rows where the model has a grid, nothing otherwise.
    assert seen(tiny.worker_a1) == ({row_a.pk} if model.scope_grid_field else set())
    # A part-time worker may look but not change.
    assert seen(tiny.parttime_a1, "change") == set()
