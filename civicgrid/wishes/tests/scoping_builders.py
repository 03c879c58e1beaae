"""Scoping builders for the wishes models (see orgs/tests/test_scoping_all_models.py)."""

import datetime as dt

from django.utils import timezone

from civicgrid.wishes.models import (
    Agreement,
    AgreementItem,
    AgreementProgress,
    Claim,
    Offer,
    Pairing,
    Wish,
    WishEvent,
)


def _wish(side):
    return Wish.objects.get_or_create(
        title=f"心愿{side.tag}",
        defaults={
            "kind": "micro_wish",
            "status": "open",
            "area": side.community,
            "grid": side.grid,
            "posted_via": "staff",
        },
    )[0]


def _claim(side):
    now = timezone.now()
    return Claim.objects.get_or_create(
        wish=_wish(side),
        defaults={
            "direction": "to_community",
            "claimant_kind": "member",
            "member": side.member(),
            "claimed_at": now,
            "deadline": now + dt.timedelta(days=7),
            "area": side.community,
            "grid": side.grid,
        },
    )[0]


def _agreement(side):
    return Agreement.objects.get_or_create(
        unit=side.unit(), area=side.community, year=2026, defaults={"title": f"协议{side.tag}"}
    )[0]


def _item(side):
    return AgreementItem.objects.get_or_create(
        agreement=_agreement(side), title=f"事项{side.tag}", defaults={"owner_kind": "unit"}
    )[0]


BUILDERS = {
    "wishes.wish": _wish,
    "wishes.claim": _claim,
    "wishes.wishevent": lambda s: WishEvent.objects.create(
        wish=_wish(s), action="publish", area=s.community, grid=s.grid
    ),
    "wishes.offer": lambda s: Offer.objects.create(
        unit=s.unit(), area=s.community, kind="skill", title=f"资源{s.tag}"
    ),
    "wishes.agreement": _agreement,
    "wishes.agreementitem": _item,
    "wishes.agreementprogress": lambda s: AgreementProgress.objects.create(
        item=_item(s), progress=50
    ),
    "wishes.pairing": lambda s: Pairing.objects.create(
        member=s.member(),
        resident=s.resident(),
        area=s.community,
        grid=s.grid,
        since=dt.date(2026, 1, 1),
    ),
}
