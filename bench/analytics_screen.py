"""Big screen (civicgrid.analytics.screen) data time and the full rollup rebuild.

Targets at 10 M cases (PostgreSQL): county screen data <= 300 ms server time, a drill-down level
<= 150 ms, full rebuild (`rebuild_rollups`) <= 10 min. The cases are three years of history over
the benchmark county (17 streets, 46 communities, 518 grids, 21 departments), bulk-loaded by
cases_data; the rollups are then rebuilt from scratch (timed), and the screen data is timed for
the county, the biggest street, one community and one grid: server side (the figures from the
rollups plus the map layer's GeoJSON, as the JSON endpoint builds them) and through Django's
test client (GET /screen/data/, JSON included), p50/p95 of --repeat runs after two warm-ups.

    python bench/analytics_screen.py [--db pg|sqlite|both] [--cases 1000000] [--repeat 30]
        [--database NAME] [--keep] [--reuse] [--no-rebuild] [--explain]

``--keep`` leaves the loaded database for ``--reuse`` by this script or bench/reports_monthly.py
(e.g. ``--cases 10000000 --database cg_bench_10m --keep``, then ``--reuse --database
cg_bench_10m``); ``--explain`` prints EXPLAIN ANALYZE of the slow queries of a level that
misses its target.
"""

from __future__ import annotations

import argparse

import cases_common as cc
import cases_data as cd

TARGETS_MS = {"county": 300.0, "street": 150.0, "community": 150.0, "grid": 150.0}
REBUILD_TARGET_S = 600.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="pg")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--no-rebuild", action="store_true", help="use the rollups as they are")
    ap.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE of missed levels")
    cd.add_database_arguments(ap)
    a = ap.parse_args()
    if not 10_000 <= a.cases <= 10_000_000 or not 5 <= a.repeat <= 200:
        raise SystemExit("--cases 10,000..10,000,000 and --repeat 5..200")
    if a.db == "both":
        return cc.run_per_database(__file__, ["sqlite", "pg"], ["--cases", str(a.cases)])
    cc.print_machine()
    cc.quiet_logs()
    county = cd.history_database(a, a.db, "screen")
    try:
        from django.test import Client, override_settings

        from civicgrid.analytics import screen
        from civicgrid.analytics.screen_views import _map
        from civicgrid.cases.models import Case

        print(f"[{a.db}] {Case.objects.count():,} cases; load average {cc.loadavg()}")
        if not a.no_rebuild:
            rebuild(a.db)
        biggest = county.streets[0]
        grid = county.grids[0]
        levels = {
            "county": (county.importer, {}),
            "street": (county.street_staff, {"area": biggest}),
            "community": (county.importer, {"area": county.communities[0]}),
            "grid": (county.importer, {"grid": grid}),
        }
        print(
            f"[{a.db}] {'level':<10}{'figures p50/p95 ms':>20}{'with map p50/p95':>20}"
            f"{'GET p50/p95':>18}   target (p95)"
        )
        for name, (user, where) in levels.items():
            area, grid_ = where.get("area"), where.get("grid")

            def figures_only(user=user, area=area, grid_=grid_):
                return screen.figures(user, area, grid=grid_)

            def endpoint(user=user, area=area, grid_=grid_):
                data = screen.figures(user, area, grid=grid_)
                data["map"] = _map(user, data)
                return data

            client = Client()
            client.force_login(user)  # no second factor: sign-in is not what is measured
            query = {"area": area.pk} if area else ({"grid": grid_.pk} if grid_ else {})

            @override_settings(CIVICGRID_2FA_ENFORCED=False)
            def get(client=client, query=query):
                response = client.get("/screen/data/", query)
                assert response.status_code == 200, response.status_code
                return response

            t_fig, t_all, t_get = (cc.timed_ms(f, a.repeat) for f in (figures_only, endpoint, get))
            target = TARGETS_MS[name]
            p95 = cc.percentile(t_all, 95)
            print(
                f"[{a.db}] {name:<10}{_pp(t_fig):>20}{_pp(t_all):>20}{_pp(t_get):>18}   "
                f"<= {target:.0f} ms {cc.verdict(p95 <= target)}; load average {cc.loadavg()}"
            )
            if a.explain and p95 > target:
                cc.explain_slow(endpoint, slower_than_ms=target / 10)
    finally:
        if not a.keep:
            cc.drop_database()
    return 0


def rebuild(db: str) -> None:
    import time

    from civicgrid.analytics import rollups
    from civicgrid.analytics.models import CaseRollup

    print(f"[{db}] rebuild starts; load average {cc.loadavg()}")
    t = time.perf_counter()
    rows = rollups.rebuild()
    seconds = time.perf_counter() - t
    print(
        f"[{db}] rebuild: {rows:,} rollup rows in {seconds:.1f} s "
        f"(target {REBUILD_TARGET_S:.0f} s at 10 M) {cc.verdict(seconds <= REBUILD_TARGET_S)}; "
        f"load average {cc.loadavg()}"
    )
    print(
        f"[{db}] rollup rows: {CaseRollup.objects.count():,} (day × community × grid × item × unit)"
    )


def _pp(times: list[float]) -> str:
    return f"{cc.percentile(times, 50):.0f} / {cc.percentile(times, 95):.0f}"


if __name__ == "__main__":
    raise SystemExit(main())
