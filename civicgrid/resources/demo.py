"""Demo data for the shared resources of the demo county (after ``manage.py demo``).

Per community, in roughly the proportions of 广元's directory (387 activity centres,
314 squares, 69 theatres, 305 sports venues, 618 meeting rooms): one activity centre, a
square in four of five communities, a theatre in one of six, a sports venue in four of five,
one or two meeting rooms (mostly owned by units), and a car park in some. Service centres at
the four levels with their service items and a published schedule; skills for a share of
the party members; some bookings over the next two weeks (written through the services).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from civicgrid.core.errors import ApplicationError
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment, Unit
from civicgrid.people.models import PartyMember

from . import services
from .choices import CentreLevel, ResourceKind, ServiceCategory, SkillTag
from .models import Resource, ServiceCentre, Skill

T = dt.time
WORKDAYS = {d: [(T(8, 30), T(12)), (T(14), T(18))] for d in range(5)}
EVERYDAY = {d: [(T(8, 30), T(21))] for d in range(7)}
OFF_HOURS = {**{d: [(T(18), T(21, 30))] for d in range(5)}, 5: [(T(8), T(21))], 6: [(T(8), T(21))]}
CAR_PARK = {d: [(T(8), T(18))] for d in range(5)}

ITEMS = [
    ("水电维修", ServiceCategory.REPAIRS, "小区物业 / 党员志愿服务队", "周一至周六 8:30-17:30"),
    ("家电维修", ServiceCategory.REPAIRS, "驻区单位技术骨干", "每月第一个周六上午"),
    ("代缴水电燃气费", ServiceCategory.PAYMENTS, "社区便民服务站", "工作日 8:30-17:30"),
    ("社保医保代办", ServiceCategory.PAYMENTS, "社区便民服务站", "工作日 8:30-17:30"),
    ("老年助餐", ServiceCategory.ELDERLY, "社区老年食堂", "每日 11:00-12:30"),
    ("高龄老人上门探访", ServiceCategory.ELDERLY, "党员中心户", "每周"),
    ("法律咨询", ServiceCategory.LEGAL, "结对律师事务所", "每周三下午"),
    ("人民调解", ServiceCategory.LEGAL, "社区调解委员会", "工作日"),
    ("健康义诊", ServiceCategory.HEALTH, "结对医院", "每月第二个周六"),
    ("慢病随访", ServiceCategory.HEALTH, "社区卫生服务站", "工作日"),
    ("就业岗位推荐", ServiceCategory.EMPLOYMENT, "街道就业服务站", "工作日"),
    ("四点半课堂", ServiceCategory.CHILDREN, "驻区学校志愿教师", "工作日 16:30-18:00"),
    ("暑期托管", ServiceCategory.CHILDREN, "驻区学校", "7 月-8 月"),
    ("文体活动室开放", ServiceCategory.CULTURE, "社区", "每日 8:30-21:00"),
]
ACTIVITIES = [
    "主题党日",
    "健康讲座",
    "法律进社区",
    "邻里议事会",
    "文艺汇演排练",
    "防诈骗宣传",
    "志愿者培训",
    "四点半课堂",
]
PURPOSES = [
    "支部组织生活会",
    "居民议事会",
    "党员志愿者培训",
    "家长学校",
    "广场舞排练",
    "篮球友谊赛",
    "健康讲座",
    "业主大会筹备会",
]


def _point(rng: random.Random, geometry: dict | None, box) -> tuple[float | None, float | None]:
    if box[0] is None:
        return None, None
    poly = shape(geometry) if geometry else None
    for _ in range(12):
        x = rng.uniform(box[0], box[2])
        y = rng.uniform(box[1], box[3])
        if poly is None or poly.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
    return round((box[0] + box[2]) / 2, 6), round((box[1] + box[3]) / 2, 6)


def _spot(rng, community, grids):
    grid = rng.choice(grids) if grids else None
    src = grid or community
    lon, lat = _point(rng, src.geometry, (src.min_x, src.min_y, src.max_x, src.max_y))
    return grid, lon, lat


@transaction.atomic
def seed_directory(*, county: Area, seed: int = 6) -> dict[str, int]:
    rng = random.Random(seed)
    communities = list(
        Area.objects.filter(path__startswith=county.path, level=Area.Level.COMMUNITY).order_by(
            "code"
        )
    )
    grids_by_community: dict[int, list[Grid]] = {}
    for g in Grid.objects.filter(community__in=communities, parent__isnull=True).order_by("code"):
        grids_by_community.setdefault(g.community_id, []).append(g)
    units_by_community: dict[int, list[Unit]] = {}
    for u in Unit.objects.filter(area__in=communities).order_by("id"):
        units_by_community.setdefault(u.area_id, []).append(u)
    counts: dict[str, int] = {}

    def add(kind, name, community, *, unit=None, hours, **kw):
        grid, lon, lat = _spot(rng, community, grids_by_community.get(community.pk, []))
        services.resource_create(
            actor=None,
            name=name,
            kind=kind,
            area=community,
            grid=grid,
            owner_unit=unit,
            lon=lon,
            lat=lat,
            hours=hours,
            address=f"{community.name}{rng.randint(1, 199)}号",
            **kw,
        )
        counts[kind] = counts.get(kind, 0) + 1

    for c in communities:
        units = units_by_community.get(c.pk, [])
        short = c.name
        add(
            ResourceKind.ACTIVITY_CENTRE,
            f"{short}党群活动中心",
            c,
            hours=EVERYDAY,
            capacity=120,
            open_to_residents=True,
            rules="活动结束后请恢复桌椅、关闭门窗电源。",
        )
        if rng.random() < 0.8:
            add(
                ResourceKind.SQUARE,
                f"{short}休闲广场",
                c,
                hours=EVERYDAY,
                capacity=400,
                open_to_residents=True,
                max_hours=3,
                rules="晚间 21:00 后请控制音量。",
            )
        if rng.random() < 0.18:
            add(
                ResourceKind.THEATRE,
                f"{short}文化剧场",
                c,
                hours=OFF_HOURS,
                capacity=300,
                requires_approval=True,
                horizon_days=60,
                min_notice_hours=48,
            )
        if rng.random() < 0.8:
            owner = rng.choice(units) if units else None
            add(
                ResourceKind.SPORTS_VENUE,
                f"{owner.name if owner else short}运动场",
                c,
                unit=owner,
                hours=OFF_HOURS,
                capacity=60,
                open_to_residents=True,
                requires_approval=owner is not None,
                max_hours=2,
                slot_minutes=60,
                rules="非工作时段向社区居民免费开放。",
            )
        for i in range(rng.choice([1, 2, 2])):
            owner = units[i % len(units)] if units and rng.random() < 0.75 else None
            add(
                ResourceKind.MEETING_ROOM,
                f"{owner.name if owner else short}{'视频' if i else ''}会议室",
                c,
                unit=owner,
                hours=WORKDAYS,
                capacity=rng.choice([12, 20, 30, 50]),
                requires_approval=owner is not None,
                closed_on_holidays=True,
            )
        if rng.random() < 0.4:
            add(
                ResourceKind.CAR_PARK,
                f"{short}公共停车场",
                c,
                hours=CAR_PARK,
                capacity=80,
                open_to_residents=False,
                max_hours=8,
                slot_minutes=60,
                rules="工作时段向驻区单位免费开放。",
            )
    return counts


@transaction.atomic
def seed_centres(*, county: Area, seed: int = 6) -> int:
    rng = random.Random(seed + 1)
    n = 0
    now = timezone.localtime()

    def centre(level, name, area, grid=None):
        nonlocal n
        src = grid or area
        lon, lat = _point(rng, src.geometry, (src.min_x, src.min_y, src.max_x, src.max_y))
        c = services.centre_create(
            actor=None,
            name=name,
            level=level,
            area=area,
            grid=grid,
            lon=lon,
            lat=lat,
            address=f"{area.name}中心路{rng.randint(1, 99)}号",
            hours="周一至周日 8:30-17:30",
            phone=f"0752-{rng.randint(6000000, 6999999)}",
            description="党建引领、服务群众的综合阵地。",
        )
        k = {1: 8, 2: 7, 3: 6, 4: 4}[level]
        for name_, cat, provider, hours in rng.sample(ITEMS, k):
            services.service_item_create(
                actor=None, centre=c, name=name_, category=cat, provider=provider, hours=hours
            )
        for _ in range(3):
            start = (now + dt.timedelta(days=rng.randint(1, 20))).replace(
                hour=rng.choice([9, 14, 19]), minute=0, second=0, microsecond=0
            )
            services.centre_activity_create(
                actor=None,
                centre=c,
                title=rng.choice(ACTIVITIES),
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                place=rng.choice(["一楼大厅", "二楼会议室", "广场"]),
            )
        n += 1

    centre(CentreLevel.COUNTY, f"{county.name}党群服务中心", county)
    for street in Area.objects.filter(parent=county, level=Area.Level.STREET).order_by("code"):
        centre(CentreLevel.STREET, f"{street.name}党群服务中心", street)
        for c in Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).order_by("code"):
            centre(CentreLevel.COMMUNITY, f"{c.name}党群服务中心", c)
            grids = list(Grid.objects.filter(community=c, parent__isnull=True).order_by("code")[:2])
            for g in grids[: rng.choice([1, 2])]:
                centre(CentreLevel.COMPOUND, f"{g.name}小区党群服务站", c, g)
    return n


def seed_skills(*, county: Area, seed: int = 6, share: float = 0.12) -> int:
    rng = random.Random(seed + 2)
    tags = SkillTag.values
    rows = []
    members = (
        PartyMember.objects.filter(area__path__startswith=county.path)
        .only("id", "area_id", "grid_id")
        .order_by("id")
    )
    for m in members.iterator(chunk_size=2000):
        if rng.random() < share:
            rows.append(
                Skill(
                    party_member_id=m.id,
                    tag=rng.choice(tags),
                    area_id=m.area_id,
                    grid_id=m.grid_id,
                    willing=rng.random() < 0.85,
                )
            )
    Skill.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def seed_bookings(*, county: Area, seed: int = 6, per_resource: int = 3) -> int:
    """Bookings over the next two weeks, made by the communities' staff through the services
    (refusals — a closed day, a taken slot — are simply skipped)."""
    rng = random.Random(seed + 3)
    staff = {
        ra.area_id: ra.user
        for ra in RoleAssignment.objects.filter(
            role=Role.COMMUNITY_STAFF, active=True, area__path__startswith=county.path
        ).select_related("user")
    }
    n = 0
    today = timezone.localdate()
    for r in (
        Resource.objects.filter(area__path__startswith=county.path)
        .exclude(kind=ResourceKind.CAR_PARK)
        .order_by("id")
    ):
        actor = staff.get(r.area_id)
        if actor is None:
            continue
        for _ in range(per_resource):
            day = today + dt.timedelta(days=rng.randint(1, 13))
            hour = rng.choice([9, 10, 14, 15, 19])
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
            try:
                services.booking_create(
                    actor=actor,
                    resource=r,
                    start=start,
                    end=start + dt.timedelta(hours=1),
                    purpose=rng.choice(PURPOSES),
                    attendees=min(r.capacity, rng.randint(5, 40)),
                )
                n += 1
            except ApplicationError:
                continue
    return n


def seed_all(*, county: Area, seed: int = 6) -> dict:
    directory = seed_directory(county=county, seed=seed)
    centres = seed_centres(county=county, seed=seed)
    skills = seed_skills(county=county, seed=seed)
    bookings = seed_bookings(county=county, seed=seed)
    return {"resources": directory, "centres": centres, "skills": skills, "bookings": bookings}


def demo_exists() -> bool:
    return Resource.objects.exists() or ServiceCentre.objects.exists()
