"""Reads for party organisations, units and staff roles. Every selector starts from scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from civicgrid.core.errors import NotFound

from .models import PartyOrganization, RoleAssignment, Unit


def party_org_list(*, user) -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.restrict(user).select_related("area", "grid").order_by("path")


def party_org_get(*, user, pk) -> PartyOrganization:
    org = (
        PartyOrganization.objects.restrict(user)
        .select_related("parent", "area", "grid", "unit")
        .filter(pk=pk)
        .first()
    )
    if org is None:
        raise NotFound()
    return org


@dataclass
class OrgRow:
    org: PartyOrganization
    depth: int


def party_org_tree(*, user) -> list[OrgRow]:
    """Visible organisations in tree order, each with its depth below the nearest visible root."""
    orgs = list(party_org_list(user=user))
    depth: dict[int, int] = {}
    rows = []
    for o in orgs:  # ordered by path: a parent comes before its children
        depth[o.pk] = depth[o.parent_id] + 1 if o.parent_id in depth else 0
        rows.append(OrgRow(o, depth[o.pk]))
    return rows


def party_org_children(*, user, org: PartyOrganization) -> QuerySet[PartyOrganization]:
    return party_org_list(user=user).filter(parent=org)


def unit_list(*, user, kind: str = "", q: str = "", grid=None) -> QuerySet[Unit]:
    qs = (
        Unit.objects.restrict(user)
        .select_related("area", "grid", "party_organization")
        .order_by("name", "id")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q.strip())
    if grid is not None:
        qs = qs.filter(grid=grid)
    return qs


def unit_get(*, user, pk) -> Unit:
    unit = (
        Unit.objects.restrict(user)
        .select_related("area", "grid", "party_organization")
        .filter(pk=pk)
        .first()
    )
    if unit is None:
        raise NotFound()
    return unit


def grid_staff(*, grid) -> QuerySet[RoleAssignment]:
    """Active role assignments on a grid. The caller has already fetched ``grid`` through
    ``Grid.objects.restrict(user)``: seeing the grid is what entitles one to see its staff
    (an area-scoped role's own queryset would not include grid-bound assignments)."""
    return (
        RoleAssignment.objects.filter(grid=grid, active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


def user_assignments(*, user) -> QuerySet[RoleAssignment]:
    """The signed-in user's own roles and where they hold them."""
    return (
        RoleAssignment.objects.filter(user=user, active=True)
        .select_related("area", "grid", "unit")
        .order_by("role")
    )
