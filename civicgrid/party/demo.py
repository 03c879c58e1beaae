"""Demo data for the demo county: dual reports (most confirmed), a few months of points for
members, units and officers, and logins for two members and one unit contact.

DEMO ONLY: the logins share the demo password (civicgrid.demo.logins.DEMO_PASSWORD).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import RoleAssignment, Unit
from civicgrid.people.models import InformationOfficer, PartyMember

from . import reporting
from .choices import Availability, PointsEvent, ServiceArea
from .points import points_award

DEMO_MEMBER_LOGINS = ("demo_member1", "demo_member2")
DEMO_UNIT_LOGIN = "demo_unit"

MEMBER_EVENTS = [
    (PointsEvent.ACTIVITY_ATTENDED, 1),
    (PointsEvent.VOLUNTEER_HOUR, 3),
    (PointsEvent.CLAIM_CONFIRMED, 1),
    (PointsEvent.ORG_LIFE_ATTENDED, 1),
    (PointsEvent.TRAINING_COMPLETED, 1),
    (PointsEvent.CASE_REPORTED, 1),
]
OFFICER_EVENTS = [
    (PointsEvent.CASE_REPORTED, 1),
    (PointsEvent.CASE_FIXED_ON_SPOT, 1),
    (PointsEvent.VISIT_RECORDED, 1),
]


def _when(rng: random.Random, now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=rng.randint(0, days), hours=rng.randint(0, 10))


@transaction.atomic
def seed(*, seed: int = 1, members_per_community: int = 30, months: int = 6) -> dict[str, int]:
    from civicgrid.demo.logins import DEMO_PASSWORD

    rng = random.Random(f"party:{seed}")
    now = timezone.now()
    days = months * 30
    counts = {"reports": 0, "confirmed": 0, "entries": 0}
    communities = list(Area.objects.filter(level=Area.Level.COMMUNITY).order_by("code"))
    staff = get_user_model().objects.filter(is_superuser=False).first()
    for community in communities:
        members = list(
            PartyMember.objects.filter(area=community).order_by("id")[:members_per_community]
        )
        for i, member in enumerate(members):
            if i % 5 == 4:
                continue  # a fifth have not reported yet
            report = reporting.report_submit(
                actor=None,
                member=member,
                community=community,
                skills=rng.choice(["", "水电维修", "法律咨询", "医护", "书法", "心理疏导"]),
                services=rng.sample(ServiceArea.values, rng.randint(1, 3)),
                availability=rng.choice(Availability.values),
            )
            counts["reports"] += 1
            if i % 7 != 3:
                reporting.report_confirm(actor=None, report=report)
                counts["confirmed"] += 1
            if i % 6 == 5:
                continue  # reported but never took part: on the reminder list
            for _n in range(rng.randint(2, 14)):
                event, qty = rng.choice(MEMBER_EVENTS)
                if points_award(
                    actor=staff,
                    event=event,
                    member=member,
                    quantity=rng.randint(1, qty),
                    source=f"demo:{rng.random():.12f}",
                    occurred_at=_when(rng, now, days),
                ):
                    counts["entries"] += 1
        for unit in Unit.objects.filter(area=community).exclude(kind=UnitKind.DEPARTMENT)[:5]:
            report = reporting.report_submit(
                actor=None,
                unit=unit,
                community=community,
                services=rng.sample(ServiceArea.values, 2),
            )
            reporting.report_confirm(actor=None, report=report)
            counts["reports"] += 1
            for _n in range(rng.randint(1, 6)):
                if points_award(
                    actor=staff,
                    event=PointsEvent.CLAIM_CONFIRMED,
                    unit=unit,
                    source=f"demo:{rng.random():.12f}",
                    occurred_at=_when(rng, now, days),
                ):
                    counts["entries"] += 1
    for officer in InformationOfficer.objects.order_by("id")[:300]:
        for _n in range(rng.randint(0, 12)):
            event, qty = rng.choice(OFFICER_EVENTS)
            if points_award(
                actor=staff,
                event=event,
                officer=officer,
                source=f"demo:{rng.random():.12f}",
                occurred_at=_when(rng, now, days),
            ):
                counts["entries"] += 1
    # Logins: two members of the first community (one reported and confirmed, one not yet) and
    # the contact of one unit there.
    User = get_user_model()
    first = communities[0] if communities else None
    if first is not None:
        members = list(PartyMember.objects.filter(area=first, user=None).order_by("id")[:5])
        for username, member in zip(
            DEMO_MEMBER_LOGINS, (members[0:1] + members[4:5]), strict=False
        ):
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD, display_name=member.name
            )
            member.user = user
            member.save(update_fields=["user"])
        unit = (
            Unit.objects.filter(area=first).exclude(kind=UnitKind.DEPARTMENT).order_by("id").first()
        )
        if unit is not None:
            user = User.objects.create_user(
                username=DEMO_UNIT_LOGIN, password=DEMO_PASSWORD, display_name=f"{unit.name}联络人"
            )
            RoleAssignment.objects.create(user=user, role=Role.UNIT_CONTACT, unit=unit)
    return counts


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, who, password) of the demo logins present."""
    from civicgrid.demo.logins import DEMO_PASSWORD

    out = []
    for m in PartyMember.objects.filter(user__username__in=DEMO_MEMBER_LOGINS).select_related(
        "user", "area"
    ):
        out.append((m.user.username, f"党员 {m.name}({m.area.name})", DEMO_PASSWORD))
    ra = (
        RoleAssignment.objects.filter(user__username=DEMO_UNIT_LOGIN, role=Role.UNIT_CONTACT)
        .select_related("unit", "user")
        .first()
    )
    if ra is not None:
        out.append((ra.user.username, f"单位联络人 {ra.unit.name}", DEMO_PASSWORD))
    return sorted(out)
