"""Geo services: scope of the actor, geometry validity and normalisation, bounding boxes."""

import pytest

from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.geo import services
from civicgrid.geo.models import Area, Grid
from civicgrid.testing.factories import square

pytestmark = pytest.mark.django_db


def test_grid_create_needs_change_scope_over_the_community(tiny):
    with pytest.raises(NotFound):
        services.grid_create(actor=tiny.staff_a, code="G-B9", name="x", community=tiny.community_b)
    with pytest.raises(NotFound):  # view-only role
        services.grid_create(
            actor=tiny.parttime_a1, code="G-A9", name="x", community=tiny.community_a
        )
    grid = services.grid_create(
        actor=tiny.staff_a, code="G-A9", name="x", community=tiny.community_a
    )
    assert grid.community == tiny.community_a


def test_area_create_needs_scope_over_the_parent_and_system_for_top_level(tiny):
    with pytest.raises(NotFound):
        services.area_create(
            actor=tiny.staff_a, code="441322001009", name="x", level=3, parent=tiny.street
        )
    with pytest.raises(NotFound):
        services.area_create(actor=tiny.street_staff, code="441323000000", name="x", level=1)
    area = services.area_create(
        actor=tiny.street_staff, code="441322001009", name="x", level=3, parent=tiny.street
    )
    assert area.path == f"{tiny.street.path}{area.pk}/"


def test_updates_need_scope_over_the_row(tiny):
    with pytest.raises(NotFound):
        services.grid_update(actor=tiny.staff_a, grid=tiny.grid_b1, name="x")
    with pytest.raises(NotFound):
        services.area_update(actor=tiny.staff_a, area=tiny.community_b, name="x")
    services.area_update(actor=tiny.staff_a, area=tiny.community_a, name="东门")
    assert Area.objects.get(pk=tiny.community_a.pk).name == "东门"
    assert Grid.objects.get(pk=tiny.grid_b1.pk).name == "西门第一网格"


def test_invalid_geometry_is_refused_with_details(tiny):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[114, 23], [114.01, 23.01], [114.01, 23], [114, 23.01], [114, 23]]],
    }
    with pytest.raises(ValidationFailed) as info:
        services.grid_update(actor=None, grid=tiny.grid_a1, geometry=bowtie)
    assert "自相交" in info.value.details["geometry"][0]
    assert Grid.objects.get(pk=tiny.grid_a1.pk).geometry == tiny.grid_a1.geometry


def test_geometry_is_stored_normalised_with_its_box(tiny):
    three_d = {
        "type": "Polygon",
        "coordinates": [
            [[114.0, 23.0, 9], [114.01, 23.0, 9], [114.01, 23.01, 9], [114.0, 23.01, 9]]
        ],
    }  # 3-D and not closed
    grid = services.grid_create(
        actor=None, code="G-A9", name="x", community=tiny.community_a, geometry=three_d
    )
    stored = Grid.objects.get(pk=grid.pk)
    ring = stored.geometry["coordinates"][0]
    assert ring[0] == ring[-1] == [114.0, 23.0] and all(len(p) == 2 for p in ring)
    assert (stored.min_x, stored.min_y, stored.max_x, stored.max_y) == pytest.approx(
        (114.0, 23.0, 114.01, 23.01)
    )


def test_micro_grid_must_share_the_community(tiny):
    with pytest.raises(ValidationFailed):
        services.grid_create(
            actor=None,
            code="M",
            name="x",
            community=tiny.community_b,
            kind=Grid.Kind.MICRO,
            parent=tiny.grid_a1,
            geometry=square(114.001, 23.001, 0.001),
        )
