"""Point → grid: inside, on an edge, outside (nearest, in metres), empty, rebuilt on change."""

import math

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box, mapping

from civicgrid.geo import locator as locator_module
from civicgrid.geo import services
from civicgrid.geo.locator import Locator, build_locator, get_locator, invalidate_locator, locate
from civicgrid.geo.models import Grid
from civicgrid.testing.factories import square

from .helpers import M_PER_DEG

pytestmark = pytest.mark.django_db


def test_point_inside_a_grid(tiny):
    found = locate(114.005, 23.005)
    assert (found.grid_id, found.inside) == (tiny.grid_a1.pk, True)
    assert locate(114.035, 23.001).grid_id == tiny.grid_b2.pk


def test_point_on_a_shared_edge_goes_to_the_smaller_code(tiny):
    for _ in range(3):  # deterministic, whatever the tree's order
        invalidate_locator()
        assert locate(114.01, 23.005).grid_id == tiny.grid_a1.pk  # G-A1 | G-A2
        assert locate(114.02, 23.005).grid_id == tiny.grid_a2.pk  # G-A2 | G-B1
    assert locate(114.00, 23.00).grid_id == tiny.grid_a1.pk  # a corner on the outer boundary


def test_micro_grid_is_preferred_over_its_comprehensive_grid(tiny):
    micro = services.grid_create(
        actor=None,
        code="G-A1-1",
        name="微",
        community=tiny.community_a,
        kind=Grid.Kind.MICRO,
        parent=tiny.grid_a1,
        geometry=square(114.002, 23.002, 0.002),
    )
    assert locate(114.003, 23.003).grid_id == micro.pk
    assert locate(114.002, 23.003).grid_id == micro.pk  # on the micro-grid's edge
    assert locate(114.008, 23.008).grid_id == tiny.grid_a1.pk


def test_point_outside_every_grid_gets_the_nearest_and_metres(tiny):
    lat = 23.005
    found = locate(113.999, lat)  # 0.001° west of 东门第一网格
    assert (found.grid_id, found.inside, found.nearest_grid_id) == (None, False, tiny.grid_a1.pk)
    assert found.distance_m == pytest.approx(
        0.001 * M_PER_DEG * math.cos(math.radians(lat)), abs=0.1
    )
    north = locate(114.035, 23.012)  # 0.002° north of 西门第二网格
    assert north.nearest_grid_id == tiny.grid_b2.pk
    assert north.distance_m == pytest.approx(0.002 * M_PER_DEG, abs=0.1)


def test_nearest_is_measured_in_metres_not_degrees():
    # At 60° N a degree of longitude is half a degree of latitude: the grid 1° east is nearer
    # (≈55.7 km) than the grid 0.8° north (≈89 km), though further in degrees.
    east = mapping(box(11.0, 59.5, 12.0, 60.5))
    north = mapping(box(9.5, 60.8, 10.5, 61.8))
    loc = Locator([(1, east, "comprehensive"), (2, north, "comprehensive")])
    found = loc.locate(10.0, 60.0)
    assert found.nearest_grid_id == 1
    assert found.distance_m == pytest.approx(M_PER_DEG * math.cos(math.radians(60)), rel=1e-3)


def test_no_grids_at_all(db):
    found = locate(114.0, 23.0)
    assert (found.grid_id, found.inside, found.nearest_grid_id, found.distance_m) == (
        None,
        False,
        None,
        None,
    )
    assert len(build_locator()) == 0
    assert Locator([]).locate_many(np.empty((0, 2))) == []


def test_rebuilt_after_a_grid_change_through_the_services(tiny):
    assert locate(114.015, 23.005).grid_id == tiny.grid_a2.pk
    services.grid_update(actor=None, grid=tiny.grid_a1, geometry=square(114.00, 23.00, 0.02))
    services.grid_update(actor=None, grid=tiny.grid_a2, geometry=square(114.05, 23.05, 0.001))
    assert locate(114.015, 23.005).grid_id == tiny.grid_a1.pk
    new = services.grid_create(
        actor=None,
        code="G-Z",
        name="新",
        community=tiny.community_b,
        geometry=square(114.06, 23.06, 0.001),
    )
    assert locate(114.0605, 23.0605).grid_id == new.pk


def test_other_servers_changes_are_seen_at_the_stamp_check(tiny, monkeypatch):
    """A write by another process (no in-process invalidation here) shows after RECHECK_SECONDS."""
    assert locate(114.035, 23.005).grid_id == tiny.grid_b2.pk
    Grid.objects.filter(pk=tiny.grid_b2.pk).update(
        geometry=square(115, 24, 0.01), updated_at=timezone.now()
    )
    assert locate(114.035, 23.005).grid_id == tiny.grid_b2.pk  # cached, within the interval
    monkeypatch.setattr(locator_module, "RECHECK_SECONDS", 0.0)
    found = locate(114.035, 23.005)
    assert not found.inside and found.nearest_grid_id == tiny.grid_b1.pk


def test_the_same_locator_is_reused_while_nothing_changes(tiny, monkeypatch):
    first = get_locator()
    monkeypatch.setattr(locator_module, "RECHECK_SECONDS", 0.0)
    assert get_locator() is first  # checked the stamp, found it unchanged
    Grid.objects.filter(pk=tiny.grid_b2.pk).delete()
    assert get_locator() is not first and len(get_locator()) == 3


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.floats(113.99, 114.05), st.floats(22.99, 23.02)), min_size=1, max_size=40)
)
def test_locate_many_equals_locate(tiny, points):
    loc = get_locator()
    many = loc.locate_many(np.array(points))
    assert many == [loc.locate(x, y) for x, y in points]
    for (x, y), found in zip(points, many, strict=True):
        if found.inside:
            g = Grid.objects.get(pk=found.grid_id)
            assert g.min_x <= x <= g.max_x and g.min_y <= y <= g.max_y
        else:
            assert not (114.0 <= x <= 114.04 and 23.0 <= y <= 23.01)
            assert found.distance_m > 0
