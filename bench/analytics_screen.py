"""Big screen (civicgrid.analytics.screen) data time and the full rollup rebuild.

Targets at 10 M cases (PostgreSQL): county screen data <= 300 ms server time, a drill-down level
<= 150 ms, full rebuild (`rebuild_rollups`) <= 10 min. The cases are three years of history over
the benchmark county (17 streets, 46 communities, 518 grids), bulk-loaded by cases_data; the
rollups are then rebuilt from scratch (timed), and the screen data (figures from the rollups
plus the map layer's GeoJSON, as the JSON endpoint returns them) is timed for the county, the
biggest street and one community: median of 7 runs after one warm-up.

    python bench/analytics_screen.py [--db pg|sqlite|both] [--cases 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import cases_common as cc
import cases_data as cd

TARGETS = {"county": 0.300, "street": 0.150, "community": 0.150}
REBUILD_TARGET_S = 600.0
RUNS = 7


def _time(fn) -> float:
    fn()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="pg")
    ap.add_argument("--cases", type=int, default=1_000_000)
    a = ap.parse_args()
    if not 10_000 <= a.cases <= 10_000_000:
        raise SystemExit("--cases must be between 10,000 and 10,000,000")
    if a.db == "both":
        return cc.run_per_database(__file__, ["sqlite", "pg"], ["--cases", str(a.cases)])
    cc.print_machine()
    cc.quiet_logs()
    cc.create_database(a.db, "screen")
    try:
        from civicgrid.analytics import rollups, screen
        from civicgrid.analytics.models import CaseRollup
        from civicgrid.analytics.screen_views import _map
        from civicgrid.cases.models import Case

        county = cc.build_county()
        cd.load_cases(county, a.cases, shape="history")
        print(f"[{a.db}] {Case.objects.count():,} cases; load average {cc.loadavg()}")
        t = time.perf_counter()
        rows = rollups.rebuild()
        t_rebuild = time.perf_counter() - t
        print(
            f"[{a.db}] rebuild: {rows:,} rollup rows in {t_rebuild:.1f} s "
            f"(target {REBUILD_TARGET_S:.0f} s at 10 M) {cc.verdict(t_rebuild <= REBUILD_TARGET_S)}"
        )
        assert CaseRollup.objects.count() == rows
        biggest = county.streets[0]
        levels = {
            "county": (county.importer, None),
            "street": (county.street_staff, biggest),
            "community": (county.importer, county.communities[0]),
        }
        for name, (user, area) in levels.items():

            def figures_only(user=user, area=area):
                return screen.figures(user, area)

            def endpoint(user=user, area=area):
                data = screen.figures(user, area)
                data["map"] = _map(user, data)
                return data

            t_fig, t_all = _time(figures_only), _time(endpoint)
            print(
                f"[{a.db}] screen {name}: figures {t_fig * 1000:.0f} ms, with map "
                f"{t_all * 1000:.0f} ms (target {TARGETS[name] * 1000:.0f} ms at 10 M) "
                f"{cc.verdict(t_all <= TARGETS[name])}; load average {cc.loadavg()}"
            )
    finally:
        cc.drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
