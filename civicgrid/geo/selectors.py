"""Reads for areas and grids. Every selector starts from the user's scope.

Counts of people live in ``civicgrid.people.selectors``; the functions here take them as
plain dicts (community id or grid id -> numbers) so that geo does not import people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from civicgrid.core.errors import NotFound

from . import exporters
from .models import Area, Grid

COUNT_KEYS = ("grids", "households", "residents", "party_members")


def area_list(*, user) -> QuerySet[Area]:
    return Area.objects.restrict(user).order_by("path")


def area_get(*, user, pk) -> Area:
    area = Area.objects.restrict(user).select_related("parent").filter(pk=pk).first()
    if area is None:
        raise NotFound()
    return area


def grid_list(*, user, community=None) -> QuerySet[Grid]:
    qs = Grid.objects.restrict(user).select_related("community").order_by("code")
    if community is not None:
        qs = qs.filter(community=community)
    return qs


def grid_get(*, user, pk) -> Grid:
    grid = (
        Grid.objects.restrict(user)
        .select_related("community", "community__parent", "parent")
        .filter(pk=pk)
        .first()
    )
    if grid is None:
        raise NotFound()
    return grid


# --- the area tree ------------------------------------------------------------------


@dataclass
class TreeNode:
    """One row of the area tree: an area (or, for grid-only users, a community heading)."""

    name: str
    area: Area | None = None
    children: list[TreeNode] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))

    @property
    def level_label(self) -> str:
        return self.area.get_level_display() if self.area else ""


def area_tree(
    *, user, community_counts: dict[int, dict], grid_counts: dict[int, dict]
) -> list[TreeNode]:
    """Visible areas as a tree, grids under their community, counts rolled up.

    ``community_counts`` maps a community id to counts by COUNT_KEYS; ``grid_counts`` maps a
    grid id likewise. Users bound only to grids see their grids under a community heading.
    """
    grids = list(grid_list(user=user))
    for g in grids:
        g.counts = {k: grid_counts.get(g.pk, {}).get(k, 0) for k in COUNT_KEYS[1:]}
    grids_by_community: dict[int, list[Grid]] = defaultdict(list)
    for g in grids:
        grids_by_community[g.community_id].append(g)

    areas = list(area_list(user=user))
    nodes = {a.pk: TreeNode(name=a.name, area=a) for a in areas}
    roots: list[TreeNode] = []
    for a in areas:  # ordered by path: parents come first
        node = nodes[a.pk]
        node.grids = grids_by_community.pop(a.pk, [])
        (nodes[a.parent_id].children if a.parent_id in nodes else roots).append(node)
    # Grids whose community the user cannot see as an area (grid-only roles).
    for _community_id, gs in sorted(grids_by_community.items()):
        node = TreeNode(name=gs[0].community.name, grids=gs)
        node.counts = _sum_counts([{"grids": 1, **g.counts} for g in gs])
        roots.append(node)

    def roll(node: TreeNode) -> dict[str, int]:
        if node.area is None:
            return node.counts
        own = {**community_counts.get(node.area.pk, {}), "grids": len(node.grids)}
        node.counts = _sum_counts([own, *(roll(c) for c in node.children)])
        return node.counts

    for r in roots:
        roll(r)
    return roots


def _sum_counts(parts) -> dict[str, int]:
    total = dict.fromkeys(COUNT_KEYS, 0)
    for p in parts:
        for k in COUNT_KEYS:
            total[k] += p.get(k, 0) or 0
    return total


# --- the map ------------------------------------------------------------------------


@dataclass
class MapLayer:
    """What the map shows at one level: the focus area (None at the top) and its parts."""

    area: Area | None
    breadcrumbs: list[Area]
    features: list[dict]  # {"kind", "id", "name", "geometry", "community_ids" (areas)}


def map_layer(*, user, area_id=None) -> MapLayer:
    """The parts of ``area_id`` (or of the user's top level) with their geometry.

    A county or street shows its child areas; a community shows its grids. An area without
    its own boundary is drawn as the union of the visible grids inside it. Geometry comes
    from the scoped GeoJSON exporters.
    """
    visible = list(area_list(user=user).only("id", "name", "level", "parent_id", "path"))
    by_id = {a.pk: a for a in visible}
    if area_id not in (None, ""):
        try:
            area = by_id.get(int(area_id))
        except (TypeError, ValueError):
            area = None
        if area is None:
            raise NotFound()
    else:
        roots = [a for a in visible if a.parent_id not in by_id]
        area = roots[0] if len(roots) == 1 else None
        if area is None and roots:
            collection = exporters.areas_geojson(user=user)
            return MapLayer(None, [], _area_features(user, collection, roots, visible))
        if area is None:
            return MapLayer(None, [], _grid_features(exporters.grids_geojson(user=user)))
    crumbs = [by_id[int(i)] for i in area.path.strip("/").split("/") if int(i) in by_id]
    if area.level == Area.Level.COMMUNITY:
        collection = exporters.grids_geojson(user=user, community=area)
        return MapLayer(area, crumbs, _grid_features(collection))
    children = [a for a in visible if a.parent_id == area.pk]
    collection = exporters.areas_geojson(user=user, parent=area)
    return MapLayer(area, crumbs, _area_features(user, collection, children, visible))


def _grid_features(collection: dict) -> list[dict]:
    return [
        {
            "kind": "grid",
            "id": f["properties"]["id"],
            "name": f["properties"]["name"],
            "geometry": _plain(f["geometry"]),
            "community_ids": [],
        }
        for f in collection["features"]
        if f["geometry"]
    ]


def _area_features(user, collection: dict, areas: list[Area], visible: list[Area]) -> list[dict]:
    geometry_of = {f["properties"]["id"]: f["geometry"] for f in collection["features"]}
    communities = [a for a in visible if a.level == Area.Level.COMMUNITY]
    grid_shapes: dict[int, list] = defaultdict(list)
    if any(not geometry_of.get(a.pk) for a in areas):
        for g in (
            Grid.objects.restrict(user).filter(parent__isnull=True).only("geometry", "community_id")
        ):
            if g.geometry:
                grid_shapes[g.community_id].append(shape(g.geometry))
    features = []
    for a in areas:
        inside = [c for c in communities if c.path.startswith(a.path)]
        geometry = geometry_of.get(a.pk)
        if not geometry:
            parts = [s for c in inside for s in grid_shapes.get(c.pk, [])]
            geometry = mapping(unary_union(parts)) if parts else None
        if geometry:
            features.append(
                {
                    "kind": "area",
                    "id": a.pk,
                    "name": a.name,
                    "geometry": _plain(geometry),
                    "community_ids": [c.pk for c in inside],
                }
            )
    return features


def _plain(geometry) -> dict:
    """Lists, not tuples (shapely's mapping() gives tuples); 6 decimals (about 0.1 m) is plenty."""
    if isinstance(geometry, dict):
        return {k: _plain(v) for k, v in geometry.items()}
    if isinstance(geometry, list | tuple):
        return [_plain(v) for v in geometry]
    if isinstance(geometry, float):
        return round(geometry, 6)
    return geometry
