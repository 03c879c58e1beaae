"""County monthly bulletin (civicgrid.reports): figures, Excel and PDF over a case history.

Target: <= 30 s at 10 M cases (PostgreSQL). The cases are three years of history spread over
the benchmark county (17 streets, 46 communities), loaded by cases_data; the bulletin is made
for the last complete month, as the schedule would, and timed per step.

    python bench/reports_monthly.py [--db pg|sqlite|both] [--cases 1000000]
"""

from __future__ import annotations

import argparse
import logging
import time

import cases_common as cc
import cases_data as cd

TARGET_S = 30.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="pg")
    ap.add_argument("--cases", type=int, default=1_000_000)
    a = ap.parse_args()
    if not 10_000 <= a.cases <= 5_000_000:
        raise SystemExit("--cases must be between 10,000 and 5,000,000")
    if a.db == "both":
        return cc.run_per_database(__file__, ["sqlite", "pg"], ["--cases", str(a.cases)])
    cc.print_machine()
    cc.quiet_logs()
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    cc.create_database(a.db, "reports")
    try:
        from civicgrid.cases.models import Case
        from civicgrid.reports import content, periods, render_pdf, render_xlsx
        from civicgrid.reports.models import Kind

        county = cc.build_county()
        cd.load_cases(county, a.cases, shape="history")
        p = periods.last_complete(Kind.MONTHLY)
        in_month = Case.objects.filter(created_at__gte=p.start, created_at__lt=p.end).count()
        print(
            f"[{a.db}] {Case.objects.count():,} cases, {in_month:,} in {p.label}; "
            f"load average {cc.loadavg()}"
        )
        t = time.perf_counter()
        c = content.build(Kind.MONTHLY, county.county, p)
        t_fig = time.perf_counter() - t
        t = time.perf_counter()
        xlsx = render_xlsx.render(c)
        t_xlsx = time.perf_counter() - t
        t = time.perf_counter()
        pdf = render_pdf.render(c)
        t_pdf = time.perf_counter() - t
        total = t_fig + t_xlsx + t_pdf
        print(
            f"[{a.db}] monthly bulletin: figures {t_fig:.2f} s, Excel {t_xlsx:.2f} s "
            f"({len(xlsx):,} B), PDF {t_pdf:.2f} s ({len(pdf):,} B); "
            f"total {total:.2f} s (target {TARGET_S:.0f} s at 10 M) {cc.verdict(total <= TARGET_S)}"
        )
    finally:
        cc.drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
