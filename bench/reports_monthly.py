"""County monthly bulletin (civicgrid.reports): figures, Excel and PDF over a case history.

Target: <= 30 s at 10 M cases (PostgreSQL). The cases are three years of history spread over
the benchmark county (17 streets, 46 communities, 518 grids, 21 departments), loaded by
cases_data, and the rollups rebuilt (the bulletin counts from them); the bulletin is made for
the last complete month, as the schedule would: the figures, each rendering, and then each
format end to end through `report_generate` (flush of stale days, figures, rendering, file and
archive row), wall time. The major-item report (which reads cases) is timed alongside, with no
target.

    python bench/reports_monthly.py [--db pg|sqlite|both] [--cases 1000000]
        [--database NAME] [--keep] [--reuse] [--repeat 3] [--explain]

``--reuse --database NAME`` works on a database kept by bench/analytics_screen.py ``--keep``
(its rollups already rebuilt); ``--explain`` prints EXPLAIN ANALYZE of the bulletin's slowest
queries.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time

import cases_common as cc
import cases_data as cd

TARGET_S = 30.0


def _seconds(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="pg")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE of slow queries")
    cd.add_database_arguments(ap)
    a = ap.parse_args()
    if not 10_000 <= a.cases <= 10_000_000 or not 1 <= a.repeat <= 20:
        raise SystemExit("--cases 10,000..10,000,000 and --repeat 1..20")
    if a.db == "both":
        return cc.run_per_database(__file__, ["sqlite", "pg"], ["--cases", str(a.cases)])
    cc.print_machine()
    cc.quiet_logs()
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    county = cd.history_database(a, a.db, "reports")
    try:
        from django.test import override_settings

        from civicgrid.analytics import rollups
        from civicgrid.analytics.models import CaseRollup, RollupDirtyDay
        from civicgrid.cases.models import Case
        from civicgrid.reports import content, periods, render_pdf, render_xlsx, services
        from civicgrid.reports.models import Format, Kind

        # A bulk load goes round the hooks; a migration may have marked every day stale.
        if not a.reuse or not CaseRollup.objects.exists() or RollupDirtyDay.objects.exists():
            t = time.perf_counter()
            rows = rollups.rebuild()
            print(f"[{a.db}] rollups rebuilt: {rows:,} rows in {time.perf_counter() - t:.0f} s")
        p = periods.last_complete(Kind.MONTHLY)
        in_month = Case.objects.filter(created_at__gte=p.start, created_at__lt=p.end).count()
        print(
            f"[{a.db}] {Case.objects.count():,} cases, {in_month:,} in {p.label}; "
            f"load average {cc.loadavg()}"
        )

        def build():
            return content.build(Kind.MONTHLY, county.county, p)

        t_fig, c = _seconds(build, a.repeat)
        t_xlsx, xlsx = _seconds(lambda: render_xlsx.render(c), a.repeat)
        t_pdf, pdf = _seconds(lambda: render_pdf.render(c), a.repeat)
        print(
            f"[{a.db}] monthly bulletin (median of {a.repeat}): figures {t_fig:.2f} s, "
            f"Excel {t_xlsx:.2f} s ({len(xlsx):,} B), PDF {t_pdf:.2f} s ({len(pdf):,} B); "
            f"load average {cc.loadavg()}"
        )
        with (
            tempfile.TemporaryDirectory() as reports,
            override_settings(CIVICGRID_REPORT_DIR=reports),
        ):
            for fmt in (Format.XLSX, Format.PDF):

                def generate(fmt=fmt):
                    return services.report_generate(
                        actor=None, kind=Kind.MONTHLY, area=county.county, period=p.label, fmt=fmt
                    )

                seconds, report = _seconds(generate, a.repeat)
                print(
                    f"[{a.db}] report_generate monthly {fmt}: {seconds:.2f} s "
                    f"({report.size:,} B; target {TARGET_S:.0f} s at 10 M) "
                    f"{cc.verdict(seconds <= TARGET_S)}; load average {cc.loadavg()}"
                )
            t_major, major = _seconds(lambda: content.build(Kind.MAJOR, county.county, p), a.repeat)
            print(
                f"[{a.db}] major-item report figures (reads cases, no target): {t_major:.2f} s "
                f"({len(major.tables[-1].rows)} items); load average {cc.loadavg()}"
            )
        if a.explain:
            cc.explain_slow(build, slower_than_ms=200)
    finally:
        if not a.keep:
            cc.drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
