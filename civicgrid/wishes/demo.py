"""Demo data for the demo county (after ``manage.py demo``): needs, service items, residents'
micro-wishes and units' support items in a few communities, claims at every stage (some
confirmed, with points and ratings), units' offers, co-building agreements with items in
progress, and member-to-resident pairings. Written through the services, by staff logins."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment, Unit
from civicgrid.people.models import PartyMember, Resident

from . import services
from .choices import OfferKind, WishCategory, WishKind
from .permissions import staff_over

NEEDS = [
    ("社区老年食堂缺少志愿者", WishCategory.ELDERLY),
    ("小区健身器材需要检修", WishCategory.REPAIR),
    ("暑期青少年托管班需要老师", WishCategory.CHILDREN),
    ("社区义诊活动", WishCategory.HEALTH),
]
SERVICE_ITEMS = [
    ("水电维修上门服务", WishCategory.REPAIR),
    ("法律咨询进社区", WishCategory.LEGAL),
    ("老旧小区楼道清理", WishCategory.ENVIRONMENT),
]
WISHES = [
    ("想要一台助行器", WishCategory.ELDERLY),
    ("希望有人教我用智能手机", WishCategory.LIVING),
    ("孩子想要一套课外书", WishCategory.CHILDREN),
    ("家里的水龙头漏水", WishCategory.REPAIR),
    ("想请人帮忙代缴水电费", WishCategory.LIVING),
    ("希望每周有人陪聊天", WishCategory.ELDERLY),
]
SUPPORT = ["学校交通安全宣讲需要场地", "企业招聘会需要社区协助宣传", "医院健康讲座需要组织居民"]
OFFERS = [
    (OfferKind.VOLUNTEERS, "党员志愿服务队", WishCategory.ELDERLY),
    (OfferKind.SKILL, "专业维修技术人员", WishCategory.REPAIR),
    (OfferKind.RESOURCE, "会议室和活动场地", WishCategory.CULTURE),
    (OfferKind.MONEY, "助学帮困资金", WishCategory.CHILDREN),
]
ITEMS = ["共建党员活动阵地", "联合开展主题党日", "结对帮扶困难家庭", "共同开展志愿服务"]


def _staff_for(community: Area, candidates: list):
    return next((u for u in candidates if staff_over(u, community.pk)), None)


@transaction.atomic
def seed(*, seed: int = 1, communities: int = 6) -> dict[str, int]:
    rng = random.Random(f"wishes:{seed}")
    counts = {
        "wishes": 0,
        "claims": 0,
        "confirmed": 0,
        "offers": 0,
        "agreements": 0,
        "items": 0,
        "pairings": 0,
    }
    users = get_user_model().objects
    ids = RoleAssignment.objects.filter(
        active=True, role__in=[Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.SYSTEM_ADMIN]
    ).values("user_id")
    candidates = list(users.filter(pk__in=ids, is_active=True).order_by("pk")) + list(
        users.filter(is_superuser=True, is_active=True)
    )
    year = timezone.localdate().year
    today = timezone.localdate()
    demo_members = list(PartyMember.objects.filter(user__isnull=False).select_related("user"))
    for community in Area.objects.filter(level=Area.Level.COMMUNITY).order_by("code")[:communities]:
        staff = _staff_for(community, candidates)
        if staff is None:
            continue
        units = list(Unit.objects.filter(area=community).order_by("pk")[:3])
        residents = list(Resident.objects.filter(area=community).order_by("pk")[: len(WISHES)])
        wishes = []
        for title, cat in rng.sample(NEEDS, 2):
            wishes.append(
                services.wish_create(
                    actor=staff, kind=WishKind.NEED, title=title, category=cat, community=community
                )
            )
        for title, cat in rng.sample(SERVICE_ITEMS, 2):
            wishes.append(
                services.wish_create(
                    actor=staff,
                    kind=WishKind.SERVICE_ITEM,
                    title=title,
                    category=cat,
                    community=community,
                )
            )
        for resident, (title, cat) in zip(residents, WISHES, strict=False):
            wishes.append(
                services.wish_create(
                    actor=staff,
                    kind=WishKind.MICRO_WISH,
                    title=title,
                    category=cat,
                    resident=resident,
                )
            )
        for unit in units:
            wishes.append(
                services.wish_create(
                    actor=staff, kind=WishKind.SUPPORT_ITEM, title=rng.choice(SUPPORT), unit=unit
                )
            )
            for kind, title, cat in rng.sample(OFFERS, 2):
                services.offer_create(
                    actor=staff,
                    unit=unit,
                    kind=kind,
                    title=title,
                    category=cat,
                    amount=rng.choice([2000, 5000, 10000]) if kind == OfferKind.MONEY else None,
                    volunteers=rng.randint(5, 20) if kind == OfferKind.VOLUNTEERS else None,
                    quantity="每月 2 次" if kind in (OfferKind.SKILL, OfferKind.RESOURCE) else "",
                )
                counts["offers"] += 1
            ag = services.agreement_create(
                actor=staff,
                unit=unit,
                community=community,
                year=year,
                title=f"{year} 年度{unit.name}与{community.name}共建协议",
                signed_on=today.replace(month=1, day=min(today.day, 15))
                if today.month > 1
                else today,
            )
            counts["agreements"] += 1
            for title in rng.sample(ITEMS, 3):
                item = services.agreement_item_add(
                    actor=staff,
                    agreement=ag,
                    title=title,
                    owner_kind="unit",
                    deadline=dt.date(year, rng.randint(max(today.month, 1), 12), 28),
                )
                services.agreement_item_progress(
                    actor=staff, item=item, progress=rng.choice([0, 30, 60, 100]), note="按计划推进"
                )
                counts["items"] += 1
        counts["wishes"] += len(wishes)
        # claims: units take some (recorded by staff), the community leads support items
        for i, wish in enumerate(wishes):
            if i % 3 == 2:
                continue  # left open
            if wish.kind == WishKind.SUPPORT_ITEM:
                claim = services.claim_create(actor=staff, wish=wish, community=True)
                claimant = staff
            elif units:
                claim = services.claim_create(actor=staff, wish=wish, unit=units[i % len(units)])
                claimant = staff
            else:
                continue
            counts["claims"] += 1
            stage = i % 4
            if stage >= 1:
                services.claim_transition(actor=claimant, claim=claim, action="start")
            if stage >= 2:
                services.claim_transition(
                    actor=claimant, claim=claim, action="complete", note="已完成"
                )
            if stage >= 3:
                services.claim_transition(actor=staff, claim=claim, action="confirm")
                counts["confirmed"] += 1
        # demo member logins claim in their own community
        for m in [m for m in demo_members if m.area_id == community.pk]:
            open_wish = next(
                (w for w in wishes if w.kind != WishKind.SUPPORT_ITEM and not w.claims.exists()),
                None,
            )
            if open_wish is not None:
                services.claim_create(actor=m.user, wish=open_wish, member=m)
                counts["claims"] += 1
        # pairings
        members = list(PartyMember.objects.filter(area=community).order_by("pk")[:3])
        for member, resident in zip(members, residents[::2], strict=False):
            services.pairing_create(
                actor=staff,
                member=member,
                resident=resident,
                since=today - dt.timedelta(days=rng.randint(10, 200)),
                note=rng.choice(["助餐助医", "学业辅导", "代办事务"]),
            )
            counts["pairings"] += 1
    return counts
