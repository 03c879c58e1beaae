"""Work queues with a million cases on PostgreSQL: the list query and the rendered page.

Target: p95 <= 100 ms for the queue list query (count + first page of 30, as the view's
Paginator runs them) and for GET /cases/q/<name>/ through Django's test client, for a
community staff user and for the staff of the biggest street (9 of 46 communities, ~20% of
all cases), with and without a full-text query.

    python bench/cases_queue.py [--cases 1000000] [--repeat 30] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import sys
import time

import cases_common as cc
import cases_data as cd

TARGET_MS = 100.0
QUEUES = ["in_progress", "overdue", "all"]
QUERIES = ["", "路灯"]


def timed(fn, repeat: int) -> list[float]:
    for _ in range(2):  # warm-up: plans and caches
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def list_query(user, name: str, q: str):
    from django.core.paginator import Paginator

    from civicgrid.cases import selectors
    from civicgrid.core.scoping import clear_scope_cache

    clear_scope_cache(user)  # a new request resolves the scope again
    qs = selectors.apply_filters(selectors.queue(user=user, name=name), {"q": q})
    page = Paginator(qs, 30).get_page(1)
    return page.paginator.count, len(list(page.object_list))


def explain(user, name: str, q: str) -> str:
    from django.core.paginator import Paginator

    from civicgrid.cases import selectors

    qs = selectors.apply_filters(selectors.queue(user=user, name=name), {"q": q})
    return Paginator(qs, 30).get_page(1).object_list.explain(analyze=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", action="store_true", help="use a database kept by --keep")
    ap.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of slow lists")
    a = ap.parse_args()
    if not 10_000 <= a.cases <= 10_000_000 or not 5 <= a.repeat <= 200:
        raise SystemExit("--cases 10,000..10,000,000 and --repeat 5..200")
    cc.print_machine()
    cc.quiet_logs()
    tag = f"queue_{a.cases}"
    if a.reuse:
        cc.use_existing_database("pg", tag)
    else:
        cc.create_database("pg", tag)
    try:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from civicgrid.cases.models import Case

        if a.reuse:
            users = get_user_model().objects
            staff = {
                "community": users.get(username="bench_community"),
                "street": users.get(username="bench_street"),
            }
        else:
            county = cc.build_county()
            seconds = cd.load_cases(county, a.cases)
            print(f"load: {a.cases:,} cases in {seconds / 60:.1f} min")
            staff = {"community": county.community_staff, "street": county.street_staff}
        print(f"cases in the database: {Case.objects.count():,}; load average {cc.loadavg()}")
        print(
            f"{'user':<10}{'queue':<12}{'q':<6}{'rows':>8}  {'list p50/p95 ms':>16}"
            f"  {'page p50/p95 ms':>16}  target p95 <= {TARGET_MS:.0f} ms"
        )
        worst = 0.0
        for who, user in staff.items():
            client = Client()
            client.force_login(user)
            for name in QUEUES:
                for q in QUERIES:
                    count, _n = list_query(user, name, q)
                    lst = timed(lambda: list_query(user, name, q), a.repeat)  # noqa: B023
                    url = f"/cases/q/{name}/" + (f"?q={q}" if q else "")
                    status = client.get(url).status_code
                    page = timed(lambda: client.get(url), a.repeat)  # noqa: B023
                    lp95, pp95 = cc.percentile(lst, 95), cc.percentile(page, 95)
                    worst = max(worst, lp95, pp95)
                    ok = cc.verdict(lp95 <= TARGET_MS and pp95 <= TARGET_MS)
                    print(
                        f"{who:<10}{name:<12}{q or '-':<6}{count:>8,}  "
                        f"{cc.percentile(lst, 50):>7.1f}/{lp95:<8.1f}"
                        f"  {cc.percentile(page, 50):>7.1f}/{pp95:<8.1f}  {ok}"
                        + ("" if status == 200 else f"  HTTP {status}")
                    )
                    if a.explain and lp95 > TARGET_MS:
                        print(explain(user, name, q))
        print(
            f"worst p95: {worst:.0f} ms (target <= {TARGET_MS:.0f} ms: "
            f"{cc.verdict(worst <= TARGET_MS)}); load average {cc.loadavg()}"
        )
        return 0
    finally:
        if not a.keep:
            cc.drop_database()


if __name__ == "__main__":
    sys.exit(main())
