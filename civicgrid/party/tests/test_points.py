"""The points ledger: rules, caps, one entry per cause, reversals, and no edits in place."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, OperationalError, ProgrammingError, connection, transaction
from django.db.utils import InternalError
from django.utils import timezone

from civicgrid.core.errors import Conflict, ValidationFailed
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry, PointsRule
from civicgrid.party.points import (
    points_adjust,
    points_award,
    points_balance,
    points_reverse,
    points_reverse_source,
)
from civicgrid.web.tests.conftest import Registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg(tiny):
    return Registry(tiny)


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, day, hour))


def test_award_follows_the_rule_and_places_the_entry(reg):
    rule = PointsRule.objects.get(event=PointsEvent.CLAIM_CONFIRMED)
    entry = points_award(actor=None, event=PointsEvent.CLAIM_CONFIRMED, member=reg.member_a,
                         source="wishes.claim:1", occurred_at=at(3))
    assert entry.points == rule.points
    assert entry.area_id == reg.member_a.area_id
    assert entry.street_id == reg.tiny.street.id
    assert entry.grid_id == reg.tiny.grid_a1.id
    assert points_balance(member=reg.member_a) == rule.points


def test_the_same_cause_awards_once(reg):
    first = points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a,
                         source="cases.case:9")
    again = points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a,
                         source="cases.case:9")
    assert again.pk == first.pk
    assert PointsEntry.objects.count() == 1
    # Another subject for the same cause is another entry.
    points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_b, source="cases.case:9")
    assert PointsEntry.objects.count() == 2


def test_inactive_or_missing_rule_awards_nothing(reg):
    PointsRule.objects.filter(event=PointsEvent.VISIT_RECORDED).update(active=False)
    assert points_award(actor=None, event=PointsEvent.VISIT_RECORDED, member=reg.member_a) is None
    assert not PointsEntry.objects.exists()


@pytest.mark.parametrize("event", [e for e in PointsEvent if e != PointsEvent.MANUAL])
def test_every_rule_cap_holds(reg, event):
    """Award far more than the caps allow in one day and across a month: the daily cap, then the
    monthly cap, are never passed, and the last award before a cap is cut to what is left."""
    rule = PointsRule.objects.get(event=event)
    rule.points, rule.daily_cap, rule.monthly_cap = 3, 7, 20
    rule.save()
    day_total = 0
    for i in range(5):
        e = points_award(actor=None, event=event, unit=reg.unit_a, source=f"t:{i}", occurred_at=at(2))
        day_total += e.points if e else 0
    assert day_total == 7
    assert points_balance(unit=reg.unit_a) == 7
    for day in range(3, 12):
        points_award(actor=None, event=event, unit=reg.unit_a, source=f"d:{day}", occurred_at=at(day))
    assert points_balance(unit=reg.unit_a, date_from=dt.date(2026, 11, 1),
                          date_to=dt.date(2026, 11, 30)) == 20
    # A new month starts afresh.
    e = points_award(actor=None, event=event, unit=reg.unit_a, source="dec",
                     occurred_at=timezone.make_aware(dt.datetime(2026, 12, 1, 9)))
    assert e.points == 3


def test_daily_cap_uses_local_days(reg):
    rule = PointsRule.objects.get(event=PointsEvent.VISIT_RECORDED)
    rule.points, rule.daily_cap, rule.monthly_cap = 1, 1, None
    rule.save()
    # 23:30 and 00:30 Beijing time are two days even though both are the same UTC day.
    late = timezone.make_aware(dt.datetime(2026, 11, 5, 23, 30))
    early = timezone.make_aware(dt.datetime(2026, 11, 6, 0, 30))
    assert points_award(actor=None, event=PointsEvent.VISIT_RECORDED, member=reg.member_a, occurred_at=late)
    assert points_award(actor=None, event=PointsEvent.VISIT_RECORDED, member=reg.member_a, occurred_at=early)
    assert points_award(actor=None, event=PointsEvent.VISIT_RECORDED, member=reg.member_a,
                        occurred_at=early) is None


def test_volunteer_hours_multiply(reg):
    rule = PointsRule.objects.get(event=PointsEvent.VOLUNTEER_HOUR)
    rule.points, rule.daily_cap = 2, None
    rule.save()
    e = points_award(actor=None, event=PointsEvent.VOLUNTEER_HOUR, member=reg.member_a, quantity=2.5)
    assert e.points == 5
    with pytest.raises(ValidationFailed):
        points_award(actor=None, event=PointsEvent.VOLUNTEER_HOUR, member=reg.member_a, quantity=0)


def test_reversal_cancels_once_and_frees_the_cap(reg):
    rule = PointsRule.objects.get(event=PointsEvent.CASE_REPORTED)
    rule.points, rule.daily_cap = 2, 2
    rule.save()
    e = points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a, source="cases.case:1")
    assert points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a,
                        source="cases.case:2") is None
    with pytest.raises(ValidationFailed):
        points_reverse(actor=None, entry=e, reason=" ")
    rev = points_reverse(actor=None, entry=e, reason="事件无效")
    assert rev.points == -2 and rev.reverses_id == e.pk
    assert points_balance(member=reg.member_a) == 0
    with pytest.raises(Conflict):
        points_reverse(actor=None, entry=e, reason="again")
    with pytest.raises(Conflict):
        points_reverse(actor=None, entry=rev, reason="again")
    assert points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a,
                        source="cases.case:2").points == 2
    assert points_reverse_source(actor=None, event=PointsEvent.CASE_REPORTED, source="cases.case:1",
                                 reason="x") == []


def test_manual_adjustment_needs_scope_and_reason(reg):
    tiny = reg.tiny
    with pytest.raises(ValidationFailed):
        points_adjust(actor=tiny.staff_a, member=reg.member_a, points=5, reason="")
    with pytest.raises(ValidationFailed):
        points_adjust(actor=tiny.staff_a, member=reg.member_a, points=0, reason="x")
    from civicgrid.core.errors import NotFound

    with pytest.raises(NotFound):
        points_adjust(actor=tiny.staff_b, member=reg.member_a, points=5, reason="表彰")
    e = points_adjust(actor=tiny.staff_a, member=reg.member_a, points=-3, reason="重复上报扣分")
    assert e.event == PointsEvent.MANUAL and points_balance(member=reg.member_a) == -3
    with pytest.raises(ValidationFailed):
        points_award(actor=None, event=PointsEvent.MANUAL, member=reg.member_a)


def test_one_subject_only(reg):
    with pytest.raises(ValidationFailed):
        points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a, unit=reg.unit_a)
    with pytest.raises(ValidationFailed):
        points_award(actor=None, event=PointsEvent.CASE_REPORTED)


def test_ledger_is_never_edited_in_place(reg):
    e = points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a)
    e.points = 100
    with pytest.raises(TypeError):
        e.save()
    with pytest.raises(TypeError):
        e.delete()
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=e.pk).update(points=100)
    with pytest.raises(TypeError):
        PointsEntry.objects.all().delete()
    # The database refuses too, whoever asks.
    with pytest.raises((IntegrityError, OperationalError, InternalError, ProgrammingError)):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE party_pointsentry SET points = 100 WHERE id = %s", [e.pk])
    assert PointsEntry.objects.get(pk=e.pk).points == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_refuses_deletes_on_postgresql(reg):
    e = points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a)
    # The trigger's RAISE reaches Django as ProgrammingError (psycopg's RaiseException).
    with pytest.raises((InternalError, ProgrammingError)):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM party_pointsentry WHERE id = %s", [e.pk])
    assert PointsEntry.objects.filter(pk=e.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_cannot_pass_a_cap(tiny):
    reg = Registry(tiny)
    rule = PointsRule.objects.get(event=PointsEvent.CASE_REPORTED)
    rule.points, rule.daily_cap, rule.monthly_cap = 2, 4, None
    rule.save()
    barrier = threading.Barrier(6)
    errors = []

    def award(i):
        try:
            barrier.wait()
            points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=reg.member_a,
                         source=f"cases.case:{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=award, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert points_balance(member=reg.member_a) == 4
    assert PointsEntry.objects.count() == 2
