"""Demo data for 志愿活动 on top of the demo county (``manage.py demo``): volunteers, teams with
posts, recruitment and training, six months of credited activities, upcoming ones and one running
now (so the check-in code can be tried), and a participant login ``demo_volunteer``.

DEMO ONLY: the login shares the demo password of ``civicgrid.demo.logins``.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from civicgrid.geo.models import Area
from civicgrid.people.models import PartyMember

from . import services
from .choices import PostKind
from .models import Activity, Volunteer

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "秀英",
    "建华",
    "志强",
    "丽娟",
    "海燕",
    "国庆",
    "红梅",
    "小军",
    "文静",
    "晓东",
    "桂兰",
    "伟",
]
TITLES = [
    ("volunteer", "关爱独居老人上门探访", 2),
    ("volunteer", "小区环境清洁日", 2),
    ("volunteer", "文明交通劝导", 3),
    ("volunteer", "义务理发进社区", 2),
    ("volunteer", "防诈骗宣传", 2),
    ("party_day", "主题党日:重温入党誓词", 0),
    ("party_day", "主题党日:红色教育基地参观", 2),
]
PLACES = ["党群服务中心", "社区广场", "小区东门", "老年活动室", "社区文化家园"]


def _phone(rng) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def seed(*, seed: int = 1, months: int = 6) -> dict[str, int]:
    rng = random.Random(seed)
    county = Area.objects.filter(level=Area.Level.COUNTY).order_by("code").first()
    street = Area.objects.filter(level=Area.Level.STREET, parent=county).order_by("code").first()
    if street is None:
        return {}
    communities = list(
        Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).order_by("code")[:4]
    )
    counts = {"volunteers": 0, "teams": 0, "activities": 0, "signups": 0, "hours entries": 0}
    now = timezone.now()
    password = make_password("civicgrid-demo")
    User = get_user_model()
    for ci, community in enumerate(communities):
        members = list(PartyMember.objects.filter(area=community).order_by("id")[:25])
        volunteers = []
        for i in range(8):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            user = None
            if ci == 0 and i == 0:
                user, _created = User.objects.get_or_create(
                    username="demo_volunteer", defaults={"password": password}
                )
                if Volunteer.objects.filter(user=user).exists():
                    user = None
            try:
                v = services.volunteer_register(
                    actor=None,
                    name=name,
                    area=community,
                    phone=_phone(rng),
                    skills=rng.choice(["", "急救", "理发", "法律咨询", "摄影"]),
                    user=user,
                )
            except Exception:  # noqa: BLE001 - a repeated random phone: skip this one
                continue
            volunteers.append(v)
        member_vols = [services.volunteer_for_member(m) for m in members]
        counts["volunteers"] += len(volunteers) + len(member_vols)
        people = volunteers + member_vols
        if not people:
            continue
        team = services.team_create(
            actor=None,
            name=f"{community.name}红马甲志愿服务队",
            area=community,
            description="常态化开展助老、环境、宣传志愿服务。",
            leader=people[0],
        )
        counts["teams"] += 1
        posts = [
            services.post_create(
                actor=None, team=team, kind=PostKind.REGULAR, title="楼道巡查", slots=6
            ),
            services.post_create(
                actor=None,
                team=team,
                kind=PostKind.SKILL,
                title="义诊急救",
                slots=3,
                requirements="持有急救证或医护背景",
            ),
            services.post_create(
                actor=None,
                team=team,
                kind=PostKind.EMERGENCY,
                title="防汛防台值守",
                slots=8,
                requirements="身体健康,能夜间值守",
            ),
        ]
        for j, v in enumerate(people[1:10]):
            services.team_add_member(
                actor=None, team=team, volunteer=v, post=posts[j % 3] if j < 6 else None
            )
        services.recruitment_publish(
            actor=None,
            team=team,
            post=posts[2],
            title="招募防汛防台应急志愿者",
            slots=5,
            closes_at=now + dt.timedelta(days=14),
            description="汛期夜间值守、转移群众。",
        )
        services.training_record(
            actor=None,
            area=community,
            team=team,
            title="应急救护培训",
            held_on=timezone.localdate() - dt.timedelta(days=20),
            hours="3",
            volunteers=people[:8],
        )
        # Past activities: about three a month, most participants come, and all are credited.
        for _k in range(months * 3):
            kind, title, hours = rng.choice(TITLES)
            start = timezone.localtime(
                now - dt.timedelta(days=rng.randint(2, months * 30))
            ).replace(hour=rng.choice([9, 14, 19]), minute=0, second=0, microsecond=0)
            length = dt.timedelta(hours=max(hours, 1) + rng.choice([0, 1]))
            a = services.activity_publish(
                actor=None,
                kind=kind,
                title=title,
                area=community,
                place=community.name + rng.choice(PLACES),
                starts_at=start,
                ends_at=start + length,
                signup_opens_at=start - dt.timedelta(days=7),
                signup_closes_at=start,
                cancel_until=start - dt.timedelta(hours=2),
                capacity=rng.randint(8, 20),
                hours=hours,
                team=team if kind == "volunteer" else None,
                audience="members" if kind == "party_day" else "volunteers",
            )
            counts["activities"] += 1
            pool = member_vols if kind == "party_day" else people
            for v in rng.sample(pool, min(len(pool), rng.randint(4, a.capacity))):
                s = services.signup_by_organiser(
                    actor=None, activity=a, volunteer=v, now=start - dt.timedelta(days=1)
                )
                counts["signups"] += 1
                if rng.random() < 0.85:
                    came = start + dt.timedelta(minutes=rng.randint(-20, 30))
                    left = (
                        max(
                            start + length - dt.timedelta(minutes=rng.randint(0, 40)),
                            came + dt.timedelta(minutes=10),  # an hour's activity, a late comer
                        )
                        if rng.random() < 0.6
                        else None
                    )
                    services.attendance_mark(
                        actor=None, signup=s, checked_in_at=came, checked_out_at=left, note="demo"
                    )
            counts["hours entries"] += len(
                services.activity_credit(actor=None, activity=a, now=now)
            )
        # Upcoming activities, and one running now.
        for k in range(3):
            kind, title, hours = TITLES[(k + ci) % len(TITLES)]
            start = timezone.localtime(now + dt.timedelta(days=2 + 4 * k)).replace(
                hour=9, minute=0, second=0, microsecond=0
            )
            services.activity_publish(
                actor=None,
                kind=kind,
                title=title,
                area=community,
                place=community.name + PLACES[k],
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                capacity=12,
                hours=hours or 2,
                waitlist=k == 0,
                team=team,
                audience="members" if kind == "party_day" else "volunteers",
            )
            counts["activities"] += 1
        running = services.activity_publish(
            actor=None,
            kind="volunteer",
            title="社区志愿服务(进行中)",
            area=community,
            place=community.name + "党群服务中心",
            starts_at=now - dt.timedelta(minutes=20),
            ends_at=now + dt.timedelta(hours=4),
            signup_opens_at=now - dt.timedelta(days=1),
            signup_closes_at=now + dt.timedelta(hours=3),
            cancel_until=now - dt.timedelta(minutes=30),
            capacity=30,
            hours=3,
            team=team,
            audience="anyone",
        )
        for v in people[:5]:
            services.signup_by_organiser(actor=None, activity=running, volunteer=v)
        counts["activities"] += 1
    return counts


def has_data() -> bool:
    return Activity.objects.exists() or Volunteer.objects.exists()
