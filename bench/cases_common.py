"""Shared set-up for the case-loop benchmarks (bench/cases_*.py).

Each benchmark process works on ONE throw-away database: a PostgreSQL database named
``civicgrid_bench_cases_<tag>`` on the server of ``BENCH_PG_URL`` (default: the local server,
user postgres), or a SQLite file in a temporary directory. The database is created and
migrated before Django is used, and dropped by ``drop_database()`` at the end.

The county is shaped like 博罗县: 17 streets, 46 communities, 518 square grids of ~500 m.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = "civicgrid_bench_cases"
PASSWORD = "bench-pass-word-123"
COUNTY_COMMUNITIES = (9, 5, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2, 1, 1, 1)  # 46 communities
GRIDS = 518
GRID_SIZE = 0.005  # degrees, ~500 m
LON0, LAT0 = 114.0, 23.0

_state: dict = {}


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    """Facts about this machine for the report (no paths, no host names)."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    pg = "unavailable"
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
            pg = c.execute("SHOW server_version").fetchone()[0]
            pg += f" (shared_buffers {c.execute('SHOW shared_buffers').fetchone()[0]}"
            pg += f", work_mem {c.execute('SHOW work_mem').fetchone()[0]})"
    except Exception:  # noqa: BLE001 - reported as unavailable
        pass
    return {
        "load average": loadavg(),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(os.cpu_count()),
        "ram": ram,
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
    }


def loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def print_machine() -> None:
    m = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in m.items()))


# --------------------------------------------------------------------------- databases


def database_url(db: str, tag: str, name: str | None = None) -> str:
    """The benchmark's database: ``<DB_PREFIX>_<tag>``, or the PostgreSQL database `name`."""
    if db == "pg":
        return f"{PG_SERVER}/{name or f'{DB_PREFIX}_{tag}'}"
    if db == "sqlite":
        tmp = _state.setdefault("tmpdir", tempfile.mkdtemp(prefix="civicgrid-bench-"))
        return f"sqlite:///{tmp}/bench_{tag}.sqlite3"
    raise SystemExit(f"unknown database {db!r} (pg or sqlite)")


def create_database(
    db: str, tag: str, *, settings: str = "config.settings.test", name: str | None = None
) -> str:
    """Create (or re-create) the benchmark database, point Django at it, migrate, set up."""
    url = database_url(db, tag, name)
    if db == "pg":
        pg_name = url.rsplit("/", 1)[-1]
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
    _state.update(db=db, tag=tag, url=url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"[{db}] migrated {url.rsplit('/', 1)[-1]} in {time.perf_counter() - t:.1f} s")
    return url


def use_existing_database(
    db: str,
    tag: str,
    *,
    settings: str = "config.settings.test",
    name: str | None = None,
    migrate: bool = False,
) -> str:
    """Point Django at a database kept by an earlier run; `migrate` applies any migration
    added since it was loaded."""
    url = database_url(db, tag, name)
    _state.update(db=db, tag=tag, url=url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        t = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=1)
        print(f"[{db}] migrated {url.rsplit('/', 1)[-1]} in {time.perf_counter() - t:.1f} s")
    return url


def drop_database() -> None:
    db = _state.get("db")
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - Django may not be set up
        pass
    if db == "pg":
        _pg_admin(f'DROP DATABASE IF EXISTS "{_state["url"].rsplit("/", 1)[-1]}" WITH (FORCE)')
    if _state.get("tmpdir"):
        shutil.rmtree(_state.pop("tmpdir"), ignore_errors=True)
    print(f"[{db}] dropped the benchmark database")


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
        c.execute(sql)


def run_per_database(script: str, dbs: list[str], extra: list[str]) -> int:
    """Run a benchmark once per database, each in its own process (Django sets up once)."""
    rc = 0
    for db in dbs:
        rc |= subprocess.call([sys.executable, script, "--db", db, *extra])
    return rc


# --------------------------------------------------------------------------- the county


@dataclass
class County:
    county: object
    streets: list = field(default_factory=list)
    communities: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    community_staff: object = None  # staff of the first community of the biggest street
    street_staff: object = None  # staff of the biggest street (9 communities)
    worker: object = None  # full-time grid worker of the first grid
    importer: object = None  # county system admin who imports hotline orders


def square(x0: float, y0: float, size: float) -> dict:
    return rect(x0, y0, x0 + size, y0 + size)


def rect(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def build_county() -> County:
    """Areas and grids through the geo services; one row of grids per community."""
    from django.contrib.auth import get_user_model

    from civicgrid.geo import services as geo
    from civicgrid.geo.models import Area
    from civicgrid.orgs.choices import Role
    from civicgrid.orgs.models import RoleAssignment

    t = time.perf_counter()
    n_comm = sum(COUNTY_COMMUNITIES)
    per = [GRIDS // n_comm + (1 if i < GRIDS % n_comm else 0) for i in range(n_comm)]
    county = geo.area_create(
        actor=None, code="441322000000", name="博罗县", level=Area.Level.COUNTY
    )
    c = County(county=county)
    ci = 0
    for si, n in enumerate(COUNTY_COMMUNITIES, start=1):
        street = geo.area_create(
            actor=None,
            code=f"441322{si:03d}000",
            name=f"第{si}街道",
            level=Area.Level.STREET,
            parent=county,
        )
        c.streets.append(street)
        for k in range(1, n + 1):
            y = LAT0 + ci * GRID_SIZE
            community = geo.area_create(
                actor=None,
                code=f"441322{si:03d}{k:03d}",
                name=f"第{si}街道第{k}社区",
                level=Area.Level.COMMUNITY,
                parent=street,
                geometry=rect(LON0, y, LON0 + per[ci] * GRID_SIZE, y + GRID_SIZE),
            )
            c.communities.append(community)
            for g in range(per[ci]):
                c.grids.append(
                    geo.grid_create(
                        actor=None,
                        code=f"G{ci:02d}-{g:02d}",
                        name=f"{community.name}第{g + 1}网格",
                        community=community,
                        geometry=square(LON0 + g * GRID_SIZE, y, GRID_SIZE),
                    )
                )
            ci += 1
    User = get_user_model()

    def user(username: str, role: str, **target):
        u = User.objects.create_user(username=username, password=PASSWORD)
        RoleAssignment.objects.create(user=u, role=role, **target)
        return u

    c.street_staff = user("bench_street", Role.STREET_STAFF, area=c.streets[0])
    c.community_staff = user("bench_community", Role.COMMUNITY_STAFF, area=c.communities[0])
    c.worker = user("bench_worker", Role.GRID_WORKER, grid=c.grids[0])
    c.importer = user("bench_admin", Role.SYSTEM_ADMIN, area=county)
    print(
        f"county: {len(c.streets)} streets, {len(c.communities)} communities, "
        f"{len(c.grids)} grids in {time.perf_counter() - t:.1f} s"
    )
    return c


def existing_county() -> County:
    """The county that `build_county` made, read back from a database kept by an earlier run."""
    from django.contrib.auth import get_user_model

    from civicgrid.geo.models import Area, Grid

    county = Area.objects.get(code="441322000000", level=Area.Level.COUNTY)
    streets = list(Area.objects.filter(parent=county).order_by("code"))
    communities = list(Area.objects.filter(parent__in=streets).order_by("code"))
    grids = list(Grid.objects.filter(community__in=communities).order_by("code"))
    users = get_user_model().objects
    return County(
        county=county,
        streets=streets,
        communities=communities,
        grids=grids,
        community_staff=users.get(username="bench_community"),
        street_staff=users.get(username="bench_street"),
        worker=users.get(username="bench_worker"),
        importer=users.get(username="bench_admin"),
    )


def add_departments(county: County) -> list[int]:
    """One county department (a unit and its Department row) per department type; returns
    their unit ids, for cases handled by departments (cases_data.load_cases(units=...))."""
    from civicgrid.cases.models import DEPARTMENT_TYPES, Department
    from civicgrid.orgs.choices import UnitKind
    from civicgrid.orgs.models import Unit

    ids = []
    for code, label in DEPARTMENT_TYPES:
        unit = Unit.objects.create(
            name=f"县{label}局", kind=UnitKind.DEPARTMENT, area=county.county
        )
        Department.objects.create(unit=unit, department_type=code, county=county.county)
        ids.append(unit.pk)
    print(f"county: {len(ids)} departments")
    return ids


def grid_point(grid, rng: random.Random) -> tuple[float, float]:
    """A point strictly inside a grid's square."""
    return (
        round(grid.min_x + rng.uniform(0.0005, GRID_SIZE - 0.0005), 6),
        round(grid.min_y + rng.uniform(0.0005, GRID_SIZE - 0.0005), 6),
    )


# --------------------------------------------------------------------------- text


PLACES = [
    "幸福小区",
    "阳光花园",
    "滨江路",
    "人民路",
    "中心市场",
    "第一小学",
    "东门社区",
    "新村",
    "罗阳大道",
    "文化广场",
    "城南菜市场",
    "工业园",
    "老街",
    "公园",
    "汽车站",
    "河堤",
    "卫生院",
    "建设路",
    "桥头",
    "农贸市场",
]
PROBLEMS = [
    "路灯不亮",
    "楼道堆放杂物堵塞消防通道",
    "占道经营",
    "垃圾没有及时清运",
    "井盖缺失",
    "噪音扰民",
    "违章搭建",
    "污水外溢",
    "树木倒伏",
    "电动车飞线充电",
    "路面坑洼积水",
    "油烟扰民",
    "无证摊贩",
    "消防栓损坏",
    "流浪犬伤人",
    "小区停车乱收费",
    "广告牌松动",
    "燃气泄漏气味",
    "独居老人需要上门探访",
    "低保申请咨询",
    "水管爆裂停水",
    "河道漂浮垃圾",
    "施工夜间作业",
    "共享单车乱停放",
    "高空抛物",
    "邻里纠纷需要调解",
    "露天焚烧秸秆",
    "空调外机滴水",
    "电梯故障困人",
    "积水内涝",
]
DETAILS = ["", ",已持续三天", ",居民多次反映", ",请尽快处理", ",影响出行", ",存在安全隐患"]


def text_pool(size: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(text, address, search_text) for `size` distinct realistic case descriptions."""
    from civicgrid.core.textsearch import index_terms

    rng = random.Random(seed)
    out = []
    for i in range(size):
        place = rng.choice(PLACES)
        building = f"{rng.randint(1, 30)}栋"
        text = f"{place}{building}{rng.choice(PROBLEMS)}{rng.choice(DETAILS)}"
        address = f"{place}{building}"
        out.append((text, address, index_terms(text, address, f"事项{i % 100}")))
    return out


def quiet_logs() -> None:
    """Keep per-case log lines (SMS deliveries, calendar fallbacks) off the console."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    for name in ("civicgrid", "axes", "django"):
        logging.getLogger(name).setLevel(logging.ERROR)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def timed_ms(fn, repeat: int, warmup: int = 2) -> list[float]:
    """Milliseconds of `repeat` calls of fn after `warmup` untimed ones (plans and caches)."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def explain_slow(fn, slower_than_ms: float) -> None:
    """Run fn once, then print EXPLAIN (ANALYZE, BUFFERS) of each SELECT it ran that took
    longer than `slower_than_ms` (PostgreSQL only)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return
    with CaptureQueriesContext(connection) as ctx:
        fn()
    slow = [q for q in ctx.captured_queries if float(q["time"]) * 1000 > slower_than_ms]
    for q in slow:
        if not q["sql"].lstrip().upper().startswith("SELECT"):
            continue
        print(f"--- {float(q['time']) * 1000:.0f} ms: {q['sql'][:400]}")
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print("\n".join(r[0] for r in cur.fetchall()))
