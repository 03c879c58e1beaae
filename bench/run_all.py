"""Run every benchmark of this stage and print each figure beside its target.

    python bench/run_all.py                  # small scale: a couple of minutes
    python bench/run_all.py --scale county   # the 博罗 scale: ~20–30 minutes on 2 cores

Generation runs on SQLite (a temporary file) and on PostgreSQL (database civicgrid_bench,
created and dropped here; server from BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432).
Phone search then runs on each generated database; the locator needs no database.
Time and memory targets apply to the county scale; smaller scales print the figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from _common import line, machine, pg_available, pg_create, pg_drop, run_child, settings_env
from generation import generate_into, report
from phone_search import TARGET_MS


def phone_search_in(env: dict[str, str], lookups: int) -> dict:
    result = run_child(
        [sys.executable, "bench/phone_search.py", "--json", "--lookups", str(lookups)], env
    )
    if result.returncode:
        raise SystemExit(f"phone search failed:\n{result.output}")
    return json.loads(result.output.strip().splitlines()[-1])


def search_lines(db: str, f: dict) -> list[str]:
    return [
        line(
            f"phone search on {db} ({f['residents_total']:,} residents): p50",
            f"{f['p50_ms']:.2f} ms",
        ),
        line(
            f"phone search on {db}: p95",
            f"{f['p95_ms']:.2f} ms",
            "≤ 20 ms",
            f["p95_ms"] <= TARGET_MS,
        ),
        line(
            f"phone search on {db}: p95, CPU time of the client process",
            f"{f['cpu_p95_ms']:.2f} ms",
        ),
        line(
            f"phone search on {db}: p95 incl. scope resolution", f"{f['with_scope_p95_ms']:.2f} ms"
        ),
    ]


# The case-loop benchmarks at a size that finishes in minutes; at county scale, the sizes the
# targets name (see docs/benchmarks-cases.md for the full runs).
CASES_RUNS = {
    "small": [
        ["bench/cases_import.py", "--rows", "5000"],
        ["bench/cases_sweep.py", "--cases", "100000"],
        ["bench/cases_queue.py", "--cases", "100000", "--repeat", "10"],
        ["bench/cases_intake.py", "--requests", "600", "--seconds", "20"],
    ],
    "county": [
        ["bench/cases_import.py", "--rows", "20000"],
        ["bench/cases_sweep.py", "--cases", "1000000"],
        ["bench/cases_queue.py", "--cases", "1000000"],
        ["bench/cases_intake.py"],
    ],
}


def cases_benchmarks(scale: str) -> list[str]:
    lines: list[str] = []
    env = {k: v for k, v in settings_env("").items() if k != "DATABASE_URL"}
    for cmd in CASES_RUNS["county" if scale == "county" else "small"]:
        print(f"\n$ python {' '.join(cmd)}", flush=True)
        result = run_child([sys.executable, *cmd], env)
        print(result.output, flush=True)
        lines += [
            ln for ln in result.output.splitlines() if "target" in ln.lower() or "MISSED" in ln
        ]
        if result.returncode:
            lines.append(f"{cmd[0]}: exited with {result.returncode} (see its output above)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "county"])
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--keep-postgres", action="store_true", help="keep civicgrid_bench for inspection"
    )
    parser.add_argument(
        "--with-cases",
        action="store_true",
        help="also run the case-loop benchmarks (bench/cases_*.py; each builds its own county)",
    )
    args = parser.parse_args()
    print(f"CivicGrid benchmarks, scale {args.scale}, {dt.datetime.now():%Y-%m-%d %H:%M}")
    for key, value in machine().items():
        print(f"  {key}: {value}")
    out: list[str] = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            env = settings_env(url)
            out += report("SQLite", generate_into(url, env, args.scale), args.scale)
            out += search_lines("SQLite", phone_search_in(env, args.lookups))
            print("\n".join(out[-8:]), flush=True)
    if not args.skip_postgres and pg_available():
        url = pg_create()
        try:
            env = settings_env(url)
            out += report("PostgreSQL", generate_into(url, env, args.scale), args.scale)
            out += search_lines("PostgreSQL", phone_search_in(env, args.lookups))
            print("\n".join(out[-8:]), flush=True)
        finally:
            if not args.keep_postgres:
                pg_drop()
    elif not args.skip_postgres:
        print("  PostgreSQL not reachable: skipped (set BENCH_PG_URL)")
    loc_env = {k: v for k, v in settings_env("").items() if k != "DATABASE_URL"}
    loc_env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"  # the locator needs no database
    loc = run_child([sys.executable, "bench/locator.py", "--scale", args.scale], loc_env)
    out += loc.output.strip().splitlines()
    if args.with_cases:
        out += cases_benchmarks(args.scale)
    print("\nSummary (figure, measured, target):")
    print("\n".join(out))
    missed = [s for s in out if "MISSED" in s]
    print(f"\n{len(missed)} target(s) missed." if missed else "\nAll targets met.")


if __name__ == "__main__":
    sys.exit(main())
