"""The hotspot pages over HTTP: scoping of the list and the detail, dismissing with a reason,
opening a case from an alert; and the nav link."""

import datetime as dt

import pytest

from civicgrid.analytics.models import Hotspot
from civicgrid.analytics.tests import fixtures
from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.geo import services as geo_services
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user, square

pytestmark = pytest.mark.django_db
world = fixtures.world


@pytest.fixture
def alerts(world):
    w = world
    cases = [
        services.case_create(actor=w.worker_a1, item=w.garbage, text=f"垃圾{i}", lon=lon, lat=lat)
        for i, (lon, lat) in enumerate([(114.005, 23.005), (114.0055, 23.005), (114.005, 23.0055)])
    ]
    w.alert_a = Hotspot.objects.create(
        day=dt.date(2026, 11, 30),
        key=f"cluster:item:{w.garbage.pk}:{cases[0].pk}",
        kind="cluster",
        level="grid",
        item=w.garbage,
        area=w.community_a,
        grid=w.grid_a1,
        count=3,
        score=3,
        evidence={
            "radius_m": 300,
            "hours": 72,
            "span_m": 70,
            "centroid": [114.0052, 23.0052],
            "bbox": [114.005, 23.005, 114.0055, 23.0055],
        },
    )
    w.alert_a.cases.set(cases)
    w.street2 = geo_services.area_create(
        actor=None, code="441322002000", name="城东街道", level=Area.Level.STREET, parent=w.county
    )
    w.community_c = geo_services.area_create(
        actor=None,
        code="441322002001",
        name="东湖社区",
        level=Area.Level.COMMUNITY,
        parent=w.street2,
    )
    w.grid_c1 = geo_services.grid_create(
        actor=None,
        code="G-C1",
        name="东湖第一网格",
        community=w.community_c,
        geometry=square(114.05, 23.00, 0.01),
    )
    w.alert_c = Hotspot.objects.create(
        day=dt.date(2026, 11, 30),
        key=f"rise:item:{w.lamp.pk}:community:{w.community_c.pk}",
        kind="rise",
        level="community",
        item=w.lamp,
        area=w.community_c,
        count=9,
        baseline=0.5,
        score=6.2,
        evidence={"recent_days": 7, "baseline_weeks": 8, "weekly_mean": 0.5, "expected": 0.5},
    )
    w.street2_staff = make_user(Role.STREET_STAFF, area=w.street2, username="street2")
    w.leader = make_user(Role.LEADER, area=w.county, username="leader")
    return w


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_street_staff_see_only_their_streets_alerts(client, alerts):
    w = alerts
    page = _get(client, w.street_staff, "/hotspots/").content.decode()
    assert f"/hotspots/{w.alert_a.pk}/" in page and f"/hotspots/{w.alert_c.pk}/" not in page
    page = _get(client, w.street2_staff, "/hotspots/").content.decode()
    assert f"/hotspots/{w.alert_c.pk}/" in page and f"/hotspots/{w.alert_a.pk}/" not in page
    assert _get(client, w.street2_staff, f"/hotspots/{w.alert_a.pk}/").status_code == 404
    page = _get(client, w.county_staff, "/hotspots/").content.decode()
    assert f"/hotspots/{w.alert_a.pk}/" in page and f"/hotspots/{w.alert_c.pk}/" in page


def test_grid_workers_and_community_staff_have_no_alert_pages(client, alerts):
    w = alerts
    for user in (w.worker_a1, w.staff_a, w.resident):
        assert _get(client, user, "/hotspots/").status_code == 403
        assert _get(client, user, f"/hotspots/{w.alert_a.pk}/").status_code == 403
    client.logout()
    assert client.get("/hotspots/").status_code == 302


def test_nav_link_only_for_those_who_see_alerts(client, alerts):
    w = alerts
    assert "/hotspots/" in _get(client, w.street_staff, "/cases/").content.decode()
    assert "/hotspots/" not in _get(client, w.worker_a1, "/cases/").content.decode()


def test_detail_shows_the_evidence_the_cases_and_the_map_data(client, alerts):
    w = alerts
    r = _get(client, w.street_staff, f"/hotspots/{w.alert_a.pk}/")
    page = r.content.decode()
    for case in w.alert_a.cases.all():
        assert case.number in page
    assert 'id="hotspot-map-data"' in page and "114.0052" in page
    assert "72 小时内 3 件" in page and "hotspot_map.js" in page
    assert "<script>" not in page  # CSP: no inline scripts (the JSON is type application/json)


def test_dismiss_needs_a_reason_and_then_records_who_and_why(client, alerts):
    w = alerts
    client.force_login(w.street_staff)
    url = f"/hotspots/{w.alert_a.pk}/dismiss/"
    r = client.post(url, {"reason": "  "}, follow=True)
    assert "请填写排除理由" in r.content.decode()
    w.alert_a.refresh_from_db()
    assert w.alert_a.state == "open"
    client.post(url, {"reason": "同一堆垃圾,已清运"})
    w.alert_a.refresh_from_db()
    assert w.alert_a.state == "dismissed" and w.alert_a.reason == "同一堆垃圾,已清运"
    assert w.alert_a.decided_by == w.street_staff
    r = client.post(url, {"reason": "again"}, follow=True)
    assert "该预警已处理" in r.content.decode()
    # Out of scope: 404, nothing changes.
    client.force_login(w.street2_staff)
    assert client.post(f"/hotspots/{w.alert_a.pk}/dismiss/", {"reason": "x"}).status_code == 404


def test_leaders_see_but_cannot_decide(client, alerts, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # leaders pass TOTP first; not what is tested here
    w = alerts
    page = _get(client, w.leader, f"/hotspots/{w.alert_a.pk}/").content.decode()
    assert w.alert_a.cases.first().number in page and "排除该预警" not in page
    r = client.post(f"/hotspots/{w.alert_a.pk}/dismiss/", {"reason": "x"}, follow=True)
    assert "无权处理该预警" in r.content.decode()
    w.alert_a.refresh_from_db()
    assert w.alert_a.state == "open"


def test_open_a_case_from_an_alert(client, alerts):
    w = alerts
    client.force_login(w.street_staff)
    before = Case.objects.count()
    r = client.post(
        f"/hotspots/{w.alert_a.pk}/open-case/",
        {"item": w.garbage.pk, "text": "幸福路垃圾反复堆放,请综合整治"},
    )
    assert r.status_code == 302
    case = Case.objects.latest("id")
    assert Case.objects.count() == before + 1 and r["Location"] == f"/cases/{case.pk}/"
    assert case.grid == w.grid_a1 and case.item == w.garbage
    w.alert_a.refresh_from_db()
    assert w.alert_a.state == "case_opened" and w.alert_a.opened_case == case
    note = case.events.get(action="note")
    assert note.data["hotspot"] == w.alert_a.pk and len(note.data["hotspot_cases"]) == 3
    # Again: refused, no second case.
    r = client.post(
        f"/hotspots/{w.alert_a.pk}/open-case/", {"item": w.garbage.pk, "text": "x"}, follow=True
    )
    assert "该预警已处理" in r.content.decode() and Case.objects.count() == before + 1


def test_open_case_checks_the_input(client, alerts):
    w = alerts
    client.force_login(w.street_staff)
    url = f"/hotspots/{w.alert_a.pk}/open-case/"
    r = client.post(url, {"item": w.garbage.pk, "text": ""}, follow=True)
    assert "请填写事件描述" in r.content.decode()
    r = client.post(url, {"item": w.lamp.pk, "text": "路灯"}, follow=True)
    assert "请选择与预警相同分类的事项" in r.content.decode()
    r = client.post(url, {"item": 999999, "text": "路灯"}, follow=True)
    assert "未知的事项" in r.content.decode()
    w.alert_a.refresh_from_db()
    assert w.alert_a.state == "open" and w.alert_a.opened_case is None


def test_open_case_for_an_alert_without_a_place_is_refused(client, alerts):
    w = alerts
    street_alert = Hotspot.objects.create(
        day=dt.date(2026, 11, 30),
        key=f"rise:group:{w.garbage.group_id}:street:{w.street.pk}",
        kind="rise",
        level="street",
        group=w.garbage.group,
        area=w.street,
        count=12,
        evidence={},
    )
    client.force_login(w.street_staff)
    before = Case.objects.count()
    r = client.post(
        f"/hotspots/{street_alert.pk}/open-case/", {"item": w.garbage.pk, "text": "x"}, follow=True
    )
    assert "没有坐标" in r.content.decode() and Case.objects.count() == before
    street_alert.refresh_from_db()
    assert street_alert.state == "open"
