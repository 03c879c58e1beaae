import pytest

from civicgrid.geo.locator import invalidate_locator


@pytest.fixture(autouse=True)
def fresh_locator():
    """The locator is a process-wide cache: start and end every test without it."""
    invalidate_locator()
    yield
    invalidate_locator()


@pytest.fixture
def south(tiny):
    """A third community of TinyCounty, without grids: x 114.04–114.06, y 23.00–23.01."""
    from civicgrid.geo import services
    from civicgrid.geo.models import Area
    from civicgrid.testing.factories import rect

    return services.area_create(
        actor=None,
        code="441322001003",
        name="南门社区",
        level=Area.Level.COMMUNITY,
        parent=tiny.street,
        geometry=rect(114.04, 23.00, 114.06, 23.01),
    )
