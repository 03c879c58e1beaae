"""Training hours credited from elsewhere (a passed staff test, through
civicgrid.partylife.hooks.staff_test_passed): once per member and source, only for party
members, counted like hours entered by hand (organisation page, star rating)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from civicgrid.core.errors import ValidationFailed
from civicgrid.party.models import PointsEntry
from civicgrid.partylife import hooks, rules, services
from civicgrid.partylife.models import TrainingRecord
from civicgrid.people.models import PartyMember

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 12)


def credit(user, source="surveys.paper:1", hours="2", **kw):
    return hooks.staff_test_passed(
        actor=user, user=user, source=source, title="岗位练兵测试", taken_on=DAY, hours=hours, **kw
    )


@pytest.fixture
def member(world):
    m = world.reg.member_a
    PartyMember.objects.filter(pk=m.pk).update(user=world.tiny.staff_a)
    m.refresh_from_db()
    return m


def test_a_credit_counts_once_per_member_and_source(world, member):
    staff = world.tiny.staff_a
    assert credit(staff) is True
    assert credit(staff) is False
    assert credit(staff, hours="3") is False  # the first credit stands
    assert credit(staff, source="surveys.paper:2", hours="1.5") is True
    rows = TrainingRecord.objects.filter(member=member).order_by("source")
    assert [(r.kind, r.hours, r.source) for r in rows] == [
        ("test", D("2.0"), "surveys.paper:1"),
        ("test", D("1.5"), "surveys.paper:2"),
    ]
    assert rules.training_hours([member.pk], 2026) == {member.pk: D("3.5")}
    figures = rules.star_figures(
        member.organization, 2026, today=dt.date(2026, 12, 31), manual=D("0")
    )
    assert figures.training == pytest.approx(3.5 / 32)
    assert PointsEntry.objects.filter(event="training_completed", member=member).count() == 2


def test_nothing_for_non_members_or_too_few_hours(world, member):
    assert credit(world.tiny.staff_b) is False  # no party-member record for this login
    assert credit(world.tiny.staff_a, hours="0.4") is False
    assert not TrainingRecord.objects.exists()
    assert credit(world.tiny.staff_a, hours="30") is True
    assert TrainingRecord.objects.get().hours == D("24")  # at most a manual record's maximum
    with pytest.raises(ValidationFailed):
        credit(world.tiny.staff_a, source=" ")


def test_test_hours_cannot_be_typed_in_by_hand(world, member):
    with pytest.raises(ValidationFailed):
        services.training_record(
            actor=world.tiny.staff_a,
            member=member,
            taken_on=DAY,
            title="测试",
            hours="2",
            kind="test",
        )
    assert not TrainingRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_credits_at_once_write_one_record(tiny):
    from .conftest import World

    world = World(tiny)
    m = world.reg.member_a
    PartyMember.objects.filter(pk=m.pk).update(user=tiny.staff_a)
    outcomes = []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            outcomes.append(credit(tiny.staff_a))
        except Exception as exc:  # noqa: BLE001  (SQLite may report a lock; count it as refused)
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(True) == 1, outcomes
    assert TrainingRecord.objects.filter(member=m).count() == 1
    assert PointsEntry.objects.filter(event="training_completed", member=m).count() == 1
