"""On a phone: a party member signs in, signs up, opens the check-in URL of the code the organiser
shows, is checked in (a second scan says so), and after crediting sees their hours."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from civicgrid.activities.models import Activity, Signup
from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)

from .conftest import Crowd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"  # civicgrid.testing.factories.UserFactory


def shot(page, name):
    folder = Path(os.environ.get("CIVICGRID_SCREENSHOTS") or Path(tempfile.gettempdir()) / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"activities-{name}.png"), full_page=True)


def login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_member_signs_up_checks_in_and_sees_hours(live_server, browser, phone_page, tiny):  # noqa: F811
    crowd = Crowd(tiny)
    activity = crowd.activity(
        start_in=-dt.timedelta(minutes=10),
        length=dt.timedelta(hours=2, minutes=10),
        title="楼道清洁志愿服务",
        capacity=3,
    )
    problems = []
    phone_page.on("pageerror", lambda exc: problems.append(str(exc)))
    phone_page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    base = live_server.url

    login(phone_page, base, "member_a")
    phone_page.goto(
        base + "/activities/"
    )  # a member without a staff role lands on the sign-up list
    phone_page.get_by_role("link", name="楼道清洁志愿服务").click()
    phone_page.get_by_role("button", name="报名").click()
    assert "已报名" in phone_page.locator("#my-signup").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "signed-up")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    organiser = desk.new_page()
    login(organiser, base, "staff_a")
    organiser.goto(f"{base}/activities/{activity.pk}/qr/")
    assert organiser.locator("#qr-box svg").count() == 1
    url = organiser.locator("#checkin-code").get_attribute("data-checkin-url")
    assert url and f"/activities/c/{activity.pk}-" in url
    shot(organiser, "qr")

    phone_page.goto(url)
    phone_page.get_by_role("button", name="确认签到").click()
    assert phone_page.locator("#checkin-state").get_attribute("data-state") == "checked_in"
    shot(phone_page, "checked-in")
    phone_page.goto(url)  # a second scan
    assert phone_page.locator("#checkin-state").get_attribute("data-state") == "already"
    assert Signup.objects.filter(checked_in_at__isnull=False).count() == 1

    # The activity ends (moved into the past), and the organiser credits it.
    end = timezone.now() - dt.timedelta(minutes=1)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=end - dt.timedelta(hours=2), ends_at=end
    )
    Signup.objects.filter(activity=activity).update(checked_in_at=end - dt.timedelta(hours=2))
    organiser.goto(f"{base}/activities/{activity.pk}/")
    organiser.get_by_role("button", name="核算时长和积分").click()
    organiser.wait_for_selector(".msg-success")
    assert "2.0" in organiser.locator("#roster").inner_text()
    organiser.goto(f"{base}/activities/stats/")
    organiser.wait_for_selector("#hours-chart[data-ready='1'] canvas")
    assert organiser.locator("#total-hours").inner_text() == "2.0"
    shot(organiser, "stats")
    desk.close()

    phone_page.goto(base + "/activities/mine/")
    assert phone_page.locator("#my-hours").inner_text() == "2.0"
    shot(phone_page, "mine")
    assert problems == []
