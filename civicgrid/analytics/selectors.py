"""Reads of hotspot alerts: scoped to the user's areas, for street and district staff."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from civicgrid.core.scoping import get_scope
from civicgrid.orgs.choices import Role

from .models import Hotspot

VIEW_ROLES = frozenset({Role.STREET_STAFF, Role.LEADER, Role.SYSTEM_ADMIN})
DECIDE_ROLES = frozenset({Role.STREET_STAFF, Role.SYSTEM_ADMIN})


def may_view(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    scope = get_scope(user)
    return scope.everything or bool(scope.roles & VIEW_ROLES)


def may_decide(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    scope = get_scope(user)
    return user.is_superuser or bool(scope.roles & DECIDE_ROLES)


def hotspot_list(*, user, state: str | None = None) -> QuerySet[Hotspot]:
    if not may_view(user):
        return Hotspot.objects.none()
    qs = Hotspot.objects.restrict(user).select_related("item", "group", "area", "grid")
    if state in Hotspot.State.values:
        qs = qs.filter(state=state)
    return qs.annotate(n_cases=Count("cases")).order_by("-day", "-score", "id")


def hotspot_get(*, user, pk: int) -> Hotspot | None:
    if not may_view(user):
        return None
    return (
        Hotspot.objects.restrict(user)
        .select_related("item__group", "group", "area", "grid", "opened_case", "decided_by")
        .filter(pk=pk)
        .first()
    )


def hotspot_cases(hotspot: Hotspot):
    return hotspot.cases.select_related("item", "area", "grid").order_by("-created_at")
