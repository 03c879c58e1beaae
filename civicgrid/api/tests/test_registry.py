"""Every list endpoint is scoped like its page: another community's rows are not listed, and
their detail is the same 404 as a missing row. People's numbers are masked; reveals and
look-ups by number are audited."""

from __future__ import annotations

import pytest

from civicgrid.core.models import AuditLog

from .conftest import PHONE_A, PHONE_B, error_of

pytestmark = pytest.mark.django_db


def _ids(client, url, **params) -> set[int]:
    r = client.get(url, params)
    assert r.status_code == 200, r.content
    return {row["id"] for row in r.json()["results"]}


# (endpoint, the row of community A, the row of community B) as attribute paths on World.
SCOPED = [
    ("areas", "tiny.community_a", "tiny.community_b"),
    ("grids", "tiny.grid_a1", "tiny.grid_b1"),
    ("units", "unit_a", "unit_b"),
    ("party-organizations", "org_a", "org_b"),
    ("households", "household_a", "household_b"),
    ("residents", "resident_a", "resident_b"),
    ("party-members", "member_a", "member_b"),
    ("cases", "case_a", "case_b"),
]


def _get(world, path):
    obj = world
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize(("endpoint", "mine", "theirs"), SCOPED)
def test_lists_hold_only_the_callers_areas(world, as_user, endpoint, mine, theirs):
    client = as_user(world.tiny.staff_a)
    mine, theirs = _get(world, mine), _get(world, theirs)
    ids = _ids(client, f"/api/v1/{endpoint}/")
    assert mine.pk in ids and theirs.pk not in ids
    assert client.get(f"/api/v1/{endpoint}/{mine.pk}/").status_code == 200
    foreign = client.get(f"/api/v1/{endpoint}/{theirs.pk}/")
    missing = client.get(f"/api/v1/{endpoint}/987654/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    # And the other community's staff see it the other way round.
    other = as_user(world.tiny.staff_b)
    assert theirs.pk in _ids(other, f"/api/v1/{endpoint}/")
    assert mine.pk not in _ids(other, f"/api/v1/{endpoint}/")


def test_buildings_are_scoped(world, as_user):
    from civicgrid.people.models import Building

    a = Building.objects.create(name="1栋", area=world.tiny.community_a, grid=world.tiny.grid_a1)
    b = Building.objects.create(name="9栋", area=world.tiny.community_b, grid=world.tiny.grid_b1)
    client = as_user(world.tiny.staff_a)
    assert _ids(client, "/api/v1/buildings/") == {a.pk}
    assert client.get(f"/api/v1/buildings/{b.pk}/").status_code == 404


def test_grid_worker_sees_only_their_grid(world, as_user):
    client = as_user(world.tiny.worker_a1)
    assert _ids(client, "/api/v1/grids/") == {world.tiny.grid_a1.pk}
    residents = _ids(client, "/api/v1/residents/")
    assert world.resident_a.pk in residents and world.resident_a2.pk not in residents


def test_grid_has_geojson_geometry(world, as_user):
    r = as_user(world.tiny.staff_a).get(f"/api/v1/grids/{world.tiny.grid_a1.pk}/")
    geometry = r.json()["geometry"]
    assert geometry["type"] == "Polygon"
    assert geometry["coordinates"][0][0] == [114.0, 23.0]


def test_area_tree_with_counts(world, as_user):
    r = as_user(world.tiny.street_staff).get("/api/v1/areas/tree/")
    assert r.status_code == 200
    [street] = r.json()  # the county is above the street staff's scope
    assert street["name"] == "罗阳街道" and street["counts"]["grids"] == 4
    names = {c["name"]: c for c in street["children"]}
    assert set(names) == {"东门社区", "西门社区"}
    assert names["东门社区"]["counts"]["residents"] == 3
    assert {g["code"] for g in names["东门社区"]["grids"]} == {"G-A1", "G-A2"}
    tree_a = as_user(world.tiny.staff_a).get("/api/v1/areas/tree/").json()
    assert [n["name"] for n in tree_a] == ["东门社区"]


def test_resident_numbers_are_masked_everywhere(world, as_user):
    client = as_user(world.tiny.staff_a)
    listing = client.get("/api/v1/residents/")
    detail = client.get(f"/api/v1/residents/{world.resident_a.pk}/")
    for r in (listing, detail):
        assert PHONE_A not in r.content.decode() and world.id_a not in r.content.decode()
    assert detail.json()["phone_masked"] == "138****8000"
    assert detail.json()["id_number_masked"].startswith(world.id_a[:4])
    member = client.get(f"/api/v1/party-members/{world.member_a.pk}/").json()
    assert member["phone_masked"] == "137****7000" and "13700137000" not in str(member)


def test_reveal_goes_through_the_audited_service(world, as_user):
    client = as_user(world.tiny.staff_a)
    r = client.post(
        f"/api/v1/residents/{world.resident_a.pk}/reveal/", {"field": "phone"}, format="json"
    )
    assert r.status_code == 200
    assert r.json() == {"field": "phone", "value": PHONE_A}
    log = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (log.actor, log.field, log.object_id) == (
        world.tiny.staff_a,
        "phone",
        str(world.resident_a.pk),
    )


def test_reveal_needs_the_capability_and_the_area(world, as_user):
    parttime = as_user(world.tiny.parttime_a1)  # view only
    r = parttime.post(f"/api/v1/residents/{world.resident_a.pk}/reveal/", {"field": "phone"})
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    staff = as_user(world.tiny.staff_a)
    r = staff.post(f"/api/v1/residents/{world.resident_b.pk}/reveal/", {"field": "phone"})
    assert r.status_code == 404
    r = staff.post(f"/api/v1/residents/{world.resident_a.pk}/reveal/", {"field": "name"})
    assert r.status_code == 400 and "field" in error_of(r)["details"]
    assert PHONE_B not in r.content.decode()
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_party_member_reveal(world, as_user):
    r = as_user(world.tiny.staff_a).post(
        f"/api/v1/party-members/{world.member_a.pk}/reveal/", {"field": "phone"}, format="json"
    )
    assert r.json()["value"] == "13700137000"
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL, field="phone").count() == 1


def test_resident_search_like_the_page(world, as_user):
    client = as_user(world.tiny.staff_a)
    assert _ids(client, "/api/v1/residents/", q="张") == {
        world.resident_a.pk,
        world.resident_a2.pk,
    }
    assert _ids(client, "/api/v1/residents/", q="张", attention_level="yellow") == {
        world.resident_a.pk
    }
    assert not AuditLog.objects.filter(action=AuditLog.Action.SEARCH).exists()
    # By phone: exact, through the keyed-hash index, and audited (without the number).
    assert _ids(client, "/api/v1/residents/", q=PHONE_A) == {world.resident_a.pk}
    assert _ids(client, "/api/v1/residents/", q=PHONE_B) == set()  # community B's
    logs = AuditLog.objects.filter(action=AuditLog.Action.SEARCH)
    assert logs.count() == 2 and PHONE_A not in str(list(logs.values()))


def test_party_member_filters_like_the_page(world, as_user):
    client = as_user(world.tiny.street_staff)
    assert _ids(client, "/api/v1/party-members/", roles="central_household") == {world.member_a.pk}
    org = world.org_a.pk  # includes the grid branch below it
    assert _ids(client, "/api/v1/party-members/", organization=org) == {world.member_a.pk}
    # An organisation outside the caller's areas filters to nothing.
    assert _ids(as_user(world.tiny.staff_b), "/api/v1/party-members/", organization=org) == set()


def test_unit_filters_like_the_page(world, as_user):
    client = as_user(world.tiny.street_staff)
    assert _ids(client, "/api/v1/units/", kind="school") == {world.unit_a.pk}
    assert _ids(client, "/api/v1/units/", q="物业") == {world.unit_b.pk}


def test_departments_and_catalogue(world, as_user):
    client = as_user(world.tiny.staff_a)
    departments = client.get("/api/v1/departments/").json()["results"]
    assert [d["unit"] for d in departments] == [world.tiny.dept_unit.pk]
    items = client.get("/api/v1/catalogue/items/", {"q": "楼道堆物"}).json()["results"]
    assert world.tiny.item_community.pk in {i["id"] for i in items}
    groups = client.get("/api/v1/catalogue/groups/").json()
    assert groups["count"] >= 1


def test_me_lists_roles_and_capabilities(world, as_user):
    me = as_user(world.tiny.parttime_a1).get("/api/v1/auth/me/").json()
    assert [a["role"] for a in me["assignments"]] == ["grid_worker_parttime"]
    assert me["capabilities"] == ["view"]
