"""Demo county generation: wall time and peak memory of the generating process.

    python bench/generation.py --scale county --db both

SQLite writes to a temporary file; PostgreSQL to the database civicgrid_bench, created and
dropped here. Targets at county scale: at most 10 minutes and 2 GB.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from _common import ChildResult, line, manage, pg_create, pg_drop, run_child, settings_env

TARGET_SECONDS = 600
TARGET_MB = 2048


def generate_into(
    database_url: str, env: dict[str, str], scale: str, seed: int = 2024
) -> ChildResult:
    migrate = run_child(manage("migrate", "--noinput", "-v", "0"), env)
    if migrate.returncode:
        raise SystemExit(f"migrate failed:\n{migrate.output}")
    result = run_child(
        manage("demo", "--scale", scale, "--seed", str(seed), "--verbosity", "0"), env
    )
    if result.returncode:
        raise SystemExit(f"demo failed:\n{result.output}")
    return result


def residents_of(result: ChildResult) -> int:
    m = re.search(r"residents\s+([\d,]+)", result.output)
    return int(m.group(1).replace(",", "")) if m else 0


def counts_of(result: ChildResult) -> str:
    """The generator's closing counts, on one line: "residents 1,210,000, households …"."""
    pairs = re.findall(r"^\s+([a-z_]+)\s+([\d,]+)$", result.output, flags=re.M)
    return ", ".join(f"{k} {v}" for k, v in pairs)


def report(db: str, result: ChildResult, scale: str) -> list[str]:
    n = residents_of(result)
    print(f"  generated on {db}: {counts_of(result)}", flush=True)
    judged = scale == "county"
    return [
        line(
            f"generation {scale} on {db}: time",
            f"{result.seconds:,.0f} s",
            "≤ 600 s" if judged else "",
            result.seconds <= TARGET_SECONDS if judged else None,
        ),
        line(
            f"generation {scale} on {db}: peak memory",
            f"{result.peak_mb:,.0f} MB",
            "≤ 2048 MB" if judged else "",
            result.peak_mb <= TARGET_MB if judged else None,
        ),
        line(
            f"generation {scale} on {db}: CPU time of the process", f"{result.cpu_seconds:,.0f} s"
        ),
        line(f"generation {scale} on {db}: residents/s", f"{n / result.seconds:,.0f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "county"])
    parser.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            result = generate_into(url, settings_env(url), args.scale)
            print("\n".join(report("SQLite", result, args.scale)))
    if args.db in ("postgres", "both"):
        url = pg_create()
        try:
            result = generate_into(url, settings_env(url), args.scale)
            print("\n".join(report("PostgreSQL", result, args.scale)))
        finally:
            pg_drop()


if __name__ == "__main__":
    sys.exit(main())
