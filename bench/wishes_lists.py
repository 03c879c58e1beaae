"""Wish lists at county scale: the community's wish list and a member's open wishes.

A county of 17 streets, 46 communities and 518 grids (the cases benchmarks' county) with
50,000 party members, 1,500 units and 100,000 wishes (needs, service items, micro-wishes,
support items) with ~80,000 claims (active, confirmed, and released/withdrawn history),
bulk-loaded (COPY) into PostgreSQL database ``cg_bench_wishes``. Then timed, as pages through
the Django test client (signed in, full view + template), p50/p95 of 15 runs after a warm-up:

- the community's wish list (staff of one community): first page, "open" filter, a deep page;
- the street's wish list (staff of the biggest street, 9 communities);
- a member's phone page: open wishes in my community, and near me (my grid), with my claims.

Target: every page <= 200 ms.

    python bench/wishes_lists.py [--wishes 100000] [--members 50000] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import cases_common as cc

DB_NAME = "cg_bench_wishes"
RUNS = 15
PAGE_TARGET = 0.200


def p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def create_database() -> None:
    import os

    cc._pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    cc._pg_admin(f'CREATE DATABASE "{DB_NAME}"')
    url = f"{cc.PG_SERVER}/{DB_NAME}"
    cc._state.update(db="pg", tag="wishes", url=url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"[pg] migrated {DB_NAME} in {time.perf_counter() - t:.1f} s")


TITLES = [
    "帮忙买菜",
    "想要一台助行器",
    "教我用智能手机",
    "修理水龙头",
    "课外辅导",
    "代缴水电费",
    "陪老人聊天",
    "楼道灯更换",
    "义诊服务",
    "法律咨询",
    "场地支持",
    "健身器材检修",
]


def load(county, *, members: int, units: int, wishes: int, seed: int = 5):
    from django.db import connection, transaction
    from django.utils import timezone

    from civicgrid.core.bulk import insert
    from civicgrid.orgs.choices import OrgKind, UnitKind
    from civicgrid.orgs.models import PartyOrganization, Unit
    from civicgrid.people.models import PartyMember
    from civicgrid.wishes.models import Claim, Wish

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
                        [UnitKind.AGENCY, UnitKind.SCHOOL, UnitKind.SOE, UnitKind.FIRM]
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
                    work_unit_id=rng.choice(unit_objs).pk if i % 3 else None,
                )
            )
        insert(member_objs)
    print(f"  registry: {members:,} members, {units:,} units in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    now = timezone.now()
    units_of: dict[int, list] = {}
    for u in unit_objs:
        units_of.setdefault(u.area_id, []).append(u)
    members_of: dict[int, list] = {}
    for m in member_objs:
        members_of.setdefault(m.area_id, []).append(m)
    chunk = 20_000
    n_claims = 0
    for start in range(0, wishes, chunk):
        wish_objs, claim_objs = [], []
        for _i in range(start, min(wishes, start + chunk)):
            c = rng.choice(comms)
            created = now - dt.timedelta(seconds=rng.randint(0, 730 * 86400))
            r = rng.random()
            status = (
                "open"
                if r < 0.15
                else "pending"
                if r < 0.18
                else "claimed"
                if r < 0.35
                else "done"
                if r < 0.93
                else "closed"
            )
            kind = rng.choices(
                ["micro_wish", "need", "service_item", "support_item"], [60, 15, 20, 5]
            )[0]
            unit = rng.choice(units_of[c]) if kind == "support_item" and units_of.get(c) else None
            if kind == "support_item" and unit is None:
                kind = "need"
            wish_objs.append(
                Wish(
                    kind=kind,
                    category="other",
                    title=rng.choice(TITLES),
                    status=status,
                    area_id=c,
                    grid_id=None if kind == "support_item" else rng.choice(grids_of[c]),
                    unit_id=unit.pk if unit else None,
                    posted_via="staff",
                    owner_label="张阿姨" if kind == "micro_wish" else "",
                    created_at=created,
                    published_at=created,
                )
            )
        insert(wish_objs)
        for w in wish_objs:
            history = rng.random() < 0.12 and w.status in ("open", "claimed", "done")
            if history:  # an earlier claim, released at its deadline
                m = rng.choice(members_of[w.area_id])
                at = w.created_at + dt.timedelta(days=1)
                claim_objs.append(
                    Claim(
                        wish_id=w.pk,
                        direction="to_community",
                        claimant_kind="member",
                        member_id=m.pk,
                        status="released",
                        claimed_at=at,
                        deadline=at + dt.timedelta(days=7),
                        ended_at=at + dt.timedelta(days=7),
                        area_id=w.area_id,
                        grid_id=w.grid_id,
                    )
                )
            if w.status not in ("claimed", "done"):
                continue
            at = w.created_at + dt.timedelta(days=rng.randint(1, 20))
            if w.kind == "support_item":
                kw = {"direction": "to_unit", "claimant_kind": "community"}
            elif rng.random() < 0.7:
                kw = {
                    "direction": "to_community",
                    "claimant_kind": "member",
                    "member_id": rng.choice(members_of[w.area_id]).pk,
                }
            else:
                kw = {
                    "direction": "to_community",
                    "claimant_kind": "unit",
                    "unit_id": rng.choice(units_of.get(w.area_id) or unit_objs).pk,
                }
            st = (
                "confirmed"
                if w.status == "done"
                else rng.choice(["claimed", "in_progress", "completed"])
            )
            claim_objs.append(
                Claim(
                    wish_id=w.pk,
                    status=st,
                    claimed_at=at,
                    deadline=at + dt.timedelta(days=7),
                    confirmed_at=at + dt.timedelta(days=5) if st == "confirmed" else None,
                    rating=rng.choice([None, 4, 5]) if st == "confirmed" else None,
                    area_id=w.area_id,
                    grid_id=w.grid_id,
                    **kw,
                )
            )
        with transaction.atomic():
            insert(claim_objs)
        n_claims += len(claim_objs)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"  wishes: {wishes:,} wishes, {n_claims:,} claims in {time.perf_counter() - t:.1f} s")
    return member_objs


def use_database() -> None:
    import os

    os.environ["DATABASE_URL"] = f"{cc.PG_SERVER}/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    print(f"[pg] reusing {DB_NAME}")


def existing_county():
    from django.contrib.auth import get_user_model

    from civicgrid.geo.models import Area

    User = get_user_model()
    c = cc.County(county=Area.objects.get(level=Area.Level.COUNTY))
    c.streets = list(Area.objects.filter(level=Area.Level.STREET).order_by("code"))
    c.communities = list(Area.objects.filter(level=Area.Level.COMMUNITY).order_by("code"))
    c.community_staff = User.objects.get(username="bench_community")
    c.street_staff = User.objects.get(username="bench_street")
    return c


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
    ap.add_argument("--wishes", type=int, default=100_000)
    ap.add_argument("--members", type=int, default=50_000)
    ap.add_argument("--units", type=int, default=1_500)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", action="store_true", help="time on the database a --keep run left")
    a = ap.parse_args()
    cc.print_machine()
    cc.quiet_logs()
    if a.reuse:
        use_database()
    else:
        create_database()
    try:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from civicgrid.people.models import PartyMember
        from civicgrid.wishes.models import Claim, Wish

        User = get_user_model()
        if a.reuse:
            county = existing_county()
        else:
            county = cc.build_county()
            load(county, members=a.members, units=a.units, wishes=a.wishes)
        first = county.communities[0]
        member = PartyMember.objects.filter(area=first).order_by("pk").first()
        if member.user_id is None:
            member.user = User.objects.create_user(username="bench_member", password=cc.PASSWORD)
            member.save(update_fields=["user"])
        in_first = Wish.objects.filter(area=first).count()
        print(
            f"  community {first.name}: {in_first:,} wishes, "
            f"{Wish.objects.filter(area=first, status='open').count():,} open; member has "
            f"{Claim.objects.filter(member=member).count()} claims; load {cc.loadavg()}"
        )

        def page(user, url, params):
            client = Client()
            client.force_login(user)

            def get():
                resp = client.get(url, params)
                assert resp.status_code == 200, resp.status_code
                return resp

            return get

        deep = max(1, in_first // 30 // 2)
        cases = [
            ("community list, page 1", county.community_staff, "/wishes/", {}),
            ("community list, open", county.community_staff, "/wishes/", {"status": "open"}),
            (f"community list, page {deep}", county.community_staff, "/wishes/", {"page": deep}),
            ("street list, page 1", county.street_staff, "/wishes/", {}),
            ("member: my community", member.user, "/wishes/m/", {}),
            ("member: near me (grid)", member.user, "/wishes/m/", {"near": "1"}),
        ]
        results = [
            (name, timed(page(user, url, params)), PAGE_TARGET) for name, user, url, params in cases
        ]
        print(f"\nresults (load average {cc.loadavg()}):")
        for name, times, target in results:
            p50, p95 = statistics.median(times), p(times, 0.95)
            print(
                f"  {name:<28} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
                f"target {target * 1000:.0f} ms {cc.verdict(p95 <= target)}"
            )
    finally:
        if not (a.keep or a.reuse):
            from django.db import connections

            connections.close_all()
            cc._pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            print(f"[pg] dropped {DB_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
