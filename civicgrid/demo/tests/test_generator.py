import itertools

import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice
from shapely.geometry import shape

from civicgrid.core import crypto
from civicgrid.core.validators import (
    birth_date_from_id,
    gender_from_id,
    id_check_digit,
    validate_id_number,
    validate_phone,
)
from civicgrid.demo.generator import generate
from civicgrid.geo.locator import Locator
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import OrgKind
from civicgrid.orgs.models import PartyOrganization, RoleAssignment, Unit
from civicgrid.people import services as people_services
from civicgrid.people.models import (
    Building,
    Household,
    InformationOfficer,
    LandlordLink,
    PartyMember,
    Resident,
    Visit,
)
from civicgrid.people.selectors import resident_search

from .conftest import SEED


def test_tiny_scale_shape(demo):
    assert Area.objects.filter(level=Area.Level.COMMUNITY).count() == 2
    assert Grid.objects.count() == 4
    assert Resident.objects.count() >= 160
    assert summary_matches_db(demo)
    # Every resident lives in a household of the same grid, in a building of that grid.
    for r in Resident.objects.select_related("household__building"):
        assert r.household.grid_id == r.grid_id == r.household.building.grid_id
        assert r.area_id == r.household.area_id
    assert PartyMember.objects.filter(is_central_household=True).exists()
    for officer in InformationOfficer.objects.select_related("central_household"):
        assert officer.central_household.is_central_household
        assert officer.households.exists()
        assert not PartyMember.objects.filter(resident=officer.resident).exists()


def summary_matches_db(summary) -> bool:
    return (
        summary.counts["residents"] == Resident.objects.count()
        and summary.counts["households"] == Household.objects.count()
        and summary.counts["party_members"] == PartyMember.objects.count()
    )


def test_identity_numbers_are_valid_and_consistent(demo):
    residents = list(Resident.objects.all())
    ids = [r.id_number for r in residents]
    assert len(set(ids)) == len(ids)
    for r in residents:
        assert validate_id_number(r.id_number) == r.id_number
        assert r.id_number.startswith("4413")
        assert birth_date_from_id(r.id_number) == r.birth_date
        assert gender_from_id(r.id_number) == r.gender
        if r.phone:
            assert validate_phone(r.phone) == r.phone
    assert sum(1 for r in residents if r.phone) > len(residents) // 2


def test_pii_is_encrypted_at_rest_with_blind_indexes(demo):
    r = Resident.objects.exclude(phone="").order_by("id").first()
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [r.pk])
        raw_id, raw_phone = cur.fetchone()
    assert r.id_number not in raw_id and r.phone not in raw_phone
    assert crypto.decrypt(raw_id) == r.id_number and crypto.decrypt(raw_phone) == r.phone
    assert r.id_number_index == crypto.blind_index(r.id_number)
    assert r.phone_index == crypto.blind_index(r.phone)
    admin = get_user_model().objects.get(username="demo_admin")
    assert list(resident_search(user=admin, q=r.phone)) == [r]
    assert list(resident_search(user=admin, q=r.id_number)) == [r]
    member = PartyMember.objects.select_related("resident").first()
    assert member.id_number == member.resident.id_number
    assert member.id_number_index == crypto.blind_index(member.id_number)


def _assert_tiles(parent: dict, children: list[dict]) -> None:
    p = shape(parent)
    parts = [shape(c) for c in children]
    assert all(part.is_valid and part.geom_type == "Polygon" and part.area > 0 for part in parts)
    union = shapely.union_all(parts)
    assert union.area == pytest.approx(p.area, rel=1e-9)
    assert union.symmetric_difference(p).area < p.area * 1e-9
    for a, b in itertools.combinations(parts, 2):
        assert a.intersection(b).area < p.area * 1e-12


def test_polygons_tile_their_parents(demo):
    county = Area.objects.get(level=Area.Level.COUNTY)
    streets = list(Area.objects.filter(parent=county))
    _assert_tiles(county.geometry, [s.geometry for s in streets])
    for street in streets:
        communities = list(Area.objects.filter(parent=street))
        _assert_tiles(street.geometry, [c.geometry for c in communities])
        for community in communities:
            grids = list(Grid.objects.filter(community=community))
            assert len(grids) == 2
            _assert_tiles(community.geometry, [g.geometry for g in grids])
    for obj in [*Area.objects.all(), *Grid.objects.all()]:
        assert (obj.min_x, obj.min_y, obj.max_x, obj.max_y) == pytest.approx(
            shape(obj.geometry).bounds
        )


def test_locator_finds_every_building_and_unit_in_its_own_grid(demo):
    locator = Locator(list(Grid.objects.values_list("id", "geometry", "kind")))
    buildings = list(Building.objects.values_list("lon", "lat", "grid_id"))
    units = list(Unit.objects.exclude(grid=None).values_list("lon", "lat", "grid_id"))
    for rows in (buildings, units):
        coords = np.array([(x, y) for x, y, _g in rows])
        found = locator.ids[locator.locate_indexes(coords)]
        assert list(found) == [g for _x, _y, g in rows]
    # Residents live in those buildings: each one's grid is its building's grid.
    assert not Resident.objects.exclude(grid_id=F("household__building__grid_id")).exists()


def test_party_organisation_tree_has_paths_and_all_levels(demo):
    orgs = {o.pk: o for o in PartyOrganization.objects.all()}
    for org in orgs.values():
        parent_path = orgs[org.parent_id].path if org.parent_id else "/"
        assert org.path == f"{parent_path}{org.pk}/"
    kinds = {o.kind for o in orgs.values()}
    assert set(OrgKind.values) - {OrgKind.COMMUNITY_BRANCH} <= kinds
    assert Unit.objects.filter(kind="department").count() == 20
    assert PartyMember.objects.filter(organization__kind=OrgKind.UNIT_ORGANIZATION).exists()


def test_staff_have_role_assignments_and_visits_exist(demo):
    grids = list(Grid.objects.all())
    for grid in grids:
        roles = set(RoleAssignment.objects.filter(grid=grid).values_list("role", flat=True))
        assert {"grid_chief", "grid_worker", "grid_worker_parttime", "grid_instructor"} <= roles
    assert Visit.objects.exists()
    assert Resident.objects.exclude(attention_level="green").exists()
    assert Resident.objects.filter(special_groups__isnull=False).exists()
    assert LandlordLink.objects.exists() or not Household.objects.filter(kind="rental").exists()


def _snapshot() -> dict:
    return {
        "areas": list(Area.objects.order_by("code").values_list("code", "name", "geometry")),
        "grids": list(Grid.objects.order_by("code").values_list("code", "name", "geometry")),
        "residents": [
            (r.name, r.id_number, r.phone, r.address, r.attention_level)
            for r in Resident.objects.order_by("id")
        ],
        "members": list(
            PartyMember.objects.order_by("id").values_list("name", "organization__name")
        ),
        "units": list(Unit.objects.order_by("id").values_list("name", "credit_code")),
        "staff": list(
            get_user_model().objects.order_by("username").values_list("username", "display_name")
        ),
        "totp": list(TOTPDevice.objects.order_by("user__username").values_list("key", flat=True)),
    }


def _wipe() -> None:
    for model in (
        Visit,
        LandlordLink,
        InformationOfficer,
        PartyMember,
        Resident,
        Household,
        Building,
        RoleAssignment,
        TOTPDevice,
    ):
        model.objects.all().delete()
    get_user_model().objects.all().delete()
    Unit.objects.update(party_organization=None)
    orgs = list(PartyOrganization.objects.values_list("pk", "path"))
    for depth in sorted({path.count("/") for _pk, path in orgs}, reverse=True):
        PartyOrganization.objects.filter(
            pk__in=[pk for pk, path in orgs if path.count("/") == depth]
        ).delete()
    Unit.objects.all().delete()
    Grid.objects.all().delete()
    for level in (Area.Level.COMMUNITY, Area.Level.STREET, Area.Level.COUNTY):
        Area.objects.filter(level=level).delete()


def test_same_seed_gives_same_county_and_another_seed_does_not(demo):
    first = _snapshot()
    _wipe()
    assert not Resident.objects.exists() and not Area.objects.exists()
    generate(scale="tiny", seed=SEED, progress=False)
    assert _snapshot() == first
    _wipe()
    generate(scale="tiny", seed=SEED + 1, progress=False)
    other = _snapshot()
    assert other["residents"] != first["residents"]
    assert other["grids"] != first["grids"]


def test_rows_written_in_bulk_leave_sequences_ready_for_services(demo):
    actor = get_user_model().objects.get(username="demo_admin")
    grid = Grid.objects.order_by("code").first()
    last = Resident.objects.order_by("-id").first()
    first17 = "44132219900101001"
    created = people_services.resident_create(
        actor=actor,
        name="测试居民",
        grid=grid,
        id_number=first17 + id_check_digit(first17),
        phone="13800000000",
    )
    assert created.pk > last.pk
