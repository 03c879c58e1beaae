"""Resident search by phone number (people.selectors.resident_search): p50 / p95 latency.

Run against a database that holds a demo county, with the settings and keys it was
generated with (bench/run_all.py does this for you):

    DATABASE_URL=… python bench/phone_search.py --lookups 200

It signs in as the demo street staff (scope: one street) and looks up the phones of
residents of that street, through the keyed-hash index. Target: p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time

import _common  # noqa: F401 - puts the project on sys.path

TARGET_MS = 20.0


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(lookups: int, seed: int = 1) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    django.setup()
    from django.contrib.auth import get_user_model

    from civicgrid.core.scoping import get_scope
    from civicgrid.people.models import Resident
    from civicgrid.people.selectors import resident_search

    User = get_user_model()
    user = User.objects.get(username="demo_street")
    ids = list(Resident.objects.restrict(user).exclude(phone_index="").values_list("id", flat=True))
    sample = random.Random(seed).sample(ids, min(lookups, len(ids)))
    phones = {r.pk: r.phone for r in Resident.objects.filter(pk__in=sample)}
    get_scope(user)  # resolve the scope once, as a request does before its queries
    for pk in sample[:10]:  # warm-up
        list(resident_search(user=user, q=phones[pk]))
    selector_ms, cpu_ms, request_ms = [], [], []
    for pk in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        found = list(resident_search(user=user, q=phones[pk]))
        selector_ms.append((time.perf_counter() - t0) * 1000)
        cpu_ms.append((time.process_time() - c0) * 1000)
        assert [r.pk for r in found] == [pk], "phone search found the wrong rows"
        fresh = User.objects.get(pk=user.pk)  # a new request: scope resolved again
        t0 = time.perf_counter()
        list(resident_search(user=fresh, q=phones[pk]))
        request_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "lookups": len(sample),
        "residents_in_scope": len(ids),
        "residents_total": Resident.objects.count(),
        "p50_ms": statistics.median(selector_ms),
        "p95_ms": percentile(selector_ms, 95),
        # CPU time of this process alone: on SQLite that is all of the work; on PostgreSQL
        # the server's share is not in it. Useful when the machine is shared and busy.
        "cpu_p50_ms": statistics.median(cpu_ms),
        "cpu_p95_ms": percentile(cpu_ms, 95),
        "with_scope_p50_ms": statistics.median(request_ms),
        "with_scope_p95_ms": percentile(request_ms, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure(args.lookups)
    if args.json:
        print(json.dumps(figures))
        return
    from _common import line

    print(line("phone search p50", f"{figures['p50_ms']:.2f} ms"))
    print(
        line(
            "phone search p95",
            f"{figures['p95_ms']:.2f} ms",
            "≤ 20 ms",
            figures["p95_ms"] <= TARGET_MS,
        )
    )
    print(line("phone search p95, CPU time of this process", f"{figures['cpu_p95_ms']:.2f} ms"))
    print(line("phone search p95 incl. scope resolution", f"{figures['with_scope_p95_ms']:.2f} ms"))


if __name__ == "__main__":
    sys.exit(main())
