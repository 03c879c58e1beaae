import pytest

from civicgrid.cases import catalogue, services
from civicgrid.cases.choices import Domain, HandlingMode
from civicgrid.cases.models import MatterItem
from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_default_catalogue_is_loaded_and_covers_the_domains_tiers_and_modes():
    items = MatterItem.objects.filter(code__regex=r"^[A-Z]{2}\d{2}-\d{2}$")
    assert items.count() >= 70
    assert set(items.values_list("domain", flat=True)) == set(Domain.values)
    assert set(items.values_list("level", flat=True)) == {1, 2, 3}
    assert set(items.values_list("mode", flat=True)) == set(HandlingMode.values)
    assert all(i.admission_approved_by and i.keywords for i in items)
    assert catalogue.load_catalogue() == {
        "groups": catalogue.load_catalogue()["groups"],
        "created": 0,
        "updated": 0,
    }


def test_edit_makes_a_revision_and_never_moves_existing_deadlines(loop):
    admin = make_user(is_superuser=True)
    case = services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="x", lon=114.005, lat=23.005
    )
    due = case.resolve_due
    item = catalogue.matter_item_update(
        actor=admin, item=loop.item_community, resolve_days=15, note="放宽"
    )
    assert (
        item.revision == 2 and item.revisions.count() == 1
    )  # fixture item had no initial snapshot
    case.refresh_from_db()
    assert case.resolve_due == due and case.limits["resolve_days"] == 3
    newer = services.case_create(actor=loop.worker_a1, item=item, text="y", lon=114.005, lat=23.005)
    assert newer.limits["resolve_days"] == 15 and newer.resolve_due > due


def test_edit_rules(loop):
    admin = make_user(is_superuser=True)
    with pytest.raises(PermissionDenied):
        catalogue.matter_item_update(actor=loop.staff_a, item=loop.item_community, resolve_days=4)
    with pytest.raises(ValidationFailed) as exc:
        catalogue.matter_item_update(
            actor=admin, item=loop.item_community, mode="department_lead", lead_department=""
        )
    assert "lead_department" in exc.value.details
    with pytest.raises(ValidationFailed):
        catalogue.matter_item_update(actor=admin, item=loop.item_community, code="NEW")


def test_bad_catalogue_file_imports_nothing():
    data = {
        "groups": [{"code": "X", "name": "x", "domain": "ecology", "parent": None}],
        "items": [
            {
                "code": "X-1",
                "name": "a",
                "group": "X",
                "domain": "ecology",
                "level": 3,
                "mode": "community_direct",
                "resolve": {"kind": "same_day"},
            },
            {
                "code": "X-2",
                "name": "b",
                "group": "Y",
                "domain": "ecology",
                "level": 9,
                "mode": "nope",
                "resolve": {"kind": "same_day"},
            },
        ],
    }
    with pytest.raises(ValidationFailed) as exc:
        catalogue.load_catalogue(data=data)
    assert set(exc.value.details["X-2"]) == {"level", "mode", "group"}
    assert not MatterItem.objects.filter(code__startswith="X-").exists()
