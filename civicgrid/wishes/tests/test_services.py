"""Wishes, claims, rating, points, the sweep, conversion to a case, offers, agreements and
pairings: the rules and the refusals (a refused request changes nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.party.points import points_balance
from civicgrid.wishes import services
from civicgrid.wishes.choices import ClaimStatus, PostedVia, WishKind, WishStatus
from civicgrid.wishes.models import Claim, Wish, WishEvent

pytestmark = pytest.mark.django_db


def finish(world, claim, *, claimant=None):
    claimant = claimant or world.member_user_a
    for action, actor in (
        ("start", claimant),
        ("complete", claimant),
        ("confirm", world.tiny.staff_a),
    ):
        claim = services.claim_transition(actor=actor, claim=claim, action=action, note="已送达")
    return claim


# --- posting and moderation ------------------------------------------------------------------


def test_resident_posts_through_portal_and_waits_for_review(world):
    wish = services.wish_submit(
        actor=world.resident_user_a,
        community=world.tiny.community_a,
        title="想要一台助行器",
        description="腿脚不便",
        category="elderly",
        owner_label="张大爷",
    )
    assert wish.status == WishStatus.PENDING and wish.posted_via == PostedVia.PORTAL
    # matched to the resident file by the phone's keyed hash
    assert wish.resident == world.reg.resident_a and wish.grid == world.tiny.grid_a1
    with pytest.raises(Conflict):
        services.claim_create(actor=world.member_user_a, wish=wish, member=world.member_a)
    with pytest.raises(PermissionDenied):
        services.wish_review(actor=world.tiny.worker_a1, wish=wish, approve=True)
    with pytest.raises(NotFound):
        services.wish_review(actor=world.tiny.staff_b, wish=wish, approve=True)
    with pytest.raises(ValidationFailed):
        services.wish_review(actor=world.tiny.staff_a, wish=wish, approve=False, note="")
    wish = services.wish_review(actor=world.tiny.staff_a, wish=wish, approve=True)
    assert wish.status == WishStatus.OPEN and wish.published_at
    with pytest.raises(Conflict):
        services.wish_review(actor=world.tiny.staff_a, wish=wish, approve=False, note="重复")
    assert list(wish.events.values_list("action", flat=True)) == ["submit", "approve"]


def test_portal_submit_needs_a_portal_login_and_good_input(world):
    with pytest.raises(PermissionDenied):
        services.wish_submit(actor=world.member_user_a, community=world.tiny.community_a, title="x")
    bad = [
        {"title": ""},
        {"title": "长" * 101},
        {"title": "好", "category": "nonsense"},
        {"title": "好", "wanted_by": timezone.localdate() - dt.timedelta(days=1)},
        {"title": "好", "community": world.tiny.street},
        {"title": "好", "grid": world.tiny.grid_b1},
    ]
    for kw in bad:
        kw.setdefault("community", world.tiny.community_a)
        with pytest.raises(ValidationFailed):
            services.wish_submit(actor=world.resident_user_a, **kw)
    assert Wish.objects.count() == 0


def test_a_resident_has_at_most_five_pending_wishes(world):
    for i in range(services.MAX_PENDING_PER_RESIDENT):
        services.wish_submit(
            actor=world.resident_user_a, community=world.tiny.community_a, title=f"心愿{i}"
        )
    with pytest.raises(Conflict):
        services.wish_submit(
            actor=world.resident_user_a, community=world.tiny.community_a, title="再来一个"
        )


def test_grid_worker_posts_for_a_resident_published_at_once(world):
    wish = services.wish_create(
        actor=world.tiny.worker_a1,
        kind=WishKind.MICRO_WISH,
        title="帮忙修水龙头",
        resident=world.reg.resident_a,
    )
    assert wish.status == WishStatus.OPEN and wish.posted_via == PostedVia.GRID_WORKER
    assert wish.area == world.tiny.community_a and wish.grid == world.tiny.grid_a1
    assert wish.owner_phone_index == world.reg.resident_a.phone_index
    assert wish.owner_label == "张居民"
    # a resident outside the worker's grid is not found; needs are for the community's staff
    with pytest.raises(NotFound):
        services.wish_create(
            actor=world.tiny.worker_a1,
            kind=WishKind.MICRO_WISH,
            title="x",
            resident=world.reg.resident_b,
        )
    with pytest.raises(PermissionDenied):
        services.wish_create(
            actor=world.tiny.worker_a1, kind=WishKind.NEED, title="x", resident=world.reg.resident_a
        )


def test_staff_publish_only_in_their_community(world):
    need = world.wish(kind=WishKind.NEED, title="楼道灯需更换")
    assert need.posted_via == PostedVia.STAFF and need.status == WishStatus.OPEN
    with pytest.raises(NotFound):
        services.wish_create(
            actor=world.tiny.staff_b,
            kind=WishKind.NEED,
            title="x",
            community=world.tiny.community_a,
        )
    with pytest.raises(ValidationFailed):
        services.wish_create(
            actor=world.tiny.staff_a, kind="bogus", title="x", community=world.tiny.community_a
        )


def test_support_item_by_unit_user_or_staff(world):
    item = services.wish_create(
        actor=world.unit_user_a,
        kind=WishKind.SUPPORT_ITEM,
        title="学校需要交通安全宣讲",
        unit=world.unit_a,
    )
    assert item.posted_via == PostedVia.UNIT and item.area == world.tiny.community_a
    item2 = services.wish_create(
        actor=world.tiny.staff_a, kind=WishKind.SUPPORT_ITEM, title="场地支持", unit=world.unit_a
    )
    assert item2.posted_via == PostedVia.STAFF
    with pytest.raises(NotFound):
        services.wish_create(
            actor=world.unit_user_a, kind=WishKind.SUPPORT_ITEM, title="x", unit=world.unit_b
        )


def test_close_by_owner_or_staff_only_before_claim(world):
    wish = services.wish_submit(
        actor=world.resident_user_a, community=world.tiny.community_a, title="想学用智能手机"
    )
    with pytest.raises(NotFound):
        services.wish_close(actor=world.resident_user_b, wish=wish, reason="不要了")
    wish = services.wish_close(actor=world.resident_user_a, wish=wish, reason="已经学会了")
    assert wish.status == WishStatus.CLOSED
    claimed = world.claimed()
    with pytest.raises(Conflict):
        services.wish_close(actor=world.tiny.staff_a, wish=claimed.wish, reason="x")


# --- claims ----------------------------------------------------------------------------------


def test_member_claims_only_for_themself(world):
    wish = world.wish()
    with pytest.raises(PermissionDenied):
        services.claim_create(actor=world.member_user_b, wish=wish, member=world.member_a)
    with pytest.raises(PermissionDenied):
        services.claim_create(actor=world.tiny.staff_a, wish=wish, member=world.member_a)
    claim = world.claimed(wish)
    assert claim.claimant_kind == "member" and claim.direction == "to_community"
    days = (claim.deadline - claim.claimed_at).days
    assert days == services.claim_days() == 7


def test_claim_deadline_setting_and_bounds(world, settings):
    settings.CIVICGRID_WISH_CLAIM_DAYS = 3
    claim = world.claimed()
    assert (claim.deadline - claim.claimed_at) == dt.timedelta(days=3)
    for bad in (0, -1, 13, "5"):
        with pytest.raises(ValidationFailed):
            services.claim_create(
                actor=world.member_user_a, wish=world.wish(), member=world.member_a, days=bad
            )


def test_a_taken_wish_is_refused_clearly(world):
    claim = world.claimed()
    with pytest.raises(Conflict) as e:
        services.claim_create(actor=world.member_user_b, wish=claim.wish, member=world.member_b)
    assert e.value.code == "already_claimed"
    assert Claim.objects.count() == 1


def test_unit_claims_by_its_user_or_staff(world):
    claim = services.claim_create(actor=world.unit_user_a, wish=world.wish(), unit=world.unit_a)
    assert claim.claimant_kind == "unit"
    claim2 = services.claim_create(actor=world.tiny.staff_a, wish=world.wish(), unit=world.unit_b)
    assert claim2.unit == world.unit_b
    with pytest.raises(PermissionDenied):
        services.claim_create(actor=world.member_user_a, wish=world.wish(), unit=world.unit_a)


def test_support_items_are_led_by_the_community(world):
    item = world.wish(kind=WishKind.SUPPORT_ITEM, title="学校需要场地")
    with pytest.raises(ValidationFailed):
        services.claim_create(actor=world.member_user_a, wish=item, member=world.member_a)
    with pytest.raises(NotFound):
        services.claim_create(actor=world.tiny.staff_b, wish=item, community=True)
    claim = services.claim_create(actor=world.tiny.staff_a, wish=item, community=True)
    assert claim.direction == "to_unit" and claim.claimant_kind == "community"
    for action in ("start", "complete"):
        claim = services.claim_transition(actor=world.tiny.staff_a, claim=claim, action=action)
    # the asking unit confirms
    claim = services.claim_transition(actor=world.unit_user_a, claim=claim, action="confirm")
    assert claim.status == ClaimStatus.CONFIRMED
    assert not PointsEntry.objects.exists()  # the community earns no points
    with pytest.raises(ValidationFailed):
        services.claim_create(actor=world.tiny.staff_a, wish=world.wish(), community=True)


# --- confirmation, points, rating ------------------------------------------------------------


def test_confirmation_awards_points_once(world):
    before = points_balance(member=world.member_a)
    claim = finish(world, world.claimed())
    assert claim.status == ClaimStatus.CONFIRMED
    entries = PointsEntry.objects.filter(member=world.member_a, event=PointsEvent.CLAIM_CONFIRMED)
    assert entries.count() == 1
    assert entries.get().source_key == f"wishes.claim:{claim.pk}"
    assert points_balance(member=world.member_a) == before + 5
    ev = WishEvent.objects.get(claim=claim, action="confirm")
    assert ev.data["points"] == 5 and ev.actor == world.tiny.staff_a
    with pytest.raises(Conflict):
        services.claim_transition(actor=world.tiny.staff_a, claim=claim, action="confirm")
    assert entries.count() == 1


def test_unit_confirmation_awards_the_unit(world):
    claim = services.claim_create(actor=world.unit_user_a, wish=world.wish(), unit=world.unit_a)
    finish(world, claim, claimant=world.unit_user_a)
    assert points_balance(unit=world.unit_a) == 5


def test_only_the_owner_rates_once_after_confirmation(world):
    wish = services.wish_create(
        actor=world.tiny.worker_a1,
        kind=WishKind.MICRO_WISH,
        title="帮忙买药",
        resident=world.reg.resident_a,
    )
    claim = world.claimed(wish)
    with pytest.raises(Conflict):  # not confirmed yet
        services.claim_rate(actor=world.resident_user_a, claim=claim, rating=5)
    claim = finish(world, claim)
    for outsider in (world.resident_user_b, world.tiny.staff_a, world.member_user_a):
        with pytest.raises(PermissionDenied):
            services.claim_rate(actor=outsider, claim=claim, rating=5)
    for bad in (0, 6, "x", None):
        with pytest.raises(ValidationFailed):
            services.claim_rate(actor=world.resident_user_a, claim=claim, rating=bad)
    # the resident signs in with the phone the grid worker recorded
    claim = services.claim_rate(
        actor=world.resident_user_a, claim=claim, rating="5", comment="谢谢王书记!"
    )
    assert (claim.rating, claim.rating_comment) == (5, "谢谢王书记!")
    with pytest.raises(Conflict):
        services.claim_rate(actor=world.resident_user_a, claim=claim, rating=1)
    claim.refresh_from_db()
    assert claim.rating == 5
    assert WishEvent.objects.filter(claim=claim, action="rate").count() == 1


# --- the sweep -------------------------------------------------------------------------------


def test_overdue_claims_are_released_and_keep_history(world):
    late = world.claimed(days=1)
    ontime = world.claimed(days=5)
    done = world.claimed(days=1)
    services.claim_transition(actor=world.member_user_a, claim=done, action="start")
    services.claim_transition(actor=world.member_user_a, claim=done, action="complete")
    assert services.release_overdue(timezone.now() + dt.timedelta(days=2)) == 1
    late.refresh_from_db()
    ontime.refresh_from_db()
    done.refresh_from_db()
    assert late.status == ClaimStatus.RELEASED and late.ended_at
    assert ontime.status == ClaimStatus.CLAIMED and done.status == ClaimStatus.COMPLETED
    late.wish.refresh_from_db()
    assert late.wish.status == WishStatus.OPEN
    assert list(late.events.values_list("action", flat=True)) == ["claim", "release"]
    # released claims stay; the wish can be claimed again
    again = services.claim_create(actor=world.member_user_b, wish=late.wish, member=world.member_b)
    assert Claim.objects.filter(wish=late.wish).count() == 2 and again.status == "claimed"
    assert services.release_overdue(timezone.now() + dt.timedelta(days=2)) == 0


def test_sweep_command_runs_once(world, capsys):
    claim = world.claimed(days=1)
    Claim.objects.filter(pk=claim.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    call_command("sweep_claims")
    assert "'released': 1" in capsys.readouterr().out
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RELEASED


def test_returned_claim_gets_time_again(world, settings):
    settings.CIVICGRID_WISH_RETURN_DAYS = 3
    claim = world.claimed(days=1)
    for action in ("start", "complete"):
        claim = services.claim_transition(actor=world.member_user_a, claim=claim, action=action)
    claim = services.claim_transition(
        actor=world.tiny.staff_a, claim=claim, action="return", note="未送到本人"
    )
    assert claim.deadline >= timezone.now() + dt.timedelta(days=2, hours=23)


# --- conversion to a case --------------------------------------------------------------------


def test_a_wish_becomes_a_case(world):
    from civicgrid.cases.models import Case, MatterItem

    item = MatterItem.objects.filter(active=True, level=3).first()
    wish = services.wish_submit(
        actor=world.resident_user_a,
        community=world.tiny.community_a,
        title="小区路灯坏了",
        description="3 号楼前",
    )
    with pytest.raises(NotFound):
        services.wish_convert_to_case(actor=world.tiny.staff_b, wish=wish, item=item)
    case = services.wish_convert_to_case(
        actor=world.tiny.staff_a, wish=wish, item=item, note="属于公共设施报修"
    )
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONVERTED and wish.case == case
    assert case.area == world.tiny.community_a and "路灯" in case.text
    assert case.source == "resident"
    assert WishEvent.objects.get(wish=wish, action="convert").data["case"] == case.pk
    with pytest.raises(Conflict):
        services.wish_convert_to_case(actor=world.tiny.staff_a, wish=wish, item=item)
    assert Case.objects.count() == 1


# --- offers, agreements, pairings -------------------------------------------------------------


def test_offers(world):
    offer = services.offer_create(
        actor=world.unit_user_a,
        unit=world.unit_a,
        kind="money",
        title="助学金",
        amount=Decimal("5000"),
    )
    assert offer.area == world.tiny.community_a
    services.offer_create(
        actor=world.tiny.staff_a,
        unit=world.unit_a,
        kind="volunteers",
        title="教师志愿者",
        volunteers=10,
    )
    for kw in (
        {"kind": "money"},
        {"kind": "volunteers"},
        {"kind": "bogus"},
        {"kind": "skill", "title": ""},
    ):
        kw.setdefault("title", "x")
        with pytest.raises(ValidationFailed):
            services.offer_create(actor=world.unit_user_a, unit=world.unit_a, **kw)
    with pytest.raises(NotFound):
        services.offer_create(actor=world.unit_user_a, unit=world.unit_b, kind="skill", title="x")
    offer = services.offer_withdraw(actor=world.unit_user_a, offer=offer)
    offer.refresh_from_db()
    assert offer.active is False


def test_agreement_items_and_progress(world):
    year = timezone.localdate().year
    ag = services.agreement_create(
        actor=world.tiny.staff_a,
        unit=world.unit_a,
        community=world.tiny.community_a,
        year=year,
        title="共建协议",
        signed_on=timezone.localdate(),
    )
    with pytest.raises(Conflict):
        services.agreement_create(
            actor=world.tiny.staff_a,
            unit=world.unit_a,
            community=world.tiny.community_a,
            year=year,
            title="again",
        )
    with pytest.raises(NotFound):
        services.agreement_create(
            actor=world.tiny.staff_b,
            unit=world.unit_a,
            community=world.tiny.community_a,
            year=year + 1,
            title="x",
        )
    item = services.agreement_item_add(
        actor=world.tiny.staff_a, agreement=ag, title="共建图书角", owner_kind="unit"
    )
    assert item.owner_unit == world.unit_a
    with pytest.raises(ValidationFailed):
        services.agreement_item_add(
            actor=world.tiny.staff_a, agreement=ag, title="x", owner_kind="person"
        )
    for bad in (-1, 101, "abc"):
        with pytest.raises(ValidationFailed):
            services.agreement_item_progress(actor=world.tiny.staff_a, item=item, progress=bad)
    item = services.agreement_item_progress(
        actor=world.unit_user_a, item=item, progress=60, note="已采购书架"
    )
    assert item.progress == 60 and "已采购书架" in item.notes and item.done_at is None
    item = services.agreement_item_progress(actor=world.tiny.staff_a, item=item, progress=100)
    assert item.done_at is not None
    assert list(item.updates.values_list("progress", flat=True)) == [60, 100]
    with pytest.raises(NotFound):
        services.agreement_item_progress(actor=world.tiny.staff_b, item=item, progress=10)


def test_pairings(world):
    from civicgrid.people import services as people_services

    since = timezone.localdate() - dt.timedelta(days=30)
    p = services.pairing_create(
        actor=world.tiny.staff_a,
        member=world.member_a,
        resident=world.reg.resident_a,
        since=since,
        note="助餐",
    )
    with pytest.raises(Conflict):
        services.pairing_create(
            actor=world.tiny.staff_a,
            member=world.member_a,
            resident=world.reg.resident_a,
            since=since,
        )
    with pytest.raises(NotFound):
        services.pairing_create(
            actor=world.tiny.staff_a,
            member=world.member_a,
            resident=world.reg.resident_b,
            since=since,
        )
    # the member's own visits count (people.Visit by the member's login)
    from civicgrid.orgs.choices import Role
    from civicgrid.orgs.models import RoleAssignment

    RoleAssignment.objects.create(
        user=world.member_user_a, role=Role.GRID_WORKER, grid=world.tiny.grid_a1
    )
    people_services.visit_record(
        actor=world.member_user_a, resident=world.reg.resident_a, notes="上门送餐"
    )
    people_services.visit_record(
        actor=world.tiny.staff_a, resident=world.reg.resident_a, notes="社区走访"
    )
    from civicgrid.wishes import selectors

    rows = list(selectors.pairing_list(user=world.tiny.staff_a))
    assert [(r.pk, r.visits) for r in rows] == [(p.pk, 1)]
    with pytest.raises(ValidationFailed):
        services.pairing_end(
            actor=world.tiny.staff_a, pairing=p, until=since - dt.timedelta(days=1)
        )
    services.pairing_end(actor=world.tiny.staff_a, pairing=p, until=timezone.localdate())
    assert list(selectors.pairing_list(user=world.tiny.staff_b)) == []
