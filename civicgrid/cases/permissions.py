"""Who may act on a case: the kinds of actor named in the transition table."""

from __future__ import annotations

from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.orgs.choices import Role

from .models import Case

DISPATCHER_ROLES = frozenset(
    {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.GRID_CHIEF, Role.SYSTEM_ADMIN}
)
HANDLER_AREA_ROLES = frozenset(
    {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.GRID_CHIEF, Role.GRID_WORKER, Role.SYSTEM_ADMIN}
)


def _area_in_change_scope(user, area_id: int | None) -> bool:
    scope = get_scope(user, CHANGE)
    return scope.everything or (area_id is not None and area_id in scope.area_ids)


def is_dispatcher(user, case: Case) -> bool:
    """Community or street staff (or a grid chief) whose change scope holds the case's
    current tier: the handler area when it sits with a tier, else the case's community."""
    if user is None or not user.is_authenticated:
        return False
    scope = get_scope(user, CHANGE)
    if not (scope.everything or scope.roles & DISPATCHER_ROLES):
        return False
    area_id = case.handler_area_id or case.area_id
    if _area_in_change_scope(user, area_id):
        return True
    return (
        Role.GRID_CHIEF in scope.roles
        and case.grid_id in scope.grid_ids
        and case.handler_unit_id is None
    )


def is_handler(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    scope = get_scope(user, CHANGE)
    if scope.everything:
        return True
    if case.handler_unit_id:
        view_scope = get_scope(user)
        return (
            case.handler_unit_id in view_scope.unit_ids
            and Role.DEPARTMENT_HANDLER in view_scope.roles
        )
    if case.handler_area_id and _area_in_change_scope(user, case.handler_area_id):
        return bool(scope.roles & HANDLER_AREA_ROLES)
    # A grid worker handles community-level cases of their own grid.
    return bool(case.handler_area_id == case.area_id and case.grid_id in scope.grid_ids)


def is_reporter(user, case: Case) -> bool:
    return user is not None and user.is_authenticated and case.reporter_id == user.pk


def may(user, case: Case, actor_kind: str) -> bool:
    if actor_kind == "dispatcher":
        return is_dispatcher(user, case)
    if actor_kind == "handler":
        return is_handler(user, case)
    if actor_kind == "reporter":
        return is_reporter(user, case) or is_dispatcher(user, case)
    return False
