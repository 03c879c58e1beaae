"""GeoJSON export of areas and grids, restricted to what the user may view.

The output is a plain FeatureCollection dict (RFC 7946, WGS-84 longitude/latitude) for the
map page and for downloads. Its properties are the ones ``import_geojson`` reads, so an
exported file can be edited and imported again.
"""

from __future__ import annotations

from civicgrid.core.scoping import VIEW

from .models import Area, Grid


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: dict | None, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def grids_geojson(*, user, community: Area | None = None) -> dict:
    """The grids the user may view (of one community when given), micro-grids included.

    Properties: id, code, name, kind, community_code, parent_code.
    """
    qs = Grid.objects.restrict(user, VIEW)
    if community is not None:
        qs = qs.filter(community=community)
    rows = qs.order_by("code").values_list(
        "id", "code", "name", "kind", "community__code", "parent__code", "geometry"
    )
    return _collection(
        [
            _feature(
                geometry,
                {
                    "id": pk,
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "community_code": community_code,
                    "parent_code": parent_code,
                },
            )
            for pk, code, name, kind, community_code, parent_code, geometry in rows
        ]
    )


def areas_geojson(*, user, parent: Area | None = None) -> dict:
    """The areas the user may view: all of them, or the direct children of ``parent``.

    Properties: id, code, name, level (1 county, 2 street, 3 community), parent_code.
    """
    qs = Area.objects.restrict(user, VIEW)
    if parent is not None:
        qs = qs.filter(parent=parent)
    rows = qs.order_by("path").values_list(
        "id", "code", "name", "level", "parent__code", "geometry"
    )
    return _collection(
        [
            _feature(
                geometry,
                {"id": pk, "code": code, "name": name, "level": level, "parent_code": parent_code},
            )
            for pk, code, name, level, parent_code, geometry in rows
        ]
    )
