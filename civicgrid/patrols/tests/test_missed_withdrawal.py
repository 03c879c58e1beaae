"""Missed-patrol flags withdrawn by late patrols: a phone offline during its patrol sends its
points and its end after the daily check raised the flag. The flag stays as history (withdrawn,
with the reason and the patrol that met the duty) and counts nowhere: not in patrol_stats, the
assessment columns, the 漏巡提醒 list in force or the grid chief's list."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.assessment import month_bounds
from civicgrid.orgs.choices import Role
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.patrols import assessment, selectors, services
from civicgrid.patrols.models import MissedPatrol, Patrol
from civicgrid.testing.factories import make_user

from .conftest import walk
from .test_patrols import _complete

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def late_patrol(worker, grid, started_at: dt.datetime, *, n: int = 60) -> Patrol:
    """A patrol started at ``started_at`` whose phone was offline: the end arrives with five
    fixes (not enough to complete), the rest of the route comes after it."""
    p = services.patrol_start(actor=worker, grid=grid)
    Patrol.objects.filter(pk=p.pk).update(started_at=started_at)
    p.refresh_from_db()
    pts = walk(started_at, n, every_s=20)  # ~10 m a fix, 20 minutes for 60 fixes
    services.points_ingest(actor=worker, patrol=p, batch="first", points=pts[:5])
    p = services.patrol_end(actor=worker, patrol=p)
    assert not p.completed
    services.points_ingest(actor=worker, patrol=p, batch="late", points=pts[5:])
    p.refresh_from_db()
    return p


def missed_figures(tiny, day: dt.date) -> dict:
    """Every place a flag is counted, for community A over the flag's month."""
    start, end = month_bounds(day.replace(day=1))
    cols = assessment.columns(
        user=tiny.street_staff, sheet="community", keys=[tiny.community_a.pk], start=start, end=end
    )
    return {
        "stats": selectors.patrol_stats(tiny.community_a, start, end)["missed"],
        "assessment": {c.code: c.values for c in cols}["patrols_missed"][tiny.community_a.pk],
        "list": selectors.missed_list(user=tiny.staff_a).count(),
        "withdrawn_list": selectors.missed_list(user=tiny.staff_a, withdrawn=True).count(),
        "counts": selectors.missed_counts(user=tiny.staff_a),
    }


def test_an_offline_phone_sends_its_patrol_after_the_flag_and_the_flag_is_withdrawn(
    client, tiny, worker_member
):
    chief = make_user(Role.GRID_CHIEF, grid=tiny.grid_a1, username="chief_a1")
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=1)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The phone started the patrol yesterday at 10:00 while online, then lost its connection.
    client.force_login(tiny.worker_a1)
    client.post(reverse("patrols:start"), {"grid": tiny.grid_a1.pk})
    patrol = Patrol.objects.get()
    Patrol.objects.filter(pk=patrol.pk).update(started_at=at(yesterday))
    # The night's check finds no completed patrol for yesterday.
    assert services.check_patrols(day=yesterday) == 1
    flag = MissedPatrol.objects.get()
    assert (flag.expected, flag.done, flag.withdrawn_at) == (1, 0, None)
    before = missed_figures(tiny, yesterday)
    assert before["stats"] == before["assessment"] == before["list"] == 1
    assert before["withdrawn_list"] == 0
    client.force_login(chief)
    assert "missed-row" in client.get(reverse("patrols:index")).content.decode()

    # This morning the phone is back: the queued batches, then the queued end.
    client.force_login(tiny.worker_a1)
    pts = walk(at(yesterday), 60, every_s=20)
    url = reverse("patrols:points", args=[patrol.pk])
    for batch, chunk in (("b2", pts[30:]), ("b1", pts[:30]), ("b2", pts[30:])):  # one resent
        r = client.post(
            url, json.dumps({"batch": batch, "points": chunk}), content_type="application/json"
        )
        assert r.status_code == 200 and not r.json()["completed"]  # still open
    r = client.post(reverse("patrols:end", args=[patrol.pk]), HTTP_ACCEPT="application/json")
    assert r.json()["completed"] is True

    flag.refresh_from_db()
    assert flag.withdrawn_at is not None and flag.withdrawn_reason == "late_patrol"
    assert (flag.done, flag.withdrawn_patrol_id) == (1, patrol.pk)
    after = missed_figures(tiny, yesterday)
    assert after["stats"] == after["assessment"] == after["list"] == 0
    assert after["withdrawn_list"] == 1
    assert after["counts"] == {"active": 0, "withdrawn": 1}
    assert MissedPatrol.objects.count() == 1  # kept for history
    # the grid chief's list no longer shows it; 漏巡提醒 shows it under 已撤销
    client.force_login(chief)
    assert "missed-row" not in client.get(reverse("patrols:index")).content.decode()
    client.force_login(tiny.staff_a)
    html = client.get(reverse("patrols:missed")).content.decode()
    assert "没有漏巡" in html and "已撤销 (1)" in html
    html = client.get(reverse("patrols:missed") + "?show=withdrawn").content.decode()
    assert "withdrawn-row" in html and reverse("patrols:detail", args=[patrol.pk]) in html
    # points: the late patrol earns its patrol points once; a flag carries none either way
    entries = PointsEntry.objects.filter(member=worker_member)
    assert list(entries.values_list("event", flat=True)) == [PointsEvent.PATROL_COMPLETED]


def test_the_check_run_again_does_not_raise_a_withdrawn_flag(tiny):
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=1)
    day = dt.date(2026, 3, 4)
    services.check_patrols(day=day)
    p = late_patrol(tiny.worker_a1, tiny.grid_a1, at(day))
    assert p.completed
    flag = MissedPatrol.objects.get()
    withdrawn_at = flag.withdrawn_at
    assert withdrawn_at is not None
    assert services.check_patrols(day=day) == 0
    assert services.check_patrols(day=day) == 0
    flag.refresh_from_db()
    assert MissedPatrol.objects.count() == 1
    assert (flag.withdrawn_at, flag.done, flag.withdrawn_patrol_id) == (withdrawn_at, 1, p.pk)


def test_the_check_withdraws_a_flag_a_patrol_completed_without_seeing(tiny):
    """The safety net: a patrol completed while the check was between its count and its insert
    found no flag to withdraw; the next run recounts the day's open flags."""
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=1)
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a2, frequency="daily", times=1)
    day = dt.date(2026, 3, 4)
    assert services.check_patrols(day=day) == 2
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, at(day))  # written behind the hook's back
    assert services.check_patrols(day=day) == 0
    a1 = MissedPatrol.objects.get(grid=tiny.grid_a1)
    a2 = MissedPatrol.objects.get(grid=tiny.grid_a2)
    assert a1.withdrawn_at is not None and a1.withdrawn_patrol_id is None and a1.done == 1
    assert a2.withdrawn_at is None and a2.done == 0


def test_a_late_patrol_short_of_the_duty_updates_done_and_the_flag_stays(tiny):
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=2)
    day = dt.date(2026, 3, 4)
    services.check_patrols(day=day)
    flag = MissedPatrol.objects.get()
    assert (flag.expected, flag.done) == (2, 0)
    first = late_patrol(tiny.worker_a1, tiny.grid_a1, at(day, 9))
    assert first.completed
    flag.refresh_from_db()
    assert (flag.done, flag.withdrawn_at) == (1, None)
    start, end = month_bounds(dt.date(2026, 3, 1))
    assert selectors.patrol_stats(tiny.community_a, start, end)["missed"] == 1
    assert selectors.missed_list(user=tiny.staff_a).get() == flag
    # a late patrol of another day, and one too short to count, change nothing
    late_patrol(tiny.worker_a1, tiny.grid_a1, at(day + dt.timedelta(days=1)))
    short = late_patrol(tiny.worker_a1, tiny.grid_a1, at(day, 15), n=8)
    assert not short.completed
    flag.refresh_from_db()
    assert (flag.done, flag.withdrawn_at) == (1, None)
    # the second patrol of the day reaches the duty
    second = late_patrol(tiny.worker_a1, tiny.grid_a1, at(day, 16))
    flag.refresh_from_db()
    assert (flag.done, flag.withdrawn_patrol_id) == (2, second.pk)
    assert flag.withdrawn_at is not None
    assert selectors.patrol_stats(tiny.community_a, start, end)["missed"] == 0


def test_a_weekly_duty_is_withdrawn_by_a_late_patrol_of_the_week(tiny):
    worker_b = make_user(Role.GRID_WORKER, grid=tiny.grid_b1, username="worker_b1")
    services.duty_set(actor=tiny.staff_b, grid=tiny.grid_b1, frequency="weekly", times=2)
    services.duty_set(actor=tiny.staff_b, grid=tiny.grid_b2, frequency="weekly", times=1)
    monday, sunday = dt.date(2026, 3, 2), dt.date(2026, 3, 8)
    _complete(tiny, worker_b, tiny.grid_b1, at(monday + dt.timedelta(days=2)))  # Wednesday
    assert services.check_patrols(day=sunday) == 2
    b1 = MissedPatrol.objects.get(grid=tiny.grid_b1)
    assert (b1.frequency, b1.day, b1.expected, b1.done) == ("weekly", sunday, 2, 1)
    # next week's patrol is no answer to this week's flag
    late_patrol(worker_b, tiny.grid_b1, at(sunday + dt.timedelta(days=1)))
    b1.refresh_from_db()
    assert (b1.done, b1.withdrawn_at) == (1, None)
    # Thursday's patrol, sent on Monday
    thursday = late_patrol(worker_b, tiny.grid_b1, at(monday + dt.timedelta(days=3)))
    b1.refresh_from_db()
    assert b1.withdrawn_at is not None and (b1.done, b1.withdrawn_patrol_id) == (2, thursday.pk)
    b2 = MissedPatrol.objects.get(grid=tiny.grid_b2)
    assert b2.withdrawn_at is None  # another grid's flag is not touched
    start, end = month_bounds(dt.date(2026, 3, 1))
    assert selectors.patrol_stats(tiny.community_b, start, end)["missed"] == 1
    cols = assessment.columns(
        user=tiny.street_staff, sheet="street", keys=[tiny.street.pk], start=start, end=end
    )
    assert {c.code: c.values for c in cols}["patrols_missed"][tiny.street.pk] == 1
    assert services.check_patrols(day=sunday) == 0
    assert MissedPatrol.objects.filter(withdrawn_at__isnull=True).count() == 1
