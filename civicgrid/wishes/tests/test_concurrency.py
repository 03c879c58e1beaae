"""Two claims of one wish at the same moment: one wins, the other is told it is taken; the
database holds one active claim. Threads, real transactions (SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from civicgrid.core.errors import Conflict
from civicgrid.wishes import services
from civicgrid.wishes.choices import ClaimStatus, WishStatus
from civicgrid.wishes.models import Claim, WishEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as e:  # noqa: BLE001 - the outcome is what the test checks
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_members_claim_at_once_one_wins(world):
    wish = world.wish()
    calls = [
        lambda: services.claim_create(actor=world.member_user_a, wish=wish, member=world.member_a),
        lambda: services.claim_create(actor=world.member_user_b, wish=wish, member=world.member_b),
    ]
    results = _race(calls)
    won = [r for r in results if isinstance(r, Claim)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "already_claimed"
    assert "已被认领" in str(lost[0].message)
    assert Claim.objects.filter(wish=wish).count() == 1
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    assert WishEvent.objects.filter(wish=wish, action="claim").count() == 1


def test_member_and_unit_race_one_wins(world):
    wish = world.wish()
    calls = [
        lambda: services.claim_create(actor=world.member_user_a, wish=wish, member=world.member_a),
        lambda: services.claim_create(actor=world.unit_user_a, wish=wish, unit=world.unit_a),
        lambda: services.claim_create(actor=world.member_user_b, wish=wish, member=world.member_b),
    ]
    results = _race(calls)
    assert sum(isinstance(r, Claim) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 2, results
    assert Claim.objects.filter(wish=wish).count() == 1


def test_the_database_refuses_a_second_active_claim(world):
    """Even a write that skips the service cannot make two active claims of one wish."""
    claim = world.claimed()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            wish=claim.wish,
            direction=claim.direction,
            claimant_kind="member",
            member=world.member_b,
            status=ClaimStatus.IN_PROGRESS,
            claimed_at=timezone.now(),
            deadline=timezone.now(),
            area_id=claim.area_id,
        )
    assert Claim.objects.filter(wish=claim.wish).count() == 1


def test_sweep_and_completion_at_once_do_not_both_win(world):
    """The sweep releases an overdue claim while the member completes it: exactly one of the
    two changes the claim, and the wish follows the winner."""
    import datetime as dt

    claim = world.claimed(days=1)
    services.claim_transition(actor=world.member_user_a, claim=claim, action="start")
    later = timezone.now() + dt.timedelta(days=2)
    results = _race(
        [
            lambda: services.release_overdue(later),
            lambda: services.claim_transition(
                actor=world.member_user_a, claim=claim, action="complete"
            ),
        ]
    )
    claim.refresh_from_db()
    claim.wish.refresh_from_db()
    if claim.status == ClaimStatus.RELEASED:
        assert results[0] == 1 and isinstance(results[1], Conflict), results
        assert claim.wish.status == WishStatus.OPEN
    else:
        assert claim.status == ClaimStatus.COMPLETED
        assert results[0] == 0 and isinstance(results[1], Claim), results
        assert claim.wish.status == WishStatus.CLAIMED
