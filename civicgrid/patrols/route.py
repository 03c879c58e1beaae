"""Route figures: haversine distance with GPS jumps left out, and an SVG projection of a route
over its grid polygon."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

EARTH_RADIUS_M = 6_371_008.8


def max_speed() -> float:
    """Segments faster than this (m/s) are GPS jumps, not walking or riding."""
    return float(getattr(settings, "PATROL_MAX_SPEED_MS", 30.0))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class RouteFigures:
    distance_m: float
    points: int
    jumps: int


# After this many jumps in a row the fixes are believed (the phone really is elsewhere, e.g.
# the first fix was the bad one): the newest becomes the anchor, with no distance added.
JUMP_RESET = 3


def route_figures(
    points: Iterable[tuple[float, float, float]], speed_limit: float | None = None
) -> RouteFigures:
    """Points are (lon, lat, unix seconds) in sequence order. Each fix is compared with the last
    accepted fix: faster than the limit (or a move with no time passed) is a jump and is left out
    of the distance."""
    limit = max_speed() if speed_limit is None else speed_limit
    total = 0.0
    n = jumps = streak = 0
    last = None
    for lon, lat, t in points:
        n += 1
        if last is None:
            last = (lon, lat, t)
            continue
        d = haversine_m(last[0], last[1], lon, lat)
        dt = t - last[2]
        fast = (d / dt > limit) if dt > 0 else d > 1.0
        if fast:
            jumps += 1
            streak += 1
            if streak >= JUMP_RESET:
                last, streak = (lon, lat, t), 0
            continue
        streak = 0
        total += d
        last = (lon, lat, t)
    return RouteFigures(distance_m=total, points=n, jumps=jumps)


def _rings(geometry: dict | None) -> list[list[Sequence[float]]]:
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


@dataclass
class Projection:
    """Equirectangular projection onto a 1000-unit-wide box (cos(latitude) keeps shapes)."""

    min_x: float
    max_y: float
    kx: float
    ky: float
    width: float
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return round((lon - self.min_x) * self.kx, 1), round((self.max_y - lat) * self.ky, 1)


def projection(geometry: dict | None, coords: list[tuple[float, float]]) -> Projection | None:
    xs = [c[0] for ring in _rings(geometry) for c in ring] + [c[0] for c in coords]
    ys = [c[1] for ring in _rings(geometry) for c in ring] + [c[1] for c in coords]
    if not xs:
        return None
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    pad = max(max_x - min_x, max_y - min_y, 0.0005) * 0.05
    min_x, max_x, min_y, max_y = min_x - pad, max_x + pad, min_y - pad, max_y + pad
    cos = math.cos(math.radians((min_y + max_y) / 2))
    span_x = (max_x - min_x) * cos
    span_y = max_y - min_y
    k = 1000.0 / max(span_x, 1e-9)
    return Projection(
        min_x=min_x,
        max_y=max_y,
        kx=k * cos,
        ky=k,
        width=1000.0,
        height=round(max(span_y * k, 1.0), 1),
    )


def svg_shapes(geometry: dict | None, coords: list[tuple[float, float]]) -> dict | None:
    """The grid outline and the route as SVG point lists in one viewBox, or None with nothing
    to draw."""
    proj = projection(geometry, coords)
    if proj is None:
        return None

    def pts(seq):
        return " ".join(f"{x},{y}" for x, y in (proj.xy(c[0], c[1]) for c in seq))

    return {
        "viewbox": f"0 0 {proj.width:g} {proj.height:g}",
        "outlines": [pts(ring) for ring in _rings(geometry)],
        "route": pts(coords),
        "start": proj.xy(*coords[0]) if coords else None,
        "end": proj.xy(*coords[-1]) if coords else None,
        "proj": proj,
    }
