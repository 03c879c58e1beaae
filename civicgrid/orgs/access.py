"""Resolve a user's scope and capabilities from their role assignments."""

from __future__ import annotations

from django.db.models import Q

from civicgrid.core.errors import NotFound, PermissionDenied
from civicgrid.core.scoping import CHANGE, VIEW, Scope, get_scope

from .choices import CAPABILITIES, Role


def resolve_scope(user, action: str = VIEW) -> Scope:
    from civicgrid.geo.models import Area, Grid

    from .models import RoleAssignment

    assignments = list(
        RoleAssignment.objects.filter(user=user, active=True)
        .select_related("area")
        .only("role", "area__path", "grid_id", "unit_id")
    )
    roles = frozenset(a.role for a in assignments)
    if user.is_superuser:
        return Scope(everything=True, roles=roles | {Role.SYSTEM_ADMIN})
    allowed = [a for a in assignments if action in CAPABILITIES.get(a.role, frozenset())]
    if any(a.role == Role.SYSTEM_ADMIN and a.area_id is None for a in allowed):
        return Scope(everything=True, roles=roles)
    paths = sorted({a.area.path for a in allowed if a.area_id})
    area_ids: set[int] = set()
    if paths:
        q = Q()
        for p in paths:
            q |= Q(path__startswith=p)
        area_ids = set(Area.objects.filter(q).values_list("id", flat=True))
    grid_ids = {a.grid_id for a in allowed if a.grid_id}
    if grid_ids:
        grid_ids |= set(Grid.objects.filter(parent_id__in=grid_ids).values_list("id", flat=True))
    unit_ids = {a.unit_id for a in allowed if a.unit_id}
    return Scope(
        area_ids=frozenset(area_ids),
        grid_ids=frozenset(grid_ids),
        unit_ids=frozenset(unit_ids),
        roles=roles,
    )


def has_capability(user, capability: str) -> bool:
    """True if any of the user's roles grants the capability (within their scope)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(capability in CAPABILITIES.get(r, frozenset()) for r in get_scope(user).roles)


def can_act_on(user, obj, capability: str) -> bool:
    """True if the user holds the capability through a role whose scope covers obj."""
    if not has_capability(user, capability):
        return False
    return type(obj).objects.restrict(user, capability).filter(pk=obj.pk).exists()


def require_scope(actor, obj, action: str = CHANGE) -> None:
    """Raise NotFound when ``actor`` cannot see ``obj`` at all, PermissionDenied when the row is
    visible but the action is not allowed on it. ``actor=None`` is the system; ``obj=None`` passes."""
    if obj is None or actor is None:
        return
    if type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists():
        return
    if action != VIEW and type(obj).objects.restrict(actor, VIEW).filter(pk=obj.pk).exists():
        raise PermissionDenied()
    raise NotFound()
