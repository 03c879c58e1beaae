"""Scoping: every area-owned queryset starts from the rows in the user's assigned subtree.

A model opts in by using ``RestrictedManager`` and naming ``scope_area_field`` (a foreign
key to ``geo.Area``, or ``"id"`` on Area itself) and, optionally, ``scope_grid_field``
(a foreign key to ``geo.Grid``, or ``"id"`` on Grid) and ``scope_unit_field``.
The user's ``Scope`` is resolved once per request from their role assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string

VIEW = "view"
CHANGE = "change"


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    area_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.everything or self.area_ids or self.grid_ids or self.unit_ids)


EMPTY = Scope()


def get_scope(user, action: str = VIEW) -> Scope:
    """The user's scope for an action, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cache = user.__dict__.setdefault("_civicgrid_scopes", {})
    if action not in cache:
        resolver = import_string("civicgrid.orgs.access.resolve_scope")
        cache[action] = resolver(user, action)
    return cache[action]


def clear_scope_cache(user) -> None:
    user.__dict__.pop("_civicgrid_scopes", None)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW):
        scope = get_scope(user, action)
        if scope.everything:
            return self
        q = self.model.scope_q(scope)
        if q is None:
            return self.none()
        return self.filter(q)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


class ScopedModel(models.Model):
    """Mixin for area-owned models; subclasses set the scope_* field names."""

    scope_area_field: str | None = None
    scope_grid_field: str | None = None
    scope_unit_field: str | None = None

    objects = RestrictedManager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> Q | None:
        q = Q()
        used = False
        if cls.scope_area_field and scope.area_ids:
            q |= Q(**{f"{cls.scope_area_field}__in": scope.area_ids})
            used = True
        if cls.scope_grid_field and scope.grid_ids:
            q |= Q(**{f"{cls.scope_grid_field}__in": scope.grid_ids})
            used = True
        if cls.scope_unit_field and scope.unit_ids:
            q |= Q(**{f"{cls.scope_unit_field}__in": scope.unit_ids})
            used = True
        return q if used else None
