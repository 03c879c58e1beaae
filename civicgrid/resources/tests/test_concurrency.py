"""Two people book overlapping times of one room at the same moment: exactly one wins, the
other is told the slot is taken. Runs on SQLite and PostgreSQL (real threads, real commits)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from civicgrid.core.errors import ApplicationError
from civicgrid.resources import services
from civicgrid.resources.models import Booking, BookingEvent, Resource

from .conftest import Res, at

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(kwargs):
        try:
            barrier.wait()
            services.booking_create(**kwargs)
            result = "ok"
        except ApplicationError as e:
            result = str(e.message)
        except Exception as e:  # noqa: BLE001 - a database error is a failure of the test
            result = f"error: {type(e).__name__}: {e}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(kw,)) for kw in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_two_overlapping_requests_at_once_exactly_one_wins(tiny):
    res = Res(tiny)
    calls = [
        dict(
            actor=res.tiny.staff_a,
            resource=Resource(pk=res.room.pk),
            start=at(3, 9),
            end=at(3, 11),
            purpose="支部会议",
            attendees=10,
        ),
        dict(
            actor=res.unit_user_a,
            resource=Resource(pk=res.room.pk),
            start=at(3, 10),
            end=at(3, 12),
            purpose="家长会",
            attendees=20,
        ),
    ]
    outcomes = _race(calls)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    loser = next(o for o in outcomes if o != "ok")
    assert "已被预订" in loser, outcomes
    assert Booking.objects.filter(resource=res.room).count() == 1
    assert BookingEvent.objects.filter(booking__resource=res.room).count() == 2
    assert Resource.objects.get(pk=res.room.pk).booking_seq == 1


def test_many_requests_for_one_slot_only_one_booking(tiny):
    res = Res(tiny)
    users = [res.tiny.staff_a, res.unit_user_a, res.tiny.street_staff, res.resident]
    calls = [
        dict(
            actor=u,
            resource=Resource(pk=res.room.pk),
            start=at(4, 14),
            end=at(4, 15),
            purpose=f"活动{i}",
            attendees=5,
        )
        for i, u in enumerate(users)
    ]
    outcomes = _race(calls)
    assert outcomes.count("ok") == 1, outcomes
    assert all("已被预订" in o for o in outcomes if o != "ok"), outcomes
    assert Booking.objects.filter(resource=res.room).count() == 1
