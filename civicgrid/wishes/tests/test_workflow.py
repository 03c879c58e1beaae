"""The claim state machine: every action in every state, legal or refused with its reason,
and a refused action changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.wishes import services, workflow
from civicgrid.wishes.choices import ClaimStatus, WishStatus
from civicgrid.wishes.models import Claim, WishEvent

pytestmark = pytest.mark.django_db

ALL = list(ClaimStatus.values)


def claim_in(world, status: str) -> Claim:
    """A claim of a new wish, driven through the services to ``status``."""
    claim = world.claimed(world.wish(), days=1 if status == ClaimStatus.RELEASED else 7)
    member, staff = world.member_user_a, world.tiny.staff_a
    steps = {
        ClaimStatus.CLAIMED: [],
        ClaimStatus.IN_PROGRESS: [("start", member)],
        ClaimStatus.COMPLETED: [("start", member), ("complete", member)],
        ClaimStatus.CONFIRMED: [("start", member), ("complete", member), ("confirm", staff)],
        ClaimStatus.WITHDRAWN: [("withdraw", member)],
    }
    if status == ClaimStatus.RELEASED:
        assert services.release_overdue(timezone.now() + dt.timedelta(days=2)) == 1
    else:
        for action, actor in steps[status]:
            services.claim_transition(actor=actor, claim=claim, action=action, note="已处理")
    claim.refresh_from_db()
    assert claim.status == status
    return claim


def actor_for(world, who):
    return {"claimant": world.member_user_a, "confirmer": world.tiny.staff_a, "system": None}[who]


@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_every_action_in_every_state(world, action):
    t = workflow.TRANSITIONS[action]
    actor = actor_for(world, t.who)
    for status in ALL:
        claim = claim_in(world, status)
        events = WishEvent.objects.count()
        if status in t.sources:
            done = services.claim_transition(
                actor=actor, claim=claim, action=action, note="原因说明"
            )
            assert done.status == t.target, (action, status)
            assert WishEvent.objects.count() == events + 1
            ev = WishEvent.objects.order_by("-id").first()
            assert (ev.action, ev.from_status, ev.to_status, ev.claim_id) == (
                action,
                status,
                t.target,
                claim.pk,
            )
            continue
        with pytest.raises(Conflict) as e:
            services.claim_transition(actor=actor, claim=claim, action=action, note="原因说明")
        expected = workflow.REASONS.get((action, status))
        if expected:
            assert str(e.value.message) == str(expected), (action, status)
        else:
            assert str(ClaimStatus(status).label) in str(e.value.message), (action, status)
            assert str(t.label) in str(e.value.message)
        claim.refresh_from_db()
        assert claim.status == status
        assert WishEvent.objects.count() == events


@pytest.mark.parametrize(
    "action,wrong,reason",
    [
        ("start", "staff", "只有认领方"),
        ("complete", "staff", "只有认领方"),
        ("withdraw", "other_member", "只有认领方"),
        ("confirm", "member", "只有社区工作人员"),
        ("return", "member", "只有社区工作人员"),
        ("release", "member", "由系统执行"),
    ],
)
def test_wrong_actor_is_refused_with_reason(world, action, wrong, reason):
    t = workflow.TRANSITIONS[action]
    status = sorted(t.sources)[0]
    claim = claim_in(world, status)
    actor = {
        "staff": world.tiny.staff_a,
        "member": world.member_user_a,
        "other_member": world.member_user_b,
    }[wrong]
    events = WishEvent.objects.count()
    with pytest.raises(PermissionDenied) as e:
        services.claim_transition(actor=actor, claim=claim, action=action, note="x")
    assert reason in str(e.value.message)
    claim.refresh_from_db()
    assert claim.status == status
    assert WishEvent.objects.count() == events


def test_other_community_staff_cannot_confirm(world):
    claim = claim_in(world, ClaimStatus.COMPLETED)
    with pytest.raises(PermissionDenied):
        services.claim_transition(actor=world.tiny.staff_b, claim=claim, action="confirm")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED


def test_return_needs_a_reason_and_goes_back_to_in_progress(world):
    claim = claim_in(world, ClaimStatus.COMPLETED)
    with pytest.raises(Exception) as e:
        services.claim_transition(actor=world.tiny.staff_a, claim=claim, action="return", note=" ")
    assert "退回原因" in str(e.value)
    claim = services.claim_transition(
        actor=world.tiny.staff_a, claim=claim, action="return", note="照片不清楚,请补充"
    )
    assert claim.status == ClaimStatus.IN_PROGRESS and claim.return_count == 1
    assert claim.completed_at is None
    assert claim.wish.status == WishStatus.CLAIMED
    claim = services.claim_transition(actor=world.member_user_a, claim=claim, action="complete")
    assert claim.status == ClaimStatus.COMPLETED


def test_wish_status_follows_the_claim(world):
    wish = world.wish()
    assert wish.status == WishStatus.OPEN
    claim = world.claimed(wish)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    services.claim_transition(
        actor=world.member_user_a, claim=claim, action="withdraw", note="临时出差"
    )
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN
    claim2 = services.claim_create(actor=world.member_user_b, wish=wish, member=world.member_b)
    for action, actor in (
        ("start", world.member_user_b),
        ("complete", world.member_user_b),
        ("confirm", world.tiny.staff_a),
    ):
        claim2 = services.claim_transition(actor=actor, claim=claim2, action=action)
    wish.refresh_from_db()
    assert wish.status == WishStatus.DONE
    assert list(wish.claims.order_by("id").values_list("status", flat=True)) == [
        ClaimStatus.WITHDRAWN,
        ClaimStatus.CONFIRMED,
    ]
