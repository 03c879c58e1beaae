import pytest
from django.db import connection

from civicgrid.core import crypto
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.orgs import services as org_services
from civicgrid.orgs.choices import OrgKind, UnitKind
from civicgrid.people import services
from civicgrid.people.choices import PartyMemberRole
from civicgrid.people.models import Household, PartyMember
from civicgrid.testing.factories import make_user, valid_id_number

pytestmark = pytest.mark.django_db
R = PartyMemberRole


@pytest.fixture
def ctx(tiny):
    swc = org_services.party_organization_create(
        actor=None, name="街道大工委", kind=OrgKind.STREET_WORKING_COMMITTEE, area=tiny.street
    )
    cbc = org_services.party_organization_create(
        actor=None,
        name="东门大党委",
        kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
        parent=swc,
        area=tiny.community_a,
    )
    tiny.branch_a1 = org_services.party_organization_create(
        actor=None, name="东门一支部", kind=OrgKind.GRID_BRANCH, parent=cbc, grid=tiny.grid_a1
    )
    tiny.households_a = [
        Household.objects.create(number=f"A-{i:03d}", area=tiny.community_a, grid=tiny.grid_a1)
        for i in range(50)
    ]
    tiny.household_b = Household.objects.create(
        number="B-001", area=tiny.community_b, grid=tiny.grid_b1
    )
    tiny.residents_a = [
        services.resident_create(actor=None, name=f"居民{i}", grid=tiny.grid_a1, gender="F")
        for i in range(6)
    ]
    tiny.resident_b = services.resident_create(
        actor=None, name="西门居民", grid=tiny.grid_b1, gender="M"
    )
    return tiny


def _member(ctx, **kw):
    args = {
        "actor": ctx.staff_a,
        "name": "王党员",
        "organization": ctx.branch_a1,
        "grid": ctx.grid_a1,
    }
    args.update(kw)
    return services.party_member_create(**args)


def test_create_with_clean_pii_and_roles(ctx):
    idn = valid_id_number()
    m = _member(
        ctx, id_number=idn.lower(), phone="138 0013 8000", roles=[R.CENTRAL_HOUSEHOLD, R.LANE_CHIEF]
    )
    m.refresh_from_db()
    assert (m.id_number, m.phone) == (idn, "13800138000")
    assert m.id_number_index == crypto.blind_index(idn)
    assert m.gender in ("M", "F") and m.birth_date is not None
    assert m.area == ctx.community_a
    assert (m.is_central_household, m.is_lane_chief, m.is_building_chief) == (True, True, False)
    assert [str(x) for x in m.role_labels] == ["党员中心户", "巷长"]
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM people_partymember WHERE id = %s", [m.pk])
        assert "13800138000" not in cur.fetchone()[0]
    with pytest.raises(Conflict):
        _member(ctx, name="重复", id_number=idn)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"id_number": "441322199001011230"}, "id_number"),
        ({"phone": "1380013800"}, "phone"),
        ({"name": "  "}, "name"),
        ({"roles": ["mayor"]}, "roles"),
    ],
)
def test_create_validation(ctx, kw, field):
    with pytest.raises(ValidationFailed) as exc:
        _member(ctx, gender="M", **kw)
    assert field in exc.value.details


def test_create_scope(ctx):
    with pytest.raises(NotFound):
        _member(ctx, actor=ctx.staff_b)  # B cannot register in A's grid
    with pytest.raises(PermissionDenied):
        _member(ctx, actor=ctx.parttime_a1, gender="M")  # sees grid A1, may not change
    with pytest.raises(NotFound):
        _member(ctx, grid=ctx.grid_b1, actor=ctx.staff_b, gender="M")  # A's branch is unseen by B
    m = _member(ctx, actor=ctx.street_staff, grid=None, area=ctx.community_a, gender="M")
    assert m.grid is None
    with pytest.raises(ValidationFailed):
        _member(ctx, actor=ctx.street_staff, grid=None, area=ctx.street, gender="M")


def test_update_fields_roles_and_move(ctx):
    m = _member(ctx, gender="M", roles=[R.BUILDING_CHIEF])
    unit = org_services.unit_create(
        actor=None, name="东门医院", kind=UnitKind.HOSPITAL, area=ctx.community_a, grid=ctx.grid_a1
    )
    m = services.party_member_update(
        actor=ctx.worker_a1,
        party_member=m,
        phone="13900139000",
        roles=[R.PARTY_LANDLORD],
        work_unit=unit,
    )
    m.refresh_from_db()
    assert m.phone == "13900139000" and m.is_party_landlord and not m.is_building_chief
    assert m.work_unit == unit
    m = services.party_member_update(actor=ctx.staff_a, party_member=m, grid=ctx.grid_a2)
    assert (m.area, m.grid) == (ctx.community_a, ctx.grid_a2)
    with pytest.raises(NotFound):
        services.party_member_update(
            actor=ctx.worker_a1, party_member=m, name="x"
        )  # now outside A1
    with pytest.raises(NotFound):
        services.party_member_update(actor=ctx.staff_a, party_member=m, grid=ctx.grid_b1)
    with pytest.raises(ValidationFailed):
        services.party_member_update(actor=ctx.staff_a, party_member=m, is_central_household=True)


def test_central_household_serves_households(ctx):
    m = _member(ctx, gender="M")
    services.party_member_set_central_household(
        actor=ctx.staff_a, party_member=m, households=ctx.households_a[:10]
    )
    assert m.is_central_household and m.served_households.count() == 10
    with pytest.raises(ValidationFailed) as exc:
        services.party_member_set_central_household(
            actor=ctx.staff_a, party_member=m, households=[ctx.household_b]
        )
    assert exc.value.details == {"households": ["B-001"]}
    with pytest.raises(NotFound):
        services.party_member_set_central_household(actor=ctx.staff_b, party_member=m)


def test_information_officers_limits(ctx, settings):
    settings.CIVICGRID_OFFICER_MAX_HOUSEHOLDS = 30
    ch = _member(ctx, gender="M", roles=[R.CENTRAL_HOUSEHOLD])
    hh = ctx.households_a
    o1 = services.information_officer_assign(
        actor=ctx.staff_a, resident=ctx.residents_a[0], central_household=ch, households=hh[:30]
    )
    assert o1.households.count() == 30 and o1.grid == ctx.grid_a1
    with pytest.raises(ValidationFailed, match="30"):
        services.information_officer_assign(
            actor=ctx.staff_a,
            resident=ctx.residents_a[1],
            central_household=ch,
            households=hh[19:50],
        )
    with pytest.raises(Conflict) as exc:  # households already served by officer 1
        services.information_officer_assign(
            actor=ctx.staff_a,
            resident=ctx.residents_a[1],
            central_household=ch,
            households=hh[28:32],
        )
    assert exc.value.details == {"households": ["A-028", "A-029"]}
    services.information_officer_assign(
        actor=ctx.staff_a, resident=ctx.residents_a[1], central_household=ch, households=hh[30:40]
    )
    services.information_officer_assign(
        actor=ctx.staff_a, resident=ctx.residents_a[2], central_household=ch, households=hh[40:50]
    )
    with pytest.raises(ValidationFailed, match="最多联系3名"):
        services.information_officer_assign(
            actor=ctx.staff_a, resident=ctx.residents_a[3], central_household=ch
        )
    # Re-assigning an existing officer is not a new officer: allowed, households replaced.
    o1 = services.information_officer_assign(
        actor=ctx.staff_a, resident=ctx.residents_a[0], central_household=ch, households=hh[:5]
    )
    assert o1.households.count() == 5 and ch.information_officers.count() == 3
    # The central household cannot be dropped while it leads officers.
    with pytest.raises(Conflict):
        services.party_member_set_central_household(
            actor=ctx.staff_a, party_member=ch, enabled=False
        )
    with pytest.raises(Conflict):
        services.party_member_update(actor=ctx.staff_a, party_member=ch, roles=[])


def test_information_officer_rules(ctx):
    plain = _member(ctx, gender="M")
    ch = _member(ctx, name="中心户", gender="F", roles=[R.CENTRAL_HOUSEHOLD])
    with pytest.raises(ValidationFailed, match="不是党员中心户"):
        services.information_officer_assign(
            actor=ctx.staff_a, resident=ctx.residents_a[0], central_household=plain
        )
    with pytest.raises(NotFound):  # B's resident is unseen by A's staff
        services.information_officer_assign(
            actor=ctx.staff_a, resident=ctx.resident_b, central_household=ch
        )
    with pytest.raises(ValidationFailed, match="同一社区"):
        services.information_officer_assign(
            actor=None, resident=ctx.resident_b, central_household=ch
        )
    user = make_user()
    o = services.information_officer_assign(
        actor=ctx.staff_a, resident=ctx.residents_a[0], central_household=ch, user=user
    )
    with pytest.raises(Conflict):
        services.information_officer_assign(
            actor=ctx.staff_a, resident=ctx.residents_a[1], central_household=ch, user=user
        )
    services.information_officer_remove(actor=ctx.staff_a, officer=o)
    assert not ch.information_officers.exists()


def test_party_landlord_one_plus_n(ctx):
    landlord = _member(ctx, gender="M", roles=[R.PARTY_LANDLORD])
    plain = _member(ctx, name="普通党员", gender="F")
    links = [
        services.landlord_link_add(actor=ctx.staff_a, party_member=landlord, resident=r, kind=k)
        for r, k in zip(
            ctx.residents_a[:4], ["landlord", "tenant", "tenant", "tenant"], strict=True
        )
    ]
    assert landlord.landlord_links.filter(kind="tenant").count() == 3
    with pytest.raises(Conflict):
        services.landlord_link_add(
            actor=ctx.staff_a, party_member=landlord, resident=ctx.residents_a[0], kind="tenant"
        )
    with pytest.raises(ValidationFailed, match="不是党员房东"):
        services.landlord_link_add(
            actor=ctx.staff_a, party_member=plain, resident=ctx.residents_a[5], kind="tenant"
        )
    with pytest.raises(ValidationFailed, match="同一社区"):
        services.landlord_link_add(
            actor=None, party_member=landlord, resident=ctx.resident_b, kind="tenant"
        )
    with pytest.raises(ValidationFailed):
        services.landlord_link_add(
            actor=ctx.staff_a, party_member=landlord, resident=ctx.residents_a[5], kind="x"
        )
    with pytest.raises(Conflict):  # cannot stop being a landlord while linked
        services.party_member_update(actor=ctx.staff_a, party_member=landlord, roles=[])
    with pytest.raises(NotFound):
        services.landlord_link_remove(actor=ctx.staff_b, link=links[0])
    for link in links:
        services.landlord_link_remove(actor=ctx.staff_a, link=link)
    services.party_member_update(actor=ctx.staff_a, party_member=landlord, roles=[])
    assert not PartyMember.objects.get(pk=landlord.pk).is_party_landlord


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_every_reveal_writes_exactly_one_audit_row(ctx, field):
    m = _member(ctx, id_number=valid_id_number(), phone="13800138000")
    before = AuditLog.objects.count()
    value = services.pii_reveal(actor=ctx.worker_a1, obj=m, field=field)
    assert value == getattr(PartyMember.objects.get(pk=m.pk), field)
    assert AuditLog.objects.count() == before + 1
    row = AuditLog.objects.latest("at")
    assert (row.actor, row.action, row.object_type, row.object_id, row.field) == (
        ctx.worker_a1,
        "reveal",
        "people.partymember",
        str(m.pk),
        field,
    )
    assert row.at is not None
    # Refused reveals write nothing: view-only role, out-of-scope user, unknown field.
    with pytest.raises(PermissionDenied):
        services.pii_reveal(actor=ctx.parttime_a1, obj=m, field=field)
    with pytest.raises(NotFound):
        services.pii_reveal(actor=ctx.staff_b, obj=m, field=field)
    with pytest.raises(ValidationFailed):
        services.pii_reveal(actor=ctx.staff_a, obj=m, field="name")
    assert AuditLog.objects.count() == before + 1
