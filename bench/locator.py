"""Point → grid locator throughput over the county's 518 grids (no database needed).

    python bench/locator.py --scale county

Grids come from the demo generator's tiling (county → 17 streets → 46 communities → 518
grids). Random points in the county's bounding box go through Locator.locate_indexes
(vectorised, target ≥ 100,000 points/s); single-point Locator.locate() is reported beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import _common  # noqa: F401 - puts the project on sys.path

TARGET_PER_S = 100_000


def county_grids(scale_name: str, seed: int = 2024):
    from civicgrid.demo.allocate import allocate, sub_numpy
    from civicgrid.demo.geometry import county_polygon, split, to_geojson
    from civicgrid.demo.scales import SCALES

    scale = SCALES[scale_name]
    rng = sub_numpy(seed, "bench-locator")
    size = 1.0 if scale.streets > 1 else 1 / 6
    outline = county_polygon(rng, half_width=0.36 * size, half_height=0.27 * size)
    communities = [
        c
        for street, n in zip(split(outline, scale.streets, rng), scale.communities, strict=True)
        for c in split(street, n, rng)
    ]
    per_community = allocate(scale.grids, [1.0] * len(communities), minimum=1)
    grids = [g for c, n in zip(communities, per_community, strict=True) for g in split(c, n, rng)]
    return outline, [(i, to_geojson(g), "comprehensive") for i, g in enumerate(grids, 1)]


def measure(scale_name: str, points: int = 1_000_000, singles: int = 2_000) -> dict:
    import django
    import numpy as np

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from civicgrid.geo.locator import Locator

    outline, grids = county_grids(scale_name)
    locator = Locator(grids)
    minx, miny, maxx, maxy = outline.bounds
    rng = np.random.default_rng(1)
    coords = np.column_stack([rng.uniform(minx, maxx, points), rng.uniform(miny, maxy, points)])
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        found = locator.locate_indexes(coords)
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    for lon, lat in coords[:singles]:
        locator.locate(float(lon), float(lat))
    single = time.perf_counter() - t0
    return {
        "grids": len(grids),
        "points": points,
        "inside_share": float((found >= 0).mean()),
        "per_s": points / best,
        "single_per_s": singles / single,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="county", choices=["tiny", "small", "county"])
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    from _common import line

    f = measure(args.scale, args.points)
    print(
        line(
            f"locator, {f['grids']} grids: locate_indexes",
            f"{f['per_s']:,.0f} pts/s",
            "≥ 100,000 pts/s",
            f["per_s"] >= TARGET_PER_S,
        )
    )
    print(line("locator: single-point locate()", f"{f['single_per_s']:,.0f} pts/s"))
    print(line("locator: share of bbox points inside a grid", f"{f['inside_share']:.0%}"))


if __name__ == "__main__":
    sys.exit(main())
