"""Writes for areas and grids. Keeps the materialised path and bounding boxes right."""

from __future__ import annotations

from django.db import transaction
from shapely.geometry import shape

from civicgrid.core.errors import ValidationFailed

from .models import Area, Grid


def _bbox(geometry: dict | None) -> tuple[float | None, ...]:
    if not geometry:
        return (None, None, None, None)
    return tuple(shape(geometry).bounds)


def _check_parent_level(level: int, parent: Area | None) -> None:
    if level == Area.Level.COUNTY:
        if parent is not None and parent.level != Area.Level.COUNTY:
            raise ValidationFailed("县/区的上级只能是县/区(市)。")
        return
    if parent is None or parent.level != level - 1:
        raise ValidationFailed("上级区划层级不符:街道/镇的上级须为县/区,社区/村的上级须为街道/镇。")


@transaction.atomic
def area_create(*, actor, code: str, name: str, level: int, parent: Area | None = None,
                geometry: dict | None = None) -> Area:
    _check_parent_level(level, parent)
    area = Area(code=code, name=name, level=level, parent=parent, geometry=geometry)
    area.min_x, area.min_y, area.max_x, area.max_y = _bbox(geometry)
    area.full_clean(exclude=["path"])
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    return area


@transaction.atomic
def area_update_geometry(*, actor, area: Area, geometry: dict | None) -> Area:
    area.geometry = geometry
    area.min_x, area.min_y, area.max_x, area.max_y = _bbox(geometry)
    area.save(update_fields=["geometry", "min_x", "min_y", "max_x", "max_y"])
    return area


@transaction.atomic
def grid_create(*, actor, code: str, name: str, community: Area, geometry: dict | None = None,
                kind: str = Grid.Kind.COMPREHENSIVE, parent: Grid | None = None) -> Grid:
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed("网格只能建在社区/村之下。")
    if parent is not None and parent.community_id != community.pk:
        raise ValidationFailed("精微网格须与上级网格属于同一社区。")
    grid = Grid(code=code, name=name, community=community, geometry=geometry, kind=kind, parent=parent)
    grid.min_x, grid.min_y, grid.max_x, grid.max_y = _bbox(geometry)
    grid.full_clean()
    grid.save()
    _grids_changed()  # this process, now (the new grid is visible inside this transaction)
    transaction.on_commit(_grids_changed)  # and again once committed
    return grid


@transaction.atomic
def grid_update_geometry(*, actor, grid: Grid, geometry: dict | None) -> Grid:
    grid.geometry = geometry
    grid.min_x, grid.min_y, grid.max_x, grid.max_y = _bbox(geometry)
    grid.save(update_fields=["geometry", "min_x", "min_y", "max_x", "max_y", "updated_at"])
    _grids_changed()
    transaction.on_commit(_grids_changed)
    return grid


def _grids_changed() -> None:
    from .locator import invalidate_locator

    invalidate_locator()
