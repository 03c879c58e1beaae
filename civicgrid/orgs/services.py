"""Writes for party organisations, units and role assignments.

``actor=None`` means the system itself (fixtures, the demo generator, commands);
every call from a request passes the signed-in user and is checked against their scope.
Out-of-scope rows answer NotFound, as if they did not exist.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import CHANGE, VIEW, clear_scope_cache, get_scope
from civicgrid.core.validators import validate_contact_phone, validate_credit_code
from civicgrid.geo.models import Area, Grid

from .access import require_scope
from .choices import GRID_ROLES, UNIT_ROLES, OrgKind, Role, UnitKind
from .models import PartyOrganization, RoleAssignment, Unit

K = OrgKind
L = Area.Level

# The party organisation tree: which kinds may sit under which (None = a root).
ALLOWED_PARENTS: dict[str, frozenset] = {
    K.COUNTY_COMMITTEE: frozenset({None}),
    K.STREET_WORKING_COMMITTEE: frozenset({None, K.COUNTY_COMMITTEE}),
    K.SECTOR_COMMITTEE: frozenset({K.COUNTY_COMMITTEE, K.STREET_WORKING_COMMITTEE}),
    K.COMMUNITY_BIG_COMMITTEE: frozenset({K.STREET_WORKING_COMMITTEE}),
    K.COMMUNITY_BRANCH: frozenset({K.COMMUNITY_BIG_COMMITTEE}),
    K.GRID_BRANCH: frozenset({K.COMMUNITY_BIG_COMMITTEE, K.COMMUNITY_BRANCH}),
    K.BUILDING_GROUP: frozenset({K.GRID_BRANCH}),
    K.CENTRAL_HOUSEHOLD: frozenset({K.BUILDING_GROUP, K.GRID_BRANCH}),
    K.UNIT_ORGANIZATION: frozenset(
        {
            K.COUNTY_COMMITTEE,
            K.STREET_WORKING_COMMITTEE,
            K.COMMUNITY_BIG_COMMITTEE,
            K.SECTOR_COMMITTEE,
            K.UNIT_ORGANIZATION,
        }
    ),
}
# The area level each kind sits at (None = any level).
AREA_LEVELS: dict[str, frozenset | None] = {
    K.COUNTY_COMMITTEE: frozenset({L.COUNTY}),
    K.STREET_WORKING_COMMITTEE: frozenset({L.STREET}),
    K.SECTOR_COMMITTEE: frozenset({L.COUNTY, L.STREET}),
    K.COMMUNITY_BIG_COMMITTEE: frozenset({L.COMMUNITY}),
    K.COMMUNITY_BRANCH: frozenset({L.COMMUNITY}),
    K.GRID_BRANCH: frozenset({L.COMMUNITY}),
    K.BUILDING_GROUP: frozenset({L.COMMUNITY}),
    K.CENTRAL_HOUSEHOLD: frozenset({L.COMMUNITY}),
    K.UNIT_ORGANIZATION: None,
}
GRID_KINDS = frozenset({K.GRID_BRANCH, K.BUILDING_GROUP, K.CENTRAL_HOUSEHOLD})

# Roles bound to an area of a fixed level; others (leader, org department, admin) any level.
ROLE_AREA_LEVEL = {Role.COMMUNITY_STAFF: L.COMMUNITY, Role.STREET_STAFF: L.STREET}
# Roles that only a system administrator may hand out.
# Partner service accounts are made by civicgrid.partners.services.partner_create.
ADMIN_ONLY_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.ORG_DEPARTMENT, Role.PARTNER})


# ---------------------------------------------------------------- helpers
def _full_clean(obj, *, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as e:
        details = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
        raise ValidationFailed(details=details)


def _invalid(field: str, message: str):
    return ValidationFailed(message, details={field: [message]})


# ---------------------------------------------------------------- party organisations
def _check_org_shape(
    *, kind: str, parent: PartyOrganization | None, area: Area, grid: Grid | None, unit: Unit | None
) -> None:
    if kind not in K.values:
        raise _invalid("kind", _("未知的党组织类型。"))
    allowed = ALLOWED_PARENTS[kind]
    if (parent.kind if parent else None) not in allowed:
        names = "、".join(str(K(k).label) for k in allowed if k) or _("无(顶级)")
        raise _invalid(
            "parent",
            _("%(kind)s的上级党组织只能是:%(names)s。") % {"kind": K(kind).label, "names": names},
        )
    levels = AREA_LEVELS[kind]
    if levels is not None and area.level not in levels:
        raise _invalid(
            "area",
            _("%(kind)s须设在%(levels)s一级。")
            % {"kind": K(kind).label, "levels": "、".join(str(L(v).label) for v in sorted(levels))},
        )
    if parent is not None and not area.path.startswith(parent.area.path):
        raise _invalid("area", _("党组织所在区划须在上级党组织的区划之内。"))
    if kind in GRID_KINDS:
        if grid is None:
            raise _invalid("grid", _("%(kind)s须指定网格。") % {"kind": K(kind).label})
        if grid.community_id != area.pk:
            raise _invalid("grid", _("网格不属于该党组织所在社区。"))
        if parent is not None and parent.grid_id and parent.grid_id != grid.pk:
            raise _invalid("grid", _("须与上级党组织属于同一网格。"))
    elif grid is not None and grid.community_id != area.pk:
        raise _invalid("grid", _("网格不属于该党组织所在社区。"))
    if kind == K.UNIT_ORGANIZATION and unit is None:
        raise _invalid("unit", _("单位党组织须指定所属单位。"))


def _set_path(org: PartyOrganization) -> None:
    org.path = f"{org.parent.path if org.parent_id else '/'}{org.pk}/"


@transaction.atomic
def party_organization_create(
    *,
    actor,
    name: str,
    kind: str,
    parent: PartyOrganization | None = None,
    area: Area | None = None,
    grid: Grid | None = None,
    unit: Unit | None = None,
    secretary_name: str = "",
) -> PartyOrganization:
    """Create an organisation in the tree; area defaults to the grid's community or the unit's area."""
    if parent is not None:
        require_scope(actor, parent, VIEW)
    for obj in (grid, unit):
        require_scope(actor, obj, VIEW)
    area = area or (grid.community if grid else None) or (unit.area if unit else None)
    if area is None:
        raise _invalid("area", _("请指定党组织所在区划。"))
    require_scope(actor, area, CHANGE)
    _check_org_shape(kind=kind, parent=parent, area=area, grid=grid, unit=unit)
    org = PartyOrganization(
        name=(name or "").strip(),
        kind=kind,
        parent=parent,
        area=area,
        grid=grid,
        unit=unit,
        secretary_name=secretary_name,
    )
    _full_clean(org, exclude=["path"])
    org.save()
    _set_path(org)
    org.save(update_fields=["path"])
    return org


ORG_EDITABLE = frozenset({"name", "secretary_name", "parent", "area", "grid", "unit"})


@transaction.atomic
def party_organization_update(
    *, actor, organization: PartyOrganization, **changes
) -> PartyOrganization:
    """Rename, re-link or move an organisation. Moving re-roots the whole subtree's paths."""
    require_scope(actor, organization, CHANGE)
    unknown = set(changes) - ORG_EDITABLE
    if unknown:
        raise ValidationFailed(_("不可修改的字段:%(f)s") % {"f": "、".join(sorted(unknown))})
    org = organization
    old_path = (
        PartyOrganization.objects.select_for_update().values_list("path", flat=True).get(pk=org.pk)
    )
    if "area" in changes and changes["area"] is None:
        raise _invalid("area", _("请指定党组织所在区划。"))
    for key in ("parent", "area", "grid", "unit"):
        if changes.get(key) is not None and changes[key] != getattr(org, key):
            require_scope(actor, changes[key], CHANGE if key == "area" else VIEW)
    for key, value in changes.items():
        setattr(org, key, value.strip() if isinstance(value, str) else value)
    if org.parent_id and org.parent.path.startswith(old_path):
        raise _invalid("parent", _("不能把党组织移到它自己或其下级之下。"))
    _check_org_shape(kind=org.kind, parent=org.parent, area=org.area, grid=org.grid, unit=org.unit)
    for child in org.children.select_related("area"):
        _check_org_shape(
            kind=child.kind, parent=org, area=child.area, grid=child.grid, unit=child.unit
        )
    _full_clean(org, exclude=["path"])
    _set_path(org)
    org.save()
    if org.path != old_path:
        for desc in PartyOrganization.objects.filter(path__startswith=old_path).exclude(pk=org.pk):
            desc.path = org.path + desc.path[len(old_path) :]
            desc.save(update_fields=["path"])
    return org


# ---------------------------------------------------------------- units
def _check_unit(unit: Unit) -> None:
    if unit.area_id is None:
        raise _invalid("area", _("请指定单位所在区划。"))
    if unit.kind not in UnitKind.values:
        raise _invalid("kind", _("未知的单位类型。"))
    if unit.kind == UnitKind.DEPARTMENT and unit.area.level != L.COUNTY:
        raise _invalid("area", _("区直部门须设在县/区一级。"))
    if unit.grid_id and unit.grid.community_id != unit.area_id:
        raise _invalid("grid", _("网格不属于该单位所在社区。"))
    if (unit.lon is None) != (unit.lat is None):
        raise _invalid("lon", _("经度和纬度须同时填写。"))
    if unit.lon is not None and not (73 <= unit.lon <= 136 and 3 <= unit.lat <= 54):
        raise _invalid("lon", _("坐标不在中国境内,请检查经纬度是否填反。"))
    try:
        if unit.credit_code:
            unit.credit_code = validate_credit_code(unit.credit_code)
        if unit.contact_phone:
            unit.contact_phone = validate_contact_phone(unit.contact_phone)
    except ValidationError as e:
        field = "credit_code" if e.code and e.code.startswith("credit") else "contact_phone"
        raise ValidationFailed(e.messages[0], details={field: e.messages})


def _locate(unit: Unit) -> None:
    """A unit with coordinates in a community and no grid gets the grid under its point."""
    if unit.grid_id or unit.lon is None or unit.area.level != L.COMMUNITY:
        return
    from civicgrid.geo.locator import locate

    found = locate(unit.lon, unit.lat)
    if found.inside and Grid.objects.filter(pk=found.grid_id, community_id=unit.area_id).exists():
        unit.grid_id = found.grid_id


@transaction.atomic
def unit_create(
    *,
    actor,
    name: str,
    kind: str,
    area: Area,
    grid: Grid | None = None,
    credit_code: str = "",
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    party_organization: PartyOrganization | None = None,
) -> Unit:
    require_scope(actor, area, CHANGE)
    require_scope(actor, grid, VIEW)
    require_scope(actor, party_organization, VIEW)
    unit = Unit(
        name=(name or "").strip(),
        kind=kind,
        area=area,
        grid=grid,
        credit_code=credit_code,
        address=address,
        lon=lon,
        lat=lat,
        contact_name=contact_name,
        contact_phone=contact_phone,
        party_organization=party_organization,
    )
    _check_unit(unit)
    _locate(unit)
    _full_clean(unit)
    if unit.credit_code and Unit.objects.filter(credit_code=unit.credit_code).exists():
        raise Conflict(_("该统一社会信用代码已登记。"), details={"credit_code": [_("已登记。")]})
    unit.save()
    return unit


UNIT_EDITABLE = frozenset(
    {
        "name",
        "kind",
        "area",
        "grid",
        "credit_code",
        "address",
        "lon",
        "lat",
        "contact_name",
        "contact_phone",
        "party_organization",
    }
)


@transaction.atomic
def unit_update(*, actor, unit: Unit, **changes) -> Unit:
    require_scope(actor, unit, CHANGE)
    unknown = set(changes) - UNIT_EDITABLE
    if unknown:
        raise ValidationFailed(_("不可修改的字段:%(f)s") % {"f": "、".join(sorted(unknown))})
    for key in ("area", "grid", "party_organization"):
        if changes.get(key) is not None:
            require_scope(actor, changes[key], CHANGE if key == "area" else VIEW)
    for key, value in changes.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    _check_unit(unit)
    _locate(unit)
    _full_clean(unit)
    if (
        unit.credit_code
        and Unit.objects.filter(credit_code=unit.credit_code).exclude(pk=unit.pk).exists()
    ):
        raise Conflict(_("该统一社会信用代码已登记。"), details={"credit_code": [_("已登记。")]})
    unit.save()
    return unit


# ---------------------------------------------------------------- roles
def _may_assign(actor) -> bool:
    if actor is None or actor.is_superuser:
        return True
    return bool(get_scope(actor, CHANGE).roles & {Role.SYSTEM_ADMIN, Role.ORG_DEPARTMENT})


def _is_global_admin(actor) -> bool:
    return (
        actor is None
        or actor.is_superuser
        or RoleAssignment.objects.filter(
            user=actor, role=Role.SYSTEM_ADMIN, active=True, area__isnull=True
        ).exists()
    )


def _check_role_target(
    *, role: str, area: Area | None, grid: Grid | None, unit: Unit | None
) -> None:
    if role not in Role.values:
        raise _invalid("role", _("未知的角色。"))
    targets = [t for t in (area, grid, unit) if t is not None]
    if len(targets) > 1:
        raise _invalid("area", _("角色只能绑定一个区划、一个网格或一个单位。"))
    if role in GRID_ROLES and grid is None:
        raise _invalid("grid", _("网格岗位须指定网格。"))
    if role in UNIT_ROLES and unit is None:
        raise _invalid("unit", _("部门承办人须指定单位。"))
    if role not in GRID_ROLES | UNIT_ROLES:
        if area is None and role != Role.SYSTEM_ADMIN:
            raise _invalid("area", _("该角色须指定区划。"))
        level = ROLE_AREA_LEVEL.get(role)
        if level and area is not None and area.level != level:
            raise _invalid(
                "area",
                _("%(role)s须绑定到%(level)s。")
                % {"role": Role(role).label, "level": L(level).label},
            )


@transaction.atomic
def role_assign(
    *,
    actor,
    user,
    role: str,
    area: Area | None = None,
    grid: Grid | None = None,
    unit: Unit | None = None,
    request=None,
) -> RoleAssignment:
    """Give ``user`` a role over an area subtree, a grid or a unit.

    Only system administrators and the organisation department may assign, only inside
    their own change scope, never to themselves; only a county-wide system administrator
    may create administrators or organisation-department posts.
    """
    if not _may_assign(actor):
        raise PermissionDenied(_("只有系统管理员和组织部可以任命角色。"))
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能给自己任命角色。"))
    if role in ADMIN_ONLY_ROLES and not _is_global_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以任命该角色。"))
    _check_role_target(role=role, area=area, grid=grid, unit=unit)
    for target in (area, grid, unit):
        require_scope(actor, target, CHANGE)
    if role == Role.SYSTEM_ADMIN and area is None and not _is_global_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以任命全县系统管理员。"))
    assignment, created = RoleAssignment.objects.select_for_update().get_or_create(
        user=user, role=role, area=area, grid=grid, unit=unit, defaults={"active": True}
    )
    if not created:
        if assignment.active:
            raise Conflict(_("该用户已有此任命。"))
        assignment.active = True
        assignment.save(update_fields=["active"])
    clear_scope_cache(user)
    audit_record(
        actor=actor,
        action=AuditLog.Action.ROLE_ASSIGN,
        obj=assignment,
        request=request,
        detail={
            "user": user.pk,
            "role": role,
            "area": getattr(area, "pk", None),
            "grid": getattr(grid, "pk", None),
            "unit": getattr(unit, "pk", None),
        },
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment, request=None) -> RoleAssignment:
    """Deactivate an assignment (kept for history). Same rules as role_assign."""
    if not _may_assign(actor):
        raise PermissionDenied(_("只有系统管理员和组织部可以撤销角色。"))
    require_scope(actor, assignment, CHANGE)
    if assignment.role in ADMIN_ONLY_ROLES and not _is_global_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以撤销该角色。"))
    if not assignment.active:
        raise Conflict(_("该任命已撤销。"))
    assignment.active = False
    assignment.save(update_fields=["active"])
    clear_scope_cache(assignment.user)
    audit_record(
        actor=actor,
        action=AuditLog.Action.ROLE_REVOKE,
        obj=assignment,
        request=request,
        detail={"user": assignment.user_id, "role": assignment.role},
    )
    return assignment
