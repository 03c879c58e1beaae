"""Writes for areas and grids. Keeps the materialised path and bounding boxes right.

``actor=None`` is the system (migrations, demo, management commands). A user must hold the
"change" scope over the parent area, community or row, else the row is "not found".
Geometries are checked for validity here and stored normalised (2-D, closed rings); the
rules between polygons (inside the community, no overlaps) live in ``validation``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope

from .models import Area, Grid
from .validation import parse_polygon, to_geojson


def _require_change(actor, obj) -> None:
    if actor is None or obj is None:
        return
    if not type(obj).objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
        raise NotFound()


def _clean_geometry(geometry: dict | None) -> tuple[dict | None, tuple[float | None, ...]]:
    """Validated, normalised geometry and its bounding box."""
    if not geometry:
        return None, (None, None, None, None)
    geom, reason = parse_polygon(geometry)
    if reason:
        raise ValidationFailed(
            _("边界数据有误:%(reason)s") % {"reason": reason}, details={"geometry": [reason]}
        )
    return to_geojson(geom), tuple(geom.bounds)


def _set_geometry(obj, geometry: dict | None) -> None:
    obj.geometry, (obj.min_x, obj.min_y, obj.max_x, obj.max_y) = _clean_geometry(geometry)


def _check_parent_level(level: int, parent: Area | None) -> None:
    if level == Area.Level.COUNTY:
        if parent is not None and parent.level != Area.Level.COUNTY:
            raise ValidationFailed(_("县/区的上级只能是县/区(市)。"))
        return
    if parent is None or parent.level != level - 1:
        raise ValidationFailed(
            _("上级区划层级不符:街道/镇的上级须为县/区,社区/村的上级须为街道/镇。")
        )


@transaction.atomic
def area_create(
    *,
    actor,
    code: str,
    name: str,
    level: int,
    parent: Area | None = None,
    geometry: dict | None = None,
) -> Area:
    _require_change(actor, parent)
    if parent is None and actor is not None and not get_scope(actor, CHANGE).everything:
        raise NotFound()  # only the system (or a county-wide administrator) adds a top-level area
    _check_parent_level(level, parent)
    area = Area(code=code, name=name, level=level, parent=parent)
    _set_geometry(area, geometry)
    area.full_clean(exclude=["path"])
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    return area


@transaction.atomic
def area_update(
    *, actor, area: Area, name: str | None = None, geometry: dict | None = None
) -> Area:
    """Rename an area and/or replace its outline (None leaves a value as it is)."""
    _require_change(actor, area)
    fields = []
    if name is not None:
        area.name = name
        fields.append("name")
    if geometry is not None:
        _set_geometry(area, geometry)
        fields += ["geometry", "min_x", "min_y", "max_x", "max_y"]
    area.full_clean(exclude=["path"])
    area.save(update_fields=fields)
    return area


@transaction.atomic
def area_update_geometry(*, actor, area: Area, geometry: dict | None) -> Area:
    _require_change(actor, area)
    _set_geometry(area, geometry)
    area.save(update_fields=["geometry", "min_x", "min_y", "max_x", "max_y"])
    return area


@transaction.atomic
def grid_create(
    *,
    actor,
    code: str,
    name: str,
    community: Area,
    geometry: dict | None = None,
    kind: str = Grid.Kind.COMPREHENSIVE,
    parent: Grid | None = None,
) -> Grid:
    _require_change(actor, community)
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("网格只能建在社区/村之下。"))
    if parent is not None and parent.community_id != community.pk:
        raise ValidationFailed(_("精微网格须与上级网格属于同一社区。"))
    grid = Grid(code=code, name=name, community=community, kind=kind, parent=parent)
    _set_geometry(grid, geometry)
    grid.full_clean()
    grid.save()
    _grids_changed()
    return grid


@transaction.atomic
def grid_update(
    *, actor, grid: Grid, name: str | None = None, geometry: dict | None = None
) -> Grid:
    """Rename a grid and/or replace its outline (None leaves a value as it is)."""
    _require_change(actor, grid)
    fields = ["updated_at"]
    if name is not None:
        grid.name = name
        fields.append("name")
    if geometry is not None:
        _set_geometry(grid, geometry)
        fields += ["geometry", "min_x", "min_y", "max_x", "max_y"]
    grid.full_clean()
    grid.save(update_fields=fields)
    _grids_changed()
    return grid


@transaction.atomic
def grid_update_geometry(*, actor, grid: Grid, geometry: dict | None) -> Grid:
    _require_change(actor, grid)
    _set_geometry(grid, geometry)
    grid.save(update_fields=["geometry", "min_x", "min_y", "max_x", "max_y", "updated_at"])
    _grids_changed()
    return grid


def _grids_changed() -> None:
    """Drop this process's locator now (the change is visible inside this transaction) and
    again once committed; other processes notice through the locator's stamp check."""
    from .locator import invalidate_locator

    invalidate_locator()
    transaction.on_commit(invalidate_locator)
