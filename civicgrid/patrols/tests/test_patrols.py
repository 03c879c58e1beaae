from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.cases.services import case_create
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.orgs.choices import Role
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.patrols import selectors, services
from civicgrid.patrols.models import MissedPatrol, Patrol, PatrolCase, PatrolPoint
from civicgrid.patrols.route import haversine_m, route_figures
from civicgrid.testing.factories import make_user

from .conftest import backdate, ms, walk

pytestmark = pytest.mark.django_db


def started(tiny, minutes=20):
    return backdate(services.patrol_start(actor=tiny.worker_a1, grid=tiny.grid_a1), minutes)


# ------------------------------------------------------------------ route figures
def test_haversine_one_degree_of_latitude():
    assert haversine_m(114.0, 23.0, 114.0, 24.0) == pytest.approx(111_195, rel=1e-3)
    # 0.0001° of longitude at 23°N is about 10.2 m
    assert haversine_m(114.0, 23.0, 114.0001, 23.0) == pytest.approx(10.24, abs=0.05)


def test_jumps_are_left_out_of_the_distance():
    pts = [(114.0, 23.0, 0), (114.0001, 23.0, 10), (114.05, 23.0, 20), (114.0002, 23.0, 30)]
    fig = route_figures(pts)
    assert fig.jumps == 1
    assert fig.points == 4
    assert fig.distance_m == pytest.approx(haversine_m(114.0, 23.0, 114.0002, 23.0), rel=1e-6)


def test_a_run_of_jumps_resets_the_anchor():
    # the first fix was wrong: after three consistent "jumps" the phone is believed
    pts = [(115.0, 23.0, 0)] + [(114.0 + i * 0.0001, 23.0, 10 * (i + 1)) for i in range(6)]
    fig = route_figures(pts)
    assert fig.jumps == 3
    assert fig.distance_m == pytest.approx(3 * haversine_m(114.0, 23.0, 114.0001, 23.0), rel=1e-3)


# ------------------------------------------------------------------ start and end
def test_only_a_grid_worker_of_the_grid_starts_a_patrol(tiny):
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=tiny.worker_a1, grid=tiny.grid_b1)
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=tiny.staff_a, grid=tiny.grid_a1)
    assert not Patrol.objects.exists()
    p1 = services.patrol_start(actor=tiny.worker_a1, grid=tiny.grid_a1)
    p2 = services.patrol_start(actor=tiny.worker_a1, grid=tiny.grid_a1)
    assert p1.pk == p2.pk and p1.area_id == tiny.community_a.pk


def test_only_the_worker_records_and_ends(tiny):
    p = started(tiny)
    other = make_user(Role.GRID_WORKER, grid=tiny.grid_b1)
    with pytest.raises(NotFound):
        services.points_ingest(actor=other, patrol=p, batch="x", points=walk(p.started_at, 2))
    with pytest.raises(PermissionDenied):  # staff of the community see it but cannot write
        services.patrol_end(actor=tiny.staff_a, patrol=p)
    assert PatrolPoint.objects.count() == 0
    assert Patrol.objects.get(pk=p.pk).is_open


# ------------------------------------------------------------------ batches
def test_duplicates_and_out_of_order_are_stored_once(tiny):
    p = started(tiny)
    pts = walk(p.started_at, 10)
    r1 = services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="b2", points=pts[5:][::-1])
    assert r1["stored"] == 5 and r1["acked"] == [5, 6, 7, 8, 9]
    r2 = services.points_ingest(
        actor=tiny.worker_a1, patrol=p, batch="b1", points=pts[:6] + pts[:2]
    )
    assert r2["stored"] == 5 and r2["duplicates"] == 1
    r3 = services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="b1", points=pts)
    assert r3["stored"] == 0 and r3["duplicates"] == 10
    assert PatrolPoint.objects.filter(patrol=p).count() == 10
    p.refresh_from_db()
    assert p.points_count == 10
    assert p.distance_m == pytest.approx(9 * haversine_m(114.0, 23.001, 114.0001, 23.001), rel=1e-3)


@pytest.mark.parametrize(
    "bad",
    [
        {"seq": -1, "lat": 23.0, "lon": 114.0, "t": 1},
        {"seq": 3, "lat": 123.0, "lon": 114.0, "t": 1_700_000_000_000},
        {"seq": 3, "lat": 23.0, "lon": "114", "t": 1_700_000_000_000},
        {"seq": 3, "lat": 23.0, "lon": 114.0},
        {"seq": "3", "lat": 23.0, "lon": 114.0, "t": 1_700_000_000_000},
        {"seq": 3, "lat": 23.0, "lon": 114.0, "t": 1_700_000_000_000, "acc": -5},
        "nonsense",
    ],
)
def test_a_malformed_point_refuses_the_whole_batch(tiny, bad):
    p = started(tiny)
    pts = walk(p.started_at, 3) + [bad]
    with pytest.raises(ValidationFailed) as exc:
        services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="bad", points=pts)
    assert exc.value.code == "bad_points"
    assert "3" in exc.value.details["points"]
    assert PatrolPoint.objects.count() == 0


def test_empty_or_huge_batches_are_refused(tiny):
    p = started(tiny)
    for pts in ([], None, walk(p.started_at, services.MAX_BATCH + 1)):
        with pytest.raises(ValidationFailed):
            services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="x", points=pts)
    assert PatrolPoint.objects.count() == 0


def test_fixes_outside_the_patrol_are_acknowledged_not_stored(tiny):
    p = started(tiny)
    early = {"seq": 0, "lat": 23.001, "lon": 114.001, "t": ms(p.started_at - dt.timedelta(hours=1))}
    pts = [early] + walk(p.started_at, 3, seq0=1)
    r = services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="x", points=pts)
    assert r["stored"] == 3
    assert r["ignored"] == [{"seq": 0, "reason": "outside_patrol"}]
    assert r["acked"] == [0, 1, 2, 3]


def test_a_late_batch_after_the_end_completes_the_patrol_and_earns_once(tiny, worker_member):
    p = started(tiny, minutes=20)
    pts = walk(p.started_at, 60, every_s=20)  # 60 fixes over 20 minutes, ~600 m
    services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="a", points=pts[:5])
    p = services.patrol_end(actor=tiny.worker_a1, patrol=p)
    assert p.status == "ended" and not p.completed  # only ~40 m arrived before the end
    assert not PointsEntry.objects.exists()
    # the phone was offline: the rest arrives in pieces, one piece twice, after the end
    services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="c", points=pts[30:])
    services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="b", points=pts[5:30])
    services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="c", points=pts[30:])
    p.refresh_from_db()
    assert p.points_count == 60 and p.completed
    assert p.distance_m > services.min_distance_m()
    entries = PointsEntry.objects.filter(event=PointsEvent.PATROL_COMPLETED)
    assert entries.count() == 1
    assert entries.get().member_id == worker_member.pk
    services.patrol_end(actor=tiny.worker_a1, patrol=p)  # ending again changes nothing
    assert entries.count() == 1


def test_a_short_patrol_is_counted_but_not_completed(tiny, worker_member):
    p = services.patrol_start(actor=tiny.worker_a1, grid=tiny.grid_a1)
    services.points_ingest(
        actor=tiny.worker_a1, patrol=p, batch="a", points=walk(p.started_at, 3, every_s=1)
    )
    p = services.patrol_end(actor=tiny.worker_a1, patrol=p)
    assert not p.completed
    assert not PointsEntry.objects.exists()


def test_a_worker_who_is_no_member_gets_no_points(tiny):
    p = started(tiny, minutes=20)
    services.points_ingest(
        actor=tiny.worker_a1, patrol=p, batch="a", points=walk(p.started_at, 60, every_s=20)
    )
    p = services.patrol_end(actor=tiny.worker_a1, patrol=p)
    assert p.completed
    assert not PointsEntry.objects.exists()


# ------------------------------------------------------------------ cases and visits on the way
def test_a_case_raised_during_the_open_patrol_is_attached(tiny, item, registry):
    other = case_create(actor=tiny.worker_a1, item=item, text="巡查前上报的事件", grid=tiny.grid_a1)
    p = services.patrol_start(actor=tiny.worker_a1, grid=tiny.grid_a1)
    mine = case_create(
        actor=tiny.worker_a1, item=item, text="巡查中发现垃圾堆放", grid=tiny.grid_a1
    )
    staff_case = case_create(
        actor=tiny.staff_a, item=item, text="社区工作人员上报", grid=tiny.grid_a1
    )
    from civicgrid.people.services import visit_record

    visit = visit_record(actor=tiny.worker_a1, resident=registry.resident_a, notes="巡查途中走访")
    services.patrol_end(actor=tiny.worker_a1, patrol=p)
    after = case_create(actor=tiny.worker_a1, item=item, text="巡查后上报", grid=tiny.grid_a1)
    assert list(PatrolCase.objects.values_list("case_id", flat=True)) == [mine.pk]
    assert [c.pk for c in selectors.patrol_cases(p, user=tiny.worker_a1)] == [mine.pk]
    assert [v.pk for v in selectors.patrol_visits(p, user=tiny.worker_a1)] == [visit.pk]
    assert {other.pk, staff_case.pk, after.pk}.isdisjoint(
        PatrolCase.objects.values_list("case_id", flat=True)
    )


# ------------------------------------------------------------------ duties, missed flags, coverage
def _complete(tiny, worker, grid, when):
    p = Patrol.objects.create(
        worker=worker,
        grid=grid,
        area_id=grid.community_id,
        status="ended",
        started_at=when,
        ended_at=when + dt.timedelta(minutes=30),
        distance_m=1000,
        completed=True,
    )
    return p


def test_missed_patrol_flags_are_idempotent(tiny):
    day = dt.date(2026, 3, 4)  # a Wednesday
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=1)
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a2, frequency="daily", times=2)
    services.duty_set(actor=tiny.staff_b, grid=tiny.grid_b1, frequency="weekly", times=3)
    noon = timezone.make_aware(dt.datetime(2026, 3, 4, 12))
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, noon)
    _complete(tiny, tiny.worker_a1, tiny.grid_a2, noon)
    assert services.check_patrols(day=day) == 1
    assert services.check_patrols(day=day) == 0
    flag = MissedPatrol.objects.get()
    assert (flag.grid_id, flag.expected, flag.done) == (tiny.grid_a2.pk, 2, 1)
    # Sunday: the weekly duty of B1 (3 a week, 2 done) is checked over the week
    _complete(tiny, tiny.worker_a1, tiny.grid_b1, noon)
    _complete(tiny, tiny.worker_a1, tiny.grid_b1, noon + dt.timedelta(days=3))
    sunday = dt.date(2026, 3, 8)
    services.check_patrols(day=sunday)
    services.check_patrols(day=sunday)
    b1 = MissedPatrol.objects.get(grid=tiny.grid_b1)
    assert (b1.day, b1.done, b1.expected, b1.frequency) == (sunday, 2, 3, "weekly")
    assert MissedPatrol.objects.filter(day=sunday).count() == 3  # A1, A2 (daily, none) and B1


def test_duties_are_set_only_in_scope_and_validated(tiny):
    with pytest.raises(NotFound):
        services.duty_set(actor=tiny.staff_a, grid=tiny.grid_b1, frequency="daily", times=1)
    with pytest.raises(PermissionDenied):
        services.duty_set(actor=tiny.parttime_a1, grid=tiny.grid_a1, frequency="daily", times=1)
    with pytest.raises(ValidationFailed):
        services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=0)
    with pytest.raises(ValidationFailed):
        services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="hourly", times=1)
    d = services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="weekly", times=3)
    assert d.area_id == tiny.community_a.pk


def test_coverage_against_hand_built_data(tiny):
    for g in (tiny.grid_a1, tiny.grid_a2, tiny.grid_b1):
        services.duty_set(actor=tiny.street_staff, grid=g, frequency="daily", times=1)
    monday = timezone.make_aware(dt.datetime(2026, 3, 2, 9))
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, monday)
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, monday + dt.timedelta(hours=3))
    _complete(tiny, tiny.worker_a1, tiny.grid_b1, monday + dt.timedelta(days=2))
    _complete(tiny, tiny.worker_a1, tiny.grid_b2, monday)  # no duty: not in the rate
    day = selectors.patrol_coverage(
        user=tiny.street_staff,
        start=monday.replace(hour=0),
        end=monday.replace(hour=0) + dt.timedelta(days=1),
    )
    street = day[0]
    assert (street.with_duty, street.patrolled, street.patrols) == (3, 1, 2)
    a, b = street.children
    assert (a.with_duty, a.patrolled, a.rate) == (2, 1, 50.0)
    assert (b.with_duty, b.patrolled, b.rate) == (1, 0, 0.0)
    week = selectors.patrol_coverage(
        user=tiny.street_staff,
        start=selectors.week_bounds(monday.date())[0],
        end=selectors.week_bounds(monday.date())[1],
    )
    assert (week[0].patrolled, week[0].rate) == (2, 66.7)
    # community A's staff see only community A
    only_a = selectors.patrol_coverage(
        user=tiny.staff_a, start=monday - dt.timedelta(days=1), end=monday + dt.timedelta(days=6)
    )
    assert [c.area.pk for c in only_a[0].children] == [tiny.community_a.pk]
    stats = selectors.patrol_stats(
        tiny.community_a, monday - dt.timedelta(days=1), monday + dt.timedelta(days=6)
    )
    assert (
        stats["completed"] == 2 and stats["grids_patrolled"] == 1 and stats["grids_with_duty"] == 2
    )
    assert stats["distance_km"] == 2.0 and stats["hours"] == 1.0


def test_patrol_lists_are_scoped(tiny):
    pa = _complete(tiny, tiny.worker_a1, tiny.grid_a1, timezone.now())
    worker_b = make_user(Role.GRID_WORKER, grid=tiny.grid_b1)
    pb = _complete(tiny, worker_b, tiny.grid_b1, timezone.now())
    assert list(selectors.patrol_list(user=tiny.staff_a)) == [pa]
    assert list(selectors.patrol_list(user=tiny.staff_b)) == [pb]
    assert selectors.patrol_get(user=tiny.staff_a, pk=pb.pk) is None
    assert selectors.patrol_get(user=worker_b, pk=pa.pk) is None
    assert set(selectors.patrol_list(user=tiny.street_staff)) == {pa, pb}


# ------------------------------------------------------------------ concurrency
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_stored_once(tiny):
    p = started(tiny)
    pts = walk(p.started_at, 40)
    results, errors = [], []

    def send():
        try:
            results.append(
                services.points_ingest(actor=tiny.worker_a1, patrol=p, batch="same", points=pts)
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert PatrolPoint.objects.filter(patrol=p).count() == 40
    assert sum(r["stored"] for r in results) == 40
    p.refresh_from_db()
    assert p.points_count == 40
