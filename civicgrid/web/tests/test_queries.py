"""No N+1: each page costs the same number of queries with 1 row or with many, under a pin."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.orgs import services as org_services
from civicgrid.orgs.choices import OrgKind, UnitKind
from civicgrid.people import services as people_services
from civicgrid.people.models import Household, SpecialGroup

pytestmark = pytest.mark.django_db

# Page -> queries it runs, measured (session, user, scope and the page's own reads).
PINS = {
    "home": 14,  # + the 14-day rollup line (web/tests/test_home_charts.py)
    "area_tree": 9,
    "map": 4,
    "map_data": 9,
    "grid_detail": 15,
    "resident_list": 7,
    "resident_detail": 14,
    "party_org_tree": 6,
    "party_org_detail": 9,
    "party_member_list": 7,
    "party_member_detail": 9,
    "unit_list": 6,
    "unit_detail": 8,
}


def urls(registry) -> dict[str, str]:
    tiny = registry.tiny
    return {
        "home": reverse("home"),
        "area_tree": reverse("area_tree"),
        "map": reverse("map"),
        "map_data": reverse("map_data") + f"?area={tiny.community_a.pk}",
        "grid_detail": reverse("grid_detail", args=[tiny.grid_a1.pk]),
        "resident_list": reverse("resident_list") + "?q=张",
        "resident_detail": reverse("resident_detail", args=[registry.resident_a.pk]),
        "party_org_tree": reverse("party_org_tree"),
        "party_org_detail": reverse("party_org_detail", args=[registry.branch_a1.pk]),
        "party_member_list": reverse("party_member_list") + "?roles=central_household",
        "party_member_detail": reverse("party_member_detail", args=[registry.member_a.pk]),
        "unit_list": reverse("unit_list"),
        "unit_detail": reverse("unit_detail", args=[registry.unit_a.pk]),
    }


def grow(registry, n: int) -> None:
    """Add n of everything in grid A1: households, residents with tags and visits, members, units."""
    tiny = registry.tiny
    groups = list(SpecialGroup.objects.all()[:3])
    for i in range(n):
        household = Household.objects.create(
            number=f"A1-{i + 100}", area=tiny.community_a, grid=tiny.grid_a1
        )
        resident = people_services.resident_create(
            actor=None,
            name=f"张{i}号",
            grid=tiny.grid_a1,
            gender="M",
            household=household,
            special_groups=groups,
            phone=f"139{i:08d}",
        )
        people_services.resident_create(
            actor=None,
            name=f"张{i}妻",
            grid=tiny.grid_a1,
            gender="F",
            household=registry.household_a,
        )
        people_services.visit_record(
            actor=tiny.staff_a, resident=registry.resident_a, notes=f"第{i}次走访"
        )
        people_services.visit_record(actor=tiny.worker_a1, resident=resident, notes="走访")
        unit = org_services.unit_create(
            actor=None,
            name=f"东门商户{i}",
            kind=UnitKind.FIRM,
            area=tiny.community_a,
            grid=tiny.grid_a1,
        )
        org = org_services.party_organization_create(
            actor=None,
            name=f"东门楼宇党小组{i}",
            kind=OrgKind.BUILDING_GROUP,
            parent=registry.branch_a1,
            grid=tiny.grid_a1,
        )
        people_services.party_member_create(
            actor=None,
            name=f"党员{i}",
            organization=registry.branch_a1 if i % 2 else org,
            grid=tiny.grid_a1,
            gender="M",
            work_unit=registry.unit_a if i % 2 else unit,
            roles=["central_household"],
        )
        member = registry.member_a
        member.served_households.add(household)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user_attr", ["staff_a", "worker_a1"])
def test_queries_do_not_grow_with_rows(client, registry, user_attr):
    client.force_login(getattr(registry.tiny, user_attr))
    pages = urls(registry)
    if user_attr == "worker_a1":  # bound to a grid: the map starts at their grids
        pages["map_data"] = reverse("map_data")
    before = {name: count(client, url) for name, url in pages.items()}
    grow(registry, 6)
    after = {name: count(client, url) for name, url in pages.items()}
    assert after == before
    for name, n in after.items():
        assert n <= PINS[name], f"{name}: {n} queries > pin {PINS[name]}"


def test_grid_page_with_many_rows_stays_pinned(client, registry, django_assert_max_num_queries):
    grow(registry, 31)  # more than one page of residents and households
    client.force_login(registry.tiny.staff_a)
    with django_assert_max_num_queries(PINS["grid_detail"]):
        response = client.get(reverse("grid_detail", args=[registry.tiny.grid_a1.pk]))
    assert response.context["residents"].paginator.num_pages == 3  # 64 residents, 30 a page
    assert len(response.context["households"]) == 20
