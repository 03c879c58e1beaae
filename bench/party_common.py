"""What the party benchmarks share (bench/party_points.py, bench/wishes_lists.py): the party
registry of a county (a community party committee per community, units, members), a signed-in
page timer and the results table."""

from __future__ import annotations

import random
import statistics

import cases_common as cc

UNIT_KINDS = ("agency", "school", "soe", "firm", "hospital")


def load_registry(
    county, rng: random.Random, *, members: int, units: int, central_every: int = 0
) -> tuple[dict[int, list[int]], list, list]:
    """Bulk-insert one community party committee per community, `units` units and `members`
    party members spread at random over the communities and their grids (every
    `central_every`-th member a central household when set). Returns (grid ids per community,
    units, members), in insertion order (their ids are consecutive)."""
    from django.db import transaction

    from civicgrid.core.bulk import insert
    from civicgrid.orgs.choices import OrgKind
    from civicgrid.orgs.models import PartyOrganization, Unit
    from civicgrid.people.models import PartyMember

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
                    kind=rng.choice(UNIT_KINDS),
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
                    is_central_household=bool(central_every) and i % central_every == 0,
                    work_unit_id=rng.choice(unit_objs).pk if i % 3 else None,
                )
            )
        insert(member_objs)
    return grids_of, unit_objs, member_objs


def page(user, url: str, params: dict):
    """A function that GETs `url` as `user` (signed in once) and checks it answered 200."""
    from django.test import Client

    client = Client()
    client.force_login(user)

    def get():
        resp = client.get(url, params)
        assert resp.status_code == 200, resp.status_code
        return resp

    return get


def report(results: list[tuple[str, list[float], float]]) -> None:
    """Print p50/p95 (ms) of each (name, times in ms, target in ms) against its target."""
    print(f"\nresults (load average {cc.loadavg()}):")
    for name, times, target in results:
        p50, p95 = statistics.median(times), cc.percentile(times, 95)
        print(
            f"  {name:<28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"target {target:.0f} ms {cc.verdict(p95 <= target)}"
        )
