"""Demo data for the demo county: patrol duties, a week of patrols with routes, missed-patrol
flags, leaders' contact points with visits, the coverage re-check and a few gig workers."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import OrgKind, Role
from civicgrid.orgs.models import PartyOrganization, RoleAssignment
from civicgrid.people.models import PartyMember

from . import services
from .choices import GigSector
from .models import (
    ContactAssignment,
    ContactVisit,
    GigWorkerProfile,
    Patrol,
    PatrolDuty,
    PatrolPoint,
)


def _route(grid: Grid, start: dt.datetime, rng: random.Random, n: int = 90) -> list[PatrolPoint]:
    x0, y0, x1, y1 = grid.min_x, grid.min_y, grid.max_x, grid.max_y
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    pts = []
    for i in range(n):
        lon = min(x1, max(x0, lon + rng.uniform(-1, 1) * (x1 - x0) / 25))
        lat = min(y1, max(y0, lat + rng.uniform(-1, 1) * (y1 - y0) / 25))
        pts.append(
            PatrolPoint(
                seq=i, at=start + dt.timedelta(seconds=20 * i), lon=lon, lat=lat, accuracy=10
            )
        )
    return pts


@transaction.atomic
def seed(*, seed: int = 1) -> dict:
    rng = random.Random(seed)
    counts = {"duties": 0, "patrols": 0, "contacts": 0, "gig": 0}
    grids = list(Grid.objects.filter(parent__isnull=True, min_x__isnull=False).order_by("code"))
    for i, g in enumerate(grids):
        PatrolDuty.objects.get_or_create(
            grid=g,
            defaults={
                "area_id": g.community_id,
                "frequency": "daily" if i % 3 else "weekly",
                "times": 1 if i % 3 else 3,
            },
        )
        counts["duties"] += 1
    workers = list(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, active=True, grid__isnull=False)
        .select_related("grid", "user")
        .order_by("id")[:40]
    )
    today = timezone.localdate()
    for ra in workers:
        for back in range(1, 8):
            if rng.random() < 0.25:
                continue
            day = today - dt.timedelta(days=back)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, rng.randint(0, 50))))
            pts = _route(ra.grid, start, rng)
            patrol = Patrol.objects.create(
                worker=ra.user,
                grid=ra.grid,
                area_id=ra.grid.community_id,
                status="ended",
                started_at=start,
                ended_at=pts[-1].at,
            )
            for p in pts:
                p.patrol = patrol
            PatrolPoint.objects.bulk_create(pts)
            services._recompute(patrol, actor=None)
            counts["patrols"] += 1
    for back in range(1, 8):
        services.check_patrols(day=today - dt.timedelta(days=back))
    leader = get_user_model().objects.filter(username="demo_leader").first()
    leader_ra = (
        RoleAssignment.objects.filter(user=leader, role=Role.LEADER).first() if leader else None
    )
    if leader_ra is not None:
        communities = Area.objects.filter(level=Area.Level.COMMUNITY)
        if leader_ra.area_id:
            communities = communities.filter(path__startswith=leader_ra.area.path)
        for i, c in enumerate(communities.order_by("code")[:4]):
            a = ContactAssignment.objects.create(
                leader=leader,
                target_area=c,
                area=c,
                cadence=3 if i else 1,
                since=today - dt.timedelta(days=200),
            )
            counts["contacts"] += 1
            if i % 2 == 0:
                ContactVisit.objects.create(
                    assignment=a,
                    leader=leader,
                    area=c,
                    visited_on=today - dt.timedelta(days=30 + 40 * i),
                    met_with="社区两委、居民代表",
                    heard="居民反映电动自行车充电难、老旧小区路灯不亮。",
                    decided="由街道牵头规划充电桩,社区一周内报修路灯。",
                    opinions_count=rng.randint(20, 200),
                    opinions=["建议增设电动自行车充电桩", "小区路灯损坏", "希望增加老年助餐点"],
                    recorded_by=leader,
                )
    services.coverage_check()
    county_org = PartyOrganization.objects.filter(kind=OrgKind.COUNTY_COMMITTEE).first()
    sector = PartyOrganization.objects.filter(kind=OrgKind.SECTOR_COMMITTEE).first()
    if sector is None and county_org is not None:
        from civicgrid.orgs.services import party_organization_create

        sector = party_organization_create(
            actor=None,
            name="新就业群体行业党委",
            kind=OrgKind.SECTOR_COMMITTEE,
            parent=county_org,
            area=county_org.area,
        )
    if sector is not None:
        platforms = [
            ("美团", GigSector.RIDER),
            ("饿了么", GigSector.RIDER),
            ("顺丰速运", GigSector.COURIER),
            ("中通快递", GigSector.COURIER),
            ("滴滴出行", GigSector.DRIVER),
        ]
        members = PartyMember.objects.filter(gig_profile__isnull=True).order_by("id")[:15]
        for i, m in enumerate(members):
            name, kind = platforms[i % len(platforms)]
            GigWorkerProfile.objects.create(
                member=m,
                platform=name,
                sector=kind,
                sector_organization=sector,
                area_id=m.area_id,
                since=today - dt.timedelta(days=90),
            )
            counts["gig"] += 1
    return counts
