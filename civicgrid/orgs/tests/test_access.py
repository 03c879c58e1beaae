"""View and change scopes for every role, capabilities, and can_act_on."""

import pytest

from civicgrid.core.scoping import Scope, get_scope
from civicgrid.orgs.access import can_act_on, has_capability, resolve_scope
from civicgrid.orgs.choices import CAPABILITIES, GRID_ROLES, UNIT_ROLES, Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.people.models import Resident
from civicgrid.people.services import resident_create
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "change", "reveal_pii", "import", "export", "admin")


def _holder(tiny, role: str):
    """A user holding ``role`` over community A (or its grid A1, or a unit located in A)."""
    if role in GRID_ROLES:
        return make_user(role, grid=tiny.grid_a1)
    if role in UNIT_ROLES:
        unit = Unit.objects.create(
            name="甲单位", kind=UnitKind.FIRM, area=tiny.community_a, grid=tiny.grid_a1
        )
        return make_user(role, unit=unit)
    return make_user(role, area=tiny.community_a)


@pytest.fixture
def residents(tiny):
    a = resident_create(actor=None, name="甲", grid=tiny.grid_a1, gender="M")
    b = resident_create(actor=None, name="乙", grid=tiny.grid_b1, gender="F")
    return a, b


def test_every_role_has_capabilities():
    assert set(CAPABILITIES) == set(Role.values)
    # A unit contact only acts for its unit on the party pages (reporting, claims, evaluation)
    # and reads no staff data: no capability at all, by design (docs/party.md).
    assert CAPABILITIES[Role.UNIT_CONTACT] == frozenset()
    assert all("view" in caps for role, caps in CAPABILITIES.items() if role != Role.UNIT_CONTACT)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_scope_per_role_and_action(tiny, residents, role, action):
    user = _holder(tiny, role)
    a, b = residents
    allowed = action in CAPABILITIES[role]
    assert has_capability(user, action) is allowed
    scope = resolve_scope(user, action)
    assert scope.roles == {role}
    assert scope.empty is not allowed
    seen = set(Resident.objects.restrict(user, action).values_list("pk", flat=True))
    if role in UNIT_ROLES:
        # A unit role sees rows linked to its unit; residents have none.
        assert seen == set()
    else:
        assert seen == ({a.pk} if allowed else set())
    assert can_act_on(user, a, action) is (allowed and role not in UNIT_ROLES)
    assert can_act_on(user, b, action) is False


def test_county_wide_admin_sees_all_scoped_admin_only_subtree(tiny, residents):
    root = make_user(Role.SYSTEM_ADMIN)
    assert get_scope(root, "change").everything
    local = make_user(Role.SYSTEM_ADMIN, area=tiny.community_b)
    assert set(Resident.objects.restrict(local, "change")) == {residents[1]}


def test_scope_is_cached_per_user_object(tiny, django_assert_num_queries):
    get_scope(tiny.staff_a)
    with django_assert_num_queries(0):
        assert isinstance(get_scope(tiny.staff_a), Scope)


def test_anonymous_and_inactive_users(tiny, residents):
    from django.contrib.auth.models import AnonymousUser

    assert not Resident.objects.restrict(AnonymousUser()).exists()
    assert not has_capability(AnonymousUser(), "view")
    tiny.staff_a.is_active = False
    assert not Resident.objects.restrict(tiny.staff_a).exists()


def test_can_act_on_mixed_roles(tiny, residents):
    """A user who may change in A1 but only view in B sees both, changes only A1."""
    user = make_user(Role.GRID_WORKER, grid=tiny.grid_a1)
    from civicgrid.orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role=Role.GRID_INSTRUCTOR, grid=tiny.grid_b1)
    a, b = residents
    assert can_act_on(user, a, "view") and can_act_on(user, b, "view")
    assert can_act_on(user, a, "change") and not can_act_on(user, b, "change")
    assert can_act_on(user, a, "reveal_pii") and not can_act_on(user, b, "reveal_pii")
    assert not can_act_on(user, a, "export")
