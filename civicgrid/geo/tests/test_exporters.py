"""GeoJSON export: restricted to the user's scope, and importable again unchanged."""

import pytest

from civicgrid.geo import services
from civicgrid.geo.exporters import areas_geojson, grids_geojson
from civicgrid.geo.importers import import_geojson
from civicgrid.geo.models import Grid
from civicgrid.testing.factories import square

pytestmark = pytest.mark.django_db


def codes(fc):
    assert fc["type"] == "FeatureCollection"
    return {f["properties"]["code"] for f in fc["features"]}


def test_grids_follow_the_scope(tiny):
    assert codes(grids_geojson(user=tiny.staff_a)) == {"G-A1", "G-A2"}
    assert codes(grids_geojson(user=tiny.staff_b)) == {"G-B1", "G-B2"}
    assert codes(grids_geojson(user=tiny.street_staff)) == {"G-A1", "G-A2", "G-B1", "G-B2"}
    assert codes(grids_geojson(user=tiny.parttime_a1)) == {"G-A1"}
    assert codes(grids_geojson(user=None)) == set()


def test_grids_of_one_community_and_out_of_scope_community_is_empty(tiny):
    assert codes(grids_geojson(user=tiny.street_staff, community=tiny.community_b)) == {
        "G-B1",
        "G-B2",
    }
    assert codes(grids_geojson(user=tiny.staff_a, community=tiny.community_b)) == set()


def test_grid_properties_and_geometry(tiny):
    services.grid_create(
        actor=None,
        code="M1",
        name="微一",
        community=tiny.community_a,
        kind=Grid.Kind.MICRO,
        parent=tiny.grid_a1,
        geometry=square(114.001, 23.001, 0.002),
    )
    features = {f["properties"]["code"]: f for f in grids_geojson(user=tiny.staff_a)["features"]}
    assert features["M1"]["properties"] == {
        "id": Grid.objects.get(code="M1").pk,
        "code": "M1",
        "name": "微一",
        "kind": "micro",
        "community_code": "441322001001",
        "parent_code": "G-A1",
    }
    assert (
        features["G-A1"]["geometry"] == tiny.grid_a1.geometry
        and features["G-A1"]["type"] == "Feature"
    )


def test_areas_follow_the_scope(tiny):
    assert codes(areas_geojson(user=tiny.staff_a)) == {"441322001001"}
    assert codes(areas_geojson(user=tiny.street_staff)) == {
        "441322001000",
        "441322001001",
        "441322001002",
    }
    assert codes(areas_geojson(user=None)) == set()
    children = areas_geojson(user=tiny.street_staff, parent=tiny.street)
    assert codes(children) == {"441322001001", "441322001002"}
    first = next(f for f in children["features"] if f["properties"]["code"] == "441322001001")
    assert first["properties"] == {
        "id": tiny.community_a.pk,
        "code": "441322001001",
        "name": "东门社区",
        "level": 3,
        "parent_code": "441322001000",
    }


def test_export_then_import_is_a_no_op(tiny):
    grids = grids_geojson(user=tiny.street_staff)
    result = import_geojson(actor=tiny.street_staff, data=grids, kind="grids")
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 4, [])
    areas = areas_geojson(user=tiny.street_staff, parent=tiny.street)
    result = import_geojson(actor=tiny.street_staff, data=areas, kind="areas")
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])
