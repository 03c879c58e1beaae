"""Ten minutes of mixed load with faults (`make soak`): two gunicorn app servers behind nginx,
two task workers and the deadline sweep on a PostgreSQL server of its own and Redis, all on
127.0.0.1, driven by Locust (bench/soak_locustfile.py).

During the load it kills one app server with SIGKILL, then one worker, then restarts
PostgreSQL. A supervisor loop plays systemd's `Restart=always` (deploy/systemd): it starts a
process again when it dies, without a hand on it. Afterwards it checks that
  1. every case the load was told exists (201) exists exactly once, with its ledger (a report
     event first; status = the last event's); no idempotency key made two cases;
  2. every case sent overdue during the run got exactly one overdue notice;
  3. the system recovered: both app servers answer, the last minute of load had no failure;
and prints Locust's figures per request (count, failures, p50, p95, p99, requests/s).

PostgreSQL: a throw-away cluster (initdb in a temporary directory, its own port) so that the
restart disturbs nothing else on the machine. Needs nginx (apt-get install nginx-light),
PostgreSQL's server binaries, Redis, and Locust (`make soak` installs the bench extra).
Settings: SOAK_SECONDS (600), SOAK_USERS (30), SOAK_SPAWN (5/s); exit code 1 on any failed check.
"""

from __future__ import annotations

import base64
import csv
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scaleout as so  # noqa: E402  (the process helpers and the nginx configuration)

ROOT = so.ROOT
PY = so.PY
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
USERS = int(os.environ.get("SOAK_USERS", "30"))
SPAWN = os.environ.get("SOAK_SPAWN", "5")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/12")
OVERDUE = 12
say = so.say


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else (shutil.which(name) or name)


class PrivatePostgres:
    """initdb + pg_ctl in a temporary directory, run as the postgres user when we are root."""

    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.port = so.free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *cmd: str, check=True):
        if self.user:
            cmd = ("runuser", "-u", self.user, "--", *cmd)
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def start(self):
        self.dir.mkdir(parents=True)
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.dir.parent, 0o755)
        self._run(pg_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.ctl("start")

    def ctl(self, what: str):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on"
        self._run(pg_bin("pg_ctl"), "-D", str(self.dir), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "-m", "fast", what)

    def stop(self):
        self._run(pg_bin("pg_ctl"), "-D", str(self.dir), "-m", "immediate", "stop", check=False)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/civicgrid"


class Supervisor:
    """Restart what dies, like systemd's Restart=always (RestartSec=1)."""

    def __init__(self):
        self.specs: dict[str, tuple[list[str], dict, Path]] = {}
        self.restarts: list[tuple[float, str]] = []
        self.running = True
        self.t0 = time.monotonic()

    def add(self, name, cmd, env, log):
        self.specs[name] = (cmd, env, log)
        so.start(name, cmd, env, log)

    def proc(self, name):
        return next(p for n, p in reversed(so.procs) if n == name)

    def loop(self):
        while self.running:
            for name, (cmd, env, log) in self.specs.items():
                if self.proc(name).poll() is not None and self.running:
                    time.sleep(1)
                    so.start(name, cmd, env, log.with_suffix(f".{len(self.restarts)}.log"))
                    self.restarts.append((time.monotonic() - self.t0, name))
                    say(f"  supervisor: {name} died, started again")
            time.sleep(0.5)


def main() -> int:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    locust = str(ROOT / ".venv" / "bin" / "locust")
    if not nginx or not Path(locust).exists():
        say("needs nginx (apt-get install nginx-light) and Locust (make soak installs it)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="civicgrid-soak-"))
    pg = PrivatePostgres(tmp)
    sup = Supervisor()
    try:
        pg.start()
        subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "civicgrid"],
                       check=True)
        return scenario(tmp, pg, sup, nginx, locust)
    finally:
        sup.running = False
        for name, _p in reversed(so.procs):
            so.stop(name)
        pg.stop()
        subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
        say("cleaned up: processes stopped, PostgreSQL cluster removed, Redis db flushed")


def scenario(tmp: Path, pg: PrivatePostgres, sup: Supervisor, nginx: str, locust: str) -> int:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        CIVICGRID_PII_KEYS="1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        CIVICGRID_PII_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=pg.url,
        REDIS_URL=REDIS_URL,
        CIVICGRID_DATA_DIR=str(tmp / "data"),
        CIVICGRID_TRUSTED_PROXIES="127.0.0.1",
        LOG_LEVEL="WARNING",
        # The load comes from one address and one token per role: lift the per-user and
        # per-address throttles that would (rightly) refuse it.
        CIVICGRID_API_RATE_USER="100000/min",
        CIVICGRID_API_RATE_ANON="100000/min",
        CIVICGRID_API_RATE_KEY="100000/min",
        CIVICGRID_OPEN311_POST_RATE="100000",
    )
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True)
    t0 = time.monotonic()
    so.run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    so.run([PY, "manage.py", "demo", "--scale", "tiny", "-v0"], env)
    so.run([PY, "manage.py", "demo_cases", "--per-community", "10"], env)
    so.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)

    def token(user):
        out = so.run([PY, "manage.py", "api_token", user, "--name", "soak", "--days", "1"], env)
        return next(w for w in out.split() if w.startswith("cgt_"))

    facts = json.loads(so.shell(env, (
        "import json; from civicgrid.geo.models import Grid; from civicgrid.cases.models import MatterItem; "
        "from civicgrid.orgs.models import RoleAssignment; "
        "g = RoleAssignment.objects.filter(user__username='demo_worker').values_list('grid_id', flat=True).first(); "
        "grid = Grid.objects.get(pk=g); gb = grid.geometry['coordinates'][0]; "
        "xs = [p[0] for p in gb]; ys = [p[1] for p in gb]; "
        "items = list(MatterItem.objects.filter(active=True, level=3).values_list('pk', flat=True)[:20]); "
        "from civicgrid.open311.attributes import attributes_for; "
        "codes = [i.code for i in MatterItem.objects.filter(active=True).select_related('group')[:300] "
        "if not any(a.required for a in attributes_for(i))][:20]; "
        "county = __import__('civicgrid.geo.models', fromlist=['Area']).Area.objects.get(level=1).code; "
        "print(json.dumps({'grids': [g], 'items': items, 'codes': codes, 'county': county, "
        "'point': [(min(xs)+max(xs))/2, (min(ys)+max(ys))/2]}))"
    )).splitlines()[-1])
    key_out = so.run([PY, "manage.py", "open311_key", "--name", "soak-partner", "--area", facts["county"],
                      "--scopes", "open311"], env)
    open311_key = next(w for w in key_out.split() if w.startswith("cg_"))
    acked_file = tmp / "acked.jsonl"
    load_env = dict(env)
    load_env.update(
        SOAK_WORKER_TOKEN=token("demo_worker"), SOAK_STAFF_TOKEN=token("demo_community"),
        SOAK_LEADER_TOKEN=token("demo_leader"), SOAK_OPEN311_KEY=open311_key,
        SOAK_GRIDS=json.dumps(facts["grids"]), SOAK_ITEMS=json.dumps(facts["items"]),
        SOAK_SERVICES=json.dumps(facts["codes"]), SOAK_POINT=json.dumps(facts["point"]),
        SOAK_ACKED=str(acked_file),
    )
    say(f"set-up: private PostgreSQL :{pg.port}, tiny demo county, tokens and an Open311 key "
        f"({time.monotonic() - t0:.0f} s)")

    port_a, port_b, port_n = so.free_port(), so.free_port(), so.free_port()
    gun = ["-w", "2", "--threads", "2", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "config.wsgi"]
    gunicorn = so.GUNICORN
    sup.add("app-a", [gunicorn, "-b", f"127.0.0.1:{port_a}", *gun], env, tmp / "app-a.log")
    sup.add("app-b", [gunicorn, "-b", f"127.0.0.1:{port_b}", *gun], env, tmp / "app-b.log")
    for node in ("a", "b"):
        sup.add(f"worker-{node}", [PY, "manage.py", "db_worker", "--no-reload", "--interval", "0.5",
                                   "--worker-id", f"node-{node}"], env, tmp / f"worker-{node}.log")
    sup.add("sweep", [PY, "manage.py", "sweep_cases", "--loop", "5"], env, tmp / "sweep.log")
    conf = so.nginx_conf(tmp, port_n, [port_a, port_b])
    # Connection failures to one app server go to the other (for every method: the writes carry
    # idempotency keys, so a request the dead server may have half-done is safe to send again).
    text = conf.read_text().replace(
        "proxy_set_header Connection \"\";",
        "proxy_set_header Connection \"\";\n            proxy_next_upstream error timeout http_502 non_idempotent;")
    conf.write_text(text)
    so.start("nginx", [nginx, "-c", str(conf)], env, tmp / "nginx.log")
    base = f"http://127.0.0.1:{port_n}"
    try:
        for port in (port_a, port_b, port_n):
            so.wait_up(f"http://127.0.0.1:{port}/api/v1/auth/me/", load_env["SOAK_STAFF_TOKEN"], 240)
    except SystemExit:
        for name in ("app-a", "app-b", "nginx"):
            log = tmp / f"{name}.log"
            if log.exists():
                say(f"--- {name}.log (tail)\n" + "\n".join(log.read_text().splitlines()[-20:]))
        raise
    threading.Thread(target=sup.loop, daemon=True).start()
    say(f"running: app servers :{port_a} :{port_b}, nginx :{port_n}, 2 workers, sweep every 5 s; "
        f"Locust {USERS} users for {SECONDS} s")

    csv_prefix = tmp / "locust"
    so.start("locust", [locust, "-f", str(ROOT / "bench" / "soak_locustfile.py"), "--headless",
                        "-u", str(USERS), "-r", SPAWN, "-t", f"{SECONDS}s", "-H", base,
                        "--csv", str(csv_prefix), "--csv-full-history", "--only-summary",
                        "--stop-timeout", "20"], load_env, tmp / "locust.log")
    faults = [
        (0.30, "kill -9 app server A", lambda: os.kill(sup.proc("app-a").pid, signal.SIGKILL)),
        (0.45, "kill -9 worker A", lambda: os.kill(sup.proc("worker-a").pid, signal.SIGKILL)),
        (0.55, "send 12 open cases overdue", lambda: overdue(env, tmp)),
        (0.65, "restart PostgreSQL", lambda: pg.ctl("restart")),
    ]
    start_load = time.monotonic()
    fault_log = []
    for frac, what, act in faults:
        while time.monotonic() - start_load < frac * SECONDS:
            time.sleep(0.5)
        at = time.monotonic() - start_load
        try:
            act()
            fault_log.append(f"{at:5.0f} s  {what}")
        except Exception as exc:  # noqa: BLE001 - reported
            fault_log.append(f"{at:5.0f} s  {what}: FAILED {exc}")
        say(f"  fault at {at:.0f} s: {what}")
    locust_proc = sup.proc("locust") if "locust" in sup.specs else next(p for n, p in so.procs if n == "locust")
    locust_proc.wait(timeout=SECONDS + 120)
    time.sleep(8)  # let the workers finish what was enqueued last, and one more sweep run
    sup.running = False
    return verify(env, tmp, csv_prefix, acked_file, fault_log, sup, [port_a, port_b], load_env, start_load)


def overdue(env, tmp):
    out = so.shell(env, (
        "import datetime as dt, json; from django.utils import timezone; "
        "from civicgrid.cases.choices import SlaState; from civicgrid.cases.models import Case, Notification, open_q; "
        f"ids = list(Case.objects.filter(open_q(), sla_state=SlaState.ON_TIME).order_by('pk').values_list('pk', flat=True)[:{OVERDUE}]); "
        "Case.objects.filter(pk__in=ids).update(resolve_due=timezone.now() - dt.timedelta(hours=1)); "
        "notes = " + so.NOTES + "; print(json.dumps({'ids': ids, 'notes': notes}))"
    ))
    (tmp / "overdue.json").write_text(out.splitlines()[-1])


def verify(env, tmp, csv_prefix, acked_file, fault_log, sup, app_ports, load_env, start_load) -> int:
    failures = []

    def check(ok, what):
        say(f"  [{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            failures.append(what)

    acked = [json.loads(x) for x in acked_file.read_text().splitlines()] if acked_file.exists() else []
    (tmp / "acked_ids.json").write_text(json.dumps([a["id"] for a in acked]))
    before = json.loads((tmp / "overdue.json").read_text()) if (tmp / "overdue.json").exists() else {"ids": [], "notes": {}}
    report = json.loads(so.shell(env, (
        "import json; from collections import Counter; from django.db.models import Count; "
        "from civicgrid.cases.models import Case, CaseEvent, Notification; "
        f"ids = json.load(open({str(tmp / 'acked_ids.json')!r})); "
        "have = set(Case.objects.filter(pk__in=ids).values_list('pk', flat=True)); "
        "keys = Counter(Case.objects.filter(text__startswith='压测').exclude(idempotency_key='').values_list('idempotency_key', flat=True)); "
        "first = dict(CaseEvent.objects.filter(case_id__in=ids).order_by('case_id', 'at', 'id').values_list('case_id', 'action')); "
        "bad_ledger = 0\n"
        "for c in Case.objects.filter(pk__in=ids).only('pk', 'status'):\n"
        "    evs = list(CaseEvent.objects.filter(case_id=c.pk).order_by('at', 'id').values_list('action', 'to_status'))\n"
        "    bad_ledger += int(not evs or evs[0][0] != 'report' or (evs[-1][1] or c.status) != c.status)\n"
        f"ids2 = {before['ids']}; "
        "notes = " + so.NOTES.replace("pk__in=ids", "pk__in=ids2") + "; "
        "print(json.dumps({'acked': len(ids), 'found': len(have), 'unique_ids': len(set(ids)), "
        "'dup_keys': sum(1 for v in keys.values() if v > 1), 'soak_cases': sum(keys.values()), "
        "'bad_ledger': bad_ledger, 'notes': notes}))"
    )).splitlines()[-1])
    check(report["acked"] > 0 and report["found"] == report["unique_ids"] == report["acked"],
          f"{report['acked']} acknowledged reports: {report['found']} found, each once")
    check(report["dup_keys"] == 0, f"no idempotency key made two cases ({report['soak_cases']} load cases in all)")
    check(report["bad_ledger"] == 0, f"ledgers: {report['bad_ledger']} of the acknowledged cases lack a report "
                                     "event first or disagree with their status")
    counts = sorted({report["notes"].get(k, 0) - v for k, v in before["notes"].items()})
    check(bool(before["ids"]) and counts == [1], f"{len(before['ids'])} cases sent overdue: new overdue notices "
                                                  f"per case {counts} (each exactly once)")
    for port in app_ports:
        status = so.http("GET", f"http://127.0.0.1:{port}/api/v1/auth/me/", load_env["SOAK_STAFF_TOKEN"])[0]
        check(status == 200, f"app server :{port} answers after the faults ({status})")
    restarted = sorted({n for _t, n in sup.restarts})
    check({"app-a", "worker-a"} <= set(restarted), f"supervisor restarted {restarted} "
                                                  f"({', '.join(f'{n} at {t:.0f} s' for t, n in sup.restarts)})")

    stats = list(csv.DictReader(open(f"{csv_prefix}_stats.csv", encoding="utf-8")))
    say("\nrequests (final tries; '(retry)' rows are the retried tries):")
    say(f"{'name':38} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7} {'req/s':>6}")
    total_fail = 0
    for row in stats:
        name = f"{row['Type']} {row['Name']}".strip()
        if not name.endswith("(retry)") and row["Name"] != "Aggregated":
            total_fail += int(row["Failure Count"])
        say(f"{name[:38]:38} {row['Request Count']:>7} {row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} "
            f"{row['99%']:>6} {float(row['Max Response Time']):7.0f} {float(row['Requests/s']):6.1f}")
    check(total_fail == 0, f"requests that failed after their retries: {total_fail}")
    history = list(csv.DictReader(open(f"{csv_prefix}_stats_history.csv", encoding="utf-8")))
    agg = [h for h in history if h["Name"] == "Aggregated"]
    if agg:
        last_min = [h for h in agg if int(h["Timestamp"]) >= int(agg[-1]["Timestamp"]) - 60]
        fails = float(last_min[-1]["Total Failure Count"]) - float(last_min[0]["Total Failure Count"])
        check(fails == 0, f"failures (any try) in the last minute of load: {fails:.0f}")
    say("faults: " + "; ".join(fault_log))
    load = os.getloadavg()
    say(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    for f in glob.glob(f"{csv_prefix}_*.csv"):
        shutil.copy(f, out / Path(f).name.replace("locust", "soak"))
    say(f"{'SOAK PASSED' if not failures else 'SOAK FAILED'}")
    if failures:
        for name in ("app-a", "app-b", "worker-a", "locust"):
            log = tmp / f"{name}.log"
            if log.exists():
                say(f"--- {name}.log (tail)\n" + "\n".join(log.read_text().splitlines()[-12:]))
    return 1 if failures else 0


def _timeout(signum, frame):
    raise SystemExit("soak run timed out")


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(SECONDS + 900)
    sys.exit(main())
