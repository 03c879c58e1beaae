import pytest

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.geo.models import Grid
from civicgrid.orgs import services
from civicgrid.orgs.access import has_capability
from civicgrid.orgs.choices import OrgKind, Role, UnitKind
from civicgrid.orgs.models import PartyOrganization, RoleAssignment
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(tiny):
    """Street working committee > community big committee (A) > grid branch (A1) > building group."""
    s = services
    tiny.swc = s.party_organization_create(
        actor=None, name="罗阳街道大工委", kind=OrgKind.STREET_WORKING_COMMITTEE, area=tiny.street
    )
    tiny.cbc_a = s.party_organization_create(
        actor=None,
        name="东门社区大党委",
        kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
        parent=tiny.swc,
        area=tiny.community_a,
    )
    tiny.gb_a1 = s.party_organization_create(
        actor=tiny.staff_a,
        name="东门第一网格党支部",
        kind=OrgKind.GRID_BRANCH,
        parent=tiny.cbc_a,
        grid=tiny.grid_a1,
    )
    tiny.bg_a1 = s.party_organization_create(
        actor=tiny.staff_a,
        name="1栋党小组",
        kind=OrgKind.BUILDING_GROUP,
        parent=tiny.gb_a1,
        grid=tiny.grid_a1,
    )
    tiny.org_dept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="zuzhibu")
    return tiny


# ---------------------------------------------------------------- party organisation tree
def test_paths_are_materialised_like_area_paths(tree):
    assert tree.swc.path == f"/{tree.swc.pk}/"
    assert tree.bg_a1.path == f"{tree.swc.path}{tree.cbc_a.pk}/{tree.gb_a1.pk}/{tree.bg_a1.pk}/"
    subtree = PartyOrganization.objects.filter(path__startswith=tree.cbc_a.path)
    assert set(subtree) == {tree.cbc_a, tree.gb_a1, tree.bg_a1}
    assert tree.gb_a1.area == tree.community_a  # area taken from the grid


@pytest.mark.parametrize(
    ("kind", "parent_attr", "field"),
    [
        (OrgKind.BUILDING_GROUP, "cbc_a", "parent"),  # building group must sit under a grid branch
        (OrgKind.COMMUNITY_BIG_COMMITTEE, "gb_a1", "parent"),
        (OrgKind.CENTRAL_HOUSEHOLD, "swc", "parent"),
        (OrgKind.STREET_WORKING_COMMITTEE, "cbc_a", "parent"),
    ],
)
def test_parent_kind_rules(tree, kind, parent_attr, field):
    with pytest.raises(ValidationFailed) as exc:
        services.party_organization_create(
            actor=None,
            name="x",
            kind=kind,
            parent=getattr(tree, parent_attr),
            area=tree.community_a,
            grid=tree.grid_a1,
        )
    assert field in exc.value.details
    assert "上级党组织只能是" in str(exc.value.message)


def test_grid_kinds_need_a_grid_in_the_same_community_and_parent_grid(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.party_organization_create(
            actor=None, name="x", kind=OrgKind.GRID_BRANCH, parent=tree.cbc_a, area=tree.community_a
        )
    assert "grid" in exc.value.details
    with pytest.raises(ValidationFailed, match="同一网格"):
        services.party_organization_create(
            actor=None,
            name="x",
            kind=OrgKind.CENTRAL_HOUSEHOLD,
            parent=tree.bg_a1,
            grid=tree.grid_a2,
        )
    with pytest.raises(ValidationFailed, match="区划之内"):
        # A grid branch in community B under A's big committee.
        services.party_organization_create(
            actor=None, name="x", kind=OrgKind.GRID_BRANCH, parent=tree.cbc_a, grid=tree.grid_b1
        )


def test_central_household_at_the_bottom(tree):
    ch = services.party_organization_create(
        actor=tree.staff_a,
        name="张阿姨中心户",
        kind=OrgKind.CENTRAL_HOUSEHOLD,
        parent=tree.bg_a1,
        grid=tree.grid_a1,
    )
    assert ch.path.startswith(tree.bg_a1.path) and ch.area == tree.community_a


def test_unit_organisation_needs_a_unit_and_takes_its_area(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.party_organization_create(
            actor=None,
            name="x",
            kind=OrgKind.UNIT_ORGANIZATION,
            parent=tree.cbc_a,
            area=tree.community_a,
        )
    assert "unit" in exc.value.details
    school = services.unit_create(
        actor=tree.staff_a, name="东门小学", kind=UnitKind.SCHOOL, area=tree.community_a
    )
    org = services.party_organization_create(
        actor=tree.staff_a,
        name="东门小学党支部",
        kind=OrgKind.UNIT_ORGANIZATION,
        parent=tree.cbc_a,
        unit=school,
    )
    assert org.area == tree.community_a and org.unit == school


def test_sector_committee_under_street(tree):
    org = services.party_organization_create(
        actor=tree.org_dept,
        name="物业行业党委",
        kind=OrgKind.SECTOR_COMMITTEE,
        parent=tree.swc,
        area=tree.street,
    )
    assert org.path.startswith(tree.swc.path)
    with pytest.raises(ValidationFailed, match="一级"):
        services.party_organization_create(
            actor=None,
            name="y",
            kind=OrgKind.SECTOR_COMMITTEE,
            parent=tree.swc,
            area=tree.community_a,
        )


def test_scope_of_org_writes(tree):
    # Community B's staff cannot see A's big committee: it is "not found", not "forbidden".
    with pytest.raises(NotFound):
        services.party_organization_create(
            actor=tree.staff_b,
            name="x",
            kind=OrgKind.GRID_BRANCH,
            parent=tree.cbc_a,
            grid=tree.grid_b1,
        )
    with pytest.raises(NotFound):
        services.party_organization_update(actor=tree.staff_b, organization=tree.gb_a1, name="改名")
    # A part-time worker of A1 may see the A1 grid branch but not change it.
    with pytest.raises(PermissionDenied):
        services.party_organization_update(
            actor=tree.parttime_a1, organization=tree.gb_a1, name="改名"
        )
    updated = services.party_organization_update(
        actor=tree.staff_a, organization=tree.gb_a1, name=" 新名称 ", secretary_name="王书记"
    )
    assert updated.name == "新名称"
    with pytest.raises(ValidationFailed):
        services.party_organization_update(actor=tree.staff_a, organization=tree.gb_a1, kind="x")


def test_move_rewrites_the_subtree_paths(tree):
    cbc_b = services.party_organization_create(
        actor=None,
        name="西门社区大党委",
        kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
        parent=tree.swc,
        area=tree.community_b,
    )
    gb_b1 = services.party_organization_create(
        actor=None, name="西门一支部", kind=OrgKind.GRID_BRANCH, parent=cbc_b, grid=tree.grid_b1
    )
    branch = services.party_organization_create(
        actor=None,
        name="东门社区党支部",
        kind=OrgKind.COMMUNITY_BRANCH,
        parent=tree.cbc_a,
        area=tree.community_a,
    )
    services.party_organization_update(
        actor=tree.street_staff, organization=tree.gb_a1, parent=branch
    )
    tree.bg_a1.refresh_from_db()
    assert tree.bg_a1.path == f"{branch.path}{tree.gb_a1.pk}/{tree.bg_a1.pk}/"
    assert not PartyOrganization.objects.filter(
        path__startswith=f"{tree.cbc_a.path}{tree.gb_a1.pk}/"
    ).exists()
    # Moving under its own descendant is refused, as is a move the children would not survive.
    with pytest.raises(ValidationFailed, match="自己或其下级"):
        services.party_organization_update(actor=None, organization=tree.cbc_a, parent=tree.bg_a1)
    with pytest.raises(ValidationFailed):
        services.party_organization_update(actor=None, organization=tree.gb_a1, grid=tree.grid_a2)
    assert gb_b1.path.startswith(cbc_b.path)


# ---------------------------------------------------------------- units
def test_unit_create_validates_and_locates(tree):
    unit = services.unit_create(
        actor=tree.staff_a,
        name="东门物业",
        kind=UnitKind.PROPERTY_COMPANY,
        area=tree.community_a,
        credit_code="9144030071526726xg",
        contact_phone="0752-6123456",
        lon=114.005,
        lat=23.005,
        party_organization=tree.gb_a1,
    )
    assert unit.grid == tree.grid_a1  # found from the point
    assert unit.credit_code == "9144030071526726XG"
    with pytest.raises(Conflict):
        services.unit_create(
            actor=tree.staff_a,
            name="重复",
            kind=UnitKind.FIRM,
            area=tree.community_a,
            credit_code="9144030071526726XG",
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"credit_code": "9144030071526726XA"}, "credit_code"),
        ({"credit_code": "914403007152"}, "credit_code"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"lon": 23.0, "lat": 114.0}, "lon"),
        ({"lon": 114.0}, "lon"),
        ({"kind": "bank"}, "kind"),
        ({"kind": UnitKind.DEPARTMENT}, "area"),
        ({"grid": "b1"}, "grid"),
    ],
)
def test_unit_validation_names_the_field(tree, kwargs, field):
    args = {"name": "某单位", "kind": UnitKind.FIRM, "area": tree.community_a, **kwargs}
    if args.get("grid") == "b1":
        args["grid"] = tree.grid_b1
    with pytest.raises(ValidationFailed) as exc:
        services.unit_create(actor=None, **args)
    assert field in exc.value.details


def test_department_at_county_and_unit_scope(tree):
    dept = services.unit_create(
        actor=tree.org_dept, name="县住建局", kind=UnitKind.DEPARTMENT, area=tree.county
    )
    with pytest.raises(NotFound):
        services.unit_update(actor=tree.staff_a, unit=dept, name="x")
    with pytest.raises(NotFound):
        services.unit_create(
            actor=tree.staff_b, name="x", kind=UnitKind.FIRM, area=tree.community_a
        )
    unit = services.unit_create(
        actor=tree.staff_a, name="甲公司", kind=UnitKind.FIRM, area=tree.community_a
    )
    unit = services.unit_update(actor=tree.staff_a, unit=unit, name="乙公司", grid=tree.grid_a2)
    assert (unit.name, unit.grid) == ("乙公司", tree.grid_a2)
    with pytest.raises(ValidationFailed):
        services.unit_update(actor=tree.staff_a, unit=unit, id=5)


# ---------------------------------------------------------------- roles
def test_only_admins_and_org_department_assign(tree):
    target = make_user()
    for actor in (tree.staff_a, tree.street_staff, tree.worker_a1):
        with pytest.raises(PermissionDenied, match="组织部"):
            services.role_assign(actor=actor, user=target, role=Role.GRID_WORKER, grid=tree.grid_a1)
    a = services.role_assign(
        actor=tree.org_dept, user=target, role=Role.GRID_WORKER, grid=tree.grid_a1
    )
    assert a.active and has_capability(target, "change")
    row = AuditLog.objects.get(action=AuditLog.Action.ROLE_ASSIGN)
    assert (row.actor, row.object_id, row.detail["role"]) == (
        tree.org_dept,
        str(a.pk),
        "grid_worker",
    )


def test_assign_only_inside_own_change_scope(tree):
    street_org = make_user(Role.ORG_DEPARTMENT, area=tree.street)
    community_admin = make_user(Role.SYSTEM_ADMIN, area=tree.community_a)
    target = make_user()
    other_county = services.unit_create(
        actor=None, name="外县单位", kind=UnitKind.FIRM, area=tree.county
    )
    with pytest.raises(NotFound):
        services.role_assign(
            actor=street_org, user=target, role=Role.DEPARTMENT_HANDLER, unit=other_county
        )
    with pytest.raises(NotFound):
        services.role_assign(
            actor=community_admin, user=target, role=Role.GRID_CHIEF, grid=tree.grid_b1
        )
    ok = services.role_assign(
        actor=community_admin, user=target, role=Role.GRID_CHIEF, grid=tree.grid_a1
    )
    assert ok.grid == tree.grid_a1
    # Only a county-wide admin creates admins and org-department posts.
    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=tree.org_dept, user=target, role=Role.ORG_DEPARTMENT, area=tree.street
        )
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=community_admin, user=target, role=Role.SYSTEM_ADMIN)
    root = make_user(Role.SYSTEM_ADMIN)
    assert services.role_assign(actor=root, user=target, role=Role.SYSTEM_ADMIN).area is None


def test_no_self_assignment(tree):
    with pytest.raises(PermissionDenied, match="自己"):
        services.role_assign(
            actor=tree.org_dept,
            user=tree.org_dept,
            role=Role.COMMUNITY_STAFF,
            area=tree.community_a,
        )


@pytest.mark.parametrize(
    ("role", "target", "field"),
    [
        (Role.GRID_WORKER, "community_a", "grid"),
        (Role.DEPARTMENT_HANDLER, "community_a", "unit"),
        (Role.COMMUNITY_STAFF, "street", "area"),
        (Role.STREET_STAFF, "community_a", "area"),
        (Role.LEADER, None, "area"),
        ("mayor", "street", "role"),
    ],
)
def test_role_target_rules_are_translated(tree, role, target, field):
    kwargs = {"area": getattr(tree, target)} if target else {}
    with pytest.raises(ValidationFailed) as exc:
        services.role_assign(actor=tree.org_dept, user=make_user(), role=role, **kwargs)
    assert field in exc.value.details
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value.message))


def test_duplicate_revoke_and_reassign(tree):
    target = make_user()
    a = services.role_assign(
        actor=tree.org_dept, user=target, role=Role.COMMUNITY_STAFF, area=tree.community_a
    )
    with pytest.raises(Conflict):
        services.role_assign(
            actor=tree.org_dept, user=target, role=Role.COMMUNITY_STAFF, area=tree.community_a
        )
    assert Grid.objects.restrict(target).count() == 2
    with pytest.raises(NotFound):  # B's admin cannot see A's assignment
        services.role_revoke(
            actor=make_user(Role.SYSTEM_ADMIN, area=tree.community_b), assignment=a
        )
    services.role_revoke(actor=tree.org_dept, assignment=a)
    assert not Grid.objects.restrict(target).exists()
    with pytest.raises(Conflict):
        services.role_revoke(actor=tree.org_dept, assignment=a)
    again = services.role_assign(
        actor=tree.org_dept, user=target, role=Role.COMMUNITY_STAFF, area=tree.community_a
    )
    assert again.pk == a.pk and again.active
    assert RoleAssignment.objects.filter(user=target).count() == 1
    assert (
        AuditLog.objects.filter(action=AuditLog.Action.ROLE_REVOKE, object_id=str(a.pk)).count()
        == 1
    )


def test_assignment_scope_covers_grid_and_unit_targets(tree):
    """Community staff see assignments to grids and units inside their community."""
    unit_a = services.unit_create(actor=None, name="甲", kind=UnitKind.FIRM, area=tree.community_a)
    handler = make_user(Role.DEPARTMENT_HANDLER, unit=unit_a)
    visible = set(
        RoleAssignment.objects.restrict(tree.staff_a).values_list("user__username", flat=True)
    )
    assert {"staff_a", "worker_a1", "parttime_a1", handler.username} == visible
