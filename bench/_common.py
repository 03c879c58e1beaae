"""Shared helpers for the benchmark scripts: child processes with their peak memory,
throw-away databases, production-like settings, and a description of the machine."""

from __future__ import annotations

import base64
import os
import platform
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The PostgreSQL server to benchmark on; the scripts create and drop their own database there.
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "civicgrid_bench"


@dataclass
class ChildResult:
    seconds: float
    cpu_seconds: float  # user + system time of the child: less sensitive to a busy machine
    peak_mb: float
    returncode: int
    output: str


def settings_env(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off, Argon2) with throw-away keys for one benchmark run."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        CIVICGRID_PII_KEYS="1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        CIVICGRID_PII_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
    )
    return env


def run_child(argv: list[str], env: dict[str, str]) -> ChildResult:
    """Run a child process; report its wall time and its own peak resident memory (maxrss)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return ChildResult(seconds, cpu, usage.ru_maxrss / 1024, proc.returncode, out.read())


def manage(*args: str) -> list[str]:
    return [sys.executable, "-m", "civicgrid", *args]


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_create(name: str = PG_DATABASE) -> str:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
    pg_admin(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def pg_drop(name: str = PG_DATABASE) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}"')


def pg_available() -> bool:
    try:
        pg_admin("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False
    return True


def machine() -> dict[str, str]:
    info = {
        "cores (nproc)": str(os.cpu_count()),
        "load average (1 min) at start": f"{os.getloadavg()[0]:.1f}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    if pg_available():
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    return info


def line(label: str, value: str, target: str = "", ok: bool | None = None) -> str:
    mark = "" if ok is None else ("  ✓" if ok else "  ✗ MISSED")
    return f"  {label:<58}{value:>16}   {target}{mark}"
