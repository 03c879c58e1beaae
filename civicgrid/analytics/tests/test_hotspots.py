"""Hotspot detection on constructed data: a rise above the baseline where there is one and not
where there is none, space-time clusters, suppression of redundant alerts, idempotency."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicgrid.analytics import hotspots
from civicgrid.analytics.models import Hotspot
from civicgrid.analytics.tests import fixtures
from civicgrid.cases import services
from civicgrid.cases.models import Case

pytestmark = pytest.mark.django_db
world = fixtures.world

NOW = timezone.make_aware(dt.datetime(2026, 11, 30, 20, 0))


def _cases(w, item, ages_days, points, grid_worker=None):
    """Cases of `item` reported `ages_days` before NOW at `points` (cycled)."""
    made = []
    for i, age in enumerate(ages_days):
        lon, lat = points[i % len(points)]
        case = services.case_create(
            actor=grid_worker or w.worker_a1, item=item, text=f"问题{i}", lon=lon, lat=lat
        )
        Case.objects.filter(pk=case.pk).update(created_at=NOW - dt.timedelta(days=age))
        made.append(case.pk)
    return made


# Points inside grid A1 (114.00–114.01, 23.00–23.01) more than 300 m apart from each other.
SPREAD = [
    (114.001, 23.001),
    (114.009, 23.001),
    (114.001, 23.009),
    (114.009, 23.009),
    (114.005, 23.005),
]


def test_a_rise_above_a_quiet_baseline_raises_one_grid_alert(world):
    w = world
    # Baseline: 3 cases in 8 weeks; the last 7 days: 7 cases (4 of them older than 72 h).
    _cases(w, w.lamp, [10, 30, 50], SPREAD)
    recent = _cases(w, w.lamp, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], SPREAD)
    result = hotspots.detect(NOW)
    rises = Hotspot.objects.filter(kind="rise")
    # The community, the street and the group rise too, but the grid explains all of it.
    assert [(h.level, h.item_id, h.grid_id) for h in rises] == [("grid", w.lamp.pk, w.grid_a1.pk)]
    h = rises.get()
    assert h.count == 7 and h.area == w.community_a and h.day == dt.date(2026, 11, 30)
    assert sorted(h.cases.values_list("id", flat=True)) == sorted(recent)
    ev = h.evidence
    assert ev["baseline_total"] == 3 and ev["weekly_mean"] == pytest.approx(0.375)
    assert ev["expected"] == 0.5  # the floor: 0.5 a week
    assert ev["p_value"] < 0.001 and ev["ratio"] == 14
    assert sum(ev["baseline_by_week"]) == 3 and len(ev["baseline_by_week"]) == 8
    assert ev["centroid"] and len(ev["bbox"]) == 4
    assert result["created"] == 1


def test_no_alert_when_the_recent_count_is_the_usual_one(world):
    w = world
    # 4 a week for 8 weeks, then 7 in the last week: within the usual variation.
    ages = [7.5 + i * 56 / 32 for i in range(32)]
    _cases(w, w.lamp, ages, SPREAD)
    _cases(w, w.lamp, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], SPREAD)
    hotspots.detect(NOW)
    assert not Hotspot.objects.filter(kind="rise").exists()


def test_too_few_cases_raise_nothing_even_from_zero(world):
    w = world
    _cases(w, w.lamp, [1.5, 3.5, 5.5, 6.5], SPREAD)  # 4 < min_count 5
    hotspots.detect(NOW)
    assert not Hotspot.objects.exists()


def test_thresholds_come_from_settings(world, settings):
    w = world
    _cases(w, w.lamp, [1.5, 3.5, 5.5, 6.5], SPREAD)
    settings.CIVICGRID_HOTSPOTS = {"min_count": 4}
    hotspots.detect(NOW)  # P(X >= 4 | 0.5) = 0.0018: not below max_p 0.001
    assert not Hotspot.objects.exists()
    settings.CIVICGRID_HOTSPOTS = {"min_count": 4, "max_p": 0.01}
    hotspots.detect(NOW)
    assert Hotspot.objects.filter(kind="rise", level="grid").count() == 1


def test_three_cases_close_in_space_and_time_form_a_cluster(world):
    w = world
    close = [(114.0050, 23.0050), (114.0060, 23.0052), (114.0055, 23.0040)]  # within ~150 m
    ids = _cases(w, w.garbage, [0.1, 0.8, 2.5], close)
    _cases(w, w.garbage, [0.2], [(114.0150, 23.0050)])  # 1 km away: not in it
    _cases(w, w.lamp, [0.3, 0.4], close)  # another item: not in it
    hotspots.detect(NOW)
    h = Hotspot.objects.get(kind="cluster")
    assert h.item == w.garbage and h.level == "grid" and h.grid == w.grid_a1
    assert sorted(h.cases.values_list("id", flat=True)) == sorted(ids)
    assert h.count == 3 and h.evidence["span_m"] < 300 and h.evidence["centroid"]


@pytest.mark.parametrize(
    ("ages", "points"),
    [
        ([0.1, 0.8], [(114.0050, 23.0050), (114.0060, 23.0052)]),  # only two
        ([0.1, 0.8, 3.5], [(114.0050, 23.0050), (114.0060, 23.0052), (114.0055, 23.0040)]),
        ([0.1, 0.8, 1.0], [(114.0050, 23.0050), (114.0060, 23.0052), (114.0090, 23.0090)]),
    ],
    ids=["two-cases", "one-older-than-72h", "one-farther-than-300m"],
)
def test_no_cluster_without_three_close_cases(world, ages, points):
    _cases(world, world.garbage, ages, points)
    hotspots.detect(NOW)
    assert not Hotspot.objects.filter(kind="cluster").exists()


def test_merged_and_invalid_cases_are_not_counted(world):
    w = world
    close = [(114.0050, 23.0050), (114.0060, 23.0052), (114.0055, 23.0040)]
    ids = _cases(w, w.garbage, [0.1, 0.8, 2.5], close)
    services.case_transition(
        actor=w.staff_a, case=Case.objects.get(pk=ids[2]), action="invalidate", note="重复上报"
    )
    hotspots.detect(NOW)
    assert not Hotspot.objects.exists()


def test_running_twice_a_day_updates_and_the_next_day_does_not_repeat(world):
    w = world
    _cases(w, w.lamp, [10, 30, 50], SPREAD)
    _cases(w, w.lamp, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], SPREAD)
    close = [(114.0050, 23.0050), (114.0060, 23.0052), (114.0055, 23.0040)]
    _cases(w, w.garbage, [0.1, 0.8, 2.5], close)
    first = hotspots.detect(NOW)
    assert first["created"] == 2
    second = hotspots.detect(NOW + dt.timedelta(hours=1))
    assert second["created"] == 0 and second["updated"] == 2
    assert Hotspot.objects.count() == 2
    # A fourth case joins the cluster later that day: the same alert grows.
    extra = _cases(w, w.garbage, [-0.05], [(114.0052, 23.0051)])
    hotspots.detect(NOW + dt.timedelta(hours=2))
    cluster = Hotspot.objects.get(kind="cluster")
    assert cluster.count == 4 and extra[0] in cluster.cases.values_list("id", flat=True)
    # Next day: the rise was raised this week, the cluster has no new case.
    next_day = hotspots.detect(NOW + dt.timedelta(days=1))
    assert next_day["created"] == 0 and Hotspot.objects.count() == 2


def test_a_dismissed_alert_is_not_revived_by_a_rerun(world):
    w = world
    close = [(114.0050, 23.0050), (114.0060, 23.0052), (114.0055, 23.0040)]
    _cases(w, w.garbage, [0.1, 0.8, 2.5], close)
    hotspots.detect(NOW)
    h = Hotspot.objects.get()
    Hotspot.objects.filter(pk=h.pk).update(state=Hotspot.State.DISMISSED, reason="已知")
    hotspots.detect(NOW + dt.timedelta(minutes=5))
    h.refresh_from_db()
    assert h.state == "dismissed" and Hotspot.objects.count() == 1


def test_command_runs_the_detection_for_a_day(world, capsys):
    w = world
    close = [(114.0050, 23.0050), (114.0060, 23.0052), (114.0055, 23.0040)]
    _cases(w, w.garbage, [0.1, 0.8, 2.5], close)
    call_command("detect_hotspots", "--date", "2026-11-30")
    assert "'created': 1" in capsys.readouterr().out
    assert Hotspot.objects.get().day == dt.date(2026, 11, 30)
    call_command("detect_hotspots", "--date", "2026-11-30")
    assert Hotspot.objects.count() == 1


def test_task_runs_the_detection(world):
    from civicgrid.analytics.tasks import detect_hotspots_task

    result = detect_hotspots_task.enqueue()
    assert result.return_value == {"created": 0, "updated": 0, "skipped": 0, "found": 0}
