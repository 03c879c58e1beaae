"""Synthetic boundaries that tile exactly: a convex county polygon split into Voronoi cells
(relaxed a few times so they look like real divisions), each clipped to its parent.

Every cell of a convex parent is convex, so each piece is one valid Polygon, and the cells of
one Voronoi diagram share their edges: the pieces cover the parent without gaps or overlaps.
"""

from __future__ import annotations

import json
import math

import numpy as np
import shapely
from shapely.geometry import Polygon

from .places import COUNTY_CENTRE


def county_polygon(
    rng: np.random.Generator, *, half_width: float = 0.36, half_height: float = 0.27
) -> Polygon:
    """A convex, slightly irregular outline around the county centre (~2,800 km²)."""
    cx, cy = COUNTY_CENTRE
    angles = np.linspace(0, 2 * math.pi, 48, endpoint=False)
    phase = rng.uniform(0, 2 * math.pi, 2)
    wobble = 1 + 0.10 * np.sin(3 * angles + phase[0]) + 0.05 * np.sin(5 * angles + phase[1])
    xs = cx + half_width * wobble * np.cos(angles)
    ys = cy + half_height * wobble * np.sin(angles)
    return shapely.convex_hull(shapely.multipoints(np.column_stack([xs, ys])))


def random_points_in(poly: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniformly random points strictly inside poly, shape (n, 2)."""
    if n <= 0:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        batch = max(16, int((n - count) * 1.6 * poly.envelope.area / max(poly.area, 1e-18)))
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        keep = shapely.contains_xy(poly, xs, ys)
        pts = np.column_stack([xs[keep], ys[keep]])
        found.append(pts)
        count += len(pts)
    return np.concatenate(found)[:n]


def split(parent: Polygon, n: int, rng: np.random.Generator, *, relax: int = 3) -> list[Polygon]:
    """Split a convex polygon into n convex pieces that tile it, ordered west to east."""
    if n <= 1:
        return [parent]
    seeds = random_points_in(parent, n, rng)
    cells: list[Polygon] = []
    for step in range(relax + 1):
        diagram = shapely.voronoi_polygons(
            shapely.multipoints(seeds), extend_to=parent, ordered=True
        )
        cells = [shapely.intersection(cell, parent) for cell in shapely.get_parts(diagram)]
        if step < relax:  # Lloyd relaxation: move each seed to the centroid of its cell
            seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    cells = [shapely.normalize(c) for c in cells]
    return sorted(cells, key=lambda c: (round(c.centroid.x, 9), round(c.centroid.y, 9)))


def to_geojson(poly: Polygon) -> dict:
    return json.loads(shapely.to_geojson(poly))
