"""The big screen's figures (from the rollups, scoped) and its JSON endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.analytics import rollups, screen
from civicgrid.analytics.models import CaseRollup
from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.cases.services import SYSTEM
from civicgrid.cases.tests.browser_conftest import browser, people
from civicgrid.core.errors import NotFound
from civicgrid.geo import services as geo_services
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user, square

from .fixtures import world  # noqa: F401

__all__ = ["browser", "people"]  # fixtures, used by name


@pytest.fixture
def county(world):  # noqa: F811
    """Two streets: 罗阳 (the tiny county's, 3 cases in A1, 1 in B1) and 城东 (2 cases in C1)."""
    w = world
    w.street2 = geo_services.area_create(
        actor=None, code="441322002000", name="城东街道", level=Area.Level.STREET, parent=w.county
    )
    w.community_c = geo_services.area_create(
        actor=None, code="441322002001", name="东湖社区", level=Area.Level.COMMUNITY,
        parent=w.street2,
    )  # fmt: skip
    w.grid_c1 = geo_services.grid_create(
        actor=None, code="G-C1", name="东湖第一网格", community=w.community_c,
        geometry=square(114.05, 23.00, 0.01),
    )  # fmt: skip
    w.street2_staff = make_user(Role.STREET_STAFF, area=w.street2, username="street2")
    w.leader = make_user(Role.LEADER, area=w.county, username="leader")

    def case(grid, item, *actions, rating=None):
        c = services.case_create(actor=SYSTEM, item=item, text="测试事件", grid=grid)
        for action in actions:
            kwargs = {"rating": rating} if action == "rate" else {}
            c = services.case_transition(
                actor=SYSTEM, case=Case.objects.get(pk=c.pk), action=action, note="说明", **kwargs
            )
        return c

    loop = ("accept", "dispatch", "start", "resolve")
    w.a1 = [
        case(w.grid_a1, w.lamp, *loop, "rate", rating="satisfied"),
        case(w.grid_a1, w.lamp, *loop, "rate", rating="dissatisfied"),
        case(w.grid_a1, w.garbage),
    ]
    w.b1 = case(w.grid_b1, w.manhole, "accept")
    w.c1 = [case(w.grid_c1, w.garbage), case(w.grid_c1, w.garbage, "accept")]
    # One of 城东's cases is red (the sweep colours it), one of 罗阳's too.
    Case.objects.filter(pk__in=[w.c1[0].pk, w.a1[2].pk]).update(sla_state="red")
    rollups.rebuild()
    return w


def _child(data, name):
    return next(c for c in data["children"] if c["name"] == name)


@pytest.mark.django_db
def test_county_sees_all_streets(county):
    data = screen.figures(county.leader)
    assert data["level"]["id"] == county.county.pk
    c = data["counters"]
    assert (c["today"], c["received"], c["open"], c["overdue"]) == (
        6,
        6,
        5,
        2,
    )  # the dissatisfied case is reopened: open
    assert c["satisfaction_rate"] == 50.0  # one satisfied, one dissatisfied
    assert {x["name"] for x in data["children"]} == {"罗阳街道", "城东街道"}
    luoyang, chengdong = _child(data, "罗阳街道"), _child(data, "城东街道")
    assert (luoyang["received"], luoyang["open"], luoyang["overdue"]) == (4, 3, 1)
    assert (chengdong["received"], chengdong["open"], chengdong["overdue"]) == (2, 2, 1)
    assert data["categories"][0] == {"id": county.garbage.pk, "name": "垃圾堆放", "received": 3}
    assert data["trend"][-1]["received"] == 6 and len(data["trend"]) == 30
    assert data["party"] == {"connected": True, "members": 0, "units": 0, "wishes_open": 0,
                             "claims_confirmed": 0, "volunteer_hours": 0.0, "points": 0}
    assert data["alerts"] == []


@pytest.mark.django_db
def test_a_street_user_sees_only_their_street(county):
    data = screen.figures(county.street2_staff)
    assert data["level"]["id"] == county.street2.pk
    assert (data["counters"]["received"], data["counters"]["open"]) == (2, 2)
    assert [x["name"] for x in data["children"]] == ["东湖社区"]
    assert [x["name"] for x in data["categories"]] == ["垃圾堆放"]
    # Asking for the county or the other street shows nothing of it.
    with pytest.raises(NotFound):
        screen.figures(county.street2_staff, area=county.county)
    with pytest.raises(NotFound):
        screen.figures(county.street2_staff, area=county.street.pk)
    with pytest.raises(NotFound):
        screen.figures(county.street2_staff, grid=county.grid_a1.pk)


@pytest.mark.django_db
def test_drill_down_to_community_and_grid(county):
    street = screen.figures(county.leader, area=county.street)
    assert [b["name"] for b in street["breadcrumbs"]] == ["测试县", "罗阳街道"]
    assert {x["name"]: x["received"] for x in street["children"]} == {"东门社区": 3, "西门社区": 1}
    community = screen.figures(county.leader, area=county.community_a)
    grids = {x["name"]: (x["received"], x["open"]) for x in community["children"]}
    assert grids == {"东门第一网格": (3, 2), "东门第二网格": (0, 0)}
    grid = screen.figures(county.leader, grid=county.grid_a1)
    assert grid["level"] == {"kind": "grid", "id": county.grid_a1.pk, "name": "东门第一网格"}
    assert grid["counters"]["received"] == 3


@pytest.mark.django_db
def test_period_and_today(county):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data = screen.figures(county.leader, date_from=yesterday, date_to=yesterday)
    assert data["counters"]["received"] == 0
    assert data["counters"]["open"] == 5  # open now, whatever the period
    assert screen.figures(county.leader, today=yesterday)["counters"]["today"] == 0


@pytest.mark.django_db
def test_figures_read_the_rollups_not_the_cases(county):
    # Cases changed behind the rollups' back do not show until they are recounted.
    Case.objects.filter(pk=county.b1.pk).update(sla_state="red")
    assert screen.figures(county.leader)["counters"]["overdue"] == 2
    rollups.rebuild()
    assert screen.figures(county.leader)["counters"]["overdue"] == 3
    CaseRollup.objects.all().delete()
    assert screen.figures(county.leader)["counters"]["received"] == 0


@pytest.mark.django_db
def test_department_ranking(county):
    from civicgrid.cases.models import Department
    from civicgrid.orgs.choices import UnitKind
    from civicgrid.orgs.models import Unit

    unit = Unit.objects.create(name="县城市管理局", kind=UnitKind.DEPARTMENT, area=county.county)
    Department.objects.create(unit=unit, department_type="urban_management", county=county.county)
    case = Case.objects.get(pk=county.c1[1].pk)  # accepted, in 城东
    services.case_transition(actor=SYSTEM, case=case, action="dispatch", to_unit=unit)
    rollups.flush()
    departments = screen.figures(county.leader)["departments"]
    assert [(d["name"], d["received"], d["open"], d["rank"]) for d in departments] == [
        ("县城市管理局", 1, 1, 1)
    ]
    # The other street's user does not see the department's case in 城东.
    assert screen.figures(county.street_staff)["departments"] == []


@pytest.mark.django_db
def test_endpoint_scoped_and_with_map(client, county):
    client.force_login(county.street_staff)
    r = client.get("/screen/data/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    data = r.json()
    assert data["counters"]["received"] == 4
    keys = {f["properties"]["key"] for f in data["map"]["features"]}
    assert keys == {f"area-{county.community_a.pk}", f"area-{county.community_b.pk}"}
    assert client.get(f"/screen/data/?area={county.street2.pk}").status_code == 404
    r = client.get(f"/screen/data/?grid={county.grid_a1.pk}")
    assert r.json()["map"]["features"][0]["properties"]["key"] == f"grid-{county.grid_a1.pk}"
    r = client.get("/screen/data/?from=2026-13-01", HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["error"]["message"] == "日期格式应为 YYYY-MM-DD。"
    r = client.get("/screen/data/?from=2026-02-01&to=2026-01-01", HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["error"]["message"] == "开始日期不能晚于结束日期。"


@pytest.mark.django_db
def test_page_for_viewers_only(client, county):
    client.force_login(county.county_staff)
    page = client.get("/screen/")
    assert page.status_code == 200 and "一屏观全县" in page.content.decode()
    assert "<script>" not in page.content.decode()  # CSP: scripts from static files only
    client.force_login(county.staff_a)  # community staff: no screen
    assert client.get("/screen/").status_code == 403
    assert client.get("/screen/data/").status_code == 403


def _map_values(page) -> dict:
    """What the ECharts map was given: {label: [open, overdue]} (read from the chart itself)."""
    return page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("screen-map"));
          const out = {};
          chart.getOption().series[0].data.forEach(x => { out[x.label] = [x.value, x.overdue]; });
          return out;
        }"""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_big_screen_and_phone_in_a_browser(people, county):
    from playwright.sync_api import expect

    from civicgrid.cases.tests.browser_conftest import overflow_px, shot

    page = people.open("county")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/screen/")
    root = page.locator("#screen")
    expect(root).to_have_attribute("data-ready", "1")
    expect(page.locator("#c-open")).to_have_text("5")
    expect(page.locator("#c-overdue")).to_have_text("2")
    expect(page.locator("#c-today")).to_have_text("6")
    expect(page.locator("#p-members")).to_have_text("0")
    expect(page.locator("#screen-alerts")).to_contain_text("暂无待研判的预警")
    assert _map_values(page) == {"罗阳街道": [3, 1], "城东街道": [2, 1]}
    assert page.locator("#screen-map canvas").count() == 1
    assert overflow_px(page) <= 0
    shot(page, "screen-01-county")
    # Drill down to the street: the same layout, the street's numbers.
    page.locator("#screen-ranking").get_by_role("link", name="罗阳街道").click()
    expect(page.locator("#screen-crumbs")).to_contain_text("罗阳街道")
    expect(page.locator("#c-open")).to_have_text("3")
    assert _map_values(page) == {"东门社区": [2, 1], "西门社区": [1, 0]}
    assert page.url.endswith(f"/screen/?area={county.street.pk}")
    # A street user on a phone: their street only, one column, nothing wider than the screen.
    phone = people.open("street2", phone=True)
    phone.goto("/screen/")
    expect(phone.locator("#screen")).to_have_attribute("data-ready", "1")
    expect(phone.locator("#c-open")).to_have_text("2")
    assert _map_values(phone) == {"东湖社区": [2, 1]}
    assert overflow_px(phone) <= 0
    shot(phone, "screen-02-phone")


@pytest.mark.django_db
def test_party_panel_and_alerts_count_inside_the_area(county):
    """The party panel reads dual reports, wishes and points of the area shown; a street user
    sees only their street's; open hotspot alerts are listed newest first."""
    import datetime as dt

    from civicgrid.analytics.models import Hotspot
    from civicgrid.orgs.choices import OrgKind
    from civicgrid.orgs.models import PartyOrganization
    from civicgrid.party import reporting
    from civicgrid.party.choices import PointsEvent
    from civicgrid.party.points import points_award
    from civicgrid.people.models import PartyMember
    from civicgrid.wishes import services as wishes

    org = PartyOrganization.objects.create(name="东门支部", kind=OrgKind.GRID_BRANCH, area=county.community_a)
    members = [PartyMember.objects.create(name=f"党员{i}", gender="M", organization=org,
                                          area=county.community_a, grid=county.grid_a1) for i in range(3)]
    far = PartyMember.objects.create(name="东湖党员", gender="F", organization=org, area=county.community_c,
                                     grid=county.grid_c1)
    for m in members[:2] + [far]:
        reporting.report_confirm(actor=None, report=reporting.report_submit(actor=None, member=m))
    reporting.report_submit(actor=None, member=members[2])  # submitted, not confirmed: not counted
    points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=members[0], source="t:1")
    points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=far, source="t:2")
    staff_a = make_user(Role.COMMUNITY_STAFF, area=county.community_a, username="staff_party")
    wishes.wish_create(actor=staff_a, kind="micro_wish", title="想要一台轮椅", community=county.community_a,
                       owner_label="张奶奶")
    Hotspot.objects.create(day=dt.date.today(), key="rise:x", kind=Hotspot.Kind.RISE, level=Hotspot.Level.GRID,
                           item=county.lamp, area=county.community_a, grid=county.grid_a1, count=6)
    whole = screen.figures(county.leader)["party"]
    rule = 2  # the default rule of case_reported
    assert (whole["members"], whole["units"], whole["points"]) == (3, 0, 2 * rule)
    assert whole["wishes_open"] == 1 and whole["claims_confirmed"] == 0 and whole["volunteer_hours"] == 0
    street2 = screen.figures(county.street2_staff)
    assert (street2["party"]["members"], street2["party"]["points"], street2["party"]["wishes_open"]) == (1, rule, 0)
    assert street2["alerts"] == []
    alerts = screen.figures(county.leader)["alerts"]
    assert [(a["where"], a["what"], a["count"]) for a in alerts] == [(county.grid_a1.name, county.lamp.name, 6)]
