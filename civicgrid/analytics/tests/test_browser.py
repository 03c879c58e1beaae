"""The duplicate panel and the hotspot pages in a real browser: a hotline clerk finds the open
case the caller is describing and joins the caller to it; street staff review an alert on a
phone (390 px) and dismiss it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from civicgrid.analytics.models import CoReporter, Hotspot
from civicgrid.analytics.tests import fixtures
from civicgrid.cases import services
from civicgrid.cases.tests.browser_conftest import PHONE_WIDTH, browser, overflow_px, people, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "people"]  # fixtures, used by name
world = fixtures.world


def test_hotline_clerk_joins_the_caller_to_the_open_case(people, world):
    from civicgrid.intake import duplicates

    duplicates.clear_cache()
    w = world
    existing = services.case_create(
        actor=w.worker_a1, item=w.lamp, text="幸福路3号门口的路灯坏了", lon=114.0055, lat=23.005
    )
    page = people.open("staff_a")
    page.goto("/cases/new/")
    page.locator("select[name=item]").select_option(str(w.lamp.pk))
    page.locator("textarea[name=text]").fill("幸福路3号路灯不亮,晚上很黑")
    page.locator("select[name=grid]").select_option(str(w.grid_a1.pk))
    page.get_by_text("热线、来访、会议登记").click()
    page.locator("input[name=reporter_name]").fill("钱七")
    page.locator("input[name=reporter_phone]").fill("13600136000")
    panel = page.locator("#dup-panel")
    expect(panel).to_contain_text(existing.number)
    expect(panel).to_contain_text("相距约")
    shot(page, "dups-01-panel")
    with page.expect_navigation():
        panel.get_by_role("button", name="加入该事件").click()
    assert page.url.endswith(f"/cases/{existing.pk}/")
    expect(page.locator(".msg-success")).to_contain_text("诉求人将收到办理进展")
    co = CoReporter.objects.get(case=existing)
    assert (co.name, co.phone, co.joined_by_id) == ("钱七", "13600136000", w.staff_a.pk)


def test_street_staff_review_and_dismiss_an_alert_on_a_phone(people, world):
    w = world
    cases = [
        services.case_create(
            actor=w.worker_a1, item=w.garbage, text=f"垃圾{i}", lon=lon, lat=23.005
        )
        for i, lon in enumerate((114.005, 114.0055, 114.006))
    ]
    alert = Hotspot.objects.create(
        day=dt.date(2026, 11, 30),
        key=f"cluster:item:{w.garbage.pk}:{cases[0].pk}",
        kind="cluster",
        level="grid",
        item=w.garbage,
        area=w.community_a,
        grid=w.grid_a1,
        count=3,
        evidence={"radius_m": 300, "hours": 72, "span_m": 100, "centroid": [114.0055, 23.005]},
    )
    alert.cases.set(cases)
    page = people.open("street", phone=True)
    page.goto("/hotspots/")
    page.get_by_role("link", name="垃圾堆放").click()
    expect(page.locator("#hotspot-map")).to_have_attribute("data-ready", "1")
    for case in cases:
        expect(page.locator("table.data")).to_contain_text(case.number)
    assert overflow_px(page) <= 0, f"wider than {PHONE_WIDTH} px"
    shot(page, "hotspots-01-detail-phone")
    page.locator("textarea[name=reason]").fill("同一处垃圾点,已安排清运")
    with page.expect_navigation():
        page.get_by_role("button", name="排除该预警").click()
    expect(page.locator(".msg-success")).to_contain_text("已排除该预警")
    alert.refresh_from_db()
    assert alert.state == "dismissed" and alert.reason == "同一处垃圾点,已安排清运"
