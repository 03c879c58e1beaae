"""Deadline sweep (civicgrid.cases.tasks.sweep) over a million open cases.

Target: <= 5 s on SQLite and PostgreSQL. The cases are all open, created over the last 20
days with deadlines from 5 days ago to 15 days ahead, and their SLA colours are those a
sweep one day earlier left: the first sweep has a day of changes to make (the worst case,
e.g. after a day of downtime); the second one, right after, is the steady state; on
PostgreSQL a third runs after ANALYZE, as autovacuum would do after so many changed rows.
The result is checked: no open case past its deadline is left un-red, and no case inside its
warning window is left green.

    python bench/cases_sweep.py [--db pg|sqlite|both] [--cases 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time

import cases_common as cc
import cases_data as cd

TARGET_S = 5.0


def check(now) -> list[str]:
    from civicgrid.cases.choices import OPEN_STATUSES
    from civicgrid.cases.models import Case

    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    problems = []
    late = open_cases.filter(resolve_due__lt=now).exclude(sla_state="red").count()
    if late:
        problems.append(f"{late} overdue cases not marked red")
    warn = open_cases.filter(warn_at__lte=now, resolve_due__gte=now, sla_state="green").count()
    if warn:
        problems.append(f"{warn} cases in their warning window still green")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    a = ap.parse_args()
    if not 10_000 <= a.cases <= 5_000_000:
        raise SystemExit("--cases must be between 10,000 and 5,000,000")
    if a.db == "both":
        extra = ["--cases", str(a.cases)] + (["--keep"] if a.keep else [])
        return cc.run_per_database(__file__, ["sqlite", "pg"], extra)
    cc.print_machine()
    cc.quiet_logs()
    cc.create_database(a.db, "sweep")
    try:
        from django.db import connection
        from django.utils import timezone

        from civicgrid.cases.models import Case, Notification
        from civicgrid.cases.tasks import sweep

        county = cc.build_county()
        cd.load_cases(county, a.cases, shape="open")
        now = timezone.now()
        before = dict(
            red=Case.objects.filter(sla_state="red").count(),
            yellow=Case.objects.filter(sla_state="yellow").count(),
        )
        print(f"[{a.db}] before: {before}; load average {cc.loadavg()}")
        runs = [("a day of changes", False), ("right after", False)]
        if connection.vendor == "postgresql":
            # autovacuum re-analyzes a table once 10% of its rows changed, as the first sweep did
            runs.append(("after ANALYZE", True))
        for label, analyze in runs:
            if analyze:
                with connection.cursor() as cur:
                    cur.execute("ANALYZE cases_case")
            t, cpu = time.perf_counter(), time.process_time()
            result = sweep(now)
            s, cpu = time.perf_counter() - t, time.process_time() - cpu
            ok = cc.verdict(s <= TARGET_S)
            print(
                f"[{a.db}] sweep, {label}: {s:.2f} s (target <= {TARGET_S:.0f} s: {ok}); "
                f"CPU of this process {cpu:.2f} s; {result}; load average {cc.loadavg()}"
            )
        problems = check(now)
        notes = Notification.objects.filter(channel="app", user__isnull=True).count()
        print(f"[{a.db}] overdue notifications written: {notes:,}")
        print(f"[{a.db}] checks: " + ("all passed" if not problems else "; ".join(problems)))
        print(f"[{a.db}] load average {cc.loadavg()}")
        return 1 if problems else 0
    finally:
        if not a.keep:
            cc.drop_database()


if __name__ == "__main__":
    sys.exit(main())
