import pytest

from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user


@pytest.fixture
def admin_user(tiny):
    """A county-wide system administrator (no area: the whole county)."""
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def partner(tiny):
    from civicgrid.partners import services

    return services.partner_create(actor=None, name="市民热线平台", area=tiny.community_a)
