import pytest

from civicgrid.cases.tests.conftest import loop  # noqa: F401  (a fixture)
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user
from civicgrid.web.tests.conftest import Registry


@pytest.fixture
def reg(tiny):
    """The registry (members A and B, units A and B) plus logins: member A and B sign in,
    a unit contact for unit A, and an organisation-department user over the county."""
    r = Registry(tiny)
    r.member_a_user = make_user(username="13700137000")
    r.member_a.user = r.member_a_user
    r.member_a.save(update_fields=["user"])
    r.member_b_user = make_user(username="13600136000")
    r.member_b.user = r.member_b_user
    r.member_b.save(update_fields=["user"])
    r.unit_contact = make_user(Role.UNIT_CONTACT, unit=r.unit_a, username="unit_a_contact")
    r.orgdept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="orgdept")
    return r
