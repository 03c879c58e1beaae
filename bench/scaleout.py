"""Scale-out on one machine: two gunicorn app servers behind nginx, two task workers, one
PostgreSQL database and Redis as the shared cache, all on 127.0.0.1 (`make scaleout`).

It shows that
  1. nginx spreads requests over both app servers;
  2. a case created through one app server is read at once through the other, and an
     idempotent retry sent to the other server replays the first answer (no second case);
  3. the deadline timer fires once, not twice: the sweep loop runs on one node only, both
     workers take its tasks (each task claimed by exactly one worker), and every case that
     went overdue got exactly one overdue notice and one colour change.

Bounded in time (SCALEOUT_TIMEOUT, default 300 s), loopback only; it drops its database, flushes
its Redis database and stops every process it started, also on failure or Ctrl-C. Needs nginx
(Debian: apt-get install nginx-light), PostgreSQL and Redis on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = os.environ.get("SCALEOUT_PG", "postgres://postgres@127.0.0.1:5432")
DB = "civicgrid_deploy_scaleout"
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/13")
OVERDUE = 8  # open cases whose deadline the run moves into the past
SWEEP_EVERY = 2  # seconds between sweep enqueues (60 in production)
SWEEP_WINDOW = 16  # seconds the sweep loop runs
# Overdue notices per case (keys as strings, as JSON gives them back), for the given `ids`.
NOTES = (
    "{str(pk): Notification.objects.filter(case_id=pk, message=f'事件 {n} 已超期').count()"
    " for pk, n in Case.objects.filter(pk__in=ids).values_list('pk', 'number')}"
)

procs: list[tuple[str, subprocess.Popen]] = []


def say(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict, **kw) -> str:
    out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kw)
    return out.stdout


def shell(env: dict, code: str) -> str:
    return run([PY, "manage.py", "shell", "-v0", "-c", code], env).strip()


def start(name: str, cmd: list[str], env: dict, log: Path) -> None:
    fh = open(log, "w")  # noqa: SIM115 - closed with the process at the end
    p = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    procs.append((name, p))


def stop(name: str) -> None:
    for n, p in procs:
        if n == name and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def http(method: str, url: str, token: str, body: dict | None = None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


def wait_up(url: str, token: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if http("GET", url, token)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"not answering: {url}")


def rows(payload) -> list:
    return payload["results"] if isinstance(payload, dict) and "results" in payload else payload


def nginx_conf(prefix: Path, port: int, upstreams: list[int]) -> Path:
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in upstreams
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/nginx-access.log;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    client_max_body_size 25m;
    upstream civicgrid_app {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://civicgrid_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
    )
    return conf


def main() -> int:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if not nginx:
        say(
            "nginx is NOT installed: the scale-out run needs it (Debian: apt-get install nginx-light)."
        )
        return 2
    for tool, probe in (
        ("PostgreSQL", ["pg_isready", "-h", "127.0.0.1", "-q"]),
        ("Redis", ["redis-cli", "-u", REDIS_URL, "ping"]),
    ):
        if subprocess.run(probe, capture_output=True).returncode:
            say(f"{tool} is not answering on 127.0.0.1; start it first.")
            return 2

    tmp = Path(tempfile.mkdtemp(prefix="civicgrid-scaleout-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        CIVICGRID_PII_KEYS="1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        CIVICGRID_PII_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"{PG}/{DB}",
        REDIS_URL=REDIS_URL,
        CIVICGRID_DATA_DIR=str(tmp / "data"),
        LOG_LEVEL="WARNING",
    )
    try:
        return scenario(env, tmp, nginx)
    finally:
        for name, _p in reversed(procs):
            stop(name)
        subprocess.run(
            ["dropdb", "--if-exists", f"--maintenance-db={PG}/postgres", DB], capture_output=True
        )
        subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
        say("cleaned up: processes stopped, database dropped, Redis db flushed, temp dir removed")


def scenario(env: dict, tmp: Path, nginx: str) -> int:
    t0 = time.monotonic()
    subprocess.run(
        ["dropdb", "--if-exists", f"--maintenance-db={PG}/postgres", DB], capture_output=True
    )
    subprocess.run(["createdb", f"--maintenance-db={PG}/postgres", DB], check=True)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "demo", "--scale", "tiny", "-v0"], env)
    run([PY, "manage.py", "demo_cases", "--per-community", "10"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    out = run(
        [PY, "manage.py", "api_token", "demo_worker", "--name", "scaleout", "--days", "1"], env
    )
    token = next(w for w in out.split() if w.startswith("cgt_"))
    say(
        f"set-up: database {DB}, tiny demo county, token for demo_worker ({time.monotonic() - t0:.0f} s)"
    )

    port_a, port_b, port_n = free_port(), free_port(), free_port()
    gun = [
        "-w",
        "2",
        "--threads",
        "2",
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "config.wsgi",
    ]
    start("app-a", [GUNICORN, "-b", f"127.0.0.1:{port_a}", *gun], env, tmp / "app-a.log")
    start("app-b", [GUNICORN, "-b", f"127.0.0.1:{port_b}", *gun], env, tmp / "app-b.log")
    for node in ("a", "b"):
        cmd = [
            PY,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.5",
            "--worker-id",
            f"node-{node}",
        ]
        start(f"worker-{node}", cmd, env, tmp / f"worker-{node}.log")
    start(
        "nginx",
        [nginx, "-c", str(nginx_conf(tmp, port_n, [port_a, port_b]))],
        env,
        tmp / "nginx.log",
    )
    a, b, n = (f"http://127.0.0.1:{p}/api/v1" for p in (port_a, port_b, port_n))
    for url in (a, b, n):
        wait_up(f"{url}/auth/me/", token)
    say(
        f"running: app servers :{port_a} :{port_b}, nginx :{port_n}, workers node-a node-b, Redis {REDIS_URL}"
    )

    failures = []

    def check(ok: bool, what: str) -> None:
        say(f"  [{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            failures.append(what)

    say("1. nginx spreads requests over both app servers")
    seen: dict[str, int] = {}
    for _ in range(20):
        status, headers, _body = http("GET", f"{n}/cases/?queue=all", token)
        seen[headers.get("X-Upstream", "?")] = seen.get(headers.get("X-Upstream", "?"), 0) + 1
    check(len(seen) == 2, f"20 GET /cases/ through nginx served by {seen}")

    say("2. a case created through app server A is read at once through app server B")
    grid = rows(http("GET", f"{a}/grids/", token)[2])[0]["id"]
    item = rows(http("GET", f"{a}/catalogue/items/", token)[2])[0]["id"]
    body = {"item": item, "grid": grid, "text": "扩容演示:楼道堆放杂物,堵塞消防通道"}
    key = {"Idempotency-Key": f"scaleout-{secrets.token_hex(6)}"}
    t = time.monotonic()
    status, _h, created = http("POST", f"{a}/cases/", token, body, key)
    check(status == 201, f"POST /cases/ on A: {status}, case {created.get('number')}")
    status, _h, read = http("GET", f"{b}/cases/{created['id']}/", token)
    check(
        status == 200 and read.get("number") == created.get("number"),
        f"GET /cases/{created['id']}/ on B {1000 * (time.monotonic() - t):.0f} ms after the POST was sent: {status}",
    )
    status, h, replay = http("POST", f"{b}/cases/", token, body, key)
    check(
        status == 201
        and replay.get("id") == created["id"]
        and h.get("Idempotent-Replayed") == "true",
        f"same POST retried on B: {status}, Idempotent-Replayed={h.get('Idempotent-Replayed')}, same case",
    )
    keys = run(["redis-cli", "-u", REDIS_URL, "--scan"], env).split()
    check(
        any("throttle" in k for k in keys),
        f"Redis holds {len(keys)} key(s) {keys}: the API throttle counts requests to both servers",
    )

    say(f"3. the deadline timer fires once: sweep loop on node A only, every {SWEEP_EVERY} s")
    due = shell(
        env,
        "import datetime as dt, json; from django.utils import timezone; "
        "from civicgrid.cases.choices import SlaState; from civicgrid.cases.models import Case, open_q; "
        f"ids = list(Case.objects.filter(open_q()).order_by('pk').values_list('pk', flat=True)[:{OVERDUE}]); "
        "Case.objects.filter(pk__in=ids).update(sla_state=SlaState.ON_TIME, resolve_due=timezone.now() - dt.timedelta(hours=1)); "
        "from civicgrid.cases.models import Notification; "
        "print(json.dumps({'ids': ids, 'notes': " + NOTES + "}))",
    )
    due = json.loads(due)
    ids, notes_before = due["ids"], due["notes"]
    check(len(ids) == OVERDUE, f"{len(ids)} open cases given a deadline an hour ago")
    start(
        "sweep",
        [PY, "manage.py", "sweep_cases", "--loop", str(SWEEP_EVERY)],
        env,
        tmp / "sweep.log",
    )
    time.sleep(SWEEP_WINDOW)
    stop("sweep")
    time.sleep(2)  # let the workers finish what was enqueued last
    report = json.loads(
        shell(
            env,
            "import json; from django_tasks_db.models import DBTaskResult; "
            "from civicgrid.cases.choices import SlaState; from civicgrid.cases.models import Case, Notification; "
            f"ids = {ids}; "
            "runs = list(DBTaskResult.objects.filter(task_path__endswith='sweep_task').values('status', 'worker_ids', 'return_value')); "
            "notes = " + NOTES + "; "
            "red = Case.objects.filter(pk__in=ids, sla_state=SlaState.OVERDUE).count(); "
            "print(json.dumps({'runs': runs, 'notes': notes, 'red': red}))",
        )
    )
    runs = report["runs"]
    done = [r for r in runs if r["status"] == "SUCCESSFUL"]
    by_worker: dict[str, int] = {}
    for r in done:
        for w in r["worker_ids"]:
            by_worker[w] = by_worker.get(w, 0) + 1
    check(
        len(runs) >= SWEEP_WINDOW // SWEEP_EVERY - 1,
        f"{len(runs)} sweeps enqueued, {len(done)} finished",
    )
    check(
        all(len(r["worker_ids"]) == 1 for r in done),
        f"each sweep claimed by one worker: {by_worker}",
    )
    overdue_total = sum(r["return_value"]["overdue"] for r in done)
    check(
        overdue_total == len(ids),
        f"cases turned red across all sweeps: {overdue_total} (expected {len(ids)})",
    )
    check(report["red"] == len(ids), f"{report['red']} of the {len(ids)} cases now overdue")
    counts = sorted({report["notes"][k] - notes_before[k] for k in notes_before})
    check(counts == [1], f"new overdue notices per case: {counts} (each exactly once)")

    say(
        f"{'SCALE-OUT PASSED' if not failures else 'SCALE-OUT FAILED'} in {time.monotonic() - t0:.0f} s"
    )
    if failures:
        for name, _p in procs:
            log = tmp / f"{name}.log"
            if log.exists():
                say(f"--- {name}.log (tail)\n" + "\n".join(log.read_text().splitlines()[-15:]))
    return 1 if failures else 0


def _timeout(signum, frame):
    raise SystemExit("scale-out run timed out")


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(int(os.environ.get("SCALEOUT_TIMEOUT", "300")))
    sys.exit(main())
