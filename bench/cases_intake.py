"""Case intake over real HTTP: gunicorn on 127.0.0.1, grid workers signed in through the login
form, POST /cases/new/ with distinct idempotency keys from concurrent client threads.

Target: >= 300 cases/s on PostgreSQL (SQLite is expected lower: one writer at a time).
Every created case is checked in the database afterwards (count and one "report" ledger row
each), so only cases that really exist are counted. Bounded by --requests and --seconds.

    python bench/cases_intake.py [--db pg|sqlite|both] [--requests 3000] [--clients 16]
    python bench/cases_intake.py --client wrk [--seconds 30] [--clients 16]

The default client is Python threads (urllib), which costs CPU on the same 2 cores as the
server; `--client wrk` drives the load with wrk (Debian package `wrk`, C, a Lua script that
gives every request its own idempotency key), so nearly all CPU is left to the server.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import cases_common as cc

TARGET = 300.0
CONFIGS = [("sync", 2, 1), ("sync", 4, 1), ("gthread", 2, 4), ("gthread", 4, 4)]
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One signed-in browser: its own cookies and CSRF token."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        token = self._token("/accounts/login/")
        status = self.post(
            "/accounts/login/",
            {"username": username, "password": cc.PASSWORD, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise SystemExit(f"login of {username} answered {status}")
        self.token = self._token("/cases/new/")

    def _token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as r:
            return _TOKEN.search(r.read().decode()).group(1)

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=body, method="POST")
        req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=60) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        finally:
            # A browser shows the "reported" message on the next page and drops it; a client
            # that never follows the redirect must drop it too, or the messages pile up in
            # the cookie and then in the session, which every later request rewrites.
            for c in [c for c in self.jar if c.name == "messages"]:
                self.jar.clear(c.domain, c.path, c.name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, kind: str, workers: int, threads: int) -> tuple:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "LOG_LEVEL": "ERROR",
        "DB_CONN_MAX_AGE": "600",
    }
    argv = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        kind,
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    proc = subprocess.Popen(
        argv, cwd=cc.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def run_load(base: str, county, *, requests: int, clients: int, seconds: float, tag: str):
    from civicgrid.cases.models import MatterItem

    items = list(MatterItem.objects.filter(active=True).values_list("id", flat=True))
    grid = county.grids[0]
    sessions = [Session(base, "bench_worker") for _ in range(clients)]
    rng = random.Random(5)
    lock = threading.Lock()
    latencies, statuses = [], {}
    counter = iter(range(requests))
    deadline = time.perf_counter() + seconds

    def client(session: Session):
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
                item = rng.choice(items)
                lon, lat = cc.grid_point(grid, rng)
            if i is None:
                return
            data = {
                "csrfmiddlewaretoken": session.token,
                "item": item,
                "lon": lon,
                "lat": lat,
                "text": f"巡查发现路灯不亮 {tag}-{i}",
                "address": "幸福小区3栋",
                "idempotency_key": f"{tag}-{i}",
            }
            t = time.perf_counter()
            status = session.post("/cases/new/", data)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                statuses[status] = statuses.get(status, 0) + 1

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, sessions))
    return time.perf_counter() - t, latencies, statuses


WRK_SCRIPT = r"""
local points = %(points)s
local items = %(items)s
local text = "%(text)s"
local prefix = "%(prefix)s"
local counter = 0
local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "%(cookie)s"
  wrk.headers["Referer"] = "%(base)s/cases/new/"
  wrk.headers["X-CSRFToken"] = "%(csrf)s"
end

request = function()
  counter = counter + 1
  local p = points[(counter %% #points) + 1]
  local item = items[(counter %% #items) + 1]
  local body = "item=" .. item .. "&lon=" .. p[1] .. "&lat=" .. p[2] .. "&text=" .. text
    .. "&address=3&idempotency_key=" .. prefix .. tid .. "-" .. counter
  return wrk.format(nil, "/cases/new/", nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%d %%d %%d %%d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status))
end
"""


def run_wrk(base: str, county, *, clients: int, seconds: float, tag: str):
    """Drive POST /cases/new/ with wrk for `seconds`; returns (seconds, completed, p50, p95,
    non-2xx/3xx count). One signed-in session; every request has its own idempotency key."""
    from civicgrid.cases.models import MatterItem

    session = Session(base, "bench_worker")
    cookies = {c.name: c.value for c in session.jar}
    items = list(MatterItem.objects.filter(active=True).values_list("id", flat=True))
    rng = random.Random(5)
    points = [cc.grid_point(county.grids[0], rng) for _ in range(200)]
    script = WRK_SCRIPT % {
        "points": "{" + ",".join(f"{{{x},{y}}}" for x, y in points) + "}",
        "items": "{" + ",".join(map(str, items)) + "}",
        "text": urllib.parse.quote("巡查发现路灯不亮,幸福小区3栋门口"),
        "prefix": f"{tag}-",
        "cookie": "; ".join(f"{k}={v}" for k, v in cookies.items() if k != "messages"),
        "base": base,
        "csrf": cookies["csrftoken"],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    argv = ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "-s", f.name, "--timeout", "30s"]
    out = subprocess.run(argv + [base + "/cases/new/"], capture_output=True, text=True).stdout
    os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    reqs, dur_us, p50_us, p95_us, bad = map(int, line.split()[1:])
    return dur_us / 1e6, reqs, p50_us / 1000, p95_us / 1000, bad


def verify(tag: str, county) -> tuple[int, int]:
    from civicgrid.cases.models import Case, CaseEvent

    key = f"web:{county.worker.pk}:{tag}-"
    cases = Case.objects.filter(idempotency_key__startswith=key)
    return cases.count(), CaseEvent.objects.filter(case__in=cases, action="report").count()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
    ap.add_argument("--requests", type=int, default=3000, help="per configuration")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0, help="per configuration")
    ap.add_argument("--client", choices=["python", "wrk"], default="python")
    a = ap.parse_args()
    if a.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--client wrk needs wrk (Debian: apt-get install wrk)")
    if not 50 <= a.requests <= 20_000 or not 1 <= a.clients <= 64 or not 5 <= a.seconds <= 300:
        raise SystemExit("--requests 50..20,000, --clients 1..64, --seconds 5..300")
    if a.db == "both":
        extra = [
            "--requests",
            str(a.requests),
            "--clients",
            str(a.clients),
            "--seconds",
            str(a.seconds),
            "--client",
            a.client,
        ]
        return cc.run_per_database(__file__, ["sqlite", "pg"], extra)
    cc.print_machine()
    cc.quiet_logs()
    url = cc.create_database(a.db, "intake", settings="config.settings.dev")
    rc = 0
    try:
        county = cc.build_county()
        for kind, workers, threads in CONFIGS:
            proc, base = start_gunicorn(url, kind, workers, threads)
            try:
                name = f"{kind}-w{workers}" + (f"t{threads}" if kind == "gthread" else "")
                run_load(base, county, requests=50, clients=4, seconds=30, tag=f"warm-{name}")
                if a.client == "wrk":
                    secs, done, p50, p95, bad = run_wrk(
                        base, county, clients=a.clients, seconds=a.seconds, tag=name
                    )
                    statuses = {302: done - bad, "other": bad}
                    lat = None
                else:
                    secs, lat, statuses = run_load(
                        base,
                        county,
                        requests=a.requests,
                        clients=a.clients,
                        seconds=a.seconds,
                        tag=name,
                    )
                    p50, p95 = cc.percentile(lat, 50), cc.percentile(lat, 95)
            finally:
                proc.terminate()
                proc.wait(30)
            created, events = verify(name, county)
            rate = created / secs
            answered = statuses.get(302, 0)
            # wrk stops with up to `clients` requests in flight, which the server may still finish
            slack = a.clients if a.client == "wrk" else 0
            ok = answered <= created <= answered + slack and created == events
            rc |= 0 if ok else 1
            print(
                f"[{a.db}] gunicorn {name}, {a.clients} clients: {created:,} cases in {secs:.1f} s"
                f" = {rate:,.0f} cases/s (target >= {TARGET:.0f}: {cc.verdict(rate >= TARGET)});"
                f" p50 {p50:.0f} ms, p95 {p95:.0f} ms; client {a.client};"
                f" HTTP {statuses}; in DB: {created} cases, {events} report events"
                f" ({'consistent' if ok else 'MISMATCH'}); load average {cc.loadavg()}"
            )
        return rc
    finally:
        cc.drop_database()


if __name__ == "__main__":
    sys.exit(main())
