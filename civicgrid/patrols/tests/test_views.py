from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.patrols import services
from civicgrid.patrols.models import (
    ContactAssignment,
    CoverageFlag,
    MissedPatrol,
    Patrol,
    PatrolPoint,
)
from civicgrid.testing.factories import make_user

from .conftest import backdate, walk

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def _patrol(worker, grid, minutes_ago=30):
    start = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Patrol.objects.create(
        worker=worker,
        grid=grid,
        area_id=grid.community_id,
        status="ended",
        started_at=start,
        ended_at=start + dt.timedelta(minutes=20),
        distance_m=800,
        completed=True,
    )


def test_phone_flow_start_points_end(client, tiny):
    login(client, tiny.worker_a1)
    page = client.get(reverse("patrols:index"))
    assert page.status_code == 200 and "开始巡查" in page.content.decode()
    r = client.post(reverse("patrols:start"), {"grid": tiny.grid_a1.pk})
    patrol = Patrol.objects.get()
    assert r.status_code == 302 and r.url == reverse("patrols:detail", args=[patrol.pk])
    backdate(patrol, 15)
    url = reverse("patrols:points", args=[patrol.pk])
    body = {"batch": "b1", "points": walk(patrol.started_at, 5)}
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json()["stored"] == 5 and r.json()["acked"] == [0, 1, 2, 3, 4]
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.json()["stored"] == 0 and r.json()["duplicates"] == 5
    bad = {"batch": "b2", "points": walk(patrol.started_at, 2, seq0=5) + [{"seq": 9, "lat": "x"}]}
    r = client.post(url, json.dumps(bad), content_type="application/json")
    assert r.status_code == 400
    assert (
        r.json()["error"]["code"] == "bad_points" and "2" in r.json()["error"]["details"]["points"]
    )
    r = client.post(url, "not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_batch"
    assert PatrolPoint.objects.count() == 5
    detail = client.get(reverse("patrols:detail", args=[patrol.pk]))
    html = detail.content.decode()
    assert (
        'id="route-line"' in html and 'class="grid-outline"' in html and 'data-next-seq="5"' in html
    )
    r = client.post(reverse("patrols:end", args=[patrol.pk]), HTTP_ACCEPT="application/json")
    assert r.json()["status"] == "ended"


def test_another_grid_cannot_be_started_or_fed(client, tiny):
    login(client, tiny.worker_a1)
    assert client.post(reverse("patrols:start"), {"grid": tiny.grid_b1.pk}).status_code == 404
    worker_b = make_user(Role.GRID_WORKER, grid=tiny.grid_b1)
    pb = _patrol(worker_b, tiny.grid_b1)
    r = client.post(
        reverse("patrols:points", args=[pb.pk]),
        json.dumps({"points": []}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert client.get(reverse("patrols:detail", args=[pb.pk])).status_code == 404
    assert not Patrol.objects.filter(worker=tiny.worker_a1).exists()


def test_lists_are_scoped_with_pinned_queries(client, tiny, django_assert_max_num_queries):
    worker_b = make_user(Role.GRID_WORKER, grid=tiny.grid_b1, username="worker_b1")
    for _ in range(5):
        _patrol(tiny.worker_a1, tiny.grid_a1)
        _patrol(worker_b, tiny.grid_b1)
    login(client, tiny.staff_a)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("patrols:list")).content.decode()
    assert "东门第一网格" in html and "西门第一网格" not in html
    for g in (tiny.grid_a1, tiny.grid_a2, tiny.grid_b1, tiny.grid_b2):
        services.duty_set(actor=tiny.street_staff, grid=g, frequency="daily", times=1)
    services.check_patrols(day=timezone.localdate())
    with django_assert_max_num_queries(12):
        html = client.get(reverse("patrols:missed")).content.decode()
    assert "东门第二网格" in html and "西门第二网格" not in html
    with django_assert_max_num_queries(12):
        html = client.get(reverse("patrols:duties")).content.decode()
    assert "东门第一网格" in html and "西门" not in html
    html = client.get(reverse("patrols:coverage") + "?period=week").content.decode()
    assert "东门社区" in html and "西门社区" not in html
    flag_b = MissedPatrol.objects.get(grid=tiny.grid_b2)
    assert client.post(reverse("patrols:missed_ack", args=[flag_b.pk])).status_code == 404
    assert MissedPatrol.objects.get(pk=flag_b.pk).acknowledged_at is None


def test_grid_chief_sees_and_acknowledges_missed_patrols(client, tiny):
    chief = make_user(Role.GRID_CHIEF, grid=tiny.grid_a2, username="chief_a2")
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a2, frequency="daily", times=1)
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=1)
    call_command("check_patrols", day="2026-03-04", stdout=io.StringIO())
    call_command("check_patrols", day="2026-03-04", stdout=io.StringIO())
    assert MissedPatrol.objects.count() == 2
    login(client, chief)
    html = client.get(reverse("patrols:index")).content.decode()
    assert "东门第二网格" in html and "东门第一网格" not in html
    flag = MissedPatrol.objects.get(grid=tiny.grid_a2)
    client.post(reverse("patrols:missed_ack", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.acknowledged_by_id == chief.pk


def test_contact_pages_are_scoped(client, tiny, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # leaders pass TOTP first; not what is tested here
    org_dept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="orgdept")
    leader = make_user(Role.LEADER, area=tiny.county, username="leader1")
    leader2 = make_user(Role.LEADER, area=tiny.county, username="leader2")
    login(client, org_dept)
    r = client.post(
        reverse("patrols:contact_new"),
        {
            "leader": leader.pk,
            "target_area": tiny.community_a.pk,
            "cadence": 3,
            "since": "2026-01-01",
        },
    )
    a = ContactAssignment.objects.get()
    assert r.status_code == 302
    login(client, leader2)
    assert client.get(reverse("patrols:contact", args=[a.pk])).status_code == 404
    assert "东门社区" not in client.get(reverse("patrols:contacts")).content.decode()
    assert client.get(reverse("patrols:contact_new")).status_code == 404
    login(client, leader)
    html = client.get(reverse("patrols:contacts")).content.decode()
    assert "东门社区" in html and "逾期" in html
    r = client.post(
        reverse("patrols:contact", args=[a.pk]),
        {
            "visited_on": "2026-02-01",
            "met_with": "居民代表",
            "heard": "充电难",
            "opinions": "充电桩\n路灯",
            "opinions_count": 30,
        },
    )
    visit = a.visits.get()
    assert (
        r.status_code == 302 and visit.opinions == ["充电桩", "路灯"] and visit.opinions_count == 30
    )
    assert "30" in client.get(reverse("patrols:opinions") + "?start=2026-01-01").content.decode()
    login(client, leader2)
    assert client.get(reverse("patrols:contact_visit", args=[visit.pk])).status_code == 404
    assert (
        "30" not in client.get(reverse("patrols:opinions") + "?start=2026-01-01").content.decode()
    )


def test_org_coverage_and_gig_pages_are_scoped(client, tiny, branch):
    from civicgrid.people.models import PartyMember

    firm_a = Unit.objects.create(name="东门科技", kind=UnitKind.FIRM, area=tiny.community_a)
    firm_b = Unit.objects.create(name="西门物流", kind=UnitKind.FIRM, area=tiny.community_b)
    for u in (firm_a, firm_b):
        for i in range(3):
            PartyMember.objects.create(
                name=f"{u.name}{i}", gender="M", organization=branch, area=u.area, work_unit=u
            )
    login(client, tiny.staff_a)
    client.post(reverse("patrols:org_coverage"))  # the scoped re-check flags community A only
    assert list(CoverageFlag.objects.values_list("unit_id", flat=True)) == [firm_a.pk]
    html = client.get(reverse("patrols:org_coverage")).content.decode()
    assert "东门科技" in html and "西门物流" not in html and 'id="org-chart"' in html
    services.coverage_check()
    flag_b = CoverageFlag.objects.get(unit=firm_b)
    r = client.post(reverse("patrols:flag_update", args=[flag_b.pk]), {"owner": tiny.staff_a.pk})
    assert r.status_code == 404
    assert CoverageFlag.objects.get(pk=flag_b.pk).owner_id is None
    assert client.get(reverse("patrols:gig_report")).status_code == 404  # no gig profile
    assert client.get(reverse("patrols:gig_ledger")).status_code == 200


def test_demo_patrols_is_idempotent(tiny):
    make_user(Role.LEADER, area=tiny.county, username="demo_leader")
    out = io.StringIO()
    call_command("demo_patrols", "--if-empty", stdout=out)
    patrols, contacts = Patrol.objects.count(), ContactAssignment.objects.count()
    assert patrols >= 1 and contacts >= 1
    assert Patrol.objects.filter(completed=True).exists()
    call_command("demo_patrols", "--if-empty", stdout=out)
    assert (Patrol.objects.count(), ContactAssignment.objects.count()) == (patrols, contacts)
