"""On a phone: a party member signs in, reports to their community; the community's staff
confirm and the member sees the receipt; an award moves the member's balance and rank."""

from __future__ import annotations

import os

import pytest

from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import DualReport
from civicgrid.party.points import points_award
from civicgrid.people.models import PartyMember
from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("CIVICGRID_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/party-{name}.png", full_page=True)


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button.primary")


def test_member_reports_staff_confirm_points_move_the_rank(live_server, reg, browser, phone_page):  # noqa: F811
    base = live_server.url
    errors: list[str] = []
    phone_page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A neighbour in the same community already has 5 points this month.
    neighbour = PartyMember.objects.create(
        name="孙党员",
        gender="M",
        organization=reg.branch_a1,
        area=reg.tiny.community_a,
        grid=reg.tiny.grid_a1,
    )
    points_award(actor=None, event=PointsEvent.CLAIM_CONFIRMED, member=neighbour, source="t:n")

    page = phone_page
    _login(page, base, "13700137000")
    page.wait_for_url(base + "/party/me/")
    assert "王党员" in page.locator("h1").inner_text()
    assert page.locator("[data-balance]").inner_text() == "0"
    assert page.locator("[data-month-rank]").inner_text() == "2"
    # Staff pages are refused politely, with the way back.
    page.goto(base + "/cases/")
    assert "此页面供工作人员使用" in page.content()
    page.click("text=返回我的页面")
    page.wait_for_url(base + "/party/me/")

    page.click("text=我要报到")
    page.wait_for_url(base + "/party/me/report/")
    selected = page.locator("select[name=community] option:checked").inner_text()
    assert "东门社区" in selected  # the residential community by default
    page.fill("input[name=skills]", "水电维修")
    page.check("input[name=services][value=volunteer]")
    page.select_option("select[name=availability]", "weekends")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    _shot(page, "report-form")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/party/me/")
    assert page.locator("#my-report [data-status]").get_attribute("data-status") == "submitted"
    report = DualReport.objects.get(member=reg.member_a)
    assert report.services == ["volunteer"] and report.availability == "weekends"

    # The community's staff confirm it (another phone).
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    staff = context.new_page()
    _login(staff, base, "staff_a")
    staff.wait_for_url(base + "/")
    staff.goto(base + "/party/")
    staff.click("table.roster >> text=王党员")
    staff.wait_for_url(f"**/party/reports/{report.pk}/")
    staff.click("#confirm-report")
    staff.wait_for_url(f"**/party/receipt/{report.pk}/")
    report.refresh_from_db()
    assert staff.locator("[data-receipt]").inner_text() == report.receipt_number
    _shot(staff, "receipt")
    context.close()

    page.reload()
    assert page.locator("#my-report [data-status]").get_attribute("data-status") == "confirmed"
    page.click(f"text={report.receipt_number}")
    page.wait_for_url(f"**/party/receipt/{report.pk}/")
    assert "王党员" in page.locator("#receipt").inner_text()

    # The member claims a micro-wish on the phone (the wishes app), starts and completes it;
    # the community confirms; the member's balance and rank move.
    from civicgrid.wishes import services as wishes
    from civicgrid.wishes.models import Claim

    wishes.wish_create(
        actor=reg.tiny.staff_a,
        kind="micro_wish",
        title="帮独居老人买菜",
        community=reg.tiny.community_a,
        grid=reg.tiny.grid_a1,
    )
    page.goto(base + "/wishes/")
    page.get_by_role("link", name="帮独居老人买菜").click()
    page.locator('[data-action="claim"]').click()
    page.locator('[data-action="start"]').click()
    page.locator('textarea[name="note"]').first.fill("已买好送到家中")
    page.locator('[data-action="complete"]').click()
    claim = Claim.objects.get(wish__title="帮独居老人买菜")
    wishes.claim_transition(actor=reg.tiny.staff_a, claim=claim, action="confirm")
    page.goto(base + "/party/me/")
    assert page.locator("[data-balance]").inner_text() == "5"
    assert page.locator("[data-month-rank]").inner_text() == "1"  # level with the neighbour
    points_award(actor=None, event=PointsEvent.ACTIVITY_ATTENDED, member=reg.member_a, source="t:1")
    page.goto(base + "/party/me/")
    assert page.locator("[data-balance]").inner_text() == "8"
    page.wait_for_selector("[data-party-chart=month-chart] svg")
    _shot(page, "me")
    assert errors == []
