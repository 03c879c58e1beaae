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
import time

import cases_common as cc
import party_common as pc

DB_NAME = "cg_bench_wishes"
RUNS = 15
PAGE_TARGET = 200  # ms


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
    from civicgrid.wishes.models import Claim, Wish

    rng = random.Random(seed)
    t = time.perf_counter()
    grids_of, unit_objs, member_objs = pc.load_registry(county, rng, members=members, units=units)
    comms = [c.pk for c in county.communities]
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
        cc.use_existing_database("pg", "wishes", name=DB_NAME)
    else:
        cc.create_database("pg", "wishes", name=DB_NAME)
    try:
        from django.contrib.auth import get_user_model

        from civicgrid.people.models import PartyMember
        from civicgrid.wishes.models import Claim, Wish

        User = get_user_model()
        if a.reuse:
            county = cc.existing_county()
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
            (name, cc.timed_ms(pc.page(user, url, params), RUNS, warmup=1), PAGE_TARGET)
            for name, user, url, params in cases
        ]
        pc.report(results)
    finally:
        if not (a.keep or a.reuse):
            cc.drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
