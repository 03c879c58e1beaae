"""Property tests: random tilings of a community validate clean; a jitter beyond the tolerance
is caught, and one within it is not."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.geo.validation import GridCandidate, validate_grids
from civicgrid.testing.factories import rect

from .helpers import deg_lat, deg_lon

pytestmark = pytest.mark.django_db

X0, Y0, X1, Y1 = 114.04, 23.00, 114.06, 23.01  # the `south` community
TOL = 5.0
HYPO = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def cuts(lo, hi):
    """Sorted cut positions strictly inside (lo, hi), at least ~60 m apart."""
    steps = st.lists(st.integers(1, 19), unique=True, max_size=4)
    return steps.map(lambda ks: [lo] + [lo + (hi - lo) * k / 20 for k in sorted(ks)] + [hi])


@st.composite
def tilings(draw):
    """Columns cut at random x, each column cut at its own random y: a guillotine tiling."""
    xs = draw(cuts(X0, X1))
    tiles = []
    for a, b in zip(xs, xs[1:], strict=False):
        ys = draw(cuts(Y0, Y1))
        tiles += [(a, c, b, d) for c, d in zip(ys, ys[1:], strict=False)]
    return tiles


def candidates(tiles):
    return [
        GridCandidate(
            key=f"T{i}",
            code=f"T{i}",
            name=f"网格{i}",
            community_code="441322001003",
            geometry=rect(*t),
        )
        for i, t in enumerate(tiles)
    ]


def grow(tile, metres):
    x0, y0, x1, y1 = tile
    dx, dy = deg_lon(metres), deg_lat(metres)
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


@HYPO
@given(tiles=tilings())
def test_random_tilings_validate_clean(south, tiles):
    assert validate_grids(candidates(tiles), tolerance_m=TOL) == []


@HYPO
@given(tiles=tilings(), data=st.data())
def test_a_jitter_beyond_the_tolerance_is_caught(south, tiles, data):
    i = data.draw(st.integers(0, len(tiles) - 1))
    metres = data.draw(st.floats(2 * TOL, 200))
    tiles = tiles[:i] + [grow(tiles[i], metres)] + tiles[i + 1 :]
    errors = validate_grids(candidates(tiles), tolerance_m=TOL)
    assert errors, tiles[i]
    assert {e.field for e in errors} == {"geometry"}
    # the grown tile is named: as the feature in error, or as the grid it overlaps
    assert any(e.key == f"T{i}" or f"『网格{i}』" in e.reason for e in errors)


@HYPO
@given(tiles=tilings(), data=st.data())
def test_a_jitter_within_the_tolerance_is_accepted(south, tiles, data):
    i = data.draw(st.integers(0, len(tiles) - 1))
    # The strip shared with a neighbour is `metres` wide; a grown corner sticks out √2 times that.
    metres = data.draw(st.floats(0.1, 0.7 * TOL))
    tiles = tiles[:i] + [grow(tiles[i], metres)] + tiles[i + 1 :]
    assert validate_grids(candidates(tiles), tolerance_m=TOL) == []
