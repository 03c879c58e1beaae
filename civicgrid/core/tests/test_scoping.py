import pytest

from civicgrid.geo.models import Area, Grid
from civicgrid.people.models import Resident
from civicgrid.people.services import resident_create
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_community_staff_sees_only_own_community(tiny):
    assert set(Grid.objects.restrict(tiny.staff_a).values_list("code", flat=True)) == {
        "G-A1",
        "G-A2",
    }
    assert set(Area.objects.restrict(tiny.staff_a)) == {tiny.community_a}


def test_street_staff_sees_the_subtree(tiny):
    assert Grid.objects.restrict(tiny.street_staff).count() == 4
    assert set(Area.objects.restrict(tiny.street_staff)) == {
        tiny.street,
        tiny.community_a,
        tiny.community_b,
    }


def test_grid_worker_sees_only_own_grid(tiny):
    resident_create(actor=None, name="甲", grid=tiny.grid_a1, gender="M")
    resident_create(actor=None, name="乙", grid=tiny.grid_a2, gender="F")
    assert list(Resident.objects.restrict(tiny.worker_a1).values_list("name", flat=True)) == ["甲"]


def test_user_without_roles_sees_nothing(tiny):
    nobody = make_user()
    assert not Grid.objects.restrict(nobody).exists()
    assert not Area.objects.restrict(nobody).exists()


def test_superuser_sees_everything(tiny):
    admin = make_user(is_superuser=True)
    assert Grid.objects.restrict(admin).count() == 4


def test_change_scope_excludes_view_only_roles(tiny):
    assert Grid.objects.restrict(tiny.parttime_a1, "view").count() == 1
    assert Grid.objects.restrict(tiny.parttime_a1, "change").count() == 0


def test_inactive_assignment_grants_nothing(tiny):
    tiny.staff_a.role_assignments.update(active=False)
    assert not Grid.objects.restrict(tiny.staff_a).exists()
