"""Points rankings, the dual-reporting roster and a member's balance at county scale.

A county of 17 streets, 46 communities and 518 grids (the cases benchmarks' county) with
50,000 party members, 1,500 units, 3,000 information officers, 2,000,000 points-ledger entries
over 24 months and ~37,000 dual reports, bulk-loaded (COPY) into PostgreSQL database
``cg_bench_party``; the rankings tallies are rebuilt from the ledger (timed). Then timed, as
pages through the Django test client (signed in, full view + template), p50/p95 of 15 runs after
one warm-up:

- rankings of members for a month and a year, for one community, the biggest street, the county;
- the roster page (community and county);
- a member's balance (``points_balance``) over 300 random members: target <= 5 ms.

Targets: pages <= 200 ms. (The 100,000 wishes of the same county are the wishes benchmark's.)

    python bench/party_points.py [--entries 2000000] [--members 50000] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import cases_common as cc

DB_NAME = "cg_bench_party"
RUNS = 15
PAGE_TARGET = 0.200
BALANCE_TARGET = 0.005


def p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def create_database() -> None:
    import os

    cc._pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    cc._pg_admin(f'CREATE DATABASE "{DB_NAME}"')
    url = f"{cc.PG_SERVER}/{DB_NAME}"
    cc._state.update(db="pg", tag="party", url=url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"[pg] migrated {DB_NAME} in {time.perf_counter() - t:.1f} s")


def load(county, *, members: int, units: int, officers: int, entries: int, seed: int = 5):
    from django.db import connection, transaction
    from django.utils import timezone

    from civicgrid.core.bulk import insert
    from civicgrid.orgs.choices import OrgKind, UnitKind
    from civicgrid.orgs.models import PartyOrganization, Unit
    from civicgrid.party.choices import ServiceArea
    from civicgrid.party.models import DualReport
    from civicgrid.people.models import InformationOfficer, PartyMember, Resident

    rng = random.Random(seed)
    t = time.perf_counter()
    grids_of: dict[int, list[int]] = {}
    for g in county.grids:
        grids_of.setdefault(g.community_id, []).append(g.pk)
    comms = [c.pk for c in county.communities]
    with transaction.atomic():
        orgs = [
            PartyOrganization(
                name=f"社区大党委{i}",
                kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
                area_id=c,
                path=f"{i:04d}",
            )
            for i, c in enumerate(comms)
        ]
        insert(orgs)
        org_of = {o.area_id: o.pk for o in orgs}
        unit_objs = []
        for i in range(units):
            c = rng.choice(comms)
            unit_objs.append(
                Unit(
                    name=f"驻区单位{i:05d}",
                    kind=rng.choice(
                        [
                            UnitKind.AGENCY,
                            UnitKind.SCHOOL,
                            UnitKind.SOE,
                            UnitKind.FIRM,
                            UnitKind.HOSPITAL,
                        ]
                    ),
                    area_id=c,
                    grid_id=rng.choice(grids_of[c]),
                )
            )
        insert(unit_objs)
        member_objs = []
        for i in range(members):
            c = rng.choice(comms)
            member_objs.append(
                PartyMember(
                    name=f"党员{i:06d}",
                    gender=rng.choice("MF"),
                    organization_id=org_of[c],
                    area_id=c,
                    grid_id=rng.choice(grids_of[c]),
                    is_central_household=(i % 28 == 0),
                    work_unit_id=rng.choice(unit_objs).pk if i % 3 else None,
                )
            )
        insert(member_objs)
        res = []
        for i in range(officers):
            c = rng.choice(comms)
            res.append(
                Resident(
                    name=f"信息员{i:05d}", gender="F", area_id=c, grid_id=rng.choice(grids_of[c])
                )
            )
        insert(res)
        centrals = [m for m in member_objs if m.is_central_household]
        off_objs = [
            InformationOfficer(
                resident_id=r.pk,
                central_household_id=rng.choice(centrals).pk,
                area_id=r.area_id,
                grid_id=r.grid_id,
            )
            for r in res
        ]
        insert(off_objs)
        now = timezone.now()
        reports = []
        for i, m in enumerate(member_objs):
            if i % 100 < 73:
                reports.append(
                    DualReport(
                        kind="member",
                        member_id=m.pk,
                        subject_key=f"member:{m.pk}",
                        community_id=m.area_id,
                        grid_id=m.grid_id,
                        services=rng.sample(ServiceArea.values, 2),
                        status="confirmed" if i % 10 else "submitted",
                        receipt_number=f"HZ-B-{i:06d}" if i % 10 else "",
                        submitted_at=now - dt.timedelta(days=rng.randint(1, 700)),
                    )
                )
        for i, u in enumerate(unit_objs[: int(units * 0.92)]):
            reports.append(
                DualReport(
                    kind="unit",
                    unit_id=u.pk,
                    subject_key=f"unit:{u.pk}",
                    community_id=u.area_id,
                    grid_id=u.grid_id,
                    status="confirmed",
                    receipt_number=f"HZ-U-{i:05d}",
                    submitted_at=now - dt.timedelta(days=30),
                )
            )
        insert(reports)
    print(
        f"  registry: {members:,} members, {units:,} units, {officers:,} officers, "
        f"{len(reports):,} reports in {time.perf_counter() - t:.1f} s"
    )

    # The ledger, generated by the database (one INSERT … SELECT per subject kind): 85 % member
    # entries, 10 % unit, 5 % officer, spread over 24 months back from now.
    t = time.perf_counter()
    events = {
        "member": [
            ("activity_attended", 3),
            ("volunteer_hour", 2),
            ("claim_confirmed", 5),
            ("org_life_attended", 2),
            ("case_reported", 2),
            ("training_completed", 2),
        ],
        "unit": [("claim_confirmed", 5), ("activity_attended", 3)],
        "officer": [("case_reported", 2), ("case_fixed_on_spot", 3), ("visit_recorded", 1)],
    }
    ids = {
        "member": [m.pk for m in member_objs],
        "unit": [u.pk for u in unit_objs],
        "officer": [o.pk for o in off_objs],
    }
    tables = {
        "member": "people_partymember",
        "unit": "orgs_unit",
        "officer": "people_informationofficer",
    }
    shares = {"member": int(entries * 0.85), "unit": int(entries * 0.10)}
    shares["officer"] = entries - shares["member"] - shares["unit"]
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.5)")
        for kind, n in shares.items():
            lo, count = min(ids[kind]), len(ids[kind])
            assert max(ids[kind]) - lo + 1 == count  # allocated in one run
            values = ", ".join(f"({i}, '{e}', {p})" for i, (e, p) in enumerate(events[kind]))
            cols = {k: ("s.sid" if k == kind else "NULL") for k in ("member", "unit", "officer")}
            with transaction.atomic():
                cur.execute(
                    "INSERT INTO party_pointsentry (subject_kind, member_id, unit_id, officer_id, subject_key,"
                    " event, points, quantity, occurred_at, created_at, area_id, street_id, grid_id,"
                    " source_key, note, actor_id, reverses_id) "
                    f"SELECT '{kind}', {cols['member']}, {cols['unit']}, {cols['officer']}, '{kind}:' || s.sid,"
                    " ev.event, ev.points, 1, s.t, s.t, x.area_id, a.parent_id, x.grid_id,"
                    f" 'bench:{kind}:' || s.g, '', NULL, NULL "
                    f"FROM (SELECT g, {lo} + floor(random() * {count})::bigint AS sid,"
                    f" floor(random() * {len(events[kind])})::int AS e,"
                    " now() - random() * interval '730 days' AS t"
                    f" FROM generate_series(1, {n}) g) s "
                    f"JOIN {tables[kind]} x ON x.id = s.sid JOIN geo_area a ON a.id = x.area_id "
                    f"JOIN (VALUES {values}) ev(i, event, points) ON ev.i = s.e"
                )
        cur.execute("ANALYZE")
    print(f"  ledger: {entries:,} entries in {time.perf_counter() - t:.1f} s")
    return member_objs


def timed(fn, runs: int = RUNS) -> list[float]:
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=2_000_000)
    ap.add_argument("--members", type=int, default=50_000)
    ap.add_argument("--units", type=int, default=1_500)
    ap.add_argument("--officers", type=int, default=3_000)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    a = ap.parse_args()
    cc.print_machine()
    cc.quiet_logs()
    create_database()
    try:
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.utils import timezone

        from civicgrid.orgs.choices import Role
        from civicgrid.orgs.models import RoleAssignment
        from civicgrid.party.points import points_balance, tally_rebuild

        county = cc.build_county()
        members = load(
            county, members=a.members, units=a.units, officers=a.officers, entries=a.entries
        )
        t = time.perf_counter()
        rows = tally_rebuild()
        print(
            f"  tallies rebuilt: {rows:,} rows in {time.perf_counter() - t:.1f} s; load {cc.loadavg()}"
        )

        User = get_user_model()
        orgdept = User.objects.create_user(username="bench_orgdept", password=cc.PASSWORD)
        RoleAssignment.objects.create(user=orgdept, role=Role.ORG_DEPARTMENT, area=county.county)
        biggest = county.streets[0]
        who = {
            "community": (county.community_staff, county.communities[0]),
            "street": (county.street_staff, biggest),
            "county": (orgdept, county.county),
        }
        today = timezone.localdate()
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        results = []

        def page(user, url, params):
            client = Client()
            client.force_login(user)

            def get():
                resp = client.get(url, params)
                assert resp.status_code == 200, resp.status_code
                return resp

            return get

        for level, (user, area) in who.items():
            for label, params in (
                ("month", {"period": "month", "value": f"{last_month:%Y-%m}"}),
                ("year", {"period": "year", "value": str(last_month.year)}),
            ):
                params = {**params, "kind": "member", "area": area.pk}
                times = timed(page(user, "/party/points/", params))
                results.append((f"rankings {level} {label}", times, PAGE_TARGET))
        for level in ("community", "county"):
            user, _area = who[level]
            times = timed(page(user, "/party/", {"status": "open"}))
            results.append((f"roster {level}", times, PAGE_TARGET))
        rng = random.Random(3)
        sample = rng.sample(members, 300)
        points_balance(member=sample[0])
        times = []
        for m in sample:
            t = time.perf_counter()
            points_balance(member=m)
            times.append(time.perf_counter() - t)
        results.append(("balance of one member", times, BALANCE_TARGET))
        print(f"\nresults (load average {cc.loadavg()}):")
        for name, times, target in results:
            p50, p95 = statistics.median(times), p(times, 0.95)
            print(
                f"  {name:<28} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
                f"target {target * 1000:.0f} ms {cc.verdict(p95 <= target)}"
            )
    finally:
        if not a.keep:
            from django.db import connections

            connections.close_all()
            cc._pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            print(f"[pg] dropped {DB_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
