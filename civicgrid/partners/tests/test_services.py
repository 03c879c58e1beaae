import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases.models import Case
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import get_scope
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment
from civicgrid.orgs.services import role_assign
from civicgrid.partners import keys, services
from civicgrid.partners.choices import AUDIT_KEY_ISSUE, AUDIT_KEY_REVOKE, AUDIT_PARTNER_CREATE
from civicgrid.partners.models import ApiKey, Partner
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_partner_create_makes_a_service_account_with_the_partner_role(tiny, admin_user):
    partner = services.partner_create(
        actor=admin_user, name=" 12345 平台 ", area=tiny.street, note="市级热线"
    )
    assert partner.name == "12345 平台"
    assert partner.created_by == admin_user
    user = partner.user
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    ra = RoleAssignment.objects.get(user=user)
    assert (ra.role, ra.area, ra.active) == (Role.PARTNER, tiny.street, True)
    assert AuditLog.objects.filter(
        action=AUDIT_PARTNER_CREATE, object_id=str(partner.pk), actor=admin_user
    ).exists()


def test_partner_scope_is_its_subtree_for_view_and_report_only(tiny, partner):
    user = partner.user
    assert set(Area.objects.restrict(user).values_list("pk", flat=True)) == {tiny.community_a.pk}
    assert set(Grid.objects.restrict(user, "report")) == {tiny.grid_a1, tiny.grid_a2}
    for action in ("change", "reveal_pii", "import", "export", "admin"):
        assert get_scope(user, action).empty, action
    assert Case.objects.restrict(user, "change").count() == 0


@pytest.mark.parametrize("who", ["staff_a", "street_staff", "org_department", "area_admin"])
def test_only_system_administrators_manage_partners(tiny, who):
    users = {
        "org_department": lambda: make_user(Role.ORG_DEPARTMENT, area=tiny.county),
        "area_admin": lambda: make_user(Role.SYSTEM_ADMIN, area=tiny.street),
    }
    actor = users[who]() if who in users else getattr(tiny, who)
    with pytest.raises(PermissionDenied):
        services.partner_create(actor=actor, name="X", area=tiny.community_a)
    assert not Partner.objects.exists()
    partner = services.partner_create(actor=None, name="Y", area=tiny.community_a)
    with pytest.raises(PermissionDenied):
        services.key_issue(actor=actor, partner=partner, scopes=["open311"])
    assert not ApiKey.objects.exists()


def test_org_department_cannot_hand_out_the_partner_role(tiny):
    org = make_user(Role.ORG_DEPARTMENT, area=tiny.county)
    someone = make_user(username="someone")
    with pytest.raises(PermissionDenied):
        role_assign(actor=org, user=someone, role=Role.PARTNER, area=tiny.community_a)
    assert not RoleAssignment.objects.filter(user=someone).exists()


@pytest.mark.parametrize(
    "name,err",
    [("", ValidationFailed), ("x" * 101, ValidationFailed), ("市民热线平台", Conflict)],
)
def test_partner_create_rejects_bad_names(tiny, partner, name, err):
    before = (Partner.objects.count(), RoleAssignment.objects.count())
    with pytest.raises(err):
        services.partner_create(actor=None, name=name, area=tiny.community_a)
    assert (Partner.objects.count(), RoleAssignment.objects.count()) == before


def test_key_issue_returns_the_raw_key_once_and_stores_only_its_hash(partner, admin_user):
    key, raw = services.key_issue(
        actor=admin_user, partner=partner, scopes=["open311", "api:read", "open311"]
    )
    assert raw.startswith(f"cg_{key.prefix}_")
    assert len(key.prefix) == 8 and keys.split_key(raw) == key.prefix
    assert key.scopes == ["api:read", "open311"]
    assert key.key_hash == keys.hash_key(raw) and raw not in key.key_hash
    row = ApiKey.objects.get(pk=key.pk)
    stored = " ".join(str(v) for v in row.__dict__.values())
    assert keys.split_key(raw) in stored and raw not in stored
    log = AuditLog.objects.get(action=AUDIT_KEY_ISSUE, object_id=str(key.pk))
    assert log.actor == admin_user and log.detail["prefix"] == key.prefix
    assert raw not in str(log.detail)
    _, raw2 = services.key_issue(actor=admin_user, partner=partner, scopes="open311")
    assert raw2 != raw


@pytest.mark.parametrize(
    "scopes,expires",
    [
        ([], None),
        (["open311", "everything"], None),
        (["open311"], dt.timedelta(days=-1)),
    ],
)
def test_key_issue_rejects_bad_input(partner, scopes, expires):
    with pytest.raises(ValidationFailed):
        services.key_issue(
            actor=None,
            partner=partner,
            scopes=scopes,
            expires_at=timezone.now() + expires if expires else None,
        )
    assert not ApiKey.objects.exists()
    assert not AuditLog.objects.filter(action=AUDIT_KEY_ISSUE).exists()


def test_no_key_for_a_suspended_partner(partner, admin_user):
    services.partner_set_active(actor=admin_user, partner=partner, active=False)
    partner.refresh_from_db()
    partner.user.refresh_from_db()
    assert not partner.active and not partner.user.is_active
    with pytest.raises(ValidationFailed):
        services.key_issue(actor=admin_user, partner=partner, scopes=["open311"])


def test_key_revoke_is_audited_and_once_only(partner, admin_user):
    key, _raw = services.key_issue(actor=None, partner=partner, scopes=["open311"])
    services.key_revoke(actor=admin_user, key=key)
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.is_usable()
    assert AuditLog.objects.filter(action=AUDIT_KEY_REVOKE, object_id=str(key.pk)).count() == 1
    with pytest.raises(Conflict):
        services.key_revoke(actor=admin_user, key=key)
    assert AuditLog.objects.filter(action=AUDIT_KEY_REVOKE).count() == 1


def test_key_revoke_needs_an_administrator(tiny, partner):
    key, _raw = services.key_issue(actor=None, partner=partner, scopes=["open311"])
    with pytest.raises(PermissionDenied):
        services.key_revoke(actor=tiny.staff_a, key=key)
    key.refresh_from_db()
    assert key.revoked_at is None
