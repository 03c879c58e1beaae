"""Public-welfare projects: review, donations with receipts, progress, the market."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicgrid.core.errors import Conflict, NotFound, ValidationFailed
from civicgrid.orgs import services as org_services
from civicgrid.orgs.choices import UnitKind
from civicgrid.surveys.selectors import welfare as sel
from civicgrid.surveys.services import welfare as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tiny, registry):
    social = org_services.unit_create(
        actor=None, name="东门邻里互助社", kind=UnitKind.SOCIAL_ORG, area=tiny.community_a
    )
    firm = org_services.unit_create(
        actor=None, name="东门超市", kind=UnitKind.FIRM, area=tiny.community_a
    )
    rnd = svc.round_create(
        actor=tiny.street_staff, area=tiny.street, year=2026, title="2026 公益创投"
    )
    return tiny, registry, social, firm, rnd


def test_only_social_organisations_propose_and_rejection_needs_a_reason(world):
    tiny, registry, social, firm, rnd = world
    with pytest.raises(ValidationFailed):
        svc.project_propose(
            actor=tiny.staff_a,
            round=rnd,
            organization=firm,
            area=tiny.community_a,
            title="x",
            summary="y",
            budget=100,
        )
    p = svc.project_propose(
        actor=tiny.staff_a,
        round=rnd,
        organization=social,
        area=tiny.community_a,
        title="独居老人助餐",
        summary="每周三次送餐",
        budget="20000",
    )
    with pytest.raises(ValidationFailed):
        svc.project_review(actor=tiny.street_staff, project=p, approve=False, reason="")
    with pytest.raises(NotFound):
        svc.project_review(actor=tiny.staff_b, project=p, approve=True)
    svc.project_review(actor=tiny.street_staff, project=p, approve=False, reason="预算不实")
    p.refresh_from_db()
    assert p.status == "rejected" and p.review_reason == "预算不实"
    with pytest.raises(Conflict):
        svc.project_review(actor=tiny.street_staff, project=p, approve=True)


def test_donations_get_consecutive_receipt_numbers(world):
    tiny, registry, social, firm, rnd = world
    p = svc.project_propose(
        actor=tiny.staff_a,
        round=rnd,
        organization=social,
        area=tiny.community_a,
        title="助餐",
        summary="送餐",
        budget=1000,
    )
    with pytest.raises(Conflict):
        svc.donation_record(
            actor=tiny.staff_a,
            project=p,
            donor_name="某人",
            amount=10,
            received_on=dt.date(2026, 5, 1),
        )
    svc.project_review(actor=tiny.street_staff, project=p, approve=True)
    d1 = svc.donation_record(
        actor=tiny.staff_a,
        project=p,
        donor_unit=firm,
        donor_name="",
        amount="500",
        received_on=dt.date(2026, 5, 1),
    )
    d2 = svc.donation_record(
        actor=tiny.staff_a,
        project=p,
        donor_name="张先生",
        amount=200.5,
        received_on=dt.date(2026, 5, 2),
    )
    assert (d1.receipt_no, d2.receipt_no) == (
        "GY2026-00001",
        "GY2026-00002",
    ) and d1.donor_name == "东门超市"
    with pytest.raises(ValidationFailed):
        svc.donation_record(
            actor=tiny.staff_a, project=p, donor_name="x", amount=0, received_on=dt.date(2026, 5, 2)
        )
    svc.project_progress(actor=tiny.staff_a, project=p, percent=100, beneficiaries=120)
    row = sel.project_list(user=tiny.staff_a).get(pk=p.pk)
    assert (
        row.raised == Decimal("700.50") and row.status == "completed" and row.beneficiaries == 120
    )
    assert sel.project_list(user=tiny.staff_b).count() == 0


def test_market_with_stalls_and_results(world):
    tiny, registry, social, firm, rnd = world
    p = svc.project_propose(
        actor=tiny.street_staff,
        round=rnd,
        organization=social,
        area=tiny.community_a,
        title="助餐",
        summary="送餐",
        budget=1000,
    )
    market = svc.market_create(
        actor=tiny.street_staff, round=rnd, held_on=dt.date(2026, 9, 5), place="善集公益一条街"
    )
    svc.stall_add(actor=tiny.street_staff, market=market, organization=social, project=p)
    with pytest.raises(ValidationFailed):
        svc.stall_add(actor=tiny.street_staff, market=market, organization=firm, project=p)
    svc.market_results(
        actor=tiny.street_staff,
        market=market,
        funds_raised="12000",
        projects_matched=3,
        volunteers_recruited=45,
    )
    market.refresh_from_db()
    assert (market.projects_matched, market.volunteers_recruited, market.stalls.count()) == (
        3,
        45,
        1,
    )
    with pytest.raises(ValidationFailed):
        svc.market_results(
            actor=tiny.street_staff,
            market=market,
            funds_raised="-1",
            projects_matched=0,
            volunteers_recruited=0,
        )
