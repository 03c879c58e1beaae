"""On a phone: a party member (with a login) claims a wish, starts and completes it; the
community's staff confirm it on the desk; the member's points went up (ledger and page)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from civicgrid.party.points import points_balance
from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)
from civicgrid.wishes.choices import ClaimStatus
from civicgrid.wishes.models import Claim

from .conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"  # civicgrid.testing.factories.UserFactory


def shot(page, name):
    folder = Path(os.environ.get("CIVICGRID_SCREENSHOTS") or Path(tempfile.gettempdir()) / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"wishes-{name}.png"), full_page=True)


def login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_member_claims_on_phone_staff_confirm_points_go_up(live_server, browser, phone_page, tiny):  # noqa: F811
    world = World(tiny)
    wish = world.wish(title="帮独居老人买菜", description="每周二上午")
    world.wish(side="b", title="西门的心愿")
    before = points_balance(member=world.member_a)
    problems = []
    phone_page.on("pageerror", lambda exc: problems.append(str(exc)))
    phone_page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    base = live_server.url

    login(phone_page, base, "member_a")
    phone_page.goto(base + "/wishes/")  # a member is sent to the phone page
    assert "/wishes/m/" in phone_page.url
    cards = phone_page.get_by_test_id("open-wishes")
    assert "帮独居老人买菜" in cards.inner_text() and "西门的心愿" not in cards.inner_text()
    phone_page.get_by_role("link", name="帮独居老人买菜").click()
    phone_page.locator('[data-action="claim"]').click()
    assert "认领成功" in phone_page.locator(".messages").inner_text()
    assert phone_page.get_by_test_id("claim-status").inner_text() == "已认领"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "claimed")
    phone_page.locator('[data-action="start"]').click()
    assert phone_page.get_by_test_id("claim-status").inner_text() == "办理中"
    phone_page.locator('textarea[name="note"]').first.fill("已买好送到家中")
    phone_page.locator('[data-action="complete"]').click()
    assert phone_page.get_by_test_id("claim-status").inner_text() == "已完成待确认"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "completed")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    login(staff, base, "staff_a")
    staff.goto(f"{base}/wishes/")
    staff.get_by_role("link", name="帮独居老人买菜").click()
    assert "已买好送到家中" in staff.get_by_test_id("active-claim").inner_text()
    staff.locator('[data-action="confirm"]').click()
    assert "社区已确认" in staff.get_by_test_id("active-claim").inner_text()
    shot(staff, "confirmed")
    desk.close()

    claim = Claim.objects.get(wish=wish)
    assert claim.status == ClaimStatus.CONFIRMED
    after = points_balance(member=world.member_a)
    assert after == before + 5
    # the member's own points page (civicgrid/party) shows the new balance
    phone_page.goto(base + "/party/me/points/")
    assert phone_page.locator("[data-balance]").inner_text().strip() == str(after)
    assert "认领事项完成" in phone_page.content()
    shot(phone_page, "points")
    assert problems == []
