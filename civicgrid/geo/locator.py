"""Point → grid. An STRtree over every grid polygon, rebuilt when grids change.

Coordinates are WGS-84 longitude/latitude as in GeoJSON. Distances are metres on a
local equirectangular projection around the point, fine at the scale of a county.

* A point inside (or on the edge of) several grids goes to a micro-grid before a
  comprehensive grid, then to the grid with the smallest code: the answer is deterministic.
* A point outside every grid is answered with the nearest grid and its distance in metres.
* The geo services drop this process's locator when they write a grid (at once and again on
  commit); other processes notice within RECHECK_SECONDS through a stamp of the grid table
  (count and latest ``updated_at``). A grid write that is rolled back after this process
  rebuilt inside the transaction is forgotten at the next stamp check.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from .models import Grid
from .validation import Frame

# How often a process re-checks whether grids changed elsewhere (another app server).
RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Located:
    grid_id: int | None
    inside: bool
    nearest_grid_id: int | None = None
    distance_m: float | None = None


class Locator:
    def __init__(self, grids: list[tuple[int, dict, str]]):
        # Micro-grids are preferred over the comprehensive grid that holds them.
        self.ids = np.array([g[0] for g in grids], dtype=np.int64)
        self.geoms = np.array([shape(g[1]) for g in grids], dtype=object)
        self.is_micro = np.array([g[2] == Grid.Kind.MICRO for g in grids], dtype=bool)
        shapely.prepare(self.geoms)
        self.tree = STRtree(self.geoms)

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, lon: float, lat: float) -> Located:
        return self.locate_many(np.array([[lon, lat]], dtype=float))[0]

    def locate_many(self, coords) -> list[Located]:
        """Locate many points at once (vectorised). coords: array of shape (n, 2)."""
        grid_idx = self.locate_indexes(coords)
        out: list[Located] = []
        for i, gi in enumerate(grid_idx):
            if gi >= 0:
                out.append(Located(int(self.ids[gi]), True))
            else:
                out.append(self._nearest(float(coords[i][0]), float(coords[i][1])))
        return out

    def locate_indexes(self, coords) -> np.ndarray:
        """Index of the grid holding each point, or -1: the fast path used in bulk."""
        coords = np.asarray(coords, dtype=float)
        points = shapely.points(coords)
        result = np.full(len(coords), -1, dtype=np.int64)
        if not len(self.ids) or not len(coords):
            return result
        pts_idx, geom_idx = self.tree.query(points, predicate="intersects")
        # A point on a shared edge touches two grids: a micro-grid wins, then the first grid
        # (grids are loaded in code order).
        order = np.lexsort((geom_idx, ~self.is_micro[geom_idx], pts_idx))
        pts_idx, geom_idx = pts_idx[order], geom_idx[order]
        first = np.unique(pts_idx, return_index=True)[1]
        result[pts_idx[first]] = geom_idx[first]
        return result

    def _nearest(self, lon: float, lat: float) -> Located:
        if not len(self.ids):
            return Located(None, False)
        p = Point(lon, lat)
        # The nearest in degrees; a grid nearer in metres lies within d / cos(lat) degrees.
        first = int(self.tree.query_nearest(p)[0])
        reach = shapely.distance(self.geoms[first], p) / max(math.cos(math.radians(lat)), 1e-6)
        candidates = self.tree.query(p, predicate="dwithin", distance=reach * (1 + 1e-9))
        frame, origin = Frame(lon, lat), Point(0, 0)
        distance, _micro, idx = min(
            (shapely.distance(frame.metres(self.geoms[i]), origin), bool(self.is_micro[i]), int(i))
            for i in (candidates if len(candidates) else [first])
        )
        return Located(None, False, int(self.ids[idx]), round(float(distance), 1))


_lock = threading.Lock()
_state: dict = {"locator": None, "stamp": None, "checked": 0.0}


def _stamp() -> tuple:
    from django.db.models import Count, Max

    agg = Grid.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def build_locator() -> Locator:
    rows = (
        Grid.objects.exclude(geometry=None).order_by("code").values_list("id", "geometry", "kind")
    )
    return Locator(list(rows))


def get_locator() -> Locator:
    now = time.monotonic()
    with _lock:
        loc = _state["locator"]
        if loc is not None and now - _state["checked"] < RECHECK_SECONDS:
            return loc
        stamp = _stamp()
        if loc is None or stamp != _state["stamp"]:
            _state["locator"] = build_locator()
            _state["stamp"] = stamp
        _state["checked"] = now
        return _state["locator"]


def invalidate_locator() -> None:
    with _lock:
        _state["locator"] = None
        _state["stamp"] = None


def locate(lon: float, lat: float) -> Located:
    return get_locator().locate(lon, lat)
